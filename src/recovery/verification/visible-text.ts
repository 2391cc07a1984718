import { htmlToVisibleText } from './html-visible-text';
import { stripQuotedText } from './quoted-text';

/** The visible text is capped at this many characters: evidence must be in the first 100 000
 *  characters a sender newly wrote. Bounds every later step (evidence, masking) too. */
export const VISIBLE_TEXT_MAX_CHARS = 100_000;

/** A text part is looked at up to this length before quotes are removed (quotes usually come last,
 *  so a long quoted thread does not push the new text past the cap). */
const MAX_TEXT_INPUT_CHARS = 4 * VISIBLE_TEXT_MAX_CHARS;

/**
 * Options for mailparser's `simpleParser` when its result feeds extractVisibleText.
 * `skipHtmlToText` is REQUIRED: without it mailparser fills `text` of an HTML-only message with its
 * own conversion of the HTML, hidden elements and quotes included, and that text would then be
 * taken for a real text part. The other options only save work.
 */
export const VERIFICATION_PARSER_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
} as const;

/** The bodies of a parsed message as mailparser gives them (attachments are never passed in). */
export interface MessageBodies {
  text?: string | false | null;
  html?: string | false | null;
}

export interface VisibleText {
  /** The newly written, visible text; at most VISIBLE_TEXT_MAX_CHARS characters. */
  text: string;
  /** Which body it came from: the text part, the HTML part (only when there is no text part), or
   *  neither. */
  source: 'text' | 'html' | 'none';
  /** Whether input or output was cut at a size bound. */
  truncated: boolean;
}

/**
 * Characters that change nothing a reader sees: soft hyphens, zero-width spaces/joiners, word
 * joiners, byte-order marks and bidirectional controls. Removed so that "42\u200b42" reads as the
 * "4242" the reader sees and a card number cannot slip past masking with invisible separators.
 */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/** Non-breaking and typographic spaces read as spaces. */
const UNICODE_SPACE = /[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g;

function normalizeCharacters(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(INVISIBLE, '').replace(UNICODE_SPACE, ' ');
}

/**
 * Cuts `text` to at most `max` characters at a whitespace boundary, so that the cut never creates a
 * new token (cutting "12345" to "1234" would invent a 4-digit group).
 */
export function truncateAtWhitespace(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max + 1);
  const boundary = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\n'), cut.lastIndexOf('\t'));
  return boundary < 0 ? '' : cut.slice(0, boundary);
}

/** Collapses runs of blank lines and trailing spaces left behind by removed content. */
function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The visible, newly written text of a message (docs/architecture.md, step 12): the text part; the HTML part
 * turned into visible text only when there is no (non-blank) text part; then without quoted
 * earlier messages and the signature (quoted-text.ts), invisible characters removed, and capped
 * at VISIBLE_TEXT_MAX_CHARS. The same text feeds the evidence check and the agents' excerpt, so an
 * agent sees exactly what was counted.
 *
 * The text part wins even when the HTML part says something else: it is what the sender's client
 * composed as plain text, and a hidden-HTML trick cannot add evidence to it.
 */
export function extractVisibleText(bodies: MessageBodies): VisibleText {
  let raw: string;
  let source: VisibleText['source'];
  let truncated = false;
  if (typeof bodies.text === 'string' && bodies.text.trim() !== '') {
    source = 'text';
    raw = bodies.text;
    if (raw.length > MAX_TEXT_INPUT_CHARS) {
      raw = truncateAtWhitespace(raw, MAX_TEXT_INPUT_CHARS);
      truncated = true;
    }
  } else if (typeof bodies.html === 'string' && bodies.html.trim() !== '') {
    source = 'html';
    raw = htmlToVisibleText(bodies.html);
  } else {
    return { text: '', source: 'none', truncated: false };
  }
  let text = tidy(stripQuotedText(normalizeCharacters(raw)));
  if (text.length > VISIBLE_TEXT_MAX_CHARS) {
    text = truncateAtWhitespace(text, VISIBLE_TEXT_MAX_CHARS);
    truncated = true;
  }
  return { text, source, truncated };
}
