import {
  evidenceInNewText,
  evidenceOnlyQuoted,
  fillReply,
  NEW_TEXT_MARKER,
  QUOTED_TEXT_MARKER,
  replyFixtures,
  type ReplyTexts,
} from '../../../test/helpers/reply-fixtures';
import { parseInboundMessage } from '../inbound-email/message-parser';
import { checkEvidence, type EvidenceBillingRecord } from './evidence';
import { buildBodyExcerpt } from './masking';
import { stripQuotedText } from './quoted-text';
import { extractVisibleText } from './visible-text';

/**
 * The reply corpus (test/fixtures/replies) through the inbound parser and the detector, each
 * body on its own: the text part, and the HTML part as if it were the only one. The oracle is the
 * template itself: `{{NEW}}` marks what the sender writes now, `{{QUOTED}}` what the earlier
 * message said; every other 4-digit group in a fixture (years in attributions and header blocks,
 * "Receipt 2026-118") belongs to the quotation, so the newly written text holds none but the
 * sender's own.
 */

const LAST4 = '7531';
const HOLDER = 'Åsa Öberg';
const BILLING: EvidenceBillingRecord[] = [{ kind: 'card', last4: LAST4, holderName: HOLDER }];
/** Independent of digit-groups.ts: ASCII digits are all the corpus has. */
const FOUR_DIGIT_GROUPS = /(?<![0-9])[0-9]{4}(?![0-9])/g;

async function bodies(template: string, texts: ReplyTexts) {
  const raw = fillReply(template, {
    ...texts,
    from: 'member@clinic.example',
    messageId: '<corpus@clinic.example>',
  });
  const parsed = await parseInboundMessage(Buffer.from(raw, 'utf8'));
  const parts: Array<['text' | 'html', string]> = [];
  if (parsed.text !== null && parsed.text.trim() !== '') parts.push(['text', parsed.text]);
  if (parsed.html !== null && parsed.html.trim() !== '') parts.push(['html', parsed.html]);
  return parts;
}

const visibleOf = (part: 'text' | 'html', body: string) =>
  extractVisibleText(part === 'text' ? { text: body } : { text: null, html: body }).text;

const cases = replyFixtures().map((fixture) => [fixture.name, fixture.template] as const);

describe('reply corpus: what the sender wrote counts, what they quoted does not', () => {
  it('has the clients and parts the corpus promises', async () => {
    const names = cases.map(([name]) => name).join(' ');
    for (const client of [
      'gmail',
      'outlook-desktop',
      'outlook-web',
      'outlook-2003',
      'outlook-2010',
      'apple-mail',
      'ios-mail',
      'android',
      'thunderbird-bottom',
      'thunderbird-top',
      'thunderbird-interleaved',
      'windows-mail',
      'yahoo',
      'aol',
      'yandex',
      'mailru',
    ]) {
      expect(names).toContain(client);
    }
    let htmlParts = 0;
    for (const [, template] of cases) {
      const parts = await bodies(template, evidenceInNewText(LAST4));
      htmlParts += parts.filter(([part]) => part === 'html').length;
    }
    expect(htmlParts).toBeGreaterThanOrEqual(20);
  });

  describe.each(cases)('%s', (_name, template) => {
    it('evidence only in the quotation: nothing of it counts, not even the attribution date', async () => {
      const parts = await bodies(template, evidenceOnlyQuoted(LAST4, HOLDER));
      expect(parts.length).toBeGreaterThan(0);
      for (const [part, body] of parts) {
        const visible = visibleOf(part, body);
        expect({ part, visible }).toEqual({
          part,
          visible: expect.stringContaining(NEW_TEXT_MARKER),
        });
        expect({ part, visible }).toEqual({
          part,
          visible: expect.not.stringContaining(QUOTED_TEXT_MARKER),
        });
        expect({ part, groups: visible.match(FOUR_DIGIT_GROUPS) ?? [] }).toEqual({
          part,
          groups: [],
        });
        expect({ part, outcome: checkEvidence(visible, BILLING, 'paid').outcome }).toEqual({
          part,
          outcome: 'no_evidence',
        });
      }
    });

    it('evidence in the newly written text: matched, and the excerpt shows that text', async () => {
      const parts = await bodies(template, evidenceInNewText(LAST4));
      for (const [part, body] of parts) {
        const visible = visibleOf(part, body);
        expect({ part, groups: visible.match(FOUR_DIGIT_GROUPS) }).toEqual({
          part,
          groups: [LAST4],
        });
        expect({ part, visible }).toEqual({
          part,
          visible: expect.not.stringContaining(QUOTED_TEXT_MARKER),
        });
        const evidence = checkEvidence(visible, BILLING, 'paid');
        expect({ part, outcome: evidence.outcome }).toEqual({ part, outcome: 'matched' });
        const excerpt = buildBodyExcerpt(visible, evidence.evidenceValues);
        expect(excerpt).toContain(NEW_TEXT_MARKER);
        expect(excerpt).not.toContain(LAST4);
      }
    });
  });
});

