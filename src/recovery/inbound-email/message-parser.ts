import { Readable } from 'node:stream';
import {
  AddressObject,
  AttachmentStream,
  EmailAddress,
  HeaderValue,
  MailParser,
  MessageText,
} from 'mailparser';
import { HeaderField, parseHeaderBlock } from './auto-reply';
import type { AttachmentSummary } from './inbound-message.entity';
import { goesOffLoop, offLoopPool } from './off-loop';

/**
 * Limits that keep a pathological message from stalling the worker's event loop or its memory:
 * HTML above this many characters is not converted to text (the text stays empty, see
 * mailparser's maxHtmlLengthToParse), text and HTML handed on are cut to this size, attachment
 * bodies are counted and discarded as they stream by, and the raw bytes are fed in slices so
 * other jobs and the lock renewals get their turn.
 */
export const PARSE_LIMITS = {
  maxHtmlLengthToParse: 1024 * 1024,
  maxBodyChars: 512 * 1024,
  maxHeaderBytes: 256 * 1024,
  maxAttachments: 100,
  feedSliceBytes: 64 * 1024,
};

export interface ParsedAddress {
  address: string;
  name: string;
}

/** What the next stage needs from a message, all derived from the raw bytes. */
export interface ParsedInboundMessage {
  headers: HeaderField[];
  /** every address of every From field (a group's members included) */
  from: ParsedAddress[];
  subject: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** the text/plain part as the sender wrote it (never derived from the HTML) */
  text: string | null;
  html: string | null;
  attachments: AttachmentSummary[];
}

/** The header block of a raw message, unfolded (without parsing the body). */
export function rawHeaderFields(raw: Buffer): HeaderField[] {
  const window = raw.subarray(0, PARSE_LIMITS.maxHeaderBytes);
  let end = window.indexOf('\r\n\r\n');
  if (end < 0) end = window.indexOf('\n\n');
  if (end < 0) end = window.length;
  return parseHeaderBlock(window.subarray(0, end).toString('utf8'));
}

function flattenAddresses(value: HeaderValue | undefined): ParsedAddress[] {
  if (value === undefined || typeof value !== 'object' || value instanceof Date) return [];
  const objects = (Array.isArray(value) ? value : [value]) as AddressObject[];
  const result: ParsedAddress[] = [];
  const visit = (entry: EmailAddress) => {
    if (entry.group !== undefined) entry.group.forEach(visit);
    else if (entry.address !== undefined && entry.address !== '') {
      result.push({ address: entry.address.trim(), name: entry.name ?? '' });
    }
  };
  for (const object of objects) (object.value ?? []).forEach(visit);
  return result;
}

function stringHeader(value: HeaderValue | undefined, max = 1000): string | null {
  if (typeof value === 'string') return value.slice(0, max);
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0].slice(0, max);
  return null;
}

function listHeader(value: HeaderValue | undefined): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter((id) => id !== '');
  if (Array.isArray(value)) return value.filter((id): id is string => typeof id === 'string');
  return [];
}

function cap(value: string | undefined | boolean): string | null {
  if (typeof value !== 'string' || value === '') return null;
  return value.length > PARSE_LIMITS.maxBodyChars
    ? value.slice(0, PARSE_LIMITS.maxBodyChars)
    : value;
}

function* slices(raw: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < raw.length; offset += PARSE_LIMITS.feedSliceBytes) {
    yield raw.subarray(offset, offset + PARSE_LIMITS.feedSliceBytes);
  }
}

/** The parts of mailparser's MIME tree that this module reads (its internal node shape). */
interface MimeNode {
  contentType?: string;
  filename?: string | false;
  parentNode?: MimeNode | false;
}
interface ParserNode {
  isAttachment?: boolean;
  disposition?: string;
}
type CreateNode = (this: MailParser, node: MimeNode) => ParserNode;

