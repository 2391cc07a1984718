/** The error shape of every API failure: { statusCode, error, message } (plus an optional machine code). */
export function expectErrorShape(body: unknown, status: number): void {
  expect(body).toEqual(
    expect.objectContaining({
      statusCode: status,
      error: expect.any(String),
      message: expect.anything(),
    }),
  );
  const keys = Object.keys(body as object);
  expect(keys.filter((key) => !['statusCode', 'error', 'message', 'code'].includes(key))).toEqual(
    [],
  );
  const message = (body as { message: unknown }).message;
  expect(typeof message === 'string' || Array.isArray(message)).toBe(true);
}

/** The message(s) of an error body as one string, for toMatch(). */
export function messageText(body: unknown): string {
  const message = (body as { message: string | string[] }).message;
  return Array.isArray(message) ? message.join('\n') : message;
}

/**
 * Whether `digits` (a last-4, say) stands in `text` as a number of its own — not as a piece of a
 * UUID, a hash or a timestamp, where four random digits turn up by chance.
 */
export function hasStandaloneDigits(text: string, digits: string): boolean {
  return new RegExp(`(?<![0-9A-Za-z-])${digits}(?![0-9A-Za-z-])`).test(text);
}

/** The zero of decimal digit sets the card oracle reads (fullwidth and mathematical digits become
 *  ASCII under NFKC already). */
export const CARD_ORACLE_DIGIT_ZEROS = [
  0x30, // ASCII
  0xff10, // fullwidth
  0x660, // Arabic-Indic
  0x6f0, // Extended Arabic-Indic
  0x966, // Devanagari
  0x9e6, // Bengali
  0xe50, // Thai
  0x1040, // Myanmar
  0x1d7ce, // mathematical bold
  0x1d7f6, // mathematical monospace
];
const UNNORMALIZED_ZEROS = CARD_ORACLE_DIGIT_ZEROS.filter((zero) => zero >= 0x660 && zero < 0xff10);

/** How a reader reads digits, independently of the code under test: NFKC, then the digits of the
 *  scripts above as ASCII. */
export function readDigits(text: string): string {
  return [...text.normalize('NFKC')]
    .map((char) => {
      const code = char.codePointAt(0) as number;
      const zero = UNNORMALIZED_ZEROS.find((z) => code >= z && code <= z + 9);
      return zero === undefined ? char : String(code - zero);
    })
    .join('');
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Every Luhn-valid window of 13–19 digits a reader could pick out of the text, whatever stands
 *  between the digits short of a letter: a card number still readable. */
export function readableCardNumbers(text: string): string[] {
  const runs =
    readDigits(text)
      .replace(/[^\p{L}0-9]+/gu, '')
      .match(/[0-9]+/g) ?? [];
  const found: string[] = [];
  for (const run of runs) {
    for (let start = 0; start < run.length; start++) {
      for (let length = 13; length <= 19 && start + length <= run.length; length++) {
        const window = run.slice(start, start + length);
        if (luhnValid(window)) found.push(window);
      }
    }
  }
  return found;
}

/** The CSRF token of the (first) form on a server-rendered page; throws when the page has none. */
export function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (token === undefined) throw new Error('no CSRF token on the page');
  return token;
}
