import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { checkEvidence, type EvidenceBillingRecord } from '../verification/evidence';
import { buildBodyExcerpt } from '../verification/masking';
import { extractVisibleText } from '../verification/visible-text';
import { parseInboundMessage } from './message-parser';

/**
 * MIME fuzzing, bounded in time: mutations of a corpus of real-looking messages go through the
 * whole path a received message takes (parse → visible text → evidence → agents' excerpt). No
 * input may throw out of it, hang it, or keep memory. The seed is printed; replay a failure with
 * FUZZ_SEED=<seed> (and FUZZ_RUNS=<n> for a longer run).
 */

const FIXTURE_DIRS = ['mail', 'mime'].map((dir) => join(__dirname, '../../../test/fixtures', dir));
const SEED =
  process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
/** the whole property stops after this long (fast-check interrupts between runs) */
const TIME_BUDGET_MS = 40_000;
/** one message taking this long is a hang, not a slow run */
const PER_MESSAGE_CAP_MS = 10_000;
/** heap left behind after every run and a full collection */
const MAX_HEAP_GROWTH_BYTES = 64 * 1024 * 1024;

const billing: EvidenceBillingRecord[] = [
  { kind: 'card', last4: '4242', holderName: 'Åsa Öberg' },
  { kind: 'student', studentId: 'S-1234567' },
];

function generatedCorpus(): Buffer[] {
  const head = 'From: a@clinic.test\r\nTo: support@recovery-desk.test\r\nMIME-Version: 1.0\r\n';
  const depth = 200;
  let nested = 'Content-Type: text/plain\r\n\r\nKort 4242\r\n';
  for (let i = depth; i > 0; i--) {
    nested = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${nested}--b${i}--\r\n`;
  }
  return [
    Buffer.from(`${head}${nested}`),
    Buffer.from(`${head}Subject: ${'x'.repeat(200_000)}\r\n\r\nKort 4242\r\n`),
    Buffer.from(`${head}Content-Type: text/html\r\n\r\n${'<div>'.repeat(5_000)}Kort 4242`),
  ];
}

const corpus: Buffer[] = [
  ...FIXTURE_DIRS.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.eml'))
      .map((name) => readFileSync(join(dir, name))),
  ),
  ...generatedCorpus(),
];

/** Fragments that steer mutations towards MIME and CSS structure. */
const DICTIONARY = [
  '\r\n',
  '\r\n\r\n',
  '--b1\r\n',
  '--b1--\r\n',
  'Content-Type: multipart/mixed; boundary="b1"\r\n',
  'Content-Type: text/html; charset=utf-8\r\n',
  'Content-Type: message/rfc822\r\n',
  'Content-Transfer-Encoding: base64\r\n',
  'Content-Transfer-Encoding: quoted-printable\r\n',
  "Content-Disposition: inline; filename*0*=utf-8''%C3%A5; filename*1=x\r\n",
  '=?utf-8?B?w6VzYQ==?=',
  '=C3=',
  '<style>*{color:#fff}[a]{display:none}</style>',
  '<div style="opacity:.01;font:0/0 a;transform:scale(0)">',
  '<font size=1 color=white>',
  '</div></td></table>',
  '<!--',
  '\u0000',
  'Kort 4242 Åsa Öberg S-1234567',
];

type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number };

const position = fc.double({ min: 0, max: 1, noNaN: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    text: fc.oneof(fc.constantFrom(...DICTIONARY), fc.string({ maxLength: 40 })),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.nat(200) }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: position,
    length: fc.integer({ min: 1, max: 200 }),
    times: fc.integer({ min: 2, max: 2_000 }),
  }),
  fc.record({ kind: fc.constant('flip' as const), at: position, byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);

function mutate(input: Buffer, m: Mutation): Buffer {
  const at = Math.floor(m.at * input.length);
  switch (m.kind) {
    case 'insert':
      return Buffer.concat([input.subarray(0, at), Buffer.from(m.text), input.subarray(at)]);
    case 'delete':
      return Buffer.concat([input.subarray(0, at), input.subarray(at + m.length)]);
    case 'repeat': {
      const piece = input.subarray(at, at + m.length);
      const repeated = Buffer.concat(Array.from({ length: m.times }, () => piece));
      return Buffer.concat([input.subarray(0, at), repeated, input.subarray(at)]);
    }
    case 'flip': {
      const copy = Buffer.from(input);
      if (at < copy.length) copy[at] = m.byte;
      return copy;
    }
    case 'truncate':
      return input.subarray(0, at);
  }
}

/**
 * The path a received message takes, as the worker runs it. mailparser may refuse a message (the
 * processor records it as failed, `unparseable`): that is the one rejection allowed. Everything
 * after parsing must take whatever the parser gives.
 */
async function decide(raw: Buffer) {
  let parsed: Awaited<ReturnType<typeof parseInboundMessage>>;
  try {
    parsed = await parseInboundMessage(raw);
  } catch {
    return 'unparseable' as const;
  }
  const visible = extractVisibleText(parsed);
  const evidence = checkEvidence(visible.text, billing, 'academic');
  const excerpt = buildBodyExcerpt(visible.text, evidence.evidenceValues);
  return { visible, evidence, excerpt };
}

async function withinCap<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('hang: over the per-message cap')),
      PER_MESSAGE_CAP_MS,
    );
  });
  try {
    return await Promise.race([work, cap]);
  } finally {
    clearTimeout(timer);
  }
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('MIME fuzzing through parse → visible text → evidence', () => {
  it('every corpus message goes through as it is', async () => {
    for (const raw of corpus) {
      const result = await decide(raw);
      if (result !== 'unparseable') expect(result.visible.text.length).toBeLessThanOrEqual(100_000);
    }
  });

  it('mutated messages never crash, hang or keep memory', async () => {
    console.log(`MIME fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    let runs = 0;
    let unparseable = 0;
    let slowestMs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...corpus),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        async (original, mutations) => {
          runs++;
          const raw = mutations.reduce(mutate, original);
          const started = Date.now();
          const result = await withinCap(decide(raw));
          slowestMs = Math.max(slowestMs, Date.now() - started);
          if (result === 'unparseable') {
            unparseable++;
            return;
          }
          expect(result.visible.text.length).toBeLessThanOrEqual(100_000);
          expect(typeof result.excerpt).toBe('string');
        },
      ),
      {
        seed: SEED,
        numRuns: RUNS,
        interruptAfterTimeLimit: TIME_BUDGET_MS,
        markInterruptAsFailure: false,
      },
    );
    collectGarbage();
    const growth = process.memoryUsage().heapUsed - heapBefore;
    console.log(
      `MIME fuzz: ${runs} messages (${unparseable} refused by the parser), slowest ${slowestMs} ms, ` +
        `heap growth ${(growth / 1024 / 1024).toFixed(1)} MB`,
    );
    expect(growth).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
  }, 90_000);
});
