import fc from 'fast-check';
import { checkEvidence, type EvidenceBillingRecord } from './evidence';
import { extractVisibleText } from './visible-text';

/**
 * Quoting an earlier message never changes a verdict: whatever a message proves on its own, it
 * proves the same with an earlier message quoted above, below or between its lines, in any of
 * the quote formats of the reply corpus (test/fixtures/replies) — however much evidence, digits
 * and names that earlier message holds. The verdict of the bare message is the oracle.
 */

const BILLING: EvidenceBillingRecord[] = [{ kind: 'card', last4: '4242', holderName: 'Åsa Öberg' }];

const verdict = (bodies: { text?: string; html?: string }) =>
  checkEvidence(extractVisibleText(bodies).text, BILLING, 'paid').outcome;

const WORDS = [
  'Hej',
  'hello',
  'I',
  'lost',
  'my',
  'phone',
  'please',
  'help',
  'the',
  'card',
  'ends',
  'in',
  'kortet',
  'slutar',
  'på',
  'tack',
  'regards',
  'Åsa Öberg',
  'Per Persson',
  'Uppsala',
  '4242',
  '1234',
  '2026',
  '10:14',
  'ÖBERG, Åsa',
];
const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...WORDS) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
  },
);
/** A sentence, as a person writes one: words, ending with a full stop. */
const sentence = fc
  .array(token, { minLength: 1, maxLength: 8 })
  .chain((words) => fc.constantFrom('.', '!', '?').map((end) => `${words.join(' ')}${end}`));
const message = fc.array(sentence, { minLength: 1, maxLength: 4 });
/** What the earlier message said: anything the corpus puts there, evidence included. */
const earlier = fc.array(
  fc.oneof(
    sentence,
    fc.constantFrom('Card ending 4242, Åsa Öberg.', 'Kort 4242', '9999 8888 7777', 'Hello,'),
  ),
  { minLength: 1, maxLength: 5 },
);

const quote = (lines: string[]) => lines.map((line) => `> ${line}`).join('\n');
const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const paragraphs = (lines: string[]) => lines.map((line) => `<p>${escape(line)}</p>`).join('');

type TextFormat = (message: string[], earlier: string[]) => string;
type HtmlFormat = (message: string, earlier: string) => string;

const TEXT_FORMATS: Array<[string, TextFormat]> = [
  [
    'Gmail (en), top',
    (m, e) =>
      `${m.join('\n')}\n\nOn Mon, 1 Dec 2026 at 10:14, Support <s@shop.example> wrote:\n\n${quote(e)}\n`,
  ],
  [
    'iOS Mail (sv), top',
    (m, e) =>
      `${m.join('\n')}\n\nSkickat från min iPhone\n\n1 dec. 2026 kl. 10:14 skrev Support <s@shop.example>:\n\n${quote(e)}`,
  ],
  [
    'Gmail (no), wrapped attribution',
    (m, e) =>
      `${m.join('\n')}\n\ntir. 1. des. 2026 kl. 10:14 skrev Support <s@shop.example\n>:\n\n${quote(e)}`,
  ],
  [
    'Android (ru), wrapped, no blank line',
    (m, e) =>
      `${m.join('\n')}\n01.12.2026 10:14 пользователь "Support" <\ns@shop.example> написал:\n\n${quote(e)}`,
  ],
  [
    'Thunderbird (de), bottom',
    (m, e) => `Am 01.12.2026 um 10:14 schrieb Support:\n${quote(e)}\n\n${m.join('\n')}`,
  ],
  [
    'Thunderbird (fr), interleaved',
    (m, e) =>
      `Le 01/12/2026 à 10:14, Support a écrit :\n${m
        .map((line, i) => `${quote([e[i % e.length]])}\n${line}`)
        .join('\n')}\n${quote(e)}`,
  ],
  [
    'Yandex (ru), top',
    (m, e) => `${m.join('\n')}\n\n01.12.2026, 10:14, "Support" <s@yandex.ru>:\n${quote(e)}`,
  ],
  [
    'mail.ru (ru), top',
    (m, e) =>
      `${m.join('\n')}\n \n \nПонедельник, 1 декабря 2026, 10:14 +03:00 от Support <s@mail.ru>:\n \n${quote(e)}`,
  ],
  [
    'Outlook (fr), header block',
    (m, e) =>
      `${m.join('\n')}\n\nDe : Support <s@shop.example>\nEnvoyé : lundi 1 décembre 2026 10:14\nÀ : x@clinic.example\nObjet : Reçu 2026\n\n${e.join('\n')}`,
  ],
  [
    'Outlook web (da), rule and header block',
    (m, e) =>
      `${m.join('\n')}\n\n________________________________\nFra: Support <s@shop.example>\nSendt: 1. december 2026 10:14\nTil: x\nEmne: Kvittering\n\n${e.join('\n')}`,
  ],
  [
    'Outlook 2003 (ru), separator',
    (m, e) =>
      `${m.join('\n')}\n\n-----Исходное сообщение-----\nОт: Support\nОтправлено: 1 декабря 2026 10:14\n\n${e.join('\n')}`,
  ],
  [
    'Yahoo (es), unquoted',
    (m, e) =>
      `${m.join('\n')}\n\n    El lunes, 1 de diciembre de 2026, 10:14:03 CET, Support <s@shop.example> escribió:\n\n${e.join('\n')}`,
  ],
  [
    'Apple Mail forward (sv)',
    (m, e) =>
      `${m.join('\n')}\n\nBörjan av vidarebefordrat brev:\n\nFrån: Support <s@shop.example>\nÄmne: Kvitto\n\n${e.join('\n')}`,
  ],
];

