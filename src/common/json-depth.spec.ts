import fc from 'fast-check';
import { DomainError } from './domain-error';
import { JSON_MAX_DEPTH, jsonNestingDepth, refuseDeepJson } from './json-depth';

const depthOf = (text: string) => jsonNestingDepth(Buffer.from(text));

describe('jsonNestingDepth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['{"a":[1,{"b":[]}]}', 4],
    ['[[],[[]],[]]', 3],
    // brackets inside strings, escaped quotes included, do not count
    ['{"a":"[[[{{{","b":"\\"[[["}', 1],
    ['["\\\\",[]]', 2],
  ])('%s is %i deep', (text, depth) => {
    expect(depthOf(text)).toBe(depth);
  });

  it('agrees with the structure of any JSON value', () => {
    const measure = (value: unknown): number =>
      typeof value === 'object' && value !== null
        ? 1 + Math.max(0, ...Object.values(value).map(measure))
        : 0;
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(depthOf(JSON.stringify(value))).toBe(measure(value));
      }),
    );
  });

  it('measures thousands of levels without recursion', () => {
    expect(depthOf('['.repeat(100_000))).toBe(100_000);
  });
});

describe('refuseDeepJson', () => {
  const nested = (levels: number) =>
    Buffer.from(`{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`);

  it(`lets ${JSON_MAX_DEPTH} levels through and refuses one more with json_too_deep`, () => {
    expect(() => refuseDeepJson(null, null, nested(JSON_MAX_DEPTH))).not.toThrow();
    expect(() => refuseDeepJson(null, null, nested(JSON_MAX_DEPTH + 1))).toThrow(
      expect.objectContaining({ code: 'json_too_deep' }) as DomainError,
    );
  });
});
