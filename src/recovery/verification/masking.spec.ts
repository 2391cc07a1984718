import {
  buildBodyExcerpt,
  EVIDENCE_MASK,
  isLuhnValid,
  isValidIban,
  maskCardNumbers,
  maskEvidenceValues,
  maskIbans,
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
