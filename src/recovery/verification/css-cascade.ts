import { compile as compileSelector } from 'css-select';
import { generate, parse, walk, type CssNode } from 'css-tree';
import type { AnyNode, Element } from 'domhandler';
import { calculate as specificityOf } from 'specificity';
import { ElementIndex } from './element-index';

/**
 * The author cascade of an HTML message: which value of each visibility-relevant property wins on
 * each element, from the message's own `<style>` sheets (parsed by css-tree, matched by
 * css-select, ranked by `specificity`), its inline `style` attributes and the presentational
 * attributes mail HTML still uses (`bgcolor`, `<font color size>`, `<body text>`).
 *
 * Deliberate simplifications, each towards finding MORE hidden text:
 * - conditional group rules (`@media`, `@supports`, …) are taken as always true, so a rule hiding
 *   text on narrow screens hides it here;
 * - `::first-line` / `::first-letter` rules apply to the whole element;
 * - selectors css-select cannot match (`:hover`, `:focus`, other pseudo-elements) never apply:
 *   they style states the reader does not see by default, or generated content that is not text
 *   of the message.
 */

/** The properties the visibility decision reads (hidden-html.ts); nothing else is kept. */
export const RELEVANT_PROPERTIES = new Set([
  'display',
  'visibility',
  'content-visibility',
  'opacity',
  'filter',
  'color',
  '-webkit-text-fill-color',
  'background',
  'background-color',
  'font',
  'font-size',
  'transform',
  'scale',
  'zoom',
  'position',
  'left',
  'top',
  'right',
  'bottom',
  'margin',
  'margin-left',
  'margin-top',
  'text-indent',
  'overflow',
  'overflow-x',
  'overflow-y',
  'width',
  'height',
  'max-width',
  'max-height',
  'clip',
  'clip-path',
  'mask',
  '-webkit-mask',
  'mso-hide',
]);

/** More selectors than this in a message's sheets: the cascade is not worked out and the whole
 *  HTML counts as hidden (a hand-written support mail has a few dozen; matching is
 *  selectors × elements). */
export const MAX_SELECTORS = 2_000;

/**
 * Elements nested deeper than this are not styled, and the caller hides them: matching a
 * descendant combinator walks the ancestors, so hostile nesting would make every selector cost
 * elements × depth. Mail clients nest a few dozen levels at most.
 */
export const MAX_STYLED_DEPTH = 64;

/** Selector tests (each selector against each element its rightmost compound can match, see
 *  element-index.ts) worked out at most; beyond, all counts as hidden. */
export const MAX_SELECTOR_MATCHES = 1_000_000;

/** Wall-clock bound on matching, the last guard against a selector that is costly in a way the
 *  counts above do not see; beyond it, all counts as hidden. */
export const MATCHING_TIME_BUDGET_MS = 2_000;

interface Declared {
  value: string;
  /** [important, inline, specificity, order]: compared in that order, the larger wins */
  rank: [number, number, number, number];
}

export type DeclaredStyle = Map<string, string>;

/** Thrown when the message's CSS is beyond what is worked out; callers treat it as all hidden. */
export class CascadeTooLargeError extends Error {}

interface SheetRule {
  selector: string;
  node: CssNode;
  specificity: number;
  declarations: Array<{ property: string; value: string; important: boolean }>;
}

function declarationsOf(block: CssNode): SheetRule['declarations'] {
  const result: SheetRule['declarations'] = [];
  walk(block, {
    visit: 'Declaration',
    enter(node) {
      const property = node.property.toLowerCase();
      if (!RELEVANT_PROPERTIES.has(property)) return;
      const value = node.value.type === 'Raw' ? node.value.value : generate(node.value);
      result.push({
        property,
        value: value.trim().toLowerCase(),
        important: node.important !== false,
      });
    },
  });
  return result;
}

/** A, B, C of the selector's specificity as one comparable number (0 when it cannot be read). */
function specificityNumber(selector: string): number {
  try {
    // the package's own typings do not resolve under nodenext: its shape, as documented
    const { A, B, C } = specificityOf(selector) as unknown as Record<'A' | 'B' | 'C', number>;
    return A * 1_000_000 + B * 1_000 + C;
  } catch {
    return 0;
  }
}