const baseCreateNode = (MailParser.prototype as unknown as { createNode?: CreateNode }).createNode;
if (typeof baseCreateNode !== 'function') {
  // Fail at start-up rather than count attachments as body text after a mailparser upgrade.
  throw new Error('mailparser no longer has MailParser#createNode: see message-parser.ts');
}

/**
 * Whether a leaf part is an attachment even though mailparser would take it as body text.
 * mailparser adds every inline text/plain and text/html part to the message text, but
 * - a part with a file name (`Content-Disposition: inline; filename=…`, `Content-Type: …; name=…`,
 *   RFC 2231-encoded or not) is a file the sender attached, however it is displayed, and
 * - a part inside an attached message (`message/rfc822`) is an earlier message, not newly written.
 * Neither is evidence.
 */
export function isAttachedPart(node: MimeNode): boolean {
  if (typeof node.filename === 'string' && node.filename !== '') return true;
  for (let parent = node.parentNode; parent; parent = parent.parentNode) {
    if (parent.contentType === 'message/rfc822') return true;
  }
  return false;
}

/** mailparser, with file-name parts and attached messages turned into attachments. */
class AttachmentAwareParser extends MailParser {
  createNode(node: MimeNode): ParserNode {
    const created = (baseCreateNode as CreateNode).call(this, node);
    if (created.isAttachment === false && isAttachedPart(node)) {
      created.isAttachment = true;
      created.disposition = 'attachment';
    }
    return created;
  }
}

/** Parses a raw message with mailparser under PARSE_LIMITS. Rejects only when mailparser does. */
export async function parseInboundMessage(raw: Buffer): Promise<ParsedInboundMessage> {
  // a large message is parsed in a worker thread (off-loop.ts), where this runs again inline
  if (goesOffLoop(raw)) {
    return (await offLoopPool().run(raw, { name: 'parse' })) as ParsedInboundMessage;
  }
  const parser = new AttachmentAwareParser({
    skipImageLinks: true,
    skipTextLinks: true,
    skipTextToHtml: true,
    // No text made from the HTML: mailparser's conversion keeps hidden elements and quoted
    // replies, which must never count as evidence. The verification turns HTML into visible text
    // itself when there is no text part (recovery/verification/visible-text.ts).
    skipHtmlToText: true,
    maxHtmlLengthToParse: PARSE_LIMITS.maxHtmlLengthToParse,
  });
  const parsed: ParsedInboundMessage = {
    headers: rawHeaderFields(raw),
    from: [],
    subject: null,
    messageId: null,
    inReplyTo: null,
    references: [],
    text: null,
    html: null,
    attachments: [],
  };
  const pending: Promise<void>[] = [];
  parser.on('headers', (headers: Map<string, HeaderValue>) => {
    parsed.from = flattenAddresses(headers.get('from'));
    parsed.subject = stringHeader(headers.get('subject'));
    parsed.messageId = stringHeader(headers.get('message-id'));
    parsed.inReplyTo = stringHeader(headers.get('in-reply-to'));
    parsed.references = listHeader(headers.get('references')).slice(0, 100);
  });
  parser.on('data', (data: AttachmentStream | MessageText) => {
    if (data.type === 'text') {
      parsed.text = cap(data.text);
      parsed.html = cap(data.html);
      return;
    }
    // attachment bodies are never kept: only what an agent needs to know they were there
    const attachment = data;
    pending.push(
      new Promise<void>((resolve) => {
        let size = 0;
        attachment.content.on('data', (chunk: Buffer) => {
          size += chunk.length;
        });
        attachment.content.on('end', () => {
          if (parsed.attachments.length < PARSE_LIMITS.maxAttachments) {
            parsed.attachments.push({
              filename: attachment.filename?.slice(0, 255) ?? null,
              contentType: attachment.contentType.slice(0, 255),
              size,
            });
          }
          attachment.release?.();
          resolve();
        });
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    parser.once('end', () => resolve());
    parser.once('error', reject);
    const source = Readable.from(slices(raw));
    source.once('error', reject);
    source.pipe(parser);
  });
  await Promise.all(pending);
  return parsed;
}
