import { blocksToHtml, blocksToText, MailBlock, oneLine } from './mail-format';
import { enTemplates } from './mail-templates-en';
import { svTemplates } from './mail-templates-sv';

/** Every message the system sends (templates in this folder), with the variables each one needs. */
export type MailTemplateVars = {
  /**
   * `reportUrl` in every mail about a change to the holder's own sign-in: the "this wasn't me"
   * link (src/accounts/security-report-links.service.ts). It carries a secret token, like
   * `cancelUrl`: the row's vars are wiped once the mail is sent.
   */
  two_factor_enabled: { name: string; reportUrl: string };
  two_factor_reset_by_admin: {
    name: string;
    adminName: string;
    /** ISO 8601 */
    resetAt: string;
    signInUrl: string;
    reportUrl: string;
  };
  recovery_received: {
    name: string;
    /** carries a secret token: the row's vars are wiped once the mail is sent */
    cancelUrl: string;
    /** ISO 8601 */
    expiresAt: string;
    reportUrl: string;
  };
  /** rejections after docs/architecture.md, step 10: NEVER says which factor failed */
  recovery_more_info: { name?: string };
  /**
   * a recovery request from a user whose sign-in asks for no second factor (no_active_2fa): only
   * tells the account holder to sign in with their password, nothing about billing or checks
   */
  recovery_no_second_factor: { name: string; signInUrl: string };
  recovery_approved: { name: string; signInUrl: string; reportUrl: string };
  recovery_denied: { name: string; reason: string };
  recovery_org_notice: {
    recipientName: string;
    memberName: string;
    memberEmail: string;
    /** ISO 8601 */
    requestedAt: string;
    /** the users page, whose "Recovery requests" section can cancel it */
    requestsUrl: string;
  };
  /** to the organization's owner and admins: a member said "this wasn't me" */
  security_reported_notice: {
    recipientName: string;
    memberName: string;
    memberEmail: string;
    /** ISO 8601 */
    reportedAt: string;
    /** ISO 8601: e-mail recovery is refused until then */
    frozenUntil: string;
    requestsUrl: string;
  };
  /** to the organization's owner and admins: recovery mail arrived for a frozen account */
  recovery_frozen_notice: {
    recipientName: string;
    memberName: string;
    memberEmail: string;
    /** ISO 8601 */
    attemptedAt: string;
    /** ISO 8601 */
    frozenUntil: string;
    requestsUrl: string;
  };
};

export type MailTemplate = keyof MailTemplateVars;
export type MailLocale = 'sv' | 'en';

/** What a variable holds, so enqueue can refuse bad values before anything is stored. */
type VarKind = 'text' | 'text?' | 'longText' | 'url' | 'date' | 'email';

const VAR_SPECS: { [T in MailTemplate]: Record<keyof MailTemplateVars[T], VarKind> } = {
  two_factor_enabled: { name: 'text', reportUrl: 'url' },
  two_factor_reset_by_admin: {
    name: 'text',
    adminName: 'text',
    resetAt: 'date',
    signInUrl: 'url',
    reportUrl: 'url',
  },
  recovery_received: { name: 'text', cancelUrl: 'url', expiresAt: 'date', reportUrl: 'url' },
  recovery_more_info: { name: 'text?' },
  recovery_no_second_factor: { name: 'text', signInUrl: 'url' },
  recovery_approved: { name: 'text', signInUrl: 'url', reportUrl: 'url' },
  recovery_denied: { name: 'text', reason: 'longText' },
  recovery_org_notice: {
    recipientName: 'text',
    memberName: 'text',
    memberEmail: 'email',
    requestedAt: 'date',
    requestsUrl: 'url',
  },
  security_reported_notice: {
    recipientName: 'text',
    memberName: 'text',
    memberEmail: 'email',
    reportedAt: 'date',
    frozenUntil: 'date',
    requestsUrl: 'url',
  },
  recovery_frozen_notice: {
    recipientName: 'text',
    memberName: 'text',
    memberEmail: 'email',
    attemptedAt: 'date',
    frozenUntil: 'date',
    requestsUrl: 'url',
  },
};