describe('plain-text layouts', () => {
  const strip = (lines: string[]) => stripQuotedText(lines.join('\n')).trim();

  it.each([
    ['en', 'On Mon, 1 Dec 2026 at 10:14, Support <s@shop.example> wrote:'],
    ['sv', 'Den mån 1 dec. 2026 kl 10:14 skrev Support <s@shop.example>:'],
    ['no', 'man. 1. des. 2026 kl. 10:14 skrev Support <s@shop.example>:'],
    ['da', 'Den 1. dec. 2026 kl. 10.14 skrev Support <s@shop.example>:'],
    ['fi', 'ma 1.12.2026 klo 10.14 Support (s@shop.example) kirjoitti:'],
    ['de', 'Am 01.12.2026 um 10:14 schrieb Support <s@shop.example>:'],
    ['fr', 'Le lun. 1 déc. 2026 à 10:14, Support <s@shop.example> a écrit :'],
    ['es', 'El lun, 1 dic 2026 a las 10:14, Support (<s@shop.example>) escribió:'],
    ['nl', 'Op ma 1 dec 2026 om 10:14 schreef Support <s@shop.example>:'],
    ['ru (mail.ru)', 'Понедельник, 1 декабря 2026, 10:14 +03:00 от Alexander L <a@mail.ru>:'],
    ['ru (Gmail)', 'пн, 1 дек. 2026 г. в 10:14, Alexander L <a@example.ru>:'],
    ['ru (Thunderbird)', '01.12.2026 10:14, Alexander L пишет:'],
    ['ru (Yandex)', '01.12.2026, 10:14, "Alexander L" <a@yandex.ru>:'],
    ['it', 'Il giorno lun 1 dic 2026 alle ore 10:14 Support <s@shop.example> ha scritto:'],
    ['pt', 'Em seg., 1 de dez. de 2026 às 10:14, Support <s@shop.example> escreveu:'],
  ])(
    'bottom-posted below a %s attribution: the answer counts, the attribution does not',
    (_l, attribution) => {
      const out = strip([attribution, '> Card ending 1111?', '', 'Yes, it ends in 4242.']);
      expect(out).toBe('Yes, it ends in 4242.');
    },
  );

  it('keeps interleaved answers and drops every quoted line between them', () => {
    const out = strip([
      'Hi,',
      '',
      'On Mon, 1 Dec 2026 at 10:14, Support wrote:',
      '> Which card did you use? 1111',
      'The one ending 4242.',
      '> Can you still sign in?',
      '>> nested 2222',
      'No.',
    ]);
    expect(out).toBe('Hi,\n\nThe one ending 4242.\nNo.');
  });

  it('an attribution with no ">" quotation after it starts the unquoted earlier message', () => {
    const out = strip([
      'Please help.',
      '',
      'El lunes, 1 de diciembre de 2026, 10:14:03 CET, Support <s@shop.example> escribió:',
      '',
      'Card ending 1111',
    ]);
    expect(out).toBe('Please help.');
  });

  it.each([
    ['de', ['Von: Support <s@shop.example>', 'Gesendet: Montag, 1. Dezember 2026 10:14', 'An: x']],
    ['fr', ['De : Support', 'Envoyé : lundi 1 décembre 2026 10:14', 'À : x', 'Objet : Reçu']],
    ['ru', ['От: Support', 'Отправлено: 1 декабря 2026 г. в 10:14', 'Кому: x', 'Тема: Чек']],
    ['fi', ['Lähettäjä: Support', 'Lähetetty: 1. joulukuuta 2026 10.14', 'Aihe: Kuitti']],
    ['es', ['De: Support', 'Enviado el: lunes, 1 de diciembre de 2026 10:14', 'Para: x']],
    ['nl', ['Van: Support', 'Verzonden: maandag 1 december 2026 10:14', 'Aan: x']],
    ['da', ['Fra: Support', 'Sendt: 1. december 2026 10:14', 'Til: x', 'Emne: Kvittering']],
  ])('a %s header block ends the newly written text', (_l, header) => {
    expect(strip(['Please help.', '', ...header, '', 'Card 1111', '', 'Thanks 2222'])).toBe(
      'Please help.',
    );
  });

  it.each([
    '-----Original Message-----',
    '-----Ursprüngliche Nachricht-----',
    '-----Message d’origine-----',
    '-------- Исходное сообщение --------',
    '---------- Forwarded message ---------',
    '---------- Välitetty viesti ----------',
    'Begin forwarded message:',
    'Anfang der weitergeleiteten Nachricht:',
    'Début du message réexpédié :',
    'Början av vidarebefordrat brev:',
  ])('"%s" ends the newly written text', (separator) => {
    expect(strip(['Please help.', '', separator, 'Card 1111'])).toBe('Please help.');
  });

  it('a sentence the sender wrote above an attribution stays, even when it has no full stop', () => {
    expect(
      strip([
        'Please help me',
        'On Mon, 1 Dec 2026 at 10:14, Support <s@shop.example> wrote:',
        '> 1111',
      ]),
    ).toBe('Please help me');
  });

  it('ordinary sentences that mention writing are not attributions', () => {
    const text = 'Som jag skrev i går: kortet slutar på 4242.\nI wrote to you before: 4242.';
    expect(stripQuotedText(text)).toBe(text);
  });

  it('email-reply-parser adds what it recognises, within its bounds', () => {
    // a single "From: name <address>" line: not a header block here (that takes two labels),
    // a quote header to email-reply-parser, which drops it and what follows
    const quote = ['', 'From: Support <s@shop.example>', 'Card 1111'];
    expect(strip(['Please help.', ...quote]).trim()).toBe('Please help.');
    const long = strip([`${'Please help. '.repeat(40)}`, ...quote]);
    expect(long).toContain('Card 1111');
  });
});

