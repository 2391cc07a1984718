import { simpleParser } from 'mailparser';
import { checkEvidence, type EvidenceBillingRecord } from './evidence';
import { buildBodyExcerpt } from './masking';
import { extractVisibleText, VERIFICATION_PARSER_OPTIONS } from './visible-text';

/**
 * Whole messages through the real mailparser, as the pipeline will run them: parse with
 * VERIFICATION_PARSER_OPTIONS → visible text → evidence → agents' excerpt.
 */

const billing: EvidenceBillingRecord[] = [
  { kind: 'card', last4: '4242', holderName: 'Åsa Öberg' },
  { kind: 'bank_account', last4: '9876', holderName: 'Öberg Fysio AB' },
];

const HEAD =
  'From: Åsa Öberg <asa@example.se>\r\nTo: support@recovery-desk.test\r\nSubject: Re: 2FA\r\nMIME-Version: 1.0\r\n';

function plain(body: string): string {
  return `${HEAD}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body}`;
}

function htmlOnly(html: string): string {
  return `${HEAD}Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${html}`;
}

function alternative(text: string, html: string): string {
  return [
    `${HEAD}Content-Type: multipart/alternative; boundary="alt"\r\n`,
    '--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n',
    text,
    '--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n',
    html,
    '--alt--\r\n',
  ].join('\r\n');
}

function withAttachment(text: string, part: string): string {
  return [
    `${HEAD}Content-Type: multipart/mixed; boundary="mix"\r\n`,
    '--mix\r\nContent-Type: text/plain; charset=utf-8\r\n',
    text,
    `--mix\r\n${part}`,
    '--mix--\r\n',
  ].join('\r\n');
}

async function decide(raw: string) {
  const parsed = await simpleParser(raw, VERIFICATION_PARSER_OPTIONS);
  const visible = extractVisibleText(parsed);
  const evidence = checkEvidence(visible.text, billing, 'paid');
  return { visible, evidence, excerpt: buildBodyExcerpt(visible.text, evidence.evidenceValues) };
}

