import { checkEvidence, type EvidenceBillingRecord } from './evidence';
import { countDistinctNames, MAX_NAME_CANDIDATES, nameCandidates } from './name-candidates';
import { wordTokens } from './name-normalization';

const FIRST = ['Elin', 'Per', 'Anna', 'Lars', 'Karin', 'Olof', 'Maja', 'Nils', 'Sofia', 'Johan'];
const LAST = ['Karlsson', 'Persson', 'Berg', 'Lindqvist', 'Ek', 'Nyström', 'Åkesson', 'Holm'];

/** `count` distinct names with "Åsa Öberg" among them (at position `at`). */
export function nameList(count: number, at = Math.floor(count / 2)): string[] {
  const names: string[] = [];
  for (let i = 0; names.length < count - 1; i++) {
    names.push(`${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`);
  }
  names.splice(at, 0, 'Åsa Öberg');
  return names;
}

const billing: EvidenceBillingRecord[] = [{ kind: 'card', last4: '4242', holderName: 'Åsa Öberg' }];

function names(text: string): string[] {
  return nameCandidates(text, wordTokens(text)).map((c) => text.slice(c.start, c.end));
}

function count(text: string): number {
  return countDistinctNames(nameCandidates(text, wordTokens(text)));
}

describe('name candidates: what a message lists as person- or company-like names', () => {
  it.each([
    [
      'a comma list',
      'Elin Karlsson, Åsa Öberg, Per Persson',
      ['Elin Karlsson', 'Åsa Öberg', 'Per Persson'],
    ],
    [
      'a line list',
      'Elin Karlsson\nÅsa Öberg\nPer Persson',
      ['Elin Karlsson', 'Åsa Öberg', 'Per Persson'],
    ],
    [
      'a lower-case list',
      'elin karlsson; åsa öberg; per persson',
      ['elin karlsson', 'åsa öberg', 'per persson'],
    ],
    ['bullets', '• Elin Karlsson • Åsa Öberg', ['Elin Karlsson', 'Åsa Öberg']],
    ['a conjunction', 'åsa öberg och per persson', ['åsa öberg', 'per persson']],
    [
      'Chinese (one-word names side by side pair up)',
      '王伟、李娜、张敏',
      ['王伟、李娜', '李娜、张敏'],
    ],
    ['Arabic', 'محمد أحمد، علي حسن', ['محمد أحمد', 'علي حسن']],
    ['Cyrillic in prose', 'мой коллега Иван Петров знает', ['Иван Петров']],
    [
      'names in prose',
      'My colleague Anna Berg and Dr Lars Ek can confirm.',
      ['Anna Berg', 'Lars Ek'],
    ],
    ['a particle', 'Ludwig van Beethoven wrote it', ['Ludwig van Beethoven']],
    [
      'hyphens and an initial',
      'signed by Anna-Karin Östergren-Lindqvist and A. Berg',
      ['Anna-Karin Östergren-Lindqvist', 'A. Berg'],
    ],
    ['a company', 'Fakturan går till Öberg Fysio AB.', ['Öberg Fysio AB']],
    ['a label is no name', 'Hållare: Öberg, Åsa.', ['Öberg, Åsa']],
    ['tabs', 'Elin Karlsson\tÅsa Öberg', ['Elin Karlsson', 'Åsa Öberg']],
    ['a lower-case word before a name', 'Hej, kortinnehavare Åsa Öberg.', ['Åsa Öberg']],
  ])('%s', (_label, text, expected) => {
    expect(names(text)).toEqual(expected);
  });

  it.each([
    ['a sentence-initial capital', 'The card is mine. Jag har tappat telefonen.'],
    ['greetings and closings', 'Hi,\nThanks!\nBest regards\nVänliga hälsningar'],
    ['a single capitalised word in prose', 'I lost my phone in Gothenburg on Monday'],
    ['an address line', 'Storgatan 12\n411 38 Göteborg'],
    ['Japanese prose', '私は電話をなくしました。よろしくお願いします。'],
    ['lower-case prose', 'jag har tappat min telefon och kommer inte in'],
  ])('no names in %s', (_label, text) => {
    expect(names(text)).toEqual([]);
  });

  it('counts a name once however it is written, and a glued list by its words', () => {
    expect(count('Åsa Öberg, Öberg Åsa, ÅSA ÖBERG, Öberg Fysio AB, Öberg Fysio')).toBe(2);
    expect(count('Åsa Öberg Per Persson Elin Karlsson Nils Holm Maja Ek')).toBe(5);
  });
});

