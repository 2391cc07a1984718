import { checkEvidence, type EvidenceBillingRecord, type EvidenceResult } from './evidence';

const paid: EvidenceBillingRecord[] = [
  { kind: 'card', last4: '4242', holderName: 'Åsa Öberg' },
  { kind: 'bank_account', last4: '9876', holderName: 'Öberg Fysio AB' },
];
const academic: EvidenceBillingRecord[] = [{ kind: 'student', studentId: 'S-2024-00123' }];

type Row = [string, EvidenceResult['outcome'], Partial<EvidenceResult['factors']>];

describe('last 4 digits: standalone 4-digit groups (paid organization, card 4242, account 9876)', () => {
  it.each<Row>([
    ['4242', 'matched', { last4: 'matched' }],
    ['**** 4242', 'matched', { last4: 'matched' }],
    ['Mitt kort slutar på 4242', 'matched', { last4: 'matched' }],
    ['My card ends in 4242.', 'matched', { last4: 'matched' }],
    ['4242.', 'matched', { last4: 'matched' }],
    ['•••• •••• •••• 4242', 'matched', { last4: 'matched' }],
    ['XXXX-XXXX-XXXX-4242', 'matched', { last4: 'matched' }],
    ['kortnummer: 4242!', 'matched', { last4: 'matched' }],
    ['(slutsiffror 4242)', 'matched', { last4: 'matched' }],
    ['Kontot slutar på 9876, tack.', 'matched', { last4: 'matched' }],
    ['Sista fyra: 4242\nSista fyra igen: 4242', 'matched', { last4: 'matched' }],
    ['the card is 4242 4242 4242 4242', 'matched', { last4: 'matched' }],
    ['years 2023, 2024 and card 4242', 'matched', { last4: 'matched' }],
    // not standalone groups
    ['14242', 'no_evidence', { last4: 'not_matched' }],
    ['4242-5555', 'no_evidence', { last4: 'not_matched' }],
    ['42424', 'no_evidence', { last4: 'not_matched' }],
    ['kort4242', 'no_evidence', { last4: 'not_matched' }],
    ['4242kr', 'no_evidence', { last4: 'not_matched' }],
    ['4242,50 kr', 'no_evidence', { last4: 'not_matched' }],
    ['12.4242', 'no_evidence', { last4: 'not_matched' }],
    ['4242/5555', 'no_evidence', { last4: 'not_matched' }],
    ['Jag tappade telefonen 2024-01-15', 'no_evidence', { last4: 'not_matched' }],
    ['den 15.01.2024 kl 10:30', 'no_evidence', { last4: 'not_matched' }],
    ['ring mig på 070-123 45 67', 'no_evidence', { last4: 'not_matched' }],
    // present but wrong — a year is a 4-digit group too (conservative, see digit-groups.ts)
    ['Kortet slutar på 1234', 'evidence_mismatch', { last4: 'not_matched' }],
    ['I lost my phone on 1 January 2024', 'evidence_mismatch', { last4: 'not_matched' }],
    ['Jag tappade telefonen den 1 januari 2024', 'evidence_mismatch', { last4: 'not_matched' }],
    ['tel 08-555 1234', 'evidence_mismatch', { last4: 'not_matched' }],
    // more than 3 distinct groups → ambiguous, even when one of them is right
    ['4242 5555 6666 7777', 'ambiguous_evidence', { last4: 'not_matched' }],
    ['1111, 2222, 3333 eller 4242?', 'ambiguous_evidence', { last4: 'not_matched' }],
    // digits of every script are the digits they are (digit-groups.ts)
    ['Kortet slutar på ４２４２', 'matched', { last4: 'matched' }],
    ['Kortet slutar på ٤٢٤٢', 'matched', { last4: 'matched' }],
    ['Kortet slutar på ۴۲۴۲', 'matched', { last4: 'matched' }],
    ['Kortet slutar på ४२४२', 'matched', { last4: 'matched' }],
    ['Kortet slutar på 𝟒𝟐𝟒𝟐', 'matched', { last4: 'matched' }],
    ['Kortet slutar på ４２４２５', 'no_evidence', { last4: 'not_matched' }],
    ['Kortet slutar på ١١١١', 'evidence_mismatch', { last4: 'not_matched' }],
    ['١١١١ ٢٢٢٢ ٣٣٣٣ ٤٢٤٢', 'ambiguous_evidence', { last4: 'not_matched' }],
    ['Kanske 1234, 2345, 3456, 4567, 5678 eller 4242', 'ambiguous_evidence', {}],
    ['4111 1111 1111 1111 and 4242 5555 1234', 'ambiguous_evidence', {}],
  ])('%j → %s', (text, outcome, factors) => {
    const result = checkEvidence(text, paid, 'paid');
    expect(result.outcome).toBe(outcome);
    expect(result.factors).toMatchObject(factors);
  });
});

