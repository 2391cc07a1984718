import type { Element } from 'domhandler';

/**
 * Which HTML elements a sighted reader of the message does not see, or that hold an earlier
 * message rather than newly written text. Evidence hidden in HTML (a receipt pasted inside
 * `display:none`, a quoted reply Gmail folds away behind "…") is not something the sender showed
 * us, and an agent reading the excerpt would not see it either.
 *
 * Decisions (all err towards hiding: hiding too much only loses evidence):
 * - Hidden: `hidden` attribute, closed `<details>`, and inline styles with `display:none`,
 *   `visibility:hidden|collapse`, `opacity:0`, a zero font size (also the `font` shorthand),
 *   `mso-hide:all`, a zero width/height with `overflow:hidden`, `color:transparent`, off-screen
 *   positioning (`position:absolute|fixed` with a large negative `left`/`top`, large negative
 *   `text-indent`) and `clip: rect(0…)`.
 * - Hidden through `<style>` sheets: rules whose declarations hide, applied to the classes, ids or
 *   bare tag names of the LAST compound of each selector (so `.a .hide` hides every `.hide`) — a
 *   deliberate over-approximation; selectors with pseudo-classes (`:hover`) or only attribute
 *   conditions are ignored, and `@media` conditions are treated as always true.
 * - NOT hidden: `aria-hidden="true"`. It hides text from screen readers only; a sighted reader
 *   (and the agent) sees it, so it is visible text in the sense that matters here.
 * - Not evaluated: colours equal to the background, tiny-but-non-zero fonts, CSS from external
 *   style sheets (mail clients do not load them).
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

export interface StylesheetHiding {
  classes: Set<string>;
  ids: Set<string>;
  tags: Set<string>;
}

/** Parses `prop: value; …` into a map where a later declaration wins unless an earlier one is
 *  `!important` and the later one is not (enough of the cascade for one style attribute). */
function declarations(css: string): Map<string, string> {
  const result = new Map<string, string>();
  const important = new Set<string>();
  for (const part of css.split(';')) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    const property = part.slice(0, colon).trim().toLowerCase();
    let value = part
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    const isImportant = value.endsWith('!important');
    if (isImportant) value = value.slice(0, -'!important'.length).trim();
    if (important.has(property) && !isImportant) continue;
    if (isImportant) important.add(property);
    result.set(property, value.replace(/\s+/g, ' '));
  }
  return result;
}

/** Whether a CSS length is zero ("0", "0px", "0.0em", "0%"). The number and its unit are
 *  disjoint character classes, so the pattern cannot backtrack. */
function isZeroLength(value: string | undefined): boolean {
  if (value === undefined) return false;
  const match = /^(-?[\d.]+)([a-z%]*)$/.exec(value);
  return match !== null && Number(match[1]) === 0;
}

function isFarNegative(value: string | undefined): boolean {
  if (value === undefined) return false;
  const match = /^-(\d+(?:\.\d+)?)(px|pt|em|rem|cm|mm|in|%)?$/.exec(value);
  if (!match) return false;
  const amount = Number(match[1]);
  return match[2] === 'em' || match[2] === 'rem' ? amount >= 50 : amount >= 500;
}

