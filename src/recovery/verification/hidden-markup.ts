import type { Element } from 'domhandler';

/**
 * The markup half of hidden-html.ts: elements that are never rendered or hidden by an attribute,
 * and the containers and markers in which mail clients put a quoted earlier message. The style
 * half (colours, sizes, transforms, clipping) stays in hidden-html.ts.
 */

/** Elements whose content is never rendered as message text. */
const NEVER_RENDERED = new Set([
  'head',
  'title',
  'style',
  'script',
  'template',
  'noscript',
  'object',
  'embed',
  'iframe',
  'frame',
  'frameset',
  'applet',
  'audio',
  'video',
  'canvas',
  'svg',
  'xml',
]);

/** Containers in which mail clients put a quoted earlier message or a signature. */
const QUOTE_CLASSES = new Set([
  'gmail_quote',
  'gmail_quote_container',
  'gmail_attr',
  'gmail_extra',
  'gmail_signature',
  'moz-cite-prefix',
  'moz-signature',
  'moz-forward-container',
  'yahoo_quoted',
  'protonmail_quote',
  'protonmail_signature_block',
  'outlookmessageheader',
]);

/** Outlook (desktop and web) does not wrap the quoted message: these mark where it begins, and
 *  everything after them in document order is earlier correspondence. */
const REPLY_HEADER_IDS = new Set(['divrplyfwdmsg', 'appendonsend', 'stopspelling']);

function classList(element: Element): string[] {
  const value = element.attribs.class;
  return value === undefined ? [] : value.toLowerCase().split(/\s+/).filter(Boolean);
}

/** Whether the element is never rendered, hidden by markup alone, or a quote container. */
export function isHiddenOrQuotedByMarkup(element: Element): boolean {
  const name = element.name.toLowerCase();
  if (NEVER_RENDERED.has(name) || name === 'blockquote') return true;
  if ((name === 'details' || name === 'dialog') && element.attribs.open === undefined) return true;
  if (element.attribs.hidden !== undefined) return true;
  if (classList(element).some((c) => QUOTE_CLASSES.has(c))) return true;
  return element.attribs.id?.toLowerCase().startsWith('yahoo_quoted') === true;
}

/** Whether the element marks the start of an Outlook-quoted message (cut it and all that follows). */
export function isReplyHeaderMarker(element: Element): boolean {
  const id = element.attribs.id?.toLowerCase();
  return id !== undefined && REPLY_HEADER_IDS.has(id);
}