describe('holder name: case, accents, punctuation, spacing and word order do not matter', () => {
  it.each<Row>([
    ['asa oberg', 'matched', { holderName: 'matched' }],
    ['ÅSA ÖBERG', 'matched', { holderName: 'matched' }],
    ['Öberg, Åsa', 'matched', { holderName: 'matched' }],
    ['Asa   Oberg', 'matched', { holderName: 'matched' }],
    ['Kortet står på Åsa Öberg.', 'matched', { holderName: 'matched' }],
    ['The card holder is Oberg, Asa.', 'matched', { holderName: 'matched' }],
    ['Hälsningar\nÅsa Öberg', 'matched', { holderName: 'matched' }],
    ['Åsa\nÖberg', 'matched', { holderName: 'matched' }],
    ['A\u030asa O\u0308berg (decomposed accents)', 'matched', { holderName: 'matched' }],
    ['"Öberg", "Åsa"', 'matched', { holderName: 'matched' }],
    // company names: the legal form is optional, the rest is required
    ['Öberg Fysio', 'matched', { holderName: 'matched' }],
    ['Öberg Fysio AB', 'matched', { holderName: 'matched' }],
    ['öberg fysio ab', 'matched', { holderName: 'matched' }],
    ['Fakturan går till Fysio Öberg.', 'matched', { holderName: 'matched' }],
    ['Öberg', 'no_evidence', { holderName: 'not_matched' }],
    ['Åsa', 'no_evidence', { holderName: 'not_matched' }],
    ['Fysio AB', 'no_evidence', { holderName: 'not_matched' }],
    ['Åsa Öbergsson', 'no_evidence', { holderName: 'not_matched' }],
    ['Åsa Karlsson och Per Öberg', 'no_evidence', { holderName: 'not_matched' }],
    ['Åsa.\n\n\nÖberg', 'no_evidence', { holderName: 'not_matched' }],
    ['Åsa ......... Öberg', 'no_evidence', { holderName: 'not_matched' }],
  ])('%j → %s', (text, outcome, factors) => {
    const result = checkEvidence(text, paid, 'paid');
    expect(result.outcome).toBe(outcome);
    expect(result.factors).toMatchObject(factors);
  });

  it.each([
    ['Ærø Ødegård', 'AERO ODEGARD'],
    ['José García', 'jose garcia'],
    ['Björn Strauß', 'bjorn strauss'],
    ['Zoë Łukasz-Nowak', 'Zoe Lukasz Nowak'],
    ['Nordic Care A/S', 'Nordic Care'],
    ['Dutch Dental B.V.', 'dutch dental'],
    ['Öberg Fysio Aktiebolag', 'Öberg Fysio'],
    ['Öberg Fysio HB', 'öberg fysio'],
    ['Fjällkliniken Norr Ltd.', 'Fjallkliniken Norr'],
    ['AB Svensk Tandvård', 'Svensk Tandvård'],
    ['Acme, Inc.', 'ACME INC'],
    ['Spotify AB', 'Spotify AB'],
    ['Fjord AS', 'fjord as'],
  ])('holder %j is matched by %j', (holderName, text) => {
    const result = checkEvidence(text, [{ kind: 'card', last4: '0000', holderName }], 'paid');
    expect(result.factors.holderName).toBe('matched');
  });

  it.each([
    ['Spotify AB', 'I pay with Spotify'],
    ['Fjord AS', 'Fjord'],
    ['Acme, Inc.', 'acme'],
    ['Åsa Maria Öberg', 'Åsa Öberg'],
  ])('holder %j is NOT matched by %j (one core word needs its legal form)', (holderName, text) => {
    const result = checkEvidence(text, [{ kind: 'card', last4: '0000', holderName }], 'paid');
    expect(result.factors.holderName).toBe('not_matched');
  });

  it('does not take the Norwegian "ASA" for a legal form (it is the name Åsa)', () => {
    const result = checkEvidence(
      'Öberg',
      [{ kind: 'card', last4: '0000', holderName: 'Öberg Åsa' }],
      'paid',
    );
    expect(result.factors.holderName).toBe('not_matched');
  });
});