describe('HTML quote markup', () => {
  const html = (markup: string) =>
    extractVisibleText({ html: `<div>Please help.</div>${markup}` }).text;

  it.each([
    [
      'Outlook desktop (de), top-bordered header',
      `<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p><b>Von:</b> Support</p></div><p>Card 1111</p>`,
    ],
    [
      'Windows Mail (ru)',
      '<div style="padding-top: 5px; border-top-color: rgb(229, 229, 229); border-top-width: 1px; border-top-style: solid;"><b>От:</b>&nbsp;Support</div><div>Card 1111</div>',
    ],
    ['Outlook 2003', '<div class=OutlookMessageHeader><b>Von:</b> Support</div><p>Card 1111</p>'],
    ['re-quoted Outlook id', '<div id="x_divRplyFwdMsg"><b>De :</b> x</div><p>Card 1111</p>'],
    ['Yahoo, prefixed', '<div class="ydp9yahoo_quoted" id="ydp9yahoo_quoted_1">Card 1111</div>'],
    ['AOL', '<div id="AOLMsgPart_2_abc">Card 1111</div>'],
  ])('%s: the earlier message does not count', (_name, markup) => {
    expect(html(markup)).toBe('Please help.');
  });

  it('a bordered block that does not start with a header label still counts', () => {
    expect(html('<div style="border-top:1px solid #ccc">My card ends in 4242.</div>')).toBe(
      'Please help.\nMy card ends in 4242.',
    );
  });

  it('an answer below a blockquote counts, the attribution above it does not', () => {
    expect(
      html(
        '<div>Am 01.12.2026 um 10:14 schrieb Support:</div><blockquote type="cite">Card 1111</blockquote><p>It ends in 4242.</p>',
      ),
    ).toBe('Please help.\n\nIt ends in 4242.');
  });

  it('a style attribute of 50 000 border declarations over an empty subtree is read, not a crash', () => {
    const style = 'border-top:'.repeat(50_000);
    const empty = '<span></span>'.repeat(5_000);
    expect(html(`<div style="${style}">${empty}Card 1111</div>`)).toContain('Card 1111');
  });
});
