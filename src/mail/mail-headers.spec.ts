import {
  isValidRecipient,
  mailFromDomain,
  newMessageId,
  normalizeMessageId,
  normalizeReferences,
} from './mail-headers';

describe('mail headers', () => {
  it.each([
    ['<abc@example.test>', '<abc@example.test>'],
    ['  <abc@example.test> ', '<abc@example.test>'],
    ['abc@example.test', '<abc@example.test>'],
    ['<abc@example.test>\r\nBcc: victim@example.test', undefined],
    ['<a b@example.test>', undefined],
    ['<a<b@example.test>', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('normalizes the message id %j', (input, expected) => {
    expect(normalizeMessageId(input)).toBe(expected);
  });

  it('keeps well-formed references, split, de-duplicated and capped', () => {
    expect(normalizeReferences(['<a@x> <b@x>', '<a@x>', 'bad id\r\nX-Evil: 1', '<c@x>'])).toEqual([
      '<a@x>',
      '<b@x>',
      '<c@x>',
    ]);
    const many = Array.from({ length: 30 }, (_, i) => `<m${i}@x>`);
    expect(normalizeReferences(many)).toEqual(many.slice(-20));
  });

  it.each([
    ['kim@example.test', true],
    ['kim@xn--rksmrgs-5wao1o.test', true],
    ['Kim <kim@example.test>', false],
    ['kim@example.test, eve@example.test', false],
    ['kim@example.test\r\nBcc: eve@example.test', false],
    ['kim', false],
  ])('accepts %j as a recipient: %s', (input, expected) => {
    expect(isValidRecipient(input)).toBe(expected);
  });

  it('builds Message-IDs on the domain of MAIL_FROM', () => {
    expect(mailFromDomain('Support <support@desk.example.test>')).toBe('desk.example.test');
    expect(mailFromDomain('support@desk.example.test')).toBe('desk.example.test');
    expect(newMessageId('desk.example.test')).toMatch(/^<[0-9a-f-]{36}@desk\.example\.test>$/);
  });
});
