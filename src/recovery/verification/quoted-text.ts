import EmailReplyParser from 'email-reply-parser';
import {
  ATTRIBUTION_OPENING,
  ATTRIBUTION_VERB,
  ATTRIBUTION_VERB_ENDING,
  FORWARD_INTRODUCTION,
  HEADER_LABEL_LINE,
} from './reply-vocabulary';

/**
 * Removes everything from a plain-text message body that the sender did not newly write: quoted
 * earlier messages, their attribution lines, forwarded messages and the signature. Recovery
 * evidence counts only in the newly written text (docs/architecture.md, step 12): a user who
 * merely hits "reply" on a receipt ("card ending 4242") must not pass the check without knowing
 * anything, and a hijacked mailbox is full of such receipts.
 *
 * What the sender wrote counts wherever the client puts it: above the quotation (top-posting),
 * below it (bottom-posting, as Thunderbird and mailing lists do) and between quoted lines
 * (interleaved answers). The quotation is recognised by:
 * - lines quoted with ">" (any depth) — dropped, and what stands between and after them counts;
 * - an attribution line ("On … wrote:", "Den … skrev …:", "Am … schrieb …:", "Le … a écrit :",
 *   "… kirjoitti:", "… от Alexander L <…>:", in the languages of reply-vocabulary.ts, wrapped
 *   over two lines or not) — dropped with its date and time when a ">" quotation follows it; when
 *   none follows (Yahoo, Outlook and Gmail forwards put the earlier message there unquoted),
 *   everything from it on is the earlier message;
 * - a header block ("From:/Sent:/To:", "Von:/Gesendet:", "От:/Отправлено:", "De :/Envoyé :" …),
 *   a framed separator ("-----Original Message-----", "---------- Forwarded message ---------",
 *   in any language), a forward introduction ("Begin forwarded message:") or the signature
 *   separator "-- ": everything from there on is dropped.
 * The HTML path (html-visible-text.ts) replaces every quote container it removes by a ">" line,
 * so that the same rules see where a quotation stood.
 *
 * A second opinion comes from email-reply-parser (a maintained port of GitHub's
 * EmailReplyParser): a line it puts in a quoted fragment, and in no other fragment, is dropped as
 * well. Its signature rules are not used ("Regards, Åsa Öberg" is the sender's own text), and it
 * only sees bodies within LIBRARY_MAX_CHARS / LIBRARY_MAX_LINE_CHARS, since some of its patterns
 * take time quadratic in the length of a line; the rules here bound their own work.
 *
 * Every rule errs towards removing too much: a cut can only lose evidence (the request is
 * refused and the user writes again), never invent it. What no rule recognises as new — the
 * unquoted rest after an attribution or header block — does not count.
 *
 * Performance: one pass over the lines, each looked at with at most two neighbours; every
 * regular expression is anchored or a plain alternation, and attribution candidates are capped
 * at ATTRIBUTION_MAX_LENGTH, so the work is linear in the input.
 */

/** A line that is part of an earlier message quoted with ">" (any depth, leading spaces allowed). */
const QUOTED_LINE = /^[ \t]*>/;
/** The tail of an attribution wrapped by Gmail as ">:" (it looks like a quoted line). */
const WRAPPED_ATTRIBUTION_TAIL = /^[ \t]*>[ \t]*[:：][ \t]*$/;

/** RFC 3676 signature separator "-- "; many clients strip the trailing space, so "--" counts too. */
const SIGNATURE_SEPARATOR = /^--[ \t]*$/;

/** "-----Original Message-----", "---------- Forwarded message ---------", "-------- Исходное
 *  сообщение --------": a few words framed by dashes, in any language. */
const FRAMED_SEPARATOR = /^[ \t]*-{2,}[ \t]*[^-\s][^-]{0,60}-{2,}[ \t]*$/;
const HAS_LETTER = /\p{L}/u;

/** Further lines of a header block must follow within this many lines. */
const HEADER_BLOCK_REACH = 5;

