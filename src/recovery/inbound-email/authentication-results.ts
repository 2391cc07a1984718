/**
 * Reading `Authentication-Results` header fields (RFC 8601 §2.2) for SENDER_AUTH=upstream
 * (sender-auth-decision.ts). mailauth writes these fields but its reader is internal and lossy
 * (nested comments end up in the authserv-id, a repeated method overwrites the first), so this is
 * a small tokenizer of our own: comments (nested, with quoted pairs) and folding whitespace are
 * dropped, quoted strings are unquoted, and the authserv-id is read however it is written.
 */

export interface AuthenticationResult {
  /** lower-case method without its version: `dkim/1` → `dkim` */
  method: string;
  /** lower-case result; '' for `none` */
  result: string;
  /** lower-case `ptype.property` (and `reason`) → value */
  properties: Record<string, string>;
}

export interface AuthenticationResultsField {
  /** lower-case authserv-id as written, a `/jobid` suffix included */
  authservId: string;
  results: AuthenticationResult[];
  /** true when the results after the authserv-id could not be read */
  malformed: boolean;
}

type Token = { kind: 'word'; text: string } | { kind: ';' } | { kind: '=' };

/** Splits a field value into words, `;` and `=`; undefined for an unclosed comment or quote. */
function tokenize(value: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < value.length) {
    const char = value[i];
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '(') {
      let depth = 0;
      for (; i < value.length; i += 1) {
        if (value[i] === '\\') i += 1;
        else if (value[i] === '(') depth += 1;
        else if (value[i] === ')') {
          depth -= 1;
          if (depth === 0) break;
        }
      }
      if (depth !== 0) return undefined;
      i += 1;
    } else if (char === '"') {
      let text = '';
      for (i += 1; i < value.length && value[i] !== '"'; i += 1) {
        if (value[i] === '\\') i += 1;
        if (i < value.length) text += value[i];
      }
      if (i >= value.length) return undefined;
      tokens.push({ kind: 'word', text });
      i += 1;
    } else if (char === ';' || char === '=') {
      tokens.push({ kind: char });
      i += 1;
    } else {
      let text = '';
      while (i < value.length && !/[\s();="]/.test(value[i])) {
        text += value[i];
        i += 1;
      }
      tokens.push({ kind: 'word', text });
    }
  }
  return tokens;
}

function isWord(token: Token | undefined): token is { kind: 'word'; text: string } {
  return token?.kind === 'word';
}

/** `method[/version]=result [reason=value] [ptype.property=value …]`; undefined when malformed. */
function readResult(tokens: Token[]): AuthenticationResult | undefined {
  const [method, eq, result] = tokens;
  if (tokens.length === 1 && isWord(method) && method.text.toLowerCase() === 'none') {
    return { method: 'none', result: '', properties: {} };
  }
  if (!isWord(method) || eq?.kind !== '=' || !isWord(result)) return undefined;
  const properties: Record<string, string> = {};
  for (let i = 3; i < tokens.length; i += 3) {
    const [key, equals, value] = tokens.slice(i, i + 3);
    if (!isWord(key) || equals?.kind !== '=' || !isWord(value)) return undefined;
    properties[key.text.toLowerCase()] = value.text;
  }
  return {
    method: method.text.split('/')[0].toLowerCase(),
    result: result.text.toLowerCase(),
    properties,
  };
}

/**
 * Parses one Authentication-Results value. Undefined only when no authserv-id can be read at all;
 * a field whose id is readable but whose results are not comes back `malformed`, so that a
 * field of ours we cannot read is never passed over in favour of one further down.
 */
export function parseAuthenticationResults(value: string): AuthenticationResultsField | undefined {
  const tokens = tokenize(value);
  if (tokens === undefined) {
    // an unclosed comment or quote: still try to tell whose field it is
    const id = /^\s*"?([^\s;"(]+)/.exec(value)?.[1];
    return id === undefined
      ? undefined
      : { authservId: id.toLowerCase(), results: [], malformed: true };
  }
  const groups: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === ';') groups.push([]);
    else groups[groups.length - 1].push(token);
  }
  const [head, ...rest] = groups;
  const [id, version] = head;
  if (!isWord(id) || id.text === '') return undefined;
  let malformed =
    head.length > 2 || (version !== undefined && !(isWord(version) && /^\d+$/.test(version.text)));
  const results: AuthenticationResult[] = [];
  for (const group of rest) {
    if (group.length === 0) continue;
    const result = readResult(group);
    if (result === undefined) malformed = true;
    else results.push(result);
  }
  if (rest.every((group) => group.length === 0)) malformed = true;
  return { authservId: id.text.toLowerCase(), results, malformed };
}

/**
 * Whether a field's authserv-id names the trusted MTA: the same name (case-insensitive), alone
 * or followed by `/` and a job id (OpenDMARC's and OpenDKIM's AuthservIDWithJobID). A name that
 * merely starts with ours (`mx.example.evil.test`, `mx.example-x`) is somebody else's.
 */
export function authservIdMatches(authservId: string, trusted: string): boolean {
  const id = authservId.toLowerCase();
  const ours = trusted.toLowerCase();
  if (ours === '' || !id.startsWith(ours)) return false;
  const suffix = id.slice(ours.length);
  return suffix === '' || /^\/[^/\s]+$/.test(suffix);
}
