/**
 * Whether the From address of a message is proven (docs/architecture.md, step 7). "From: is a claim, not a
 * proof": only what a cryptographic signature or the sending domain's own policy vouches for
 * counts. Pure functions over mailauth's results and the message's header fields, so every rule
 * is unit-tested beside this file; sender-auth.ts does the DNS work around them.
 */
import {
  authservIdMatches,
  AuthenticationResult,
  parseAuthenticationResults,
} from './authentication-results';
import type { HeaderField } from './auto-reply';

export type SenderAuthMethod = 'dmarc' | 'dkim' | 'upstream' | 'none';

/** What the next stage and the agents see (`checks.senderAuth`). */
export interface SenderAuthentication {
  result: 'pass' | 'fail';
  method: SenderAuthMethod;
  /** a short explanation: which result decided, or what was missing */
  detail: string;
  /** the From domain that was authenticated, when result is pass */
  domain?: string;
}

/** A DNS look-up failed for now: try the message again later instead of rejecting it. */
export class TemporaryAuthenticationError extends Error {
  constructor(readonly detail: string) {
    super(`temporary DNS failure during sender authentication: ${detail}`);
    this.name = 'TemporaryAuthenticationError';
  }
}

/** The parts of mailauth's `authenticate()` result these rules read. */
export interface MailauthOutcome {
  dkim: {
    headerFrom?: string[];
    results?: {
      signingDomain?: string;
      signingHeaders?: { keys?: string };
      status: { result: string; comment?: string; aligned?: string | false; underSized?: number };
    }[];
  };
  spf: { domain?: string; status: { result: string } } | false | undefined;
  dmarc:
    | {
        status: { result: string };
        domain?: string;
        alignment?: {
          spf?: { result?: string | false };
          dkim?: { result?: string | false; underSized?: number };
        };
      }
    | false
    | undefined;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function summary(outcome: MailauthOutcome): string {
  const dkim = (outcome.dkim.results ?? [])
    .map((row) => {
      const parts = [row.status.result];
      if (row.signingDomain !== undefined) parts.push(`d=${row.signingDomain}`);
      if (row.status.underSized) parts.push(`${row.status.underSized} bytes unsigned`);
      if (row.status.comment !== undefined) parts.push(row.status.comment);
      return parts.join(' ');
    })
    .join(', ');
  const spf = outcome.spf ? outcome.spf.status.result : 'none';
  const dmarc = outcome.dmarc ? outcome.dmarc.status.result : 'none';
  return `dmarc=${dmarc}; dkim=${dkim || 'none'}; spf=${spf}`.slice(0, 900);
}

/** Alignment needs exactly one From domain: none or several cannot be authenticated. */
function notOneFromAddress(method: SenderAuthMethod, found: number): SenderAuthentication {
  return {
    result: 'fail',
    method,
    detail: `the From field must hold exactly one address, found ${found}`,
  };
}

/**
 * SENDER_AUTH=dmarc. Pass when
 * - DMARC passes through aligned SPF, or through an aligned DKIM signature that covers the whole
 *   body (mailauth lets DMARC pass on an `l=` signature whose unsigned tail anyone could have
 *   appended to: we do not), or
 * - a DKIM signature passes, is aligned with the From domain, covers the whole body and signs the
 *   From field (for domains without a DMARC record).
 * Otherwise a temporary DNS error means "retry later"; anything else fails.
 * ARC is not trusted: accepting a forwarder's seal would let any sealer vouch for any sender.
 */
export function decideDmarc(outcome: MailauthOutcome): SenderAuthentication {
  const from = outcome.dkim.headerFrom ?? [];
  if (from.length !== 1) return notOneFromAddress('dmarc', from.length);
  const domain = domainOf(from[0]);
  const detail = summary(outcome);
  const dmarc = outcome.dmarc;
  if (dmarc && dmarc.status.result === 'pass') {
    const viaSpf = Boolean(dmarc.alignment?.spf?.result);
    const viaFullDkim =
      Boolean(dmarc.alignment?.dkim?.result) && !dmarc.alignment?.dkim?.underSized;
    if (viaSpf || viaFullDkim) return { result: 'pass', method: 'dmarc', detail, domain };
  }
  const signed = (outcome.dkim.results ?? []).some(
    (row) =>
      row.status.result === 'pass' &&
      Boolean(row.status.aligned) &&
      !row.status.underSized &&
      (row.signingHeaders?.keys ?? '')
        .split(':')
        .map((key) => key.trim().toLowerCase())
        .includes('from'),
  );
  if (signed) return { result: 'pass', method: 'dkim', detail, domain };
  const temporary =
    (outcome.dkim.results ?? []).some((row) => row.status.result === 'temperror') ||
    (outcome.spf && outcome.spf.status.result === 'temperror') ||
    (outcome.dmarc && outcome.dmarc.status.result === 'temperror');
  if (temporary) throw new TemporaryAuthenticationError(detail);
  return { result: 'fail', method: 'dmarc', detail };
}

/**
 * SENDER_AUTH=upstream: a trusted MTA in front of us verified the message and prepended its
 * Authentication-Results. Only the topmost field whose authserv-id is AUTHSERV_ID (alone or with
 * a `/jobid` suffix, authentication-results.ts) counts: RFC 8601 §5, fields further down were
 * there before that MTA saw the message, so anyone could have written them. That field decides
 * even when it cannot be read (then it fails): passing over it would hand the decision to a field
 * further down. Only `dmarc=pass` for the one From domain of the message is taken as proof (every
 * dmarc result in the field must say so).
 */
export function decideUpstream(
  headers: HeaderField[],
  authservId: string,
  fromAddresses: string[],
): SenderAuthentication {
  const field = headers
    .filter((header) => header.key === 'authentication-results')
    .map((header) => parseAuthenticationResults(header.value))
    .find((parsed) => parsed !== undefined && authservIdMatches(parsed.authservId, authservId));
  if (field === undefined) {
    return {
      result: 'fail',
      method: 'upstream',
      detail: `no Authentication-Results from ${authservId}`,
    };
  }
  if (field.malformed) {
    return {
      result: 'fail',
      method: 'upstream',
      detail: `the topmost Authentication-Results from ${authservId} cannot be read`,
    };
  }
  if (fromAddresses.length !== 1) return notOneFromAddress('upstream', fromAddresses.length);
  const domain = domainOf(fromAddresses[0]);
  const dmarc = field.results.filter((row) => row.method === 'dmarc');
  const detail = `${field.authservId}: ${field.results.map((row) => `${row.method}=${row.result}`).join('; ') || 'no results'}`;
  const passes = (row: AuthenticationResult) => {
    const headerFrom = row.properties['header.from']?.toLowerCase();
    return row.result === 'pass' && (headerFrom === undefined || headerFrom === domain);
  };
  if (dmarc.length > 0 && dmarc.every(passes)) {
    return { result: 'pass', method: 'upstream', detail: detail.slice(0, 900), domain };
  }
  return { result: 'fail', method: 'upstream', detail: detail.slice(0, 900) };
}
