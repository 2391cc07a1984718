import { formatDateTime } from './mail-format';
import type { TemplateCatalog } from './mail-templates';

/**
 * English messages. Tone: say what happened, what happens next and how to get help. Never a
 * secret, a code or a billing value; a recovery rejection never says which check failed.
 */
const SIGNATURE = 'Kind regards\nSupport';
const NEVER_ASK =
  'We will never ask you for your password, a 2FA code or a full card number, by e-mail or otherwise.';

const when = (iso: string) => formatDateTime(iso, 'en');

/** The "this wasn't me" link of every mail about a change to the holder's own sign-in. */
const notMe = (reportUrl: string) => [
  'Was this not you? Tell us with the link below: any open recovery request is cancelled, every session on your account ends, e-mail recovery is paused and your administrators are told at once.',
  { link: reportUrl, label: "This wasn't me" },
];

export const enTemplates: TemplateCatalog = {
  two_factor_enabled: ({ name, reportUrl }, { supportAddress }) => ({
    subject: 'Two-factor authentication is now on',
    blocks: [
      `Hello ${name},`,
      'Two-factor authentication (2FA) is now turned on for your account. From now on you sign in with your password and a code from your authenticator app.',
      'Keep your recovery codes somewhere safe. If you lose your phone, a recovery code lets you sign in, and an administrator of your account can reset 2FA for you.',
      `Did you not turn this on yourself? Contact an administrator of your account, or write to us at ${supportAddress}, as soon as possible.`,
      ...notMe(reportUrl),
      SIGNATURE,
    ],
  }),

  two_factor_reset_by_admin: (
    { name, adminName, resetAt, signInUrl, reportUrl },
    { supportAddress },
  ) => ({
    subject: 'Your two-factor authentication has been reset',
    blocks: [
      `Hello ${name},`,
      `${adminName}, an administrator of your account, reset your two-factor authentication (2FA) on ${when(resetAt)}.`,
      'The next time you sign in, you will be asked to scan a new QR code with your authenticator app (for example Google Authenticator or Microsoft Authenticator) and enter the code it shows. Your old codes and recovery codes no longer work.',
      { link: signInUrl, label: 'Sign in' },
      `Did you not expect this? Contact ${adminName}, or write to us at ${supportAddress}.`,
      ...notMe(reportUrl),
      SIGNATURE,
    ],
  }),

  recovery_received: ({ name, cancelUrl, expiresAt, reportUrl }) => ({
    subject: 'We have received your request to reset two-factor authentication',
    blocks: [
      `Hello ${name},`,
      'We have received your e-mail asking us to reset two-factor authentication (2FA) on your account. Someone from our support team will review the request, and you will get another e-mail once it has been decided.',
      `If the request has not been handled by ${when(expiresAt)}, it expires, and you are welcome to write to us again.`,
      'Did you not send this request? Cancel it with the link below. Nothing changes on your account until a support agent has approved the request.',
      { link: cancelUrl, label: 'Cancel the request' },
      ...notMe(reportUrl),
      NEVER_ASK,
      SIGNATURE,
    ],
  }),

  recovery_more_info: ({ name }, { supportAddress }) => ({
    subject: 'We need more information to reset your two-factor authentication',
    blocks: [
      name === undefined ? 'Hello,' : `Hello ${name},`,
      'We received your e-mail about resetting two-factor authentication (2FA), but we could not verify the request with the information it contained. Nothing has been changed on your account.',
      'The quickest way is often to ask an administrator of your account to reset 2FA for you: Users → your name → "Reset 2FA token".',
      `If that is not possible, send a new e-mail to ${supportAddress} from the same address you sign in with, and include one of the following:`,
      {
        list: [
          'the last 4 digits of the card or bank account that pays for the subscription',
          'the name of the person (or company) that holds that card or bank account',
          'or, if you have a free academic subscription, your student ID',
        ],
      },
      'Never send a full card number, your password or a 2FA code. If you already have a request waiting for review, you do not need to send another one. If you have tried several times already, please wait a day before writing again.',
      SIGNATURE,
    ],
  }),

  recovery_no_second_factor: ({ name, signInUrl }, { supportAddress }) => ({
    subject: 'Two-factor authentication: you can sign in with your password',
    blocks: [
      `Hello ${name},`,
      'We received your e-mail about resetting two-factor authentication (2FA). Signing in to your account does not ask for a code from an authenticator app at the moment, so there is nothing for us to reset, and you do not need to send us any card or account details.',
      'Sign in with your e-mail address and your password. If you are asked to set up two-factor authentication, follow the steps on the screen.',
      { link: signInUrl, label: 'Sign in' },
      `Did you not write to us? Then you can ignore this message: nothing has been changed on your account. If you have any questions, write to us at ${supportAddress}.`,
      NEVER_ASK,
      SIGNATURE,
    ],
  }),

  recovery_approved: ({ name, signInUrl, reportUrl }, { supportAddress }) => ({
    subject: 'Your two-factor authentication has been reset',
    blocks: [
      `Hello ${name},`,
      'Your request has been approved and two-factor authentication (2FA) on your account has been reset. Your old codes and recovery codes no longer work.',
      'The next time you sign in, you will be asked to set up 2FA again: scan the new QR code with your authenticator app and enter the code it shows.',
      { link: signInUrl, label: 'Sign in' },
      `Did you not ask for this? Write to us at ${supportAddress} straight away.`,
      ...notMe(reportUrl),
      SIGNATURE,
    ],
  }),

  recovery_denied: ({ name, reason }, { supportAddress }) => ({
    subject: 'Your request to reset two-factor authentication was declined',
    blocks: [
      `Hello ${name},`,
      'We could not approve your request to reset two-factor authentication (2FA). Nothing has been changed on your account.',
      `Reason given by our support team:\n${reason}`,
      `An administrator of your account can reset 2FA for you directly in the app. If you think this is a mistake, you are welcome to write to us at ${supportAddress}.`,
      SIGNATURE,
    ],
  }),

  recovery_org_notice: ({ recipientName, memberName, memberEmail, requestedAt, requestsUrl }) => ({
    subject: `Two-factor authentication reset requested for ${memberName}`,
    blocks: [
      `Hello ${recipientName},`,
      `You are receiving this because you are an owner or administrator of your organization's account. On ${when(requestedAt)}, ${memberName} (${memberEmail}) asked our support team by e-mail to reset their two-factor authentication (2FA).`,
      'A support agent reviews every request before anything changes. If you know about this request, you do not need to do anything.',
      `If you do not think the request is genuine, cancel it on the Users page, under "Recovery requests": it can be cancelled until the reset has run.`,
      { link: requestsUrl, label: 'Recovery requests' },
      `You can also help ${memberName} directly: Users → ${memberName} → "Reset 2FA token".`,
      SIGNATURE,
    ],
  }),

  security_reported_notice: ({
    recipientName,
    memberName,
    memberEmail,
    reportedAt,
    frozenUntil,
    requestsUrl,
  }) => ({
    subject: `${memberName} reported a two-factor authentication change they did not make`,
    blocks: [
      `Hello ${recipientName},`,
      `You are receiving this because you are an owner or administrator of your organization's account. On ${when(reportedAt)}, ${memberName} (${memberEmail}) said that a recent change to their sign-in was not made by them.`,
      `We have cancelled any open recovery request of theirs and ended every session on their account. Recovery by e-mail is refused for their account until ${when(frozenUntil)}: the mailbox may be in other hands.`,
      'Please contact them by another channel (phone, in person) to find out what happened. You can see their recovery requests on the Users page.',
      { link: requestsUrl, label: 'Recovery requests' },
      SIGNATURE,
    ],
  }),

  recovery_frozen_notice: ({
    recipientName,
    memberName,
    memberEmail,
    attemptedAt,
    frozenUntil,
    requestsUrl,
  }) => ({
    subject: `Two-factor authentication recovery refused for ${memberName}`,
    blocks: [
      `Hello ${recipientName},`,
      `On ${when(attemptedAt)}, an e-mail asked our support team to reset the two-factor authentication (2FA) of ${memberName} (${memberEmail}). ${memberName} recently said that a change to their sign-in was not made by them, so recovery by e-mail is refused for their account until ${when(frozenUntil)}.`,
      'We did not answer the e-mail and nothing was changed. Whoever wrote it may have access to their mailbox: please contact them by another channel.',
      { link: requestsUrl, label: 'Recovery requests' },
      SIGNATURE,
    ],
  }),
};