export const MAIL_TEMPLATES = Object.keys(VAR_SPECS) as MailTemplate[];

export function isMailTemplate(value: unknown): value is MailTemplate {
  return typeof value === 'string' && Object.hasOwn(VAR_SPECS, value);
}

/** Settings shared by every message, taken from the configuration rather than the caller. */
export interface MailContext {
  /** where people write for help (the first of SUPPORT_ADDRESSES) */
  supportAddress: string;
}

/** One template in one language: a subject and the body as blocks (see mail-format.ts). */
export type TemplateCatalog = {
  [T in MailTemplate]: (
    vars: MailTemplateVars[T],
    context: MailContext,
  ) => { subject: string; blocks: MailBlock[] };
};

const CATALOGS: Record<MailLocale, TemplateCatalog> = { en: enTemplates, sv: svTemplates };

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A mail request the service refuses (bad variable, recipient or locale): a bug in the caller. */
export class InvalidMailError extends Error {}

/** Longest accepted value per kind (names are at most 200 characters in the database too). */
const LIMITS: Record<VarKind, number> = {
  text: 200,
  'text?': 200,
  longText: 2000,
  url: 2000,
  date: 64,
  email: 320,
};

/**
 * Checks the variables of a template and returns only the declared ones, so nothing a caller
 * passes by mistake (a token, a billing value) is ever stored. Values are never put in the error.
 */
export function checkMailVars<T extends MailTemplate>(
  template: T,
  vars: unknown,
): MailTemplateVars[T] {
  if (!isMailTemplate(template)) {
    throw new InvalidMailError(`unknown mail template "${String(template)}"`);
  }
  if (typeof vars !== 'object' || vars === null) {
    throw new InvalidMailError(`${template}: vars must be an object`);
  }
  const input = vars as Record<string, unknown>;
  const output: Record<string, string> = {};
  for (const [key, kind] of Object.entries(VAR_SPECS[template] as Record<string, VarKind>)) {
    const value = input[key];
    if (value === undefined && kind === 'text?') continue;
    if (typeof value !== 'string' || value.trim() === '') {
      throw new InvalidMailError(`${template}: "${key}" must be a non-empty string`);
    }
    const limit = LIMITS[kind];
    if (value.length > limit) {
      throw new InvalidMailError(`${template}: "${key}" is longer than ${limit} characters`);
    }
    if (kind === 'url' && !/^https?:\/\/[^\s]+$/i.test(value)) {
      throw new InvalidMailError(`${template}: "${key}" must be an http(s) URL`);
    }
    if (kind === 'date' && Number.isNaN(Date.parse(value))) {
      throw new InvalidMailError(`${template}: "${key}" must be an ISO 8601 date`);
    }
    if (kind === 'email' && !/^[^\s@<>]+@[^\s@<>]+$/.test(value)) {
      throw new InvalidMailError(`${template}: "${key}" must be an e-mail address`);
    }
    output[key] = value;
  }
  return output as MailTemplateVars[T];
}

/** Subject, plain text and HTML of one message; every variable is escaped in the HTML. */
export function renderMail<T extends MailTemplate>(
  template: T,
  locale: MailLocale,
  vars: MailTemplateVars[T],
  context: MailContext,
): RenderedMail {
  const catalog = CATALOGS[locale] ?? CATALOGS.en;
  const build = catalog[template] as (
    v: MailTemplateVars[T],
    c: MailContext,
  ) => { subject: string; blocks: MailBlock[] };
  const { subject, blocks } = build(checkMailVars(template, vars), context);
  const cleanSubject = oneLine(subject);
  return {
    subject: cleanSubject,
    text: blocksToText(blocks),
    html: blocksToHtml(blocks, { lang: locale, title: cleanSubject }),
  };
}
