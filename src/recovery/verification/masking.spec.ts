import { isLuhnValid, isValidIban, maskCardNumbers, maskIbans } from './account-number-masking';
import {
  buildBodyExcerpt,
  EVIDENCE_MASK,
  maskEvidenceValues,
  maskHeaderForDisplay,
  maskSensitiveText,
} from './masking';

describe('card numbers: Luhn-valid 13–19 digits, with or without separators', () => {
  it.each([
    ['4242424242424242', '••••••••••••••••'],
    ['kort 4242 4242 4242 4242 tack', 'kort •••• •••• •••• •••• tack'],
    ['4111-1111-1111-1111', '••••-••••-••••-••••'],
    ['Amex 3782 822463 10005.', 'Amex •••• •••••• •••••.'],
    ['Diners 3056 9309 0259 04', 'Diners •••• •••• •••• ••'],
    ['19 digits 6221260000000000126', '19 digits •••••••••••••••••••'],
    ['Maestro 6759649826438453', 'Maestro ••••••••••••••••'],
    ['13 digits 4222222222222', '13 digits •••••••••••••'],
    ['card 4242 4242 4242 4242 1 st', 'card •••• •••• •••• •••• 1 st'],
    ['two 4242424242424242 and 5555555555554444', 'two •••••••••••••••• and ••••••••••••••••'],
    ['nbsp 4242\u00a04242\u00a04242\u00a04242', 'nbsp ••••\u00a0••••\u00a0••••\u00a0••••'],
  ])('%j is masked', (text, expected) => {
    expect(maskCardNumbers(text)).toBe(expected);
  });

  it.each([
    ['dots', '4242.4242.4242.4242'],
    ['slashes', '4242/4242/4242/4242'],
    ['en dashes', '4242–4242–4242–4242'],
    ['em dashes with spaces', '4242 — 4242 — 4242 — 4242'],
    ['thin and narrow no-break spaces', '4242\u20094242\u202f4242\u20094242'],
    ['ideographic spaces', '4242\u30004242\u30004242\u30004242'],
    ['zero-width spaces', '4242\u200b4242\u200b4242\u200b4242'],
    ['underscores and a minus sign', '4242_4242\u22124242_4242'],
    ['mixed', '4242. 4242–4242 /4242'],
    ['fullwidth digits', '４２４２ ４２４２ ４２４２ ４２４２'],
    ['fullwidth digits, fullwidth hyphens', '４２４２－４２４２－４２４２－４２４２'],
    ['Arabic-Indic digits', '٤٢٤٢ ٤٢٤٢ ٤٢٤٢ ٤٢٤٢'],
    ['Extended Arabic-Indic digits', '۴۲۴۲-۴۲۴۲-۴۲۴۲-۴۲۴۲'],
    ['Devanagari digits', '४२४२.४२४२.४२४२.४२४२'],
    ['Bengali digits, no separators', '৪২৪২৪২৪২৪২৪২৪২৪২'],
    ['mathematical digits', '𝟒𝟐𝟒𝟐 𝟒𝟐𝟒𝟐 𝟒𝟐𝟒𝟐 𝟒𝟐𝟒𝟐'],
    ['mixed scripts', '4242 ４２４２ ٤٢٤٢ ४२४२'],
    ['Amex, dots', '3782.822463.10005'],
  ])('a card written with %s is masked', (_label, card) => {
    const masked = maskCardNumbers(`kort ${card} tack`);
    expect(masked).not.toMatch(/\p{Nd}/u);
    expect(masked.startsWith('kort ')).toBe(true);
    expect(masked.endsWith(' tack')).toBe(true);
  });

  it.each([
    ['a Luhn-invalid 16-digit run', '1234567890123456'],
    ['a Luhn-invalid grouped number', '1234 5678 9012 3456'],
    ['12 digits', '424242424242'],
    ['a 20-digit run holding a card', '42424242424242424242'],
    ['a phone number', '070-123 45 67'],
    ['a date and time', '2024-01-15 10:30'],
    ['an organization number', '556677-8899'],
  ])('%s is left alone', (_label, text) => {
    expect(maskCardNumbers(text)).toBe(text);
  });

  it('the Luhn check', () => {
    expect(isLuhnValid('4242424242424242')).toBe(true);
    expect(isLuhnValid('4242424242424241')).toBe(false);
    expect(isLuhnValid('79927398713')).toBe(true);
    expect(isLuhnValid('42a2')).toBe(false);
  });
});

