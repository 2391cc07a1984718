import { colord, extend } from 'colord';
import namesPlugin from 'colord/plugins/names';

extend([namesPlugin]);

/**
 * CSS values as far as the visibility decision needs them (hidden-html.ts): lengths in px,
 * colours as RGBA (parsed by colord: hex, rgb/rgba, hsl/hsla, named colours), transform scale
 * and offsets. `null` means "not understood".
 */

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** The page a mail client draws on, and the text on it, when the message sets neither. */
export const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 1 };
export const BLACK: Rgba = { r: 0, g: 0, b: 0, a: 1 };

/** A value computed at use time (`var()`, `calc()`, `env()`, `attr()`, …), which is not evaluated
 *  here: the callers treat it as hiding (when in doubt, text does not count). */
export function isComputedAtUse(value: string): boolean {
  return /\b(?:var|calc|min|max|clamp|env|attr)\s*\(/i.test(value);
}

/** Viewport and container width assumed for `%` and viewport units (a mail reading pane). */
const REFERENCE_WIDTH_PX = 600;

const ABSOLUTE_UNITS: Record<string, number> = {
  '': 1, // quirks-mode unitless lengths; also a bare 0
  px: 1,
  pt: 4 / 3,
  pc: 16,
  in: 96,
  cm: 96 / 2.54,
  mm: 96 / 25.4,
  q: 96 / 101.6,
};

/** A length in px, relative units resolved against `fontPx` (em), 16 px (rem) and the reference
 *  width (%, vw, vh). */
export function lengthPx(value: string | undefined, fontPx: number): number | null {
  if (value === undefined) return null;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z%]*)$/i.exec(value.trim());
  if (match === null) return null;
  const amount = Number(match[1]);
  const unit = match[2].toLowerCase();
  if (unit in ABSOLUTE_UNITS) return amount * ABSOLUTE_UNITS[unit];
  switch (unit) {
    case 'em':
      return amount * fontPx;
    case 'ex':
    case 'ch':
      return (amount * fontPx) / 2;
    case 'rem':
      return amount * 16;
    case '%':
    case 'vw':
    case 'vh':
    case 'vmin':
    case 'vmax':
      return (amount * REFERENCE_WIDTH_PX) / 100;
    default:
      return null;
  }
}

const FONT_SIZE_KEYWORDS: Record<string, number> = {
  'xx-small': 9,
  'x-small': 10,
  small: 13,
  medium: 16,
  large: 18,
  'x-large': 24,
  'xx-large': 32,
  'xxx-large': 48,
};

/** A `font-size` value in px given the parent's; `null` when the declaration is invalid (and a
 *  browser would ignore it). Percentages are of the parent's size. */
export function fontSizePx(value: string, parentPx: number): number | null {
  if (value in FONT_SIZE_KEYWORDS) return FONT_SIZE_KEYWORDS[value];
  if (value === 'smaller') return parentPx / 1.2;
  if (value === 'larger') return parentPx * 1.2;
  if (value.endsWith('%')) {
    const percent = Number(value.slice(0, -1));
    return Number.isFinite(percent) ? (percent * parentPx) / 100 : null;
  }
  const px = lengthPx(value, parentPx);
  return px === null || px < 0 ? null : px;
}

/** The size token of a `font` shorthand (`bold 0/0 a`, `12px Arial`), if any. */
export function fontShorthandSize(value: string): string | undefined {
  return (
    splitTopLevel(value)
      .map((token) => token.split('/')[0])
      // a bare number other than 0 is a weight (700) or a line height, not a size
      .find((token) => fontSizePx(token, 16) !== null && !/^(?:\d*[1-9]\d*|\d*\.\d+)$/.test(token))
  );
}

/** Whitespace-separated tokens, keeping `rgb(1, 2, 3)` and the like whole. */
export function splitTopLevel(value: string): string[] {
  const tokens: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of value) {
    if (c === '(') depth++;
    if (c === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && /\s/.test(c)) {
      if (current !== '') tokens.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current !== '') tokens.push(current);
  return tokens;
}

/** A colour, or `null` when it is not one (legacy `bgcolor="ff0000"` without `#` is read as hex,
 *  as browsers do). */
