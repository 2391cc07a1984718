/**
 * Removes everything from a plain-text message body that the sender did not newly write: quoted
 * earlier messages and the signature. Recovery evidence counts only in the newly written text
 * (docs/architecture.md, step 12): a user who merely hits "reply" on a receipt ("card ending 4242") must not
 * pass the check without knowing anything, and a hijacked mailbox is full of such receipts.
 *
 * Every rule here errs towards removing too much: a cut can only lose evidence (the request is
 * refused and the user writes again), never invent it.
 *
 * Performance: one pass over the lines; every regular expression is anchored or a plain
 * alternation with no nested quantifiers, so the work is linear in the input.
 */

/** A line that is part of an earlier message quoted with ">" (any depth, leading spaces allowed). */
const QUOTED_LINE = /^[ \t]*>/;

/** RFC 3676 signature separator "-- "; many clients strip the trailing space, so "--" counts too. */
const SIGNATURE_SEPARATOR = /^--[ \t]*$/;

/** Outlook, Gmail and Apple Mail separators before an earlier or forwarded message (en and sv). */
const MESSAGE_SEPARATOR =
  /^[ \t]*-{2,}[ \t]*(?:original message|ursprungligt meddelande|originalmeddelande|forwarded message|vidarebefordrat meddelande|vidarebefordrat brev)[ \t]*-{2,}[ \t]*$/i;
const FORWARD_INTRODUCTION =
  /^[ \t]*(?:begin forwarded message|början av vidarebefordrat meddelande|vidarebefordrat meddelande)[ \t]*:?[ \t]*$/i;

/** The first line of an Outlook-style header block ("From: …" / "Från: …"), bold markers allowed. */
const HEADER_BLOCK_FROM = /^[ \t]*[*_]*(?:from|från)[*_]*[ \t]*:/i;
/** Further lines of that block; one of them must follow within a few lines for it to count. */
const HEADER_BLOCK_FIELD =
  /^[ \t]*[*_]*(?:sent|date|to|cc|subject|skickat|datum|till|kopia|ämne)[*_]*[ \t]*:/i;
const HEADER_BLOCK_REACH = 5;

/** "On … wrote:" / "Den … skrev …:" introductions, in the forms Gmail, Apple Mail, Outlook and
 *  Thunderbird write them (they may put the name after "skrev", and may wrap onto a second line). */
const ATTRIBUTION_WORD = /\b(?:wrote|writes|skrev|skriver)\b/i;
const ATTRIBUTION_ENDING = /\b(?:wrote|writes|skrev|skriver)[ \t]*:$/i;
const ATTRIBUTION_OPENING = /^(?:on|den)[ \t]/i;
const ATTRIBUTION_CONTEXT = /@|\b\d{1,2}[:.]\d{2}\b|\b(?:19|20)\d{2}\b/;
const ATTRIBUTION_MAX_LENGTH = 400;
const SENTENCE_END = /[.!?][ \t]*$/;

/** A rule Outlook and others draw above a quoted message ("_____", "-----"). */
const RULE_LINE = /^[ \t]*(?:_{8,}|-{8,}|={8,})[ \t]*$/;

/**
 * Whether one (possibly joined) line introduces a quoted message. A line that merely ends with
 * "wrote:"/"skrev:" counts even without a date ("Åsa Öberg wrote:"); a line that only contains the
 * word needs the opening "On"/"Den", an address, a time or a year as well, so that an ordinary
 * sentence such as "Som jag skrev i går: …" is kept unless it also ends in "skrev:".
 */
function isAttribution(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed.length === 0 || trimmed.length > ATTRIBUTION_MAX_LENGTH || !trimmed.endsWith(':')) {
    return false;
  }
  if (ATTRIBUTION_ENDING.test(trimmed)) return true;
  if (!ATTRIBUTION_WORD.test(trimmed)) return false;
  return ATTRIBUTION_OPENING.test(trimmed) || ATTRIBUTION_CONTEXT.test(trimmed);
}

/** Index of the first line where quoted or signature content starts, or lines.length. */
function firstCutLine(lines: readonly string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (SIGNATURE_SEPARATOR.test(line)) return i;
    if (MESSAGE_SEPARATOR.test(line) || FORWARD_INTRODUCTION.test(line)) return i;
    if (isAttribution(line)) return i;
    // Gmail and Apple Mail wrap a long introduction: "On …, Åsa Öberg <" / "asa@example.se> wrote:"
    // ("On …" starts one for sure; a line that only contains "skrev" must not be a complete
    // sentence, and the next line must not be an introduction on its own)
    const next = lines[i + 1];
    if (
      next !== undefined &&
      !SENTENCE_END.test(line) &&
      (ATTRIBUTION_OPENING.test(line.trimStart()) ||
        (ATTRIBUTION_WORD.test(line) && !isAttribution(next))) &&
      isAttribution(`${line} ${next}`)
    ) {
      return i;
    }
    if (HEADER_BLOCK_FROM.test(line)) {
      const reach = Math.min(lines.length, i + 1 + HEADER_BLOCK_REACH);
      for (let j = i + 1; j < reach; j++) {
        if (HEADER_BLOCK_FIELD.test(lines[j])) return i;
      }
    }
  }
  return lines.length;
}

/**
 * The newly written part of a plain-text body: everything before the first quote introduction,
 * forwarded/original-message separator, Outlook header block or signature separator, without
 * ">"-quoted lines. Expects "\n" line breaks.
 */
export function stripQuotedText(text: string): string {
  const lines = text.split('\n');
  let cut = firstCutLine(lines);
  // the blank lines and the rule just above a quoted message belong to it
  while (cut > 0 && (lines[cut - 1].trim() === '' || RULE_LINE.test(lines[cut - 1]))) cut--;
  const kept = lines.slice(0, cut).filter((line) => !QUOTED_LINE.test(line));
  return kept.join('\n');
}