describe('IBANs: country code, check digits, mod-97', () => {
  it.each([
    ['SE45 5000 0000 0583 9825 7466', '•••• •••• •••• •••• •••• ••••'],
    ['IBAN: SE4550000000058398257466.', 'IBAN: ••••••••••••••••••••••••.'],
    ['GB82 WEST 1234 5698 7654 32 tack', '•••• •••• •••• •••• •••• •• tack'],
    ['de89370400440532013000', '••••••••••••••••••••••'],
    ['NO9386011117947 är mitt konto', '••••••••••••••• är mitt konto'],
    ['FI21 1234 5600 0007 85', '•••• •••• •••• •••• ••'],
  ])('%j is masked', (text, expected) => {
    expect(maskIbans(text)).toBe(expected);
  });

  it.each([
    ['dashes', 'SE45-5000-0000-0583-9825-7466'],
    ['dots', 'SE45.5000.0000.0583.9825.7466'],
    ['no-break spaces', 'SE45\u00a05000\u00a00000\u00a00583\u00a09825\u00a07466'],
    ['fullwidth letters and digits', 'ＳＥ４５ ５０００ ００００ ０５８３ ９８２５ ７４６６'],
    ['Arabic-Indic digits', 'SE٤٥ ٥٠٠٠ ٠٠٠٠ ٠٥٨٣ ٩٨٢٥ ٧٤٦٦'],
  ])('an IBAN written with %s is masked', (_label, iban) => {
    const masked = maskIbans(`konto ${iban} tack`);
    expect(masked).not.toMatch(/[\p{Nd}]/u);
    expect(masked).toMatch(/^konto [•\s\p{Zs}.-]+ tack$/u);
  });

  it.each([
    ['a wrong check digit', 'SE46 5000 0000 0583 9825 7466'],
    ['too short', 'SE45 5000 0000'],
    ['glued to a word', 'XSE4550000000058398257466'],
    ['an ordinary word with digits', 'AB12 is a code'],
  ])('%s is left alone', (_label, text) => {
    expect(maskIbans(text)).toBe(text);
  });

  it('the mod-97 check', () => {
    expect(isValidIban('SE45 5000 0000 0583 9825 7466')).toBe(true);
    expect(isValidIban('GB82WEST12345698765432')).toBe(true);
    expect(isValidIban('GB82WEST12345698765433')).toBe(false);
  });
});

describe('evidence values the sender wrote', () => {
  it.each([
    [['4242'], 'Kortet slutar på 4242.', `Kortet slutar på ${EVIDENCE_MASK}.`],
    [['4242'], '4242 och 4242', `${EVIDENCE_MASK} och ${EVIDENCE_MASK}`],
    [['Öberg, Åsa'], 'Hållare: Öberg, Åsa. Tack', `Hållare: ${EVIDENCE_MASK}. Tack`],
    [
      ['s 2024 00123', '2024'],
      'ID s 2024 00123 år 2024',
      `ID ${EVIDENCE_MASK} år ${EVIDENCE_MASK}`,
    ],
    [['Åsa Öberg', 'Åsa'], 'Åsa Öberg och Åsa', `${EVIDENCE_MASK} och ${EVIDENCE_MASK}`],
    [[], 'inget att dölja 4242', 'inget att dölja 4242'],
    [['  '], 'blank values are ignored', 'blank values are ignored'],
  ])('%j in %j', (values, text, expected) => {
    expect(maskEvidenceValues(text, values)).toBe(expected);
  });

  it('does not show the length of a masked value', () => {
    expect(maskEvidenceValues('A B', ['A B'])).toBe(EVIDENCE_MASK);
    expect(
      maskEvidenceValues('Anna-Karin Östergren-Lindqvist', ['Anna-Karin Östergren-Lindqvist']),
    ).toBe(EVIDENCE_MASK);
  });
});