/** Whether a set of CSS declarations makes an element invisible to a sighted reader. */
export function isHidingStyle(css: string): boolean {
  const d = declarations(css);
  if (d.get('display') === 'none') return true;
  const visibility = d.get('visibility');
  if (visibility === 'hidden' || visibility === 'collapse') return true;
  const opacity = d.get('opacity');
  if (isZeroLength(opacity)) return true;
  if (isZeroLength(d.get('font-size'))) return true;
  const font = d.get('font');
  if (font?.split(' ').some((token) => isZeroLength(token.split('/')[0]))) return true;
  if (d.get('mso-hide') === 'all') return true;
  if (d.get('color') === 'transparent') return true;
  const overflowHidden = d.get('overflow') === 'hidden' || d.get('overflow-y') === 'hidden';
  if (
    overflowHidden &&
    ['height', 'max-height', 'width', 'max-width'].some((p) => isZeroLength(d.get(p)))
  ) {
    return true;
  }
  const position = d.get('position');
  if (
    (position === 'absolute' || position === 'fixed') &&
    (isFarNegative(d.get('left')) || isFarNegative(d.get('top')))
  ) {
    return true;
  }
  if (isFarNegative(d.get('text-indent'))) return true;
  const clip = d.get('clip');
  return clip !== undefined && /^rect\(\s*0/.test(clip);
}

/** CSS text without its comments; an indexOf loop, because a lazy regex rescans an unclosed one. */
function withoutComments(css: string): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = css.indexOf('/*', from);
    if (open < 0) return out + css.slice(from);
    out += css.slice(from, open);
    const close = css.indexOf('*/', open + 2);
    if (close < 0) return out;
    from = close + 2;
  }
}

function addSelector(selector: string, hiding: StylesheetHiding): void {
  const compounds = selector.trim().split(/[\s>+~]+/);
  const last = compounds[compounds.length - 1] ?? '';
  if (last === '' || last.includes(':')) return;
  let named = false;
  for (const match of last.matchAll(/([.#])([\w-]+)/g)) {
    (match[1] === '.' ? hiding.classes : hiding.ids).add(match[2].toLowerCase());
    named = true;
  }
  if (named) return;
  const tag = /^(?:[a-z][a-z0-9]*|\*)$/i.exec(last);
  if (tag) hiding.tags.add(tag[0].toLowerCase());
}

/** Classes, ids and tags that the message's own `<style>` sheets hide (see the decisions above). */
export function stylesheetHiding(sheets: readonly string[]): StylesheetHiding {
  const hiding: StylesheetHiding = { classes: new Set(), ids: new Set(), tags: new Set() };
  for (const sheet of sheets) {
    const css = withoutComments(sheet);
    const preludes: string[] = [];
    let start = 0;
    for (let i = 0; i < css.length; i++) {
      const c = css[i];
      if (c === '{') {
        preludes.push(css.slice(start, i).trim());
        start = i + 1;
      } else if (c === '}') {
        const prelude = preludes.pop();
        if (
          prelude !== undefined &&
          !prelude.startsWith('@') &&
          isHidingStyle(css.slice(start, i))
        ) {
          for (const selector of prelude.split(',')) addSelector(selector, hiding);
        }
        start = i + 1;
      } else if (
        c === ';' &&
        (preludes.length === 0 || preludes[preludes.length - 1].startsWith('@'))
      ) {
        start = i + 1; // end of a statement such as @import or @charset
      }
    }
  }
  return hiding;
}

function classList(element: Element): string[] {
  const value = element.attribs.class;
  return value === undefined ? [] : value.toLowerCase().split(/\s+/).filter(Boolean);
}

/** Whether the element (and so its whole subtree) is not part of the visible, newly written text. */
export function isHiddenOrQuoted(element: Element, hiding: StylesheetHiding): boolean {
  const name = element.name.toLowerCase();
  if (NEVER_RENDERED.has(name) || name === 'blockquote') return true;
  if (name === 'details' && element.attribs.open === undefined) return true;
  if (element.attribs.hidden !== undefined) return true;
  const style = element.attribs.style;
  if (style !== undefined && isHidingStyle(style)) return true;
  const classes = classList(element);
  if (classes.some((c) => QUOTE_CLASSES.has(c) || hiding.classes.has(c))) return true;
  const id = element.attribs.id?.toLowerCase();
  if (id !== undefined && (hiding.ids.has(id) || id.startsWith('yahoo_quoted'))) return true;
  return hiding.tags.has(name) || hiding.tags.has('*');
}

/** Whether the element marks the start of an Outlook-quoted message (cut it and all that follows). */
export function isReplyHeaderMarker(element: Element): boolean {
  const id = element.attribs.id?.toLowerCase();
  return id !== undefined && REPLY_HEADER_IDS.has(id);
}
