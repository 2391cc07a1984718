import { recoveryEventType, securityEventBody } from './security-event-body';

describe('securityEventBody', () => {
  const at = new Date('2026-03-01T08:00:00.000Z');

  it('has exactly type, timestamp and data, with requestId only when there is one', () => {
    expect(
      JSON.parse(
        securityEventBody('e1', at, {
          type: 'recovery.approved',
          organizationId: 'o1',
          userId: 'u1',
          requestId: 'r1',
          actor: { type: 'user', id: 'a1' },
        }),
      ),
    ).toEqual({
      type: 'recovery.approved',
      timestamp: '2026-03-01T08:00:00.000Z',
      data: {
        eventId: 'e1',
        organizationId: 'o1',
        userId: 'u1',
        requestId: 'r1',
        actor: { type: 'user', id: 'a1' },
      },
    });
    const body = securityEventBody('e2', at, {
      type: 'two_factor.reset',
      organizationId: null,
      userId: 'u2',
      requestId: null,
      actor: { type: 'system', id: null },
    });
    expect(body).toBe(
      '{"type":"two_factor.reset","timestamp":"2026-03-01T08:00:00.000Z","data":' +
        '{"eventId":"e2","organizationId":null,"userId":"u2","actor":{"type":"system"}}}',
    );
  });

  it('drops anything a caller adds beyond the listed fields', () => {
    const event = {
      type: 'two_factor.enabled' as const,
      organizationId: 'o1',
      userId: 'u1',
      actor: { type: 'user' as const, id: 'u1', secret: 'JBSWY3DPEHPK3PXP' },
      secret: 'JBSWY3DPEHPK3PXP',
      last4: '4242',
    };
    const body = securityEventBody('e3', at, event);
    expect(body).not.toContain('JBSWY3DPEHPK3PXP');
    expect(body).not.toContain('4242');
  });

  it.each([
    ['recovery.awaiting_approval', 'recovery.requested'],
    ['recovery.approved', 'recovery.approved'],
    ['recovery.completed', 'recovery.completed'],
    ['recovery.denied', 'recovery.denied'],
    ['recovery.cancelled', 'recovery.cancelled'],
    ['recovery.expired', 'recovery.expired'],
    ['recovery.approval_recorded', undefined],
    ['recovery.rejected', undefined],
  ])('maps the audit action %s to the event %s', (action, type) => {
    expect(recoveryEventType(action)).toBe(type);
  });
});
