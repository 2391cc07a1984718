import { normalizeEmail } from '../../accounts/email-address';

/**
 * The one rule for which recipients this service takes mail for, shared by every way mail comes
 * in (SMTP RCPT TO, the webhook's X-Envelope-To): an address of SUPPORT_ADDRESSES, compared as
 * login e-mails are (case-insensitively, internationalized domains in their ASCII form).
 */
export class SupportRecipients {
  private readonly addresses: ReadonlySet<string>;

  constructor(supportAddresses: readonly string[]) {
    this.addresses = new Set(
      supportAddresses.map((address) => normalizeEmail(address) ?? address.toLowerCase()),
    );
  }

  accepts(address: string): boolean {
    const normalized = normalizeEmail(address);
    return normalized !== undefined && this.addresses.has(normalized);
  }

  /** The recipients this service does not take mail for, as given. */
  refused(addresses: readonly string[]): string[] {
    return addresses.filter((address) => !this.accepts(address));
  }
}