describe('student ID: academic organizations only, ignoring case, spaces and dashes', () => {
  it.each<Row>([
    ['s 2024 00123', 'matched', { studentId: 'matched' }],
    ['S-2024-00123', 'matched', { studentId: 'matched' }],
    ['S202400123', 'matched', { studentId: 'matched' }],
    ['Mitt student-ID är s-2024-00123.', 'matched', { studentId: 'matched' }],
    ['My student ID: S 2024-00123, thanks', 'matched', { studentId: 'matched' }],
    ['S – 2024 – 00123', 'matched', { studentId: 'matched' }],
    // inside a longer alphanumeric run or code
    ['XS-2024-00123', 'no_evidence', { studentId: 'not_matched' }],
    ['S-2024-001234', 'no_evidence', { studentId: 'not_matched' }],
    ['S-2024-00123-7', 'no_evidence', { studentId: 'not_matched' }],
    ['AS-2024-00123', 'no_evidence', { studentId: 'not_matched' }],
    ['S-2024-00123X', 'no_evidence', { studentId: 'not_matched' }],
    // present but wrong: same shape, other value
    ['Mitt student-ID är S-2024-00124', 'evidence_mismatch', { studentId: 'not_matched' }],
    ['T 2023 99999', 'evidence_mismatch', { studentId: 'not_matched' }],
    // a date is not of the shape of the ID
    ['Jag tappade telefonen 2024-01-15', 'no_evidence', { studentId: 'not_matched' }],
    // more than 3 distinct IDs → ambiguous, even with the right one among them
    [
      'S-2024-00120 S-2024-00121 S-2024-00122 S-2024-00123',
      'ambiguous_evidence',
      { studentId: 'not_matched' },
    ],
  ])('%j → %s', (text, outcome, factors) => {
    const result = checkEvidence(text, academic, 'academic');
    expect(result.outcome).toBe(outcome);
    expect(result.factors).toMatchObject(factors);
  });

  it('never uses a student ID for a paid organization', () => {
    const result = checkEvidence('s 2024 00123', academic, 'paid');
    expect(result.factors.studentId).toBe('not_applicable');
    expect(result.outcome).not.toBe('matched');
    const dashed = checkEvidence('S-2024-00123', academic, 'paid');
    expect(dashed).toEqual({
      outcome: 'no_evidence',
      factors: {
        last4: 'not_applicable',
        holderName: 'not_applicable',
        studentId: 'not_applicable',
      },
      evidenceValues: [],
    });
  });

  it('a student ID matches even though the spaced form also contains a 4-digit group', () => {
    const mixed = [...academic, { kind: 'card' as const, last4: '4242', holderName: 'Lisa Ek' }];
    const result = checkEvidence('s 2024 00123', mixed, 'academic');
    expect(result.outcome).toBe('matched');
    expect(result.factors).toEqual({
      last4: 'not_matched',
      holderName: 'not_matched',
      studentId: 'matched',
    });
  });
});

