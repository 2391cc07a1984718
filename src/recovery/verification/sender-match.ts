import type { AddressObject, EmailAddress, HeaderLines } from 'mailparser';
import { normalizeEmail } from '../../accounts/email-address';

/**
 * The single From address of a message (docs/architecture.md, step 10), normalized as login e-mails are
 * (`normalizeEmail`: lower-case, IDN domain in ASCII), ready to be looked up among users. Display
 * names are ignored: `"admin@victim.se" <attacker@evil.example>` is attacker@evil.example.
 *
 * Anything but exactly one plain address is `ambiguous_sender`, including cases where mail
 * software may disagree about WHICH address is the sender — the danger being that sender
 * authentication checks one domain while the user lookup uses another:
 * - more than one From header (mailparser keeps only the first; another parser may take the last);
 * - more than one address, or a group (`team: a@x, b@y;`), or no address at all;
 * - more than one "@" in the raw header, e.g. `<a@b.se> <c@d.se>` or `a@b.se (c@d.se)`, which
 *   mailparser reads as one address with a display name;
 * - an "@" in the decoded display name (an encoded word can hide one from the raw-header check);
 * - an address that normalizeEmail refuses.
 */

export type SenderAddress =
  { outcome: 'single_address'; email: string } | { outcome: 'ambiguous_sender'; detail: string };

/** The parts of mailparser's ParsedMail this needs; a ParsedMail can be passed as it is. */
export interface ParsedSender {
  from?: AddressObject | AddressObject[];
  headerLines: HeaderLines;
}

function ambiguous(detail: string): SenderAddress {
  return { outcome: 'ambiguous_sender', detail };
}

/** The raw value of a header line: after "Name:", unfolded. */
function headerValue(line: string): string {
  const colon = line.indexOf(':');
  return (colon < 0 ? '' : line.slice(colon + 1)).replace(/\r?\n[ \t]/g, ' ');
}

export function senderAddress(parsed: ParsedSender): SenderAddress {
  const fromLines = parsed.headerLines.filter((header) => header.key.toLowerCase() === 'from');
  if (fromLines.length !== 1) return ambiguous(`${fromLines.length} From headers`);
  const atSigns = headerValue(fromLines[0].line).split('@').length - 1;
  if (atSigns !== 1) return ambiguous(`${atSigns} "@" in the From header`);

  const objects = parsed.from === undefined ? [] : [parsed.from].flat();
  const entries: EmailAddress[] = objects.flatMap((object) => object.value);
  if (entries.some((entry) => entry.group !== undefined)) return ambiguous('address group');
  const addresses = entries.filter((entry) => (entry.address ?? '').trim() !== '');
  if (entries.length !== 1 || addresses.length !== 1) {
    return ambiguous(`${addresses.length} addresses`);
  }
  if (addresses[0].name.includes('@')) return ambiguous('"@" in the display name');
  const email = normalizeEmail(addresses[0].address ?? '');
  if (email === undefined) return ambiguous('not a valid address');
  return { outcome: 'single_address', email };
}
