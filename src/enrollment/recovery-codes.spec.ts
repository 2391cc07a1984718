import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes';

describe('recovery codes', () => {
  it('issues 10 distinct codes of 80 bits in groups of four', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      expect(normalizeRecoveryCode(code)).toBe(code.replace(/-/g, ''));
    }
  });

  it.each([
    ['ABCD-EFGH-JKMN-PQRS', 'ABCDEFGHJKMNPQRS'],
    ['abcd efgh jkmn pqrs', 'ABCDEFGHJKMNPQRS'],
    ['  abcdefghjkmnpqrs ', 'ABCDEFGHJKMNPQRS'],
    ['oOiI-lL00-1111-2222', '0011110011112222'],
  ])('reads %j as %s', (input, expected) => {
    expect(normalizeRecoveryCode(input)).toBe(expected);
  });

  it.each([
    '',
    'ABCD-EFGH-JKMN',
    'ABCD-EFGH-JKMN-PQRS-T',
    'ABCD-EFGH-JKMN-PQR!',
    'UUUU-0000-0000-0000',
  ])('refuses %j', (input) => {
    expect(normalizeRecoveryCode(input)).toBeUndefined();
  });

  it('hashes the normalized form, so every way of typing a code finds it', () => {
    const a = normalizeRecoveryCode('abcd-efgh-jkmn-pqrs') as string;
    const b = normalizeRecoveryCode('ABCDEFGHJKMNPQRS') as string;
    expect(hashRecoveryCode(a)).toEqual(hashRecoveryCode(b));
    expect(hashRecoveryCode(a)).toHaveLength(32);
  });
});
