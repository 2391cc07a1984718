import { isTag, isText, type AnyNode, type Element } from 'domhandler';

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

/** Containers in which mail clients put a quoted earlier message, its attribution or a
 *  signature (Gmail, Thunderbird, Yahoo and AOL, Proton, Apple Mail's `blockquote type=cite`). */
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
]);
/** Yahoo prefixes its ids and classes ("ydp5c8e0c2ayahoo_quoted_1234"); AOL numbers its parts. */
const QUOTE_ID_PARTS = ['yahoo_quoted', 'aolmsgpart_'];
const QUOTE_CLASS_SUFFIX = 'yahoo_quoted';

/** Outlook (desktop, web, 2003) and Windows Mail do not wrap the quoted message: these mark where
 *  it begins, and everything after them in document order is earlier correspondence. Outlook
 *  prefixes re-quoted ids with "x_". */
const REPLY_HEADER_IDS = new Set([
  'divrplyfwdmsg',
  'appendonsend',
  'stopspelling',
  'mail-editor-reference-message-container',
]);
const REPLY_HEADER_CLASSES = new Set(['outlookmessageheader']);

function classList(element: Element): string[] {
  const value = element.attribs.class;
  return value === undefined ? [] : value.toLowerCase().split(/\s+/).filter(Boolean);
}

/** Whether the element is never rendered, hidden by markup alone, or a quote container. */
export function isHiddenOrQuotedByMarkup(element: Element): boolean {
  const name = element.name.toLowerCase();
  if (NEVER_RENDERED.has(name)) return true;
  if ((name === 'details' || name === 'dialog') && element.attribs.open === undefined) return true;
  if (element.attribs.hidden !== undefined) return true;
  return isQuoteContainer(element);
}

/** Whether the element holds a quoted earlier message (html-visible-text.ts leaves a ">" line
 *  where it stood, so that the text rules of quoted-text.ts see the quotation). */
export function isQuoteContainer(element: Element): boolean {
  if (element.name.toLowerCase() === 'blockquote') return true;
  const classes = classList(element);
  if (classes.some((c) => QUOTE_CLASSES.has(c) || c.endsWith(QUOTE_CLASS_SUFFIX))) return true;
  const id = element.attribs.id?.toLowerCase() ?? '';
  return QUOTE_ID_PARTS.some((part) => id.includes(part));
}

/**
 * A block with a top border and a header label at its start, as Outlook desktop
 * (`border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm`) and Windows Mail
 * (`border-top-style: solid`) draw above the quoted message's "From:/Von:/От: …" lines.
 * Each declaration is tested on its own and the text is gathered from at most LEADING_NODES
 * nodes, so a hostile style attribute or an empty subtree costs linear time.
 */
const TOP_BORDER_PROPERTY = /^[ \t\n]*border-top(?:-style)?[ \t\n]*:/i;
const LINE_STYLE = /\b(?:solid|dotted|dashed|double)\b/i;
const LEADING_LABEL = /^[ \t\n*_]*[\p{L}][\p{L} .-]{0,24}[ \t]*[:：]/u;
const LEADING_TEXT_CHARS = 200;
const LEADING_NODES = 200;

function hasTopBorder(style: string): boolean {
  return style
    .split(';')
    .some((declaration) => TOP_BORDER_PROPERTY.test(declaration) && LINE_STYLE.test(declaration));
}

/** The first LEADING_TEXT_CHARS characters of an element's text (iterative, bounded). */
function leadingText(element: Element): string {
  let text = '';
  let visited = 0;
  const stack: AnyNode[] = element.children.slice(0, LEADING_NODES).reverse();
  while (stack.length > 0 && text.length < LEADING_TEXT_CHARS && visited < LEADING_NODES) {
    visited++;
    const node = stack.pop() as AnyNode;
    if (isText(node)) text += node.data.slice(0, LEADING_TEXT_CHARS).replace(/\u00a0/g, ' ');
    else if (isTag(node)) {
      const children = node.children.slice(0, LEADING_NODES);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }
  return text.trimStart();
}

/** Whether the element marks the start of an Outlook-quoted message (cut it and all that follows). */
export function isReplyHeaderMarker(element: Element): boolean {
  const id = element.attribs.id?.toLowerCase();
  if (id !== undefined && REPLY_HEADER_IDS.has(id.replace(/^x_/, ''))) return true;
  if (classList(element).some((c) => REPLY_HEADER_CLASSES.has(c))) return true;
  const style = element.attribs.style;
  return style !== undefined && hasTopBorder(style) && LEADING_LABEL.test(leadingText(element));
}
