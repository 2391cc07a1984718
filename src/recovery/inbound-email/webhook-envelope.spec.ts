import { DomainError } from '../../common/domain-error';
import { outcomeKey } from './inbound-message-processing.service';
import type { SenderAuthentication } from './sender-auth-decision';
import { webhookEnvelope } from './webhook-envelope';

describe('webhookEnvelope', () => {
  it('reads the optional envelope headers', () => {
    expect(
      webhookEnvelope({
        'x-envelope-from': '<asa@bank.test>',
        'x-envelope-to': 'support@recovery-desk.test, <help@recovery-desk.test>',
        'x-client-ip': '2001:db8::1',
        'x-client-helo': 'mx.bank.test',
      }),
    ).toEqual({
      mailFrom: 'asa@bank.test',
      rcptTo: ['support@recovery-desk.test', 'help@recovery-desk.test'],
      clientIp: '2001:db8::1',
      clientHelo: 'mx.bank.test',
    });
  });

  it('keeps the null sender apart from "not given"', () => {
    expect(webhookEnvelope({ 'x-envelope-from': '<>' }).mailFrom).toBe('');
    expect(webhookEnvelope({}).mailFrom).toBeNull();
  });

  it.each([
    ['x-client-ip', '999.1.1.1'],
    ['x-client-helo', 'has space'],
    ['x-envelope-from', 'not an address'],
    ['x-envelope-to', 'a@b.test, nonsense'],
  ])('refuses a malformed %s', (name, value) => {
    expect(() => webhookEnvelope({ [name]: value })).toThrow(DomainError);
  });
});

describe('outcomeKey', () => {
  const pass: SenderAuthentication = { result: 'pass', method: 'dmarc', detail: '' };
  const fail: SenderAuthentication = { result: 'fail', method: 'dmarc', detail: '' };
  const hash = Buffer.alloc(32, 1);
  const message = (address: string, messageId: string | null) => ({
    from: [{ address, name: '' }],
    messageId,
  });

  it('is the same for the same Message-ID from the same sender, whatever the case', () => {
    expect(outcomeKey(pass, message('Asa@Bank.test', '<1@bank.test>'), hash)).toBe(
      outcomeKey(pass, message('asa@bank.test', '<1@bank.test>'), Buffer.alloc(32, 2)),
    );
  });

  it('differs by sender, by Message-ID and by authentication result', () => {
    const key = outcomeKey(pass, message('asa@bank.test', '<1@bank.test>'), hash);
    expect(outcomeKey(pass, message('bo@bank.test', '<1@bank.test>'), hash)).not.toBe(key);
    expect(outcomeKey(pass, message('asa@bank.test', '<2@bank.test>'), hash)).not.toBe(key);
    // a forged copy sent first must not pre-empt the genuine message
    expect(outcomeKey(fail, message('asa@bank.test', '<1@bank.test>'), hash)).not.toBe(key);
  });

  it('falls back to the raw bytes without a Message-ID', () => {
    const a = outcomeKey(pass, message('asa@bank.test', null), hash);
    expect(outcomeKey(pass, message('asa@bank.test', null), hash)).toBe(a);
    expect(outcomeKey(pass, message('asa@bank.test', null), Buffer.alloc(32, 3))).not.toBe(a);
  });
});