describe('realistic support e-mails', () => {
  const both = [...paid, ...academic];
  it.each<[string, EvidenceBillingRecord[], 'paid' | 'academic', EvidenceResult['outcome']]>([
    [
      'Hej!\n\nJag har tappat min telefon och kommer inte in. Kortet slutar på 4242 och står på Åsa Öberg.\n\nMvh Åsa',
      paid,
      'paid',
      'matched',
    ],
    [
      "Hi, I got a new phone and can't log in. The subscription is paid by Öberg Fysio AB.",
      paid,
      'paid',
      'matched',
    ],
    ['Hej, jag behöver hjälp med tvåstegsverifieringen. Tack!', paid, 'paid', 'no_evidence'],
    ['Hej, vårt kort slutar på 1111. Mvh Per', paid, 'paid', 'evidence_mismatch'],
    [
      'Hej! Telefon 070 123 4567, ordernr 5555, faktura 6666 och kortet 4242.',
      paid,
      'paid',
      'ambiguous_evidence',
    ],
    ['Hej, jag är student och mitt ID är S 2024 00123.', both, 'academic', 'matched'],
    ['Hello, my student number is S-2024-00999.', academic, 'academic', 'evidence_mismatch'],
    ['Hello, please reset my 2FA. Regards, Åsa', academic, 'academic', 'no_evidence'],
    ['4242', [], 'paid', 'evidence_mismatch'],
    ['Hej', [], 'paid', 'no_evidence'],
    ['', paid, 'paid', 'no_evidence'],
  ])('%j → %s', (text, billing, plan, outcome) => {
    expect(checkEvidence(text, billing, plan).outcome).toBe(outcome);
  });

  it('reports not_applicable for factors the organization has nothing to compare with', () => {
    expect(checkEvidence('Åsa Öberg', [], 'academic').factors).toEqual({
      last4: 'not_applicable',
      holderName: 'not_applicable',
      studentId: 'not_applicable',
    });
    const malformed: EvidenceBillingRecord[] = [{ kind: 'card', last4: '42', holderName: null }];
    expect(checkEvidence('42', malformed, 'paid').factors.last4).toBe('not_applicable');
  });
});

describe('evidence values for masking', () => {
  it('lists exactly what the sender wrote: digit groups, name runs and ID-shaped runs', () => {
    const result = checkEvidence('Kortet slutar på 4242, hållare Öberg, Åsa.', paid, 'paid');
    expect(result.evidenceValues.sort()).toEqual(['4242', 'Öberg, Åsa']);
    const student = checkEvidence(
      'ID: s 2024 00123 (förra året S-2023-00999)',
      academic,
      'academic',
    );
    expect(student.evidenceValues.sort()).toEqual(['2024', 'S-2023-00999', 's 2024 00123']);
  });

  it('lists non-matching groups too, so masking does not reveal which one matched', () => {
    const result = checkEvidence('antingen 4242 eller 1234', paid, 'paid');
    expect(result.outcome).toBe('matched');
    expect(result.evidenceValues.sort()).toEqual(['1234', '4242']);
  });

  it('never contains a billing value the sender did not write', () => {
    const result = checkEvidence('Kortet slutar på 1234, jag heter Per', paid, 'paid');
    for (const secret of ['4242', '9876', 'Åsa', 'Öberg', 'Fysio']) {
      expect(result.evidenceValues.join(' ')).not.toContain(secret);
    }
  });
});

describe('hostile input stays linear', () => {
  it.each([
    ['many digits', '1234 '.repeat(20_000)],
    ['one long digit run', '4'.repeat(100_000)],
    ['many short words', 'a '.repeat(50_000)],
    ['dash-joined chunks', 'S-1-'.repeat(25_000)],
    ['many names', 'Åsa Öberg '.repeat(10_000)],
  ])('%s', (_label, text) => {
    const result = checkEvidence(text, [...paid, ...academic], 'academic');
    expect(['matched', 'ambiguous_evidence', 'no_evidence', 'evidence_mismatch']).toContain(
      result.outcome,
    );
  });
});
