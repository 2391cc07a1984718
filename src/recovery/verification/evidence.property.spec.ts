import fc from 'fast-check';
import { asciiDigits, standaloneFourDigitGroups } from './digit-groups';
import { checkEvidence, MAX_DISTINCT_CANDIDATES, type EvidenceBillingRecord } from './evidence';
import { buildBodyExcerpt, maskHeaderForDisplay, maskSensitiveText } from './masking';
import { MAX_NAME_CANDIDATES, nameCandidates } from './name-candidates';
import { foldWord, nameWords, requiredNameWords, wordTokens } from './name-normalization';
import { normalizeStudentId, studentIdCandidates } from './student-id';

/**
 * Properties of evidence matching, normalization and masking over generated input. A failure
 * prints fast-check's seed and path; replay with `fc.assert(…, { seed, path })`.
 */

const billing: EvidenceBillingRecord[] = [
  { kind: 'card', last4: '4242', holderName: 'Åsa Öberg' },
  { kind: 'bank_account', last4: '9876', holderName: 'Öberg Fysio AB' },
  { kind: 'student', studentId: 'S-2024-00123' },
];

/** Any UTF-16 string: lone surrogates, controls, every plane. */
const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map(String.fromCharCode) });
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  anyUnits,
);

/** Pieces a support mail is made of, so that generated texts also hold evidence and lists. */
const piece = fc.oneof(
  fc.constantFrom(
    'Åsa Öberg',
    'öberg, åsa',
    'ÅSA ÖBERG',
    'Öberg Fysio AB',
    '4242',
    '４２４２',
    '٤٢٤٢',
    '1234',
    'S-2024-00123',
    's 2024 00124',
    'Per Persson',
    'Anna Berg',
    'Hej!',
    'Mvh',
    'Kortet slutar på',
    '4242 4242 4242 4242',
    '\n',
    ', ',
    '; ',
    ' och ',
    '. ',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const mailText = fc.array(piece, { maxLength: 40 }).map((pieces) => pieces.join(' '));

const plans = fc.constantFrom<'paid' | 'academic'>('paid', 'academic');

describe('evidence matching and normalization never throw', () => {
  it('on any string', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, mailText), plans, (text, plan) => {
        const result = checkEvidence(text, billing, plan);
        expect(['matched', 'no_evidence', 'evidence_mismatch', 'ambiguous_evidence']).toContain(
          result.outcome,
        );
        for (const value of result.evidenceValues) expect(text).toContain(value);
        const tokens = wordTokens(text);
        nameCandidates(text, tokens);
        studentIdCandidates(text, tokens, new Set(['A9999A99999']));
        standaloneFourDigitGroups(text);
        for (const fn of [
          foldWord,
          nameWords,
          requiredNameWords,
          normalizeStudentId,
          asciiDigits,
        ]) {
          fn(text);
        }
        expect(typeof buildBodyExcerpt(text, result.evidenceValues)).toBe('string');
        expect(typeof maskHeaderForDisplay(text, result.evidenceValues)).toBe('string');
      }),
      { numRuns: 400 },
    );
  });

  it('on big inputs, and billing values of any shape', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 20_000, maxLength: 60_000 }),
        fc.array(
          fc.record({
            kind: fc.constantFrom<EvidenceBillingRecord['kind']>('card', 'bank_account', 'student'),
            last4: fc.option(anyUnits),
            holderName: fc.option(anyUnits),
            studentId: fc.option(anyUnits),
          }),
          { maxLength: 5 },
        ),
        plans,
        (text, records, plan) => {
          checkEvidence(text, records, plan);
          maskSensitiveText(text, [text.slice(0, 10)]);
        },
      ),
      { numRuns: 10 },
    );
  });
});

/** Distinct values of the generator, the right one (`right`) put at a random place among them. */
function listWith<T>(others: fc.Arbitrary<T[]>, right: T) {
  return fc.tuple(others, fc.nat()).map(([values, at]) => {
    const list = [...values];
    list.splice(at % (list.length + 1), 0, right);
    return list;
  });
}

const separator = fc.constantFrom(', ', '\n', '; ', ' ', ' • ', '\t', ' och ', ' or ', ' | ');
const surrounding = fc.string({ unit: 'grapheme', maxLength: 60 });

const FIRST = ['Elin', 'Per', 'Anna', 'Lars', 'Karin', 'Olof', 'Maja', 'Nils', 'Zoë', 'José'];
const LAST = ['Karlsson', 'Persson', 'Berg', 'Lindqvist', 'Ek', 'Nyström', 'Åkesson', 'Ødegård'];
const otherNames = fc.uniqueArray(
  fc.tuple(fc.constantFrom(...FIRST), fc.constantFrom(...LAST)).map(([f, l]) => `${f} ${l}`),
  { minLength: MAX_NAME_CANDIDATES + 4, maxLength: 60 },
);
const caseStyle = fc.constantFrom(
  (s: string) => s,
  (s: string) => s.toUpperCase(),
  (s: string) => s.toLowerCase(),
);

