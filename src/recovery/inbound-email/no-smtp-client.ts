import type { MailauthOutcome } from './sender-auth-decision';

/**
 * A message fetched from a mailbox (IMAP) reached us without an SMTP client: there is no
 * connecting address and no MAIL FROM to check SPF against, so SPF says nothing about it. With
 * SENDER_AUTH=dmarc such a message authenticates by an aligned DKIM signature only: this drops
 * the SPF result and DMARC's SPF alignment before decideDmarc reads them.
 */
export function withoutSpf(outcome: MailauthOutcome): MailauthOutcome {
  const dmarc = outcome.dmarc;
  return {
    ...outcome,
    spf: false,
    dmarc: dmarc ? { ...dmarc, alignment: { ...dmarc.alignment, spf: { result: false } } } : dmarc,
  };
}
