import { timingSafeEqual } from 'node:crypto';
import { matchesAny, sameBytes } from './constant-time';
import { checkEvidence, type EvidenceBillingRecord } from './evidence';

// Count the constant-time comparisons actually made (the real function still answers).
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});
const compared = timingSafeEqual as jest.MockedFunction<typeof timingSafeEqual>;

beforeEach(() => compared.mockClear());

describe('constant-time comparison', () => {
  it('compares equal-length buffers with timingSafeEqual and answers unequal lengths at once', () => {
    expect(sameBytes(Buffer.from('4242'), Buffer.from('4242'))).toBe(true);
    expect(sameBytes(Buffer.from('4242'), Buffer.from('4243'))).toBe(false);
    expect(compared).toHaveBeenCalledTimes(2);
    expect(sameBytes(Buffer.from('4242'), Buffer.from('42424'))).toBe(false);
    expect(compared).toHaveBeenCalledTimes(2);
  });

  it('compares a candidate with every secret, also after the first one matched', () => {
    const secrets = ['4242', '1111', '2222', '3333'].map((s) => Buffer.from(s));
    expect(matchesAny(Buffer.from('4242'), secrets)).toBe(true);
    expect(compared).toHaveBeenCalledTimes(4);
    expect(matchesAny(Buffer.from('3333'), secrets)).toBe(true);
    expect(matchesAny(Buffer.from('9999'), secrets)).toBe(false);
    expect(compared).toHaveBeenCalledTimes(12);
  });

  it('the evidence check compares every group with every card and account', () => {
    const records: EvidenceBillingRecord[] = ['4242', '1111', '2222', '3333'].map((last4) => ({
      kind: 'card',
      last4,
      holderName: 'X',
    }));
    const result = checkEvidence('slutar på 4242, eller kanske 5555', records, 'paid');
    expect(result.factors.last4).toBe('matched');
    const fourByteCalls = compared.mock.calls.filter(([a]) => (a as Buffer).length === 4);
    expect(fourByteCalls).toHaveLength(2 * 4);
  });
});
