import { auditHash, canonicalJson, GENESIS_HASH, HashedFields } from './audit-hash';

const event: HashedFields = {
  occurredAt: new Date('2025-01-02T03:04:05.678Z'),
  actorType: 'user',
  actorId: '00000000-0000-4000-8000-000000000001',
  action: 'auth.signed_in',
  targetUserId: '00000000-0000-4000-8000-000000000001',
  organizationId: '00000000-0000-4000-8000-000000000002',
  subjectId: null,
  data: { ip: '127.0.0.1', nested: { b: 2, a: 1 } },
};

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('drops undefined members and keeps array order', () => {
    expect(canonicalJson({ a: undefined, b: [3, 1, 2] })).toBe('{"b":[3,1,2]}');
  });

  it('handles scalars', () => {
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson(1)).toBe('1');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('auditHash', () => {
  it('is a SHA-256 hex digest', () => {
    expect(auditHash(GENESIS_HASH, event)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable under key reordering of data (as jsonb does)', () => {
    const reordered = { ...event, data: { nested: { a: 1, b: 2 }, ip: '127.0.0.1' } };
    expect(auditHash(GENESIS_HASH, reordered)).toBe(auditHash(GENESIS_HASH, event));
  });

  it('changes when the previous hash changes (chaining)', () => {
    expect(auditHash('1'.repeat(64), event)).not.toBe(auditHash(GENESIS_HASH, event));
  });

  it.each<[string, Partial<HashedFields>]>([
    ['occurredAt', { occurredAt: new Date('2025-01-02T03:04:05.679Z') }],
    ['actorType', { actorType: 'system' }],
    ['actorId', { actorId: null }],
    ['action', { action: 'auth.signed_out' }],
    ['targetUserId', { targetUserId: '00000000-0000-4000-8000-000000000003' }],
    ['organizationId', { organizationId: null }],
    ['subjectId', { subjectId: 'x' }],
    ['data', { data: { ip: '127.0.0.2', nested: { a: 1, b: 2 } } }],
  ])('changes when %s changes', (_field, change) => {
    expect(auditHash(GENESIS_HASH, { ...event, ...change })).not.toBe(
      auditHash(GENESIS_HASH, event),
    );
  });

  it('does not confuse field boundaries (values are JSON-encoded, not concatenated)', () => {
    const a = { ...event, action: 'ab', subjectId: 'c' };
    const b = { ...event, action: 'a', subjectId: 'bc' };
    expect(auditHash(GENESIS_HASH, a)).not.toBe(auditHash(GENESIS_HASH, b));
  });
});