describe('a message listing many candidates never matches', () => {
  it('digit groups', () => {
    const groups = fc.uniqueArray(
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
      { minLength: MAX_DISTINCT_CANDIDATES, maxLength: 40 },
    );
    fc.assert(
      fc.property(
        listWith(
          groups.map((g) => g.filter((value) => value !== '4242')),
          '4242',
        ),
        separator,
        surrounding,
        surrounding,
        (list, sep, before, after) => {
          fc.pre(new Set(list).size > MAX_DISTINCT_CANDIDATES);
          const text = `${before}\n${list.join(sep)}\n${after}`;
          expect(checkEvidence(text, billing, 'paid').outcome).not.toBe('matched');
        },
      ),
    );
  });

  it('student IDs', () => {
    const ids = fc.uniqueArray(
      fc.integer({ min: 0, max: 99999 }).map((n) => `S-2024-${String(n).padStart(5, '0')}`),
      { minLength: MAX_DISTINCT_CANDIDATES + 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(
        listWith(
          ids.map((list) => list.filter((id) => id !== 'S-2024-00123')),
          'S-2024-00123',
        ),
        separator,
        surrounding,
        (list, sep, before) => {
          fc.pre(new Set(list).size > MAX_DISTINCT_CANDIDATES);
          const text = `${before}\n${list.join(sep)}`;
          expect(checkEvidence(text, billing, 'academic').outcome).not.toBe('matched');
        },
      ),
    );
  });

  it('names, in any case, with any separators, surname first or not', () => {
    fc.assert(
      fc.property(
        listWith(otherNames, 'Åsa Öberg'),
        separator,
        caseStyle,
        fc.boolean(),
        surrounding,
        surrounding,
        (list, sep, style, surnameFirst, before, after) => {
          const names = list.map((name) =>
            surnameFirst ? name.split(' ').reverse().join(', ') : name,
          );
          // lower-case names glued by spaces are prose to the detector (see name-candidates.ts)
          fc.pre(!(sep === ' ' && style('A') === 'a'));
          const text = `${before}\n${style(names.join(sep))}\n${after}`;
          expect(checkEvidence(text, billing, 'paid').outcome).not.toBe('matched');
        },
      ),
    );
  });
});

describe('appending unrelated text to a message that does not match never makes it match', () => {
  /** Text that holds no evidence of its own: no digits, no word of a holder name or student ID. */
  const unrelated = fc
    .string({ unit: 'grapheme', maxLength: 200 })
    .map((text) => text.replace(/\p{N}/gu, ''))
    .filter((text) => {
      const words = new Set(wordTokens(text).map((token) => token.folded));
      return !['asa', 'oberg', 'fysio', 's', 'ab'].some((word) => words.has(word));
    });

  it('whatever the message and whatever is appended', () => {
    fc.assert(
      fc.property(
        fc.oneof(mailText, anyText),
        fc.array(unrelated, { minLength: 1, maxLength: 5 }),
        plans,
        (text, additions, plan) => {
          fc.pre(checkEvidence(text, billing, plan).outcome !== 'matched');
          const longer = [text, ...additions].join('\n');
          expect(checkEvidence(longer, billing, plan).outcome).not.toBe('matched');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the excerpt does not tell which name is the holder', () => {
  it('is the same whether the holder is on the list or not', () => {
    const others: EvidenceBillingRecord[] = [
      { kind: 'card', last4: '0000', holderName: 'Zebulon Quartermaine' },
    ];
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(fc.constantFrom(...FIRST), fc.constantFrom(...LAST)).map((p) => p.join(' ')),
          { minLength: 1, maxLength: 30 },
        ),
        fc.nat(),
        separator,
        caseStyle,
        (list, at, sep, style) => {
          const names = [...list];
          names.splice(at % (names.length + 1), 0, 'Åsa Öberg');
          const text = `Hej, kortet står på en av dessa:\n${style(names.join(sep))}\nTack!`;
          fc.pre(!(sep === ' ' && style('A') === 'a'));
          const excerpt = (records: EvidenceBillingRecord[]) =>
            buildBodyExcerpt(text, checkEvidence(text, records, 'paid').evidenceValues, 100_000);
          expect(excerpt(billing)).toBe(excerpt(others));
        },
      ),
    );
  });
});