const ATTRIBUTION_MAX_LENGTH = 400;
/** An address, a time ("10:14", "10.14") or a year: what an attribution line carries. */
const ATTRIBUTION_CONTEXT = /@|\b\d{1,2}[:.]\d{2}\b|\b(?:19|20)\d{2}\b/;
const ADDRESS = /[\p{L}\p{N}._%+-]@[\p{L}\p{N}-]+\./u;
const TIME_OR_YEAR = /\b\d{1,2}[:.]\d{2}\b|\b(?:19|20)\d{2}\b/;
const ENDS_WITH_COLON = /[:：][ \t]*$/;
const SENTENCE_END = /[.!?][ \t]*$/;
/** "01.12.2026 10:14 …", "2026-12-01 …": how Android and Russian clients start an attribution. */
const STARTS_WITH_DATE = /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b/;

/** A rule Outlook and others draw above a quoted message ("_____", "-----"). */
const RULE_LINE = /^[ \t]*(?:_{8,}|-{8,}|={8,})[ \t]*$/;

/** Bounds on what email-reply-parser is shown (its worst case is quadratic in a line's length). */
export const LIBRARY_MAX_CHARS = 8_000;
export const LIBRARY_MAX_LINE_CHARS = 500;

/**
 * Whether one (possibly joined) line introduces a quoted message. It must end with a colon and
 * - end with an attribution verb ("Åsa Öberg wrote:", "… kirjoitti:"), or
 * - contain such a verb and start like one ("On", "Den", "Am", "Le", "El", "Op" …) or carry an
 *   address, a time or a year ("2 jan. 2024 kl. 09:15 skrev …:"), or
 * - carry an address and a time or year without any verb (Russian Gmail, Yandex and mail.ru
 *   write "пн, 1 дек. 2026 г. в 10:14, Alexander L <a@example.ru>:"), or
 * - when a ">" quotation follows it, carry an address, a time or a year ("01.12.2026 10:14,
 *   Support:").
 * An ordinary sentence such as "Som jag skrev i går: …" is kept unless it also ends in "skrev:".
 */
function isAttribution(line: string, quoteFollows: boolean): boolean {
  const trimmed = line.trim();
  if (trimmed.length === 0 || trimmed.length > ATTRIBUTION_MAX_LENGTH) return false;
  if (!ENDS_WITH_COLON.test(trimmed)) return false;
  if (ATTRIBUTION_VERB_ENDING.test(trimmed)) return true;
  if (ATTRIBUTION_VERB.test(trimmed)) {
    return ATTRIBUTION_OPENING.test(trimmed) || ATTRIBUTION_CONTEXT.test(trimmed);
  }
  if (ADDRESS.test(trimmed) && TIME_OR_YEAR.test(trimmed)) return true;
  return quoteFollows && ATTRIBUTION_CONTEXT.test(trimmed);
}

/** Whether a ">" quotation (or nothing at all) follows line `after`, blank lines skipped. */
function quoteFollows(lines: readonly string[], after: number): boolean {
  for (let j = after + 1; j < lines.length; j++) {
    if (lines[j].trim() === '') continue;
    return QUOTED_LINE.test(lines[j]);
  }
  return true;
}

/**
 * How many lines (1 or 2) an attribution starting at line `i` spans, or 0. Gmail and Apple Mail
 * wrap a long one: "On …, Åsa Öberg <" / "asa@example.se> wrote:", "tir. … skrev Åsa <a@b.no" /
 * ">:", "01.12.2026 10:14 пользователь … <" / "a@b.ru> написал:"; the first half must start like
 * one (an opening word or a date) or hold its verb, and must not end a sentence, so that a line
 * the sender wrote just above an attribution is not swallowed with it.
 */