describe('too many names: ambiguous_evidence', () => {
  it.each([
    ['15 names, comma-separated', nameList(15).join(', ')],
    ['20 names, one a line', nameList(20, 0).join('\n')],
    ['200 names in prose', `Maybe one of ${nameList(200, 199).join(', ')}?`],
    ['15 names, semicolons, lower-case', nameList(15).join('; ').toLowerCase()],
    [
      '15 names, bullets',
      nameList(15)
        .map((n) => `• ${n}`)
        .join('\n'),
    ],
    ['15 names glued without separators', nameList(15).join(' ')],
    [
      '15 names, surname first',
      nameList(15)
        .map((n) => n.split(' ').reverse().join(', '))
        .join('; '),
    ],
    ['15 names joined by "or"', `Is it ${nameList(15).join(' or ')}?`],
    [
      '15 names in a letter',
      `Hej!\n\nKortet står på någon av ${nameList(15).join(', ')}.\n\nMvh Per`,
    ],
  ])('%s', (_label, text) => {
    const result = checkEvidence(text, billing, 'paid');
    expect(result.outcome).toBe('ambiguous_evidence');
    expect(result.factors.holderName).toBe('not_matched');
  });

  it(`just above the bound (${MAX_NAME_CANDIDATES + 1} names) is ambiguous, at the bound it matches`, () => {
    const over = nameList(MAX_NAME_CANDIDATES + 1).join(', ');
    expect(checkEvidence(over, billing, 'paid').outcome).toBe('ambiguous_evidence');
    const at = nameList(MAX_NAME_CANDIDATES).join(', ');
    expect(checkEvidence(at, billing, 'paid').outcome).toBe('matched');
  });

  it('also vetoes a last-4 match, like a list of numbers does', () => {
    const text = `Kortet slutar på 4242. ${nameList(20).join(', ')}`;
    expect(checkEvidence(text, billing, 'paid').outcome).toBe('ambiguous_evidence');
  });
});

describe('an ordinary letter still matches', () => {
  it.each([
    [
      'holder, signature, clinic, colleague and city (sv)',
      'Hej!\n\nJag har tappat min telefon och kommer inte in. Kortet står på Åsa Öberg. Min kollega Anna Berg på kliniken i Uppsala kan intyga.\n\nVänliga hälsningar\nPer Persson\nÖberg Fysio AB\nStorgatan 12\n753 20 Uppsala',
    ],
    [
      'holder, signature, clinic, colleague, doctor, hospital and city (en)',
      'Hi Support,\n\nI lost my phone on Monday in Gothenburg. The card is in the name of Åsa Öberg, who owns Öberg Fysio AB. My colleague Anna Berg can confirm, and so can Dr Lars Ek at Sahlgrenska University Hospital.\n\nBest regards,\nPer Persson\nLeg. sjukgymnast\nÖberg Fysio AB\nStorgatan 12\n411 38 Göteborg\nSweden',
    ],
    ['holder surname first', 'Hej, kortet står på Öberg, Åsa. Mvh Per Persson, Öberg Fysio, Lund'],
    ['all capitals as on the card', 'Kortinnehavare: ÅSA ÖBERG\n\nTack!\nElin Karlsson\nMalmö'],
  ])('%s', (_label, text) => {
    expect(count(text)).toBeLessThanOrEqual(MAX_NAME_CANDIDATES);
    const result = checkEvidence(text, billing, 'paid');
    expect(result.outcome).toBe('matched');
    expect(result.factors.holderName).toBe('matched');
  });
});
