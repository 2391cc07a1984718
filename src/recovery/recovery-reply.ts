import type { User } from '../accounts/user.entity';

/**
 * Addressing of every reply about a recovery request (docs/architecture.md, step 15): to the user's own
 * login address — the authenticated sender, never a Reply-To —, in their locale, marked
 * `Auto-Submitted: auto-replied`, and threaded under the message they wrote.
 */
export function recoveryReply(
  user: Pick<User, 'id' | 'email' | 'locale'>,
  thread: { messageIdHeader: string | null; referencesHeader: string | null },
) {
  const { messageIdHeader, referencesHeader } = thread;
  const references = [
    ...(referencesHeader?.split(/\s+/).filter(Boolean) ?? []),
    ...(messageIdHeader !== null ? [messageIdHeader] : []),
  ];
  return {
    to: user.email,
    locale: user.locale,
    userId: user.id,
    autoReply: true,
    ...(messageIdHeader !== null ? { inReplyTo: messageIdHeader } : {}),
    ...(references.length > 0 ? { references } : {}),
  };
}
