import { DomainError } from './domain-error';

/**
 * Deepest nesting of arrays and objects a JSON body may have. No request of this API nests more
 * than a few levels; validation (class-transformer) walks a body recursively, so a body nested
 * thousands of levels deep would exhaust the stack there and answer 500.
 */
export const JSON_MAX_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of `[` and `{` in JSON text, outside strings. One pass over the bytes, no
 * recursion and no parse: it runs on the raw body before JSON.parse, so malformed text is left to
 * the parser to report.
 */
export function jsonNestingDepth(raw: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < raw.length; index += 1) {
    const byte = raw[index];
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return deepest;
}

/**
 * body-parser's `verify` hook for every JSON body: refuses one nested deeper than JSON_MAX_DEPTH
 * with 400 `json_too_deep`, before it is parsed or validated.
 */
export function refuseDeepJson(_request: unknown, _response: unknown, raw: Buffer): void {
  if (jsonNestingDepth(raw) > JSON_MAX_DEPTH) {
    throw new DomainError(
      'json_too_deep',
      `JSON body nested deeper than ${JSON_MAX_DEPTH} levels (arrays and objects)`,
    );
  }
}