describe('masking does not tell which value matched', () => {
  it('masks every name of a list alike, the holder among them', () => {
    const text = 'Elin Karlsson, Åsa Öberg, Per Persson';
    // evidence.ts lists the run that matched the holder; the others are masked all the same
    expect(maskEvidenceValues(text, ['Åsa Öberg'])).toBe(EVIDENCE_MASK);
    expect(maskEvidenceValues(text, [])).toBe(EVIDENCE_MASK);
  });

  it('masks names in a letter alike, the holder, the colleague and the signature', () => {
    const text = 'Kortet står på Öberg, Åsa. Min kollega Anna Berg vet.\nMvh\nPer Persson';
    const expected = `Kortet står på ${EVIDENCE_MASK}. Min kollega ${EVIDENCE_MASK} vet.\nMvh\n${EVIDENCE_MASK}`;
    expect(maskEvidenceValues(text, ['Öberg, Åsa'])).toBe(expected);
    expect(maskEvidenceValues(text, [])).toBe(expected);
  });

  it('masks digit groups of every script, all of them', () => {
    expect(maskHeaderForDisplay('Kort ４２４２ eller ٤٢٤٢ eller 1234')).toBe(
      `Kort ${EVIDENCE_MASK} eller ${EVIDENCE_MASK} eller ${EVIDENCE_MASK}`,
    );
  });

  it('masks a value only as a whole word', () => {
    expect(maskEvidenceValues('jag heter åsa öbergsson', ['åsa'])).toBe(
      `jag heter ${EVIDENCE_MASK} öbergsson`,
    );
  });
});

describe('everything an agent reads', () => {
  it('masks a pasted card, an IBAN and the evidence together', () => {
    const text =
      'Hej! Mitt kort är 4242 4242 4242 4242 och kontot SE45 5000 0000 0583 9825 7466. Kortet står på Åsa Öberg, slutar på 4242.';
    const masked = maskSensitiveText(text, ['4242', 'Åsa Öberg']);
    expect(masked).toBe(
      `Hej! Mitt kort är •••• •••• •••• •••• och kontot •••• •••• •••• •••• •••• ••••. Kortet står på ${EVIDENCE_MASK}, slutar på ${EVIDENCE_MASK}.`,
    );
    expect(masked).not.toMatch(/\d/);
  });

  it('builds a bounded excerpt from the masked text', () => {
    expect(buildBodyExcerpt('Kort 4242', ['4242'])).toBe(`Kort ${EVIDENCE_MASK}`);
    const long = `${'ord '.repeat(150)}4242424242424242 ${'mer '.repeat(200)}`;
    const excerpt = buildBodyExcerpt(long, [], 810);
    expect(excerpt.length).toBeLessThanOrEqual(810);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt).toContain('••••••••••••••••');
    expect(excerpt).not.toMatch(/\d/);
  });

  it('masks a card that straddles the excerpt end before cutting', () => {
    const text = `${'x'.repeat(490)} 4242424242424242 slut`;
    const excerpt = buildBodyExcerpt(text, [], 500);
    expect(excerpt).not.toMatch(/\d/);
  });

  it.each([
    ['many digit groups', '1234 '.repeat(20_000)],
    ['many IBAN-like starts', 'SE12 '.repeat(20_000)],
    ['one long digit run', '4'.repeat(100_000)],
    ['many words', 'a '.repeat(50_000)],
  ])('hostile input stays cheap: %s', (_label, text) => {
    const values = Array.from({ length: 300 }, (_, i) => `S-2024-${String(i).padStart(5, '0')}`);
    expect(typeof maskSensitiveText(text, values)).toBe('string');
  });
});