function attributionSpan(lines: readonly string[], i: number): number {
  const line = lines[i];
  if (isAttribution(line, quoteFollows(lines, i))) return 1;
  const next = lines[i + 1];
  if (next === undefined || next.trim() === '') return 0;
  if (QUOTED_LINE.test(next) && !WRAPPED_ATTRIBUTION_TAIL.test(next)) return 0;
  if (SENTENCE_END.test(line)) return 0;
  const start = line.trimStart();
  if (
    !ATTRIBUTION_OPENING.test(start) &&
    !ATTRIBUTION_VERB.test(start) &&
    !STARTS_WITH_DATE.test(start)
  ) {
    return 0;
  }
  const tail = next.replace(/^[ \t]*>/, '');
  return isAttribution(`${line.trimEnd()} ${tail.trim()}`, quoteFollows(lines, i + 1)) ? 2 : 0;
}

/** Whether a header block ("From: …" and, within a few lines, another label) starts at line `i`. */
function startsHeaderBlock(lines: readonly string[], i: number): boolean {
  const first = HEADER_LABEL_LINE.exec(lines[i]);
  if (first === null) return false;
  const label = first[1].toLowerCase();
  const reach = Math.min(lines.length, i + 1 + HEADER_BLOCK_REACH);
  for (let j = i + 1; j < reach; j++) {
    const other = HEADER_LABEL_LINE.exec(lines[j]);
    if (other !== null && other[1].toLowerCase() !== label) return true;
  }
  return false;
}

/** Whether everything from line `i` on is an earlier message or the signature. */
function startsEarlierMessage(lines: readonly string[], i: number): boolean {
  const line = lines[i];
  return (
    SIGNATURE_SEPARATOR.test(line) ||
    (FRAMED_SEPARATOR.test(line) && HAS_LETTER.test(line)) ||
    FORWARD_INTRODUCTION.test(line) ||
    startsHeaderBlock(lines, i)
  );
}

/** Indices of the lines the rules above keep as newly written. */
function newlyWrittenLines(lines: readonly string[]): number[] {
  const kept: number[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (QUOTED_LINE.test(line)) {
      i++;
      continue;
    }
    if (line.trim() === '') {
      kept.push(i++);
      continue;
    }
    if (startsEarlierMessage(lines, i)) break;
    const span = attributionSpan(lines, i);
    if (span > 0) {
      // an attribution with no ">" quotation after it: the earlier message follows unquoted
      if (!quoteFollows(lines, i + span - 1)) break;
      i += span;
      continue;
    }
    kept.push(i++);
  }
  // the blank lines and the rule just above a cut belong to the earlier message
  while (kept.length > 0) {
    const last = lines[kept[kept.length - 1]];
    if (last.trim() !== '' && !RULE_LINE.test(last)) break;
    kept.pop();
  }
  return kept;
}

/**
 * The lines email-reply-parser puts only in quoted fragments (compared trimmed, as it trims
 * them), or an empty set when the body is beyond its bounds.
 */
function libraryQuotedLines(text: string, lines: readonly string[]): Set<string> {
  if (text.length > LIBRARY_MAX_CHARS) return new Set();
  if (lines.some((line) => line.length > LIBRARY_MAX_LINE_CHARS)) return new Set();
  const quoted = new Set<string>();
  const other = new Set<string>();
  for (const fragment of new EmailReplyParser().read(text).getFragments()) {
    const target = fragment.isQuoted() ? quoted : other;
    for (const line of fragment.getContent().split('\n')) target.add(line.trim());
  }
  for (const line of other) quoted.delete(line);
  quoted.delete('');
  return quoted;
}

/**
 * The newly written part of a plain-text body: the lines above, between and below quoted
 * blocks, without quotations, attribution lines, forwarded or Outlook-quoted messages and the
 * signature. Expects "\n" line breaks.
 */
export function stripQuotedText(text: string): string {
  const lines = text.split('\n');
  const kept = newlyWrittenLines(lines);
  const libraryQuoted = libraryQuotedLines(text, lines);
  return kept
    .map((index) => lines[index])
    .filter((line) => !libraryQuoted.has(line.trim()))
    .join('\n');
}
