import type { Element } from 'domhandler';
import type { DeclaredStyle } from './css-cascade';
import {
  backgroundShorthandColour,
  BLACK,
  composite,
  contrastRatio,
  fontShorthandSize,
  fontSizePx,
  isComputedAtUse,
  lengthPx,
  parseColour,
  type Rgba,
  scaleFactor,
  splitTopLevel,
  transformEffect,
  WHITE,
} from './css-values';

/**
 * Which parts of an HTML message a sighted reader does not see, or that hold an earlier message
 * rather than newly written text. Evidence hidden in HTML (a receipt pasted inside `display:none`,
 * white text on a white page, a quoted reply Gmail folds away behind "…") is not something the
 * sender showed us, and an agent reading the excerpt would not see it either.
 *
 * The styles come from the message's own cascade (css-cascade.ts: `<style>` sheets, inline styles,
 * presentational attributes); inherited values are carried down the tree. When in doubt, text does
 * NOT count: hiding too much only loses evidence, counting hidden text lets a sender prove what
 * they never showed.
 *
 * A whole element is hidden by: `display:none`, `visibility:hidden|collapse` (also when a child
 * says `visible` again), `content-visibility:hidden`, `mso-hide:all`, the `hidden` attribute, a
 * closed `<details>` or `<dialog>`, an effective (multiplied) opacity below MIN_OPACITY, a
 * transform, `scale` or `zoom` that shrinks it below MIN_SCALE or moves it more than
 * MAX_OFFSET_PX, any other transform function (skew, 3-D), any `filter` other than `opacity()`,
 * any `clip` / `clip-path` / `mask`, positioning or a negative margin or `text-indent` of
 * MAX_OFFSET_PX or more, a width or height under MIN_BOX_PX with `overflow:hidden|clip`, and any
 * of the properties read here computed at use time (`var()`, `calc()`…).
 * A text is hidden when its colour, after opacity and alpha, has a contrast ratio below
 * MIN_CONTRAST with the background it is drawn on (the nearest background colour or `bgcolor`
 * up the tree, white by default), or when its font size times the scale is below MIN_FONT_PX.
 * Beyond the bounds of css-cascade.ts (elements nested deeper than MAX_STYLED_DEPTH, more
 * selectors or selector tests than it works out) nothing is counted either.
 * NOT hidden: `aria-hidden="true"` hides text from screen readers only; a sighted reader (and the
 * agent) sees it. Not evaluated: background images, CSS from external style sheets (mail clients
 * do not load them).
 */

/** WCAG calls 4.5 readable; below 1.5 (#ddd on white, #222 on black) text is next to invisible. */
export const MIN_CONTRAST = 1.5;
/** Text smaller than this (in px, after transforms) cannot be read; `<font size=1>` is 10 px. */
export const MIN_FONT_PX = 6;
export const MIN_OPACITY = 0.1;
export const MIN_SCALE = 0.1;
/** A box narrower or lower than this, with its overflow hidden, shows nothing readable. */
export const MIN_BOX_PX = 4;
/** Moved this far, an element is off any reading pane. */
export const MAX_OFFSET_PX = 500;

/** What an element passes on to its content. */
export interface VisualState {
  /** text colour (with its alpha); `-webkit-text-fill-color` wins over `color` */
  color: Rgba;
  fill: Rgba | null;
  /** the opaque colour the element's content is drawn on */
  background: Rgba;
  fontPx: number;
  /** effective opacity: the product of every ancestor's */
  opacity: number;
  /** effective scale: the product of every ancestor's transform, `scale` and `zoom` */
  scale: number;
}

export const ROOT_STATE: VisualState = {
  color: BLACK,
  fill: null,
  background: WHITE,
  fontPx: 16,
  opacity: 1,
  scale: 1,
};

/** Links are blue by default, whatever colour their parent has (the browser's own style). */
const LINK_BLUE: Rgba = { r: 0, g: 0, b: 238, a: 1 };

function colourValue(value: string | undefined, inherited: Rgba, current: Rgba): Rgba | null {
  if (value === undefined) return null;
  if (value === 'inherit') return inherited;
  if (value === 'currentcolor') return current;
  if (isComputedAtUse(value)) return { ...BLACK, a: 0 };
  return parseColour(value);
}

function ownBackground(style: DeclaredStyle): Rgba | null {
  const colour = style.get('background-color');
  if (colour !== undefined) {
    return isComputedAtUse(colour) ? null : (parseColour(colour) ?? null);
  }
  const shorthand = style.get('background');
  return shorthand === undefined ? null : backgroundShorthandColour(shorthand);
}

/** The font size in px: the smaller of `font-size` and the `font` shorthand's size where both are
 *  set (the order of the two is not kept), the parent's when neither is valid. */
function ownFontPx(style: DeclaredStyle, parentPx: number): number {
  const values = [style.get('font-size'), fontShorthandSize(style.get('font') ?? '')].filter(
    (value): value is string => value !== undefined && value !== 'inherit',
  );
  if (values.some(isComputedAtUse)) return 0;
  const sizes = values
    .map((value) => fontSizePx(value, parentPx))
    .filter((px): px is number => px !== null);
  return sizes.length === 0 ? parentPx : Math.min(...sizes);
}

function filterOpacity(style: DeclaredStyle): number {
  let opacity = 1;
  for (const match of (style.get('filter') ?? '').matchAll(/opacity\(\s*([\d.]+)(%?)\s*\)/g)) {
    opacity *= Number(match[1]) / (match[2] === '%' ? 100 : 1);
  }
  return Number.isFinite(opacity) ? opacity : 0;
}

