import fc from 'fast-check';
import {
  CARD_ORACLE_DIGIT_ZEROS as SCRIPT_ZEROS,
  luhnValid,
  readableCardNumbers,
  readDigits,
} from '../../../test/helpers/assertions';
import { buildBodyExcerpt, maskHeaderForDisplay, maskSensitiveText } from './masking';

/**
 * Masking leaves no card number readable, whatever its digit script and separators: Luhn-valid
 * numbers are generated, written in random scripts with random separators, embedded in random
 * text, masked, and the result is scanned by an oracle of its own (readableCardNumbers in
 * test/helpers/assertions.ts) — not by masking.ts.
 * A failure prints fast-check's seed and path; replay with `fc.assert(…, { seed, path })`.
 */

/** A Luhn-valid number of 13–19 digits: random digits and the check digit that fits. */
const cardNumber = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 18 })
  .map((digits) => {
    const body = digits.join('');
    const check = [...Array(10).keys()].find((d) => luhnValid(`${body}${d}`)) as number;
    return `${body}${check}`;
  });

const SEPARATORS = [
  ' ',
  '-',
  '.',
  '/',
  '\u2013', // en dash
  '\u2014', // em dash
  ' \u2013 ',
  '\u00a0', // no-break space
  '\u2009', // thin space
  '\u202f', // narrow no-break space
  '\u3000', // ideographic space
  '\u200b', // zero-width space
  '\u00ad', // soft hyphen
  '\u2212', // minus sign
  '\uff0d', // fullwidth hyphen-minus
  '_',
  '\t',
  '. ',
];

/** The number in groups of 1–6 digits, random separators between them, each digit in a random
 *  script (mixed within one number too). */
const writtenCard = fc
  .tuple(
    cardNumber,
    fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 19, maxLength: 19 }),
    fc.array(fc.constantFrom(...SEPARATORS), { minLength: 19, maxLength: 19 }),
    fc.array(fc.constantFrom(...SCRIPT_ZEROS), { minLength: 19, maxLength: 19 }),
    fc.boolean(),
  )
  .map(([digits, sizes, separators, zeros, oneScript]) => {
    let out = '';
    let group = 0;
    let inGroup = 0;
    [...digits].forEach((digit, i) => {
      if (i > 0 && inGroup >= sizes[group]) {
        out += separators[group];
        group++;
        inGroup = 0;
      }
      out += String.fromCodePoint((oneScript ? zeros[0] : zeros[i]) + Number(digit));
      inGroup++;
    });
    return { digits, written: out };
  });

/** Random text that holds no digit, not even one NFKC makes ("①", "²"). */
const digitFreeText = fc
  .string({ unit: 'binary', maxLength: 80 })
  .map((text) => [...text].filter((char) => !/[0-9]/.test(readDigits(char))).join(''));
/** What may stand right beside a card: a space, a letter, punctuation (two cards with nothing
 *  between them are one longer number, which has Luhn-valid windows by chance). */
const edge = fc.constantFrom(' ', '\n', 'x', ':', '(', '»', '\u00a0', 'kort ');

describe('masking leaves no card number readable, in any digit script, with any separators', () => {
  it('in the excerpt and in a header', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(digitFreeText, edge, writtenCard, edge), { minLength: 1, maxLength: 4 }),
        digitFreeText,
        (parts, tail) => {
          const text =
            parts.map(([before, l, card, r]) => `${before}${l}${card.written}${r}`).join('') + tail;
          // the oracle reads every card as written
          for (const [, , card] of parts) {
            expect(readableCardNumbers(text)).toContain(card.digits);
          }
          for (const masked of [
            maskSensitiveText(text, []),
            buildBodyExcerpt(text, [], 100_000),
            maskHeaderForDisplay(text),
          ]) {
            expect(readableCardNumbers(masked)).toEqual([]);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('an IBAN with any separators and digit scripts is masked', () => {
    const ibans = ['SE4550000000058398257466', 'GB82WEST12345698765432', 'DE89370400440532013000'];
    fc.assert(
      fc.property(
        fc.constantFrom(...ibans),
        fc.constantFrom(' ', '-', '.', '\u00a0', '\u2009', ''),
        fc.constantFrom(...SCRIPT_ZEROS),
        fc.boolean(),
        digitFreeText,
        (iban, separator, zero, fullwidthLetters, before) => {
          const written = (iban.match(/.{1,4}/g) as string[])
            .join(separator)
            .replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)))
            .replace(/[A-Z]/g, (l) =>
              fullwidthLetters ? String.fromCodePoint(0xff21 + l.charCodeAt(0) - 65) : l,
            );
          const masked = maskSensitiveText(`${before} ${written} tack`, []);
          expect(readDigits(masked)).not.toMatch(/[0-9]/);
        },
      ),
    );
  });
});
