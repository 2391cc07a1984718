import { isComment, isTag, isText, type AnyNode } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { compile } from 'html-to-text';
import { Cascade, MAX_STYLED_DEPTH } from './css-cascade';
import {
  isHiddenByStyle,
  isReadableText,
  ROOT_STATE,
  visualState,
  type VisualState,
} from './hidden-html';
import { isHiddenOrQuotedByMarkup, isQuoteContainer, isReplyHeaderMarker } from './hidden-markup';

/** HTML beyond this many characters is not looked at (a hand-written support mail is far smaller;
 *  the visible text is capped at 100 kB afterwards anyway). */
export const MAX_HTML_CHARS = 1_000_000;

/**
 * At most this many start tags are parsed; the rest is dropped. htmlparser2 keeps its stack of
 * open elements with `unshift`, so parsing is quadratic in the nesting depth, and the depth is
 * at most the number of start tags: this bound keeps a hostile `<b><b><b>…` message cheap.
 */
export const MAX_START_TAGS = 10_000;

/** html-to-text walks the tree recursively; deeper content is dropped rather than overflowing
 *  the stack. */
const MAX_CONVERT_DEPTH = 500;

const START_TAG = /<[a-zA-Z]/g;

/** Truncates the HTML to MAX_HTML_CHARS and before its (MAX_START_TAGS + 1)-th start tag. */
function boundHtml(html: string): string {
  let bounded = html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html;
  START_TAG.lastIndex = 0;
  let count = 0;
  for (let match = START_TAG.exec(bounded); match !== null; match = START_TAG.exec(bounded)) {
    count++;
    if (count > MAX_START_TAGS) {
      bounded = bounded.slice(0, match.index);
      break;
    }
  }
  return bounded;
}

/**
 * One converter for every message: links without their URLs (an address in an href is not text
 * the reader sees), images skipped (alt text is not shown when images load), no word wrapping and
 * no upper-casing, and table cells as blocks so that adjacent cells never run together into one
 * number ("42" | "42" must not become "4242").
 */
const htmlToText = compile({
  wordwrap: false,
  // the whole document, not only <body>: a browser renders stray content outside it as well
  baseElements: { selectors: [], returnDomByDefault: true },
  limits: { maxDepth: MAX_CONVERT_DEPTH, maxInputLength: MAX_HTML_CHARS },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'blockquote', format: 'skip' },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block' },
    { selector: 'td', format: 'block' },
    { selector: 'th', format: 'block' },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({
      selector,
      options: { uppercase: false },
    })),
  ],
});

function styleSheets(root: AnyNode): string[] {
  const sheets: string[] = [];
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode;
    if (isTag(node) && node.name.toLowerCase() === 'style') {
      sheets.push(node.children.map((child) => (isText(child) ? child.data : '')).join(''));
    } else if ('children' in node) {
      // reversed, so that sheets come out in document order (later rules win ties)
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
  }
  return sheets;
}

/** A cut: inclusive start/end offsets in the source, and what stands in its place. */
type Cut = [start: number, end: number, replacement?: string];

/**
 * What a removed quote container leaves behind: one ">" line, so that the text rules
 * (quoted-text.ts) know a quotation stood there — the attribution line above it is then dropped
 * and the text below it (a bottom-posted or interleaved answer) still counts. It is a block of
 * its own, so the text on either side never runs together ("42" | "42" must not become "4242").
 */
const QUOTE_PLACEHOLDER = '<div>&gt;</div>';

/**
 * Source ranges (inclusive start/end offsets) of everything that must not count: hidden elements,
 * unreadable text, quote containers and comments, plus — from an Outlook reply header on — the
 * rest of the document. Pre-order, iterative (no recursion on hostile nesting), each node with
 * the visual state its parent passes on (hidden-html.ts).
 */
function removedRanges(root: AnyNode, length: number): Cut[] {
  const cascade = new Cascade(root, styleSheets(root));
  const ranges: Cut[] = [];
  const stack: Array<[AnyNode, VisualState, number]> = [[root, ROOT_STATE, 0]];
  while (stack.length > 0) {
    const [node, parent, depth] = stack.pop() as [AnyNode, VisualState, number];
    // A node without indices cannot be cut precisely: cut from it to the end (conservative).
    const range: [number, number] = [node.startIndex ?? 0, node.endIndex ?? length - 1];
    let state = parent;
    if (isComment(node)) {
      ranges.push(range);
      continue;
    } else if (isText(node)) {
      if (node.data.trim() !== '' && !isReadableText(parent)) ranges.push(range);
      continue;
    } else if (isTag(node)) {
      if (depth > MAX_STYLED_DEPTH) {
        ranges.push(range); // nested too deep to be styled (css-cascade.ts): not counted
        continue;
      }
      if (isReplyHeaderMarker(node)) {
        ranges.push([range[0], length - 1]);
        continue;
      }
      const style = cascade.declared(node);
      state = visualState(parent, style, node);
      if (isHiddenOrQuotedByMarkup(node) || isHiddenByStyle(style, state)) {
        ranges.push(isQuoteContainer(node) ? [...range, QUOTE_PLACEHOLDER] : range);
        continue;
      }
    }
    if ('children' in node) {
      for (let i = node.children.length - 1; i >= 0; i--) {
        stack.push([node.children[i], state, depth + 1]);
      }
    }
  }
  return ranges;
}

/** The source with the given ranges cut out (and their replacements in their place). Ranges may
 *  overlap (an element that htmlparser2 closed implicitly ends where the next one's start tag
 *  ends). */
function cutRanges(source: string, ranges: Cut[]): string {
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let position = 0;
  for (const [start, end, replacement] of ranges) {
    if (start > position) out += source.slice(position, start);
    if (end + 1 > position && replacement !== undefined) out += replacement;
    position = Math.max(position, end + 1);
  }
  return out + source.slice(position);
}

/**
 * The visible text of an HTML body, without hidden content, quote containers and Outlook-quoted
 * messages (see hidden-html.ts for what counts as hidden).
 *
 * Two passes: htmlparser2 builds a tree with source offsets, the hidden and quoted elements are cut
 * out of the SOURCE by their offsets, and html-to-text converts what remains. Cutting whole tokens
 * out of the source can only remove text: every character left was outside every hidden element in
 * the first parse, so the second parse cannot bring hidden text back.
 */
export function htmlToVisibleText(html: string): string {
  const bounded = boundHtml(html);
  const document = parseDocument(bounded, { withStartIndices: true, withEndIndices: true });
  let ranges: Cut[];
  try {
    ranges = removedRanges(document, bounded.length);
  } catch {
    // CSS beyond what is worked out (too many selectors, a sheet css-tree cannot take): whether
    // anything is hidden is unknown, so nothing of this HTML counts
    return '';
  }
  return htmlToText(cutRanges(bounded, ranges));
}