const HTML_FORMATS: Array<[string, HtmlFormat]> = [
  [
    'Gmail',
    (m, e) =>
      `<div dir="ltr">${m}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 1 Dec 2026 at 10:14, Support &lt;s@shop.example&gt; wrote:<br></div><blockquote class="gmail_quote">${e}</blockquote></div>`,
  ],
  [
    'Outlook desktop (de), top-bordered header',
    (m, e) =>
      `<div class=WordSection1>${m}<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>Von:</b> Support<br><b>Gesendet:</b> Montag, 1. Dezember 2026 10:14<br><b>Betreff:</b> Beleg</p></div>${e}</div>`,
  ],
  [
    'Outlook on the web',
    (m, e) =>
      `<div>${m}</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Support<br><b>Sent:</b> 1 December 2026</div><div>${e}</div>`,
  ],
  [
    'Outlook 2003',
    (m, e) =>
      `${m}<div class=OutlookMessageHeader><hr>-----Исходное сообщение-----<br><b>От:</b> Support</div>${e}`,
  ],
  [
    'Windows Mail',
    (m, e) =>
      `<div>${m}</div><div style="padding-top: 5px; border-top-color: rgb(229, 229, 229); border-top-width: 1px; border-top-style: solid;"><b>От:</b>&nbsp;Support<br><b>Отправлено:</b> 1 декабря 2026</div><div>${e}</div>`,
  ],
  [
    'Apple Mail, bottom',
    (m, e) =>
      `<blockquote type="cite"><div>On 1 Dec 2026, at 10:14, Support wrote:</div>${e}</blockquote>${m}`,
  ],
  [
    'Thunderbird, top',
    (m, e) =>
      `${m}<div class="moz-cite-prefix">Den 2026-12-01 kl. 10:14, skrev Support:<br></div><blockquote type="cite">${e}</blockquote>`,
  ],
  [
    'Yahoo',
    (m, e) =>
      `<div class="ydp1yahoo-style-wrap"><div>${m}</div></div><div id="ydp2yahoo_quoted_1" class="ydp2yahoo_quoted"><div>On Monday, 1 December 2026, Support wrote:</div>${e}</div>`,
  ],
  [
    'mail.ru',
    (m, e) =>
      `<div>${m}</div><br>Понедельник, 1 декабря 2026, 10:14 +03:00 от Support &lt;s@mail.ru&gt;:<br>&nbsp;<blockquote style="border-left:1px solid #0857A6">${e}</blockquote>`,
  ],
  [
    'AOL',
    (m, e) =>
      `<font>${m}<br><div>-----Original Message-----<br>From: Support<br>Sent: Mon, Dec 1, 2026<br><div id="AOLMsgPart_0_1">${e}</div></div></font>`,
  ],
];

describe('quoting an earlier message never changes the verdict', () => {
  it.each(TEXT_FORMATS)('plain text: %s', (_name, format) => {
    fc.assert(
      fc.property(message, earlier, (m, e) => {
        expect(verdict({ text: format(m, e) })).toBe(verdict({ text: m.join('\n') }));
      }),
      { numRuns: 150 },
    );
  });

  it.each(HTML_FORMATS)('HTML: %s', (_name, format) => {
    fc.assert(
      fc.property(message, earlier, (m, e) => {
        const html = format(paragraphs(m), paragraphs(e));
        expect(verdict({ html })).toBe(verdict({ html: paragraphs(m) }));
      }),
      { numRuns: 100 },
    );
  });

  it('the quotations do change the verdict when they are not recognised as such', () => {
    // the oracle can tell: the same earlier message pasted unquoted is counted
    const m = ['I lost my phone.'];
    const e = ['Card ending 4242, Åsa Öberg.'];
    expect(verdict({ text: m.join('\n') })).toBe('no_evidence');
    expect(verdict({ text: `${m.join('\n')}\n\n${e.join('\n')}` })).toBe('matched');
    for (const [, format] of TEXT_FORMATS) {
      expect(verdict({ text: format(m, e) })).toBe('no_evidence');
    }
  });
});