function ownOpacity(style: DeclaredStyle): number {
  const value = style.get('opacity');
  if (value === undefined) return 1;
  if (isComputedAtUse(value)) return 0;
  const opacity = value.endsWith('%') ? Number(value.slice(0, -1)) / 100 : Number(value);
  return Number.isFinite(opacity) ? Math.min(1, Math.max(0, opacity)) : 1;
}

/** The state the element's content inherits (colours, size, opacity, scale). */
export function visualState(
  parent: VisualState,
  style: DeclaredStyle,
  element: Element,
): VisualState {
  const isLink = element.name.toLowerCase() === 'a' && element.attribs.href !== undefined;
  const color =
    colourValue(style.get('color'), parent.color, parent.color) ??
    (isLink ? LINK_BLUE : parent.color);
  const fill = colourValue(style.get('-webkit-text-fill-color'), parent.color, color);
  const opacity = parent.opacity * ownOpacity(style) * filterOpacity(style);
  const own = ownBackground(style);
  const fontPx = ownFontPx(style, parent.fontPx);
  return {
    color,
    fill: fill ?? parent.fill,
    background: own === null ? parent.background : composite(own, parent.background, opacity),
    fontPx,
    opacity,
    scale: parent.scale * ownScale(style, fontPx),
  };
}

function ownScale(style: DeclaredStyle, fontPx: number): number {
  let scale = 1;
  const transform = style.get('transform');
  if (transform !== undefined) scale *= transformEffect(transform, fontPx).scale;
  for (const property of ['scale', 'zoom']) {
    const value = style.get(property);
    if (value !== undefined && value !== 'none' && value !== 'normal') {
      scale *= scaleFactor(value) ?? 0;
    }
  }
  return Number.isFinite(scale) ? scale : 0;
}

function isHiddenByKeyword(style: DeclaredStyle): boolean {
  const visibility = style.get('visibility');
  return (
    style.get('display') === 'none' ||
    visibility === 'hidden' ||
    visibility === 'collapse' ||
    style.get('content-visibility') === 'hidden' ||
    style.get('mso-hide') === 'all'
  );
}

function isClippedOrMasked(style: DeclaredStyle): boolean {
  const isSet = (property: string, none: string) => {
    const value = style.get(property);
    return value !== undefined && value !== none && value !== 'initial' && value !== 'unset';
  };
  if (isSet('clip', 'auto') || isSet('clip-path', 'none')) return true;
  if (isSet('mask', 'none') || isSet('-webkit-mask', 'none')) return true;
  const filter = style.get('filter');
  // opacity() is worked into the opacity; any other filter (blur, brightness(0)…) may hide
  return (
    filter !== undefined &&
    filter !== 'none' &&
    filter.replace(/opacity\([^()]*\)/g, '').trim() !== ''
  );
}

function isFarAway(value: string | undefined, fontPx: number): boolean {
  if (value === undefined) return false;
  return splitTopLevel(value).some((token) => {
    const px = lengthPx(token, fontPx);
    return px !== null && Math.abs(px) >= MAX_OFFSET_PX;
  });
}

function isFarNegative(value: string | undefined, fontPx: number): boolean {
  if (value === undefined) return false;
  return splitTopLevel(value).some((token) => (lengthPx(token, fontPx) ?? 0) <= -MAX_OFFSET_PX);
}

function isMovedAway(style: DeclaredStyle, fontPx: number): boolean {
  const position = style.get('position');
  if (
    position !== undefined &&
    position !== 'static' &&
    ['left', 'top', 'right', 'bottom'].some((p) => isFarAway(style.get(p), fontPx))
  ) {
    return true;
  }
  if (
    ['margin', 'margin-left', 'margin-top', 'text-indent'].some((p) =>
      isFarNegative(style.get(p), fontPx),
    )
  ) {
    return true;
  }
  const transform = style.get('transform');
  if (transform === undefined) return false;
  const effect = transformEffect(transform, fontPx);
  return effect.unknown || effect.offsetPx >= MAX_OFFSET_PX;
}

function isCollapsedBox(style: DeclaredStyle, fontPx: number): boolean {
  const overflow = ['overflow', 'overflow-x', 'overflow-y'].map((p) => style.get(p));
  if (!overflow.some((value) => value === 'hidden' || value === 'clip')) return false;
  return ['width', 'height', 'max-width', 'max-height'].some((p) => {
    const px = lengthPx(style.get(p), fontPx);
    return px !== null && px < MIN_BOX_PX;
  });
}

/** Whether the element's whole content is hidden, given its style and the state it passes on. */
export function isHiddenByStyle(style: DeclaredStyle, state: VisualState): boolean {
  // var(), calc()… in any property that decides visibility: not evaluated, so taken as hiding
  if ([...style.values()].some(isComputedAtUse)) return true;
  if (isHiddenByKeyword(style) || isClippedOrMasked(style)) return true;
  if (state.opacity < MIN_OPACITY || state.scale < MIN_SCALE) return true;
  return isMovedAway(style, state.fontPx) || isCollapsedBox(style, state.fontPx);
}

/** Whether text drawn in this state can be read: big enough, and distinct from its background. */
export function isReadableText(state: VisualState): boolean {
  if (state.fontPx * state.scale < MIN_FONT_PX) return false;
  const ink = composite(state.fill ?? state.color, state.background, state.opacity);
  return contrastRatio(ink, state.background) >= MIN_CONTRAST;
}