/** The rules of the message's style sheets, in document order, with relevant declarations only. */
function sheetRules(sheets: readonly string[]): SheetRule[] {
  const rules: SheetRule[] = [];
  let selectors = 0;
  for (const sheet of sheets) {
    const ast = parse(sheet, { parseValue: false, parseCustomProperty: false });
    walk(ast, {
      visit: 'Rule',
      enter(node) {
        if (this.atrule?.name.toLowerCase().endsWith('keyframes')) return;
        if (node.prelude.type !== 'SelectorList') return;
        const declarations = declarationsOf(node.block);
        if (declarations.length === 0) return;
        node.prelude.children.forEach((child) => {
          if (++selectors > MAX_SELECTORS) throw new CascadeTooLargeError('too many selectors');
          const selector = generate(child).replace(/::?first-(?:line|letter)\b/gi, '');
          rules.push({
            selector,
            node: child,
            specificity: specificityNumber(selector),
            declarations,
          });
        });
      },
    });
  }
  return rules;
}

/** Whether the selector could be compiled; those that cannot never apply (see above). */
function matcher(selector: string): ((element: Element) => boolean) | null {
  try {
    return compileSelector(selector);
  } catch {
    return null;
  }
}

function setIfWins(
  style: Map<string, Declared>,
  property: string,
  value: string,
  rank: Declared['rank'],
) {
  const current = style.get(property);
  if (current === undefined || compareRank(rank, current.rank) >= 0) {
    style.set(property, { value, rank });
  }
}

function compareRank(a: Declared['rank'], b: Declared['rank']): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** Declarations of a `style` attribute (relevant ones only). */
export function inlineDeclarations(css: string): SheetRule['declarations'] {
  return declarationsOf(parse(css, { context: 'declarationList', parseValue: false }));
}

const FONT_SIZES = ['x-small', 'small', 'medium', 'large', 'x-large', 'xx-large', '48px'];

/** `<font size>` 1–7 (or ±n from the default 3) as the CSS font-size a browser maps it to. */
function fontSizeAttribute(size: string): string | undefined {
  const match = /^\s*([+-]?)(\d+)/.exec(size);
  if (match === null) return undefined;
  const n = match[1] === '' ? Number(match[2]) : 3 + Number(match[1] + match[2]);
  return FONT_SIZES[Math.min(7, Math.max(1, n)) - 1];
}

/** Presentational attributes as CSS declarations (they lose to every author rule). */
function presentational(element: Element): Array<[string, string]> {
  const a = element.attribs;
  const result: Array<[string, string]> = [];
  if (a.bgcolor !== undefined) result.push(['background-color', a.bgcolor.trim().toLowerCase()]);
  const name = element.name.toLowerCase();
  if (name === 'font' && a.color !== undefined)
    result.push(['color', a.color.trim().toLowerCase()]);
  if (name === 'font' && a.size !== undefined) {
    const size = fontSizeAttribute(a.size);
    if (size !== undefined) result.push(['font-size', size]);
  }
  if (name === 'body' && a.text !== undefined) result.push(['color', a.text.trim().toLowerCase()]);
  return result;
}

/** The winning declared value of every relevant property, for every element of the document. */
export class Cascade {
  private readonly styles = new Map<Element, Map<string, Declared>>();
  private order = 0;

  constructor(root: AnyNode, sheets: readonly string[]) {
    const index = new ElementIndex(root, MAX_STYLED_DEPTH);
    const rules = sheetRules(sheets).map((rule) => ({
      ...rule,
      candidates: index.candidates(rule.node),
    }));
    const matchCount = rules.reduce((sum, rule) => sum + rule.candidates.length, 0);
    if (matchCount > MAX_SELECTOR_MATCHES) {
      throw new CascadeTooLargeError('too many selector matches');
    }
    const deadline = Date.now() + MATCHING_TIME_BUDGET_MS;
    for (const rule of rules) {
      if (Date.now() > deadline) throw new CascadeTooLargeError('selector matching took too long');
      const matches = matcher(rule.selector);
      if (matches === null) continue;
      const order = ++this.order;
      for (const element of rule.candidates) {
        if (!matches(element)) continue;
        for (const d of rule.declarations) {
          setIfWins(this.styleOf(element), d.property, d.value, [
            d.important ? 1 : 0,
            0,
            rule.specificity,
            order,
          ]);
        }
      }
    }
  }

  private styleOf(element: Element): Map<string, Declared> {
    let style = this.styles.get(element);
    if (style === undefined) {
      style = new Map();
      this.styles.set(element, style);
    }
    return style;
  }

  /** The element's declared style: attributes < sheet rules by specificity < inline style, with
   *  `!important` above all of those. */
  declared(element: Element): DeclaredStyle {
    const style = new Map(this.styles.get(element));
    for (const [property, value] of presentational(element)) {
      setIfWins(style, property, value, [0, 0, -1, 0]);
    }
    const inline = element.attribs.style;
    if (inline !== undefined) {
      inlineDeclarations(inline).forEach((d, index) => {
        setIfWins(style, d.property, d.value, [d.important ? 1 : 0, 1, 0, index]);
      });
    }
    return new Map([...style].map(([property, d]) => [property, d.value]));
  }
}