export function parseColour(value: string): Rgba | null {
  const candidate = /^(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value) ? `#${value}` : value;
  const colour = colord(candidate);
  return colour.isValid() ? colour.toRgb() : null;
}

/** The colour among the tokens of a `background` shorthand, if any. */
export function backgroundShorthandColour(value: string): Rgba | null {
  for (const token of splitTopLevel(value)) {
    const colour = parseColour(token);
    if (colour !== null) return colour;
  }
  return null;
}

/** `top` painted over an opaque `bottom` with `top.a × alpha` coverage. */
export function composite(top: Rgba, bottom: Rgba, alpha = 1): Rgba {
  const a = Math.min(1, Math.max(0, top.a * alpha));
  const mix = (t: number, b: number) => t * a + b * (1 - a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

function relativeLuminance(colour: Rgba): number {
  const channel = (value: number) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b);
}

/** The WCAG contrast ratio of two opaque colours: 1 (identical) to 21 (black on white). */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

export interface TransformEffect {
  /** the smaller of the horizontal and vertical scale factors */
  scale: number;
  /** the largest distance the element is moved, in px */
  offsetPx: number;
  /** a function whose effect is not worked out (skew, 3-D rotations, perspective…) */
  unknown: boolean;
}

const IDENTITY: TransformEffect = { scale: 1, offsetPx: 0, unknown: false };

function numbersOf(args: string, fontPx: number): number[] {
  return args
    .split(/[\s,]+/)
    .filter((arg) => arg !== '')
    .map((arg) => (arg.endsWith('%') ? Number(arg.slice(0, -1)) / 100 : lengthPx(arg, fontPx)))
    .map((n) => (n === null || !Number.isFinite(n) ? Number.NaN : n));
}

function applyFunction(effect: TransformEffect, name: string, values: number[]): TransformEffect {
  const [x = Number.NaN, y = x] = values;
  switch (name) {
    case 'scale':
    case 'scale3d':
      return { ...effect, scale: effect.scale * Math.min(Math.abs(x), Math.abs(y)) };
    case 'scalex':
    case 'scaley':
      return { ...effect, scale: effect.scale * Math.abs(x) };
    case 'matrix': {
      const [a, b, c, d, e, f] = values;
      const sx = Math.hypot(a, b);
      const sy = Math.hypot(c, d);
      const offset = Math.max(Math.abs(e), Math.abs(f));
      return {
        ...effect,
        scale: effect.scale * Math.min(sx, sy),
        offsetPx: Math.max(effect.offsetPx, offset),
      };
    }
    case 'translate':
    case 'translate3d':
    case 'translatex':
    case 'translatey':
      return { ...effect, offsetPx: Math.max(effect.offsetPx, ...values.map(Math.abs)) };
    case 'rotate':
    case 'rotatez':
    case 'translatez':
      return effect;
    default:
      return { ...effect, unknown: true };
  }
}

/** What a `transform` value does to the visibility of its element. */
export function transformEffect(value: string, fontPx: number): TransformEffect {
  if (value === 'none' || value === '') return IDENTITY;
  let effect = IDENTITY;
  let matched = false;
  for (const match of value.matchAll(/([a-z0-9-]+)\(([^()]*)\)/gi)) {
    matched = true;
    const name = match[1].toLowerCase();
    // angles are not lengths: rotate(45deg) is read as "no scale, no offset"
    const values = name.startsWith('rotate') ? [] : numbersOf(match[2], fontPx);
    effect = applyFunction(effect, name, values);
  }
  if (!matched || Number.isNaN(effect.scale) || Number.isNaN(effect.offsetPx)) {
    return { ...effect, unknown: true };
  }
  return effect;
}

/** A `scale` or `zoom` value as a factor (`0.5`, `50%`, `0.5 1`), or `null`. */
export function scaleFactor(value: string): number | null {
  const factors = splitTopLevel(value).map((token) =>
    token.endsWith('%') ? Number(token.slice(0, -1)) / 100 : Number(token),
  );
  if (factors.length === 0 || factors.some((f) => !Number.isFinite(f))) return null;
  return Math.min(...factors.map(Math.abs));
}
