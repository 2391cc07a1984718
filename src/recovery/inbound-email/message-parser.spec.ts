import { parseInboundMessage } from './message-parser';

const HEAD =
  'From: Åsa Öberg <asa@example.se>\r\nTo: support@recovery-desk.test\r\nSubject: 2FA\r\nMIME-Version: 1.0\r\n';

/** A multipart/mixed message: a body part without evidence, then `part` (headers + body). */
function mixed(part: string): Buffer {
  return Buffer.from(
    [
      `${HEAD}Content-Type: multipart/mixed; boundary="mix"\r\n`,
      '--mix\r\nContent-Type: text/plain; charset=utf-8\r\n',
      'Please reset my 2FA.\r\n',
      `--mix\r\n${part}\r\n`,
      '--mix--\r\n',
    ].join('\r\n'),
  );
}

describe('a part with a file name is an attachment, never body text', () => {
  it.each([
    [
      'text/plain, inline with filename',
      'Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline; filename="kvitto.txt"\r\n\r\nKort 4242',
      'kvitto.txt',
    ],
    [
      'text/html, inline with filename',
      'Content-Type: text/html; charset=utf-8\r\nContent-Disposition: inline; filename=kvitto.html\r\n\r\n<p>Kort 4242</p>',
      'kvitto.html',
    ],
    [
      'text/plain with a name parameter only',
      'Content-Type: text/plain; charset=utf-8; name="kvitto.txt"\r\n\r\nKort 4242',
      'kvitto.txt',
    ],
    [
      'text/html with a name parameter and inline disposition',
      'Content-Type: text/html; name=kvitto.htm\r\nContent-Disposition: inline\r\n\r\n<b>Kort 4242</b>',
      'kvitto.htm',
    ],
    [
      'RFC 2231 encoded filename',
      "Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline; filename*=utf-8''kvitto%20%C3%A5r.txt\r\n\r\nKort 4242",
      'kvitto år.txt',
    ],
    [
      'RFC 2231 filename in continuations',
      'Content-Type: text/plain\r\nContent-Disposition: inline;\r\n filename*0="kvi";\r\n filename*1="tto.txt"\r\n\r\nKort 4242',
      'kvitto.txt',
    ],
    [
      'RFC 2047 encoded name, base64 body',
      'Content-Type: text/plain; name="=?utf-8?Q?kvitto=C3=A5.txt?="\r\nContent-Transfer-Encoding: base64\r\n\r\nS29ydCA0MjQy',
      'kvittoå.txt',
    ],
  ])('%s', async (_label, part, filename) => {
    const parsed = await parseInboundMessage(mixed(part));
    expect(parsed.text?.trim()).toBe('Please reset my 2FA.');
    expect(parsed.html).toBeNull();
    expect(parsed.attachments.map((a) => a.filename)).toEqual([filename]);
  });

  it('a single-part message that is a named file has no body text', async () => {
    const raw = Buffer.from(
      `${HEAD}Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline; filename="a.txt"\r\n\r\nKort 4242\r\n`,
    );
    const parsed = await parseInboundMessage(raw);
    expect(parsed.text).toBeNull();
    expect(parsed.attachments).toHaveLength(1);
  });

  it('a message attached inline (message/rfc822) is an earlier message, not body text', async () => {
    const parsed = await parseInboundMessage(
      mixed(
        'Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\nFrom: billing@x.test\r\nSubject: Kvitto\r\nContent-Type: text/plain\r\n\r\nKort 4242\r\n',
      ),
    );
    expect(parsed.text ?? '').not.toContain('4242');
  });

  it('inline text parts without a file name still count', async () => {
    const parsed = await parseInboundMessage(
      mixed(
        'Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: inline\r\n\r\nKort 4242',
      ),
    );
    expect(parsed.text).toContain('Please reset my 2FA.');
    expect(parsed.text).toContain('Kort 4242');
    expect(parsed.attachments).toEqual([]);
  });
});
