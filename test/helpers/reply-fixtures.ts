/**
 * The corpus of replies as mail clients write them (test/fixtures/replies, described in its
 * README.md). Each file is a raw message template: `{{FROM}}` and `{{MESSAGE_ID}}` in the header,
 * `{{NEW}}` where that client puts what the sender writes now, `{{QUOTED}}` inside the earlier
 * message it quotes or forwards.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPLIES_DIR = join(__dirname, '..', 'fixtures', 'replies');

export interface ReplyFixture {
  name: string;
  template: string;
}

export function replyFixtures(): ReplyFixture[] {
  return readdirSync(REPLIES_DIR)
    .filter((file) => file.endsWith('.eml'))
    .sort()
    .map((file) => ({
      name: file.replace(/\.eml$/, ''),
      template: readFileSync(join(REPLIES_DIR, file), 'utf8'),
    }));
}

/** The two fillings of a template: evidence written now, or evidence only in the quotation. */
export interface ReplyTexts {
  newText: string;
  quotedText: string;
}

export const NEW_TEXT_MARKER = 'cannot sign in';
export const QUOTED_TEXT_MARKER = 'Your order was paid';

export function evidenceInNewText(last4: string): ReplyTexts {
  return {
    newText: `I cannot sign in since I lost my phone. My card ends in ${last4}.`,
    quotedText: `${QUOTED_TEXT_MARKER} with the card on file.`,
  };
}

export function evidenceOnlyQuoted(last4: string, holderName: string): ReplyTexts {
  return {
    newText: 'I cannot sign in since I lost my phone, please help.',
    quotedText: `${QUOTED_TEXT_MARKER} with card ending ${last4}, card holder ${holderName}.`,
  };
}

/** The raw message (CRLF line ends) with the placeholders filled in. */
export function fillReply(
  template: string,
  values: ReplyTexts & { from: string; messageId: string },
): string {
  return template
    .replaceAll('{{FROM}}', values.from)
    .replaceAll('{{MESSAGE_ID}}', values.messageId)
    .replaceAll('{{NEW}}', values.newText)
    .replaceAll('{{QUOTED}}', values.quotedText)
    .replace(/\r?\n/g, '\r\n');
}