describe('evidence only counts in the visible, newly written text of a real message', () => {
  it.each([
    [
      'English Gmail reply, evidence only in the quote',
      alternative(
        'Please reset my 2FA.\r\n\r\nOn Tue, Jan 2, 2024 at 9:15 AM Recovery Desk <support@recovery-desk.test> wrote:\r\n> Your card ending 4242, holder Åsa Öberg\r\n',
        '<div>Please reset my 2FA.</div><div class="gmail_quote"><div class="gmail_attr">On Tue wrote:</div><blockquote>Your card ending 4242</blockquote></div>',
      ),
      'no_evidence',
    ],
    [
      'Swedish reply, evidence only in the quote',
      plain(
        'Hej, återställ min tvåstegsverifiering.\r\n\r\nDen tis 2 jan. 2024 kl 09:15 skrev Recovery Desk <support@recovery-desk.test>:\r\n> Kortet som slutar på 4242 har debiterats. Kortinnehavare: Åsa Öberg\r\n',
      ),
      'no_evidence',
    ],
    [
      'Outlook reply, receipt below the header block',
      plain(
        'Hej, se nedan.\r\n\r\nFrån: Recovery Desk <billing@recovery-desk.test>\r\nSkickat: den 2 januari 2024 09:15\r\nTill: Åsa Öberg\r\nÄmne: Kvitto\r\n\r\nKort **** 4242 debiterades 499 kr.\r\n',
      ),
      'no_evidence',
    ],
    [
      'HTML-only message, evidence hidden with display:none',
      htmlOnly(
        '<p>Hej, jag kommer inte in.</p><div style="display:none">Kort 4242, Åsa Öberg</div>',
      ),
      'no_evidence',
    ],
    [
      'HTML-only message, evidence in a zero-size font',
      htmlOnly('<p>Hi, locked out.</p><span style="font-size:0">4242</span>'),
      'no_evidence',
    ],
    [
      'evidence only in a text attachment',
      withAttachment(
        'Hej, se bifogad fil.\r\n',
        'Content-Type: text/plain\r\nContent-Disposition: attachment; filename="kvitto.txt"\r\n\r\nKort 4242 Åsa Öberg\r\n',
      ),
      'no_evidence',
    ],
    [
      'evidence only in a forwarded message attached as message/rfc822',
      withAttachment(
        'Hej, här är kvittot.\r\n',
        'Content-Type: message/rfc822\r\n\r\nFrom: billing@recovery-desk.test\r\nSubject: Kvitto\r\n\r\nKort 4242, Åsa Öberg\r\n',
      ),
      'no_evidence',
    ],
    [
      'signature holding the name',
      plain('Please reset my 2FA.\r\n-- \r\nÅsa Öberg\r\nÖberg Fysio AB\r\n'),
      'no_evidence',
    ],
    [
      'English message with the last 4 digits',
      plain('Hi, I lost my phone. My card ends in 4242.\r\n'),
      'matched',
    ],
    [
      'Swedish message with the holder name, quoted-printable',
      `${HEAD}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHej! Kortet st=C3=A5r p=C3=A5 =C3=85sa =C3=96berg.\r\n`,
      'matched',
    ],
    [
      'base64 text with the company name',
      `${HEAD}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('Hej, vi är Öberg Fysio och har tappat telefonen.').toString('base64')}\r\n`,
      'matched',
    ],
    [
      'HTML-only message with visible evidence',
      htmlOnly('<p>Hej!</p><p>Kortet slutar p&aring; <b>4242</b>.</p>'),
      'matched',
    ],
    [
      'text part wins over an HTML part with other content',
      alternative('Hej, hjälp mig.\r\n', '<p>Kort 4242</p>'),
      'no_evidence',
    ],
    [
      'Outlook HTML-only reply with the receipt after divRplyFwdMsg',
      htmlOnly(
        '<div>Hi, please help.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Billing<br><b>Sent:</b> Tuesday</div><div>Card 4242, Åsa Öberg</div>',
      ),
      'no_evidence',
    ],
  ])('%s → %s', async (_label, raw, outcome) => {
    const { evidence } = await decide(raw);
    expect(evidence.outcome).toBe(outcome);
  });

  it('needs skipHtmlToText: mailparser would otherwise turn hidden HTML into "text"', async () => {
    const raw = htmlOnly('<p>Hej</p><div style="display:none">Kort 4242</div>');
    const defaultParse = await simpleParser(raw);
    expect(defaultParse.text).toContain('4242');
    const ours = await simpleParser(raw, VERIFICATION_PARSER_OPTIONS);
    expect(extractVisibleText(ours)).toEqual({ text: 'Hej', source: 'html', truncated: false });
  });
});

describe('what an agent reads of a real message', () => {
  it('masks a pasted card number and every evidence value', async () => {
    const { evidence, excerpt } = await decide(
      plain(
        'Hej! Här är mitt kort: 4242 4242 4242 4242.\r\nKortet står på Öberg, Åsa och slutar på 4242. Jag ringde från 08-555 1234.\r\n',
      ),
    );
    expect(evidence.outcome).toBe('matched');
    expect(excerpt).toBe(
      'Hej! Här är mitt kort: •••• •••• •••• ••••.\nKortet står på •••• och slutar på ••••. Jag ringde från 08-555 ••••.',
    );
  });

  it('masks a pasted IBAN; its digit groups count, so the message is ambiguous', async () => {
    const { evidence, excerpt } = await decide(
      plain('Kontot är SE45 5000 0000 0583 9825 7466, hållare Öberg Fysio AB.\r\n'),
    );
    expect(evidence.outcome).toBe('ambiguous_evidence');
    expect(excerpt).toBe('Kontot är •••• •••• •••• •••• •••• ••••, hållare ••••.');
  });

  it('does not mask a Luhn-invalid number as a card, but masks its standalone groups as evidence', async () => {
    const { evidence, excerpt } = await decide(
      plain('Ordernummer 1234567890123456, kort 4242.\r\n'),
    );
    expect(evidence.outcome).toBe('matched');
    expect(excerpt).toBe('Ordernummer 1234567890123456, kort ••••.');
  });
});
