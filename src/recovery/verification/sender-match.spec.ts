import { simpleParser } from 'mailparser';
import { senderAddress } from './sender-match';
import { VERIFICATION_PARSER_OPTIONS } from './visible-text';

/** Parses a message with the given raw From header line(s) through the real mailparser. */
async function fromHeaders(...froms: string[]) {
  const headers = froms.map((from) => `From: ${from}\r\n`).join('');
  const raw = `${headers}To: support@recovery-desk.test\r\nSubject: 2FA\r\n\r\nHej\r\n`;
  return senderAddress(await simpleParser(raw, VERIFICATION_PARSER_OPTIONS));
}

describe('the single From address, normalized', () => {
  it.each([
    ['asa@example.se', 'asa@example.se'],
    ['Åsa Öberg <Asa@EXAMPLE.se>', 'asa@example.se'],
    ['"Öberg, Åsa" <asa@example.se>', 'asa@example.se'],
    ['=?utf-8?q?=C3=85sa_=C3=96berg?= <ASA@example.SE>', 'asa@example.se'],
    ['<asa@example.se>', 'asa@example.se'],
    ['asa@bücher.example', 'asa@xn--bcher-kva.example'],
    ['Åsa <asa@BÜCHER.example>', 'asa@xn--bcher-kva.example'],
    ['  asa@example.se  ', 'asa@example.se'],
  ])('%j → %s', async (from, email) => {
    await expect(fromHeaders(from)).resolves.toEqual({ outcome: 'single_address', email });
  });
});

describe('anything but exactly one plain address is ambiguous_sender', () => {
  it.each([
    ['two addresses', ['a@example.se, b@example.se']],
    ['two angle addresses', ['<a@example.se> <b@example.se>']],
    ['two bare addresses', ['a@example.se b@example.se']],
    ['an address in the display name', ['"admin@victim.example" <attacker@evil.example>']],
    ['an unquoted address as display name', ['admin@victim.example <attacker@evil.example>']],
    ['an address in a comment', ['a@example.se (b@example.se)']],
    ['an encoded "@" in the display name', ['=?utf-8?q?admin=40victim.example?= <x@evil.example>']],
    ['a group', ['team: a@example.se;']],
    ['an empty group', ['undisclosed-recipients:;']],
    ['no address', ['Åsa Öberg']],
    ['an empty header', ['']],
    ['two From headers', ['a@example.se', 'b@example.se']],
    ['two identical From headers', ['a@example.se', 'a@example.se']],
    ['not an address', ['asa@localhost']],
  ])('%s', async (_label, froms) => {
    await expect(fromHeaders(...froms)).resolves.toMatchObject({ outcome: 'ambiguous_sender' });
  });

  it('a message without a From header', async () => {
    const parsed = await simpleParser('To: support@x.test\r\nSubject: x\r\n\r\nHej\r\n');
    expect(senderAddress(parsed)).toMatchObject({ outcome: 'ambiguous_sender' });
  });

  it('says why without echoing the address', async () => {
    const result = await fromHeaders('a@example.se, b@example.se');
    expect(result).toEqual({ outcome: 'ambiguous_sender', detail: '2 "@" in the From header' });
  });
});
