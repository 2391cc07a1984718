/**
 * Loop safety: recognizes mail written by a machine — auto-replies, bounces, delivery and other
 * reports, list and bulk mail (docs/architecture.md, step 6). Such a message is `ignored`: it never produces
 * a request and never gets a reply, so two auto-responders can never ping-pong through us
 * (RFC 3834 §2, RFC 5230 §4.5). Pure: headers in, reason out.
 */

export type AutomaticMailReason =
  | 'auto_submitted'
  | 'null_sender'
  | 'precedence'
  | 'autoreply_header'
  | 'delivery_report'
  | 'mailer_daemon'
  | 'list_mail';

export interface HeaderField {
  /** lower-case field name */
  key: string;
  /** unfolded value, without the name */
  value: string;
}

export interface ClassificationInput {
  headers: HeaderField[];
  /** envelope MAIL FROM: '' for the null sender <>, undefined when unknown */
  mailFrom: string | null | undefined;
  /** addresses of the From header */
  fromAddresses: string[];
}

/** Fields whose mere presence marks an automatic response (vendors' private conventions). */
const AUTORESPONSE_FIELDS = ['x-autoreply', 'x-autorespond', 'x-auto-reply'];

/** Fields of mailing lists (RFC 2369, RFC 2919). */
const LIST_FIELDS = ['list-id', 'list-unsubscribe', 'list-post'];

/** The first token of a structured value, lower-cased, without comments or parameters. */
function token(value: string): string {
  return value
    .replace(/\([^)]*\)/g, ' ')
    .split(';')[0]
    .trim()
    .toLowerCase();
}

function values(headers: HeaderField[], key: string): string[] {
  return headers.filter((header) => header.key === key).map((header) => header.value);
}

/** Why this message is automatic, or undefined for mail that a person may have written. */
export function classifyAutomaticMail(input: ClassificationInput): AutomaticMailReason | undefined {
  const { headers } = input;
  // RFC 3834: anything but "no" (auto-generated, auto-replied, auto-notified, unknown values)
  if (values(headers, 'auto-submitted').some((value) => token(value) !== 'no')) {
    return 'auto_submitted';
  }
  // bounces and DSNs travel with the null reverse-path (RFC 5321 §4.5.5); a webhook caller that
  // forwards no envelope may still pass the MTA's Return-Path: <>
  if (input.mailFrom === '') return 'null_sender';
  if (values(headers, 'return-path').some((value) => /^\s*<\s*>\s*$/.test(value))) {
    return 'null_sender';
  }
  if (
    values(headers, 'precedence').some((value) => ['bulk', 'junk', 'list'].includes(token(value)))
  ) {
    return 'precedence';
  }
  if (headers.some((header) => AUTORESPONSE_FIELDS.includes(header.key))) {
    return 'autoreply_header';
  }
  // delivery status notifications, disposition notifications, abuse feedback (RFC 6522)
  const contentType = values(headers, 'content-type')[0];
  if (contentType !== undefined) {
    const type = token(contentType);
    if (
      type === 'multipart/report' ||
      type === 'message/delivery-status' ||
      type === 'message/disposition-notification' ||
      type === 'message/feedback-report'
    ) {
      return 'delivery_report';
    }
  }
  if (input.fromAddresses.some((address) => /^(mailer-daemon|postmaster)@/i.test(address.trim()))) {
    return 'mailer_daemon';
  }
  if (headers.some((header) => LIST_FIELDS.includes(header.key))) return 'list_mail';
  return undefined;
}

/** Splits a raw header block into unfolded fields (RFC 5322 §2.2.3). */
export function parseHeaderBlock(block: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) {
      fields[fields.length - 1].value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({
      key: line.slice(0, colon).trim().toLowerCase(),
      value: line.slice(colon + 1).trim(),
    });
  }
  return fields;
}
