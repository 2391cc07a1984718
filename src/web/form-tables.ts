import type { RequestStatus } from '../recovery/approval/recovery-request.entity';
import type { FormErrorEntry, FormErrorTable } from './form-errors';

/**
 * Every web form's refusals in one place: per form, the domain codes it explains on its own page
 * and in which words (see form-errors.ts). A code a form's table does not name gets the error
 * page with statusForCode's status (WebExceptionFilter); form-tables.spec.ts checks both.
 */

/** Where a sign-in whose challenge is missing, spent or expired starts over. */
export const EXPIRED_SIGN_IN = '/login?expired=1';

const STARTS_OVER: FormErrorEntry = { redirect: EXPIRED_SIGN_IN, clearChallenge: true };
const SIGN_IN_LOCKED: FormErrorEntry = { message: ({ t, minutes }) => t.signIn.locked(minutes()) };
const SIGN_IN_LIMITED: FormErrorEntry = {
  message: ({ t, minutes }) => t.signIn.rateLimited(minutes()),
};
const LOCKED: FormErrorEntry = { message: ({ t, minutes }) => t.twoFactor.locked(minutes()) };

/** sign-in-pages.controller.ts: e-mail and password */
export const PASSWORD_ERRORS: FormErrorTable = {
  invalid_credentials: { message: ({ t }) => t.signIn.wrongCredentials },
  rate_limited: SIGN_IN_LIMITED,
  sign_in_busy: SIGN_IN_LIMITED,
};

/** sign-in-pages.controller.ts: the code from the app */
export const SIGN_IN_CODE_ERRORS: FormErrorTable = {
  invalid_challenge: STARTS_OVER,
  invalid_code: { field: 'code', message: ({ t }) => t.signIn.wrongCode },
  two_factor_locked: SIGN_IN_LOCKED,
};

/** sign-in-pages.controller.ts: a recovery code instead */
export const SIGN_IN_RECOVERY_CODE_ERRORS: FormErrorTable = {
  ...SIGN_IN_CODE_ERRORS,
  invalid_code: { field: 'code', message: ({ t }) => t.signIn.wrongRecoveryCode },
};

/** sign-in-pages.controller.ts: the enrollment forced after a reset, its start and its code */
export const SIGN_IN_ENROLL_ERRORS: FormErrorTable = { invalid_challenge: STARTS_OVER };

export const SIGN_IN_ENROLL_CONFIRM_ERRORS: FormErrorTable = {
  invalid_challenge: STARTS_OVER,
  invalid_enrollment_code: { field: 'code', message: ({ t }) => t.twoFactor.wrongCode },
  no_pending_enrollment: { message: ({ t }) => t.twoFactor.noPending, page: 'start' },
};

/** settings-pages.controller.ts: the forms that take the current code (new phone, new codes) */
export const SETTINGS_CODE_ERRORS: FormErrorTable = {
  step_up_failed: { field: 'code', message: ({ t }) => t.twoFactor.stepUpFailed },
  two_factor_locked: LOCKED,
  two_factor_already_active: { message: ({ t }) => t.twoFactor.alreadyActive },
  two_factor_not_enrolled: { message: ({ t }) => t.twoFactor.noPending },
};

/** settings-pages.controller.ts: the code from the new phone that ends an enrollment */
export const SETTINGS_CONFIRM_ERRORS: FormErrorTable = {
  invalid_enrollment_code: { field: 'code', message: ({ t }) => t.twoFactor.wrongCode },
  no_pending_enrollment: { message: ({ t }) => t.twoFactor.noPending, page: 'start' },
};

/** users-pages.controller.ts: "Reset 2FA token"; `self`: the admin tried their own account */
export const RESET_ERRORS: FormErrorTable<{ self: boolean }> = {
  step_up_failed: { field: 'code', message: ({ t }) => t.twoFactor.stepUpFailed },
  step_up_unavailable: { message: ({ t }) => t.users.needOwn2fa },
  two_factor_locked: LOCKED,
  two_factor_not_enrolled: { message: ({ t }) => t.users.noFactor },
  forbidden: {
    message: ({ t }, { self }) => (self ? t.users.cannotResetSelf : t.users.cannotResetOwner),
  },
};

/** cancel-page.controller.ts: the link is unknown or spent, or the request moved on: the page
 * shows what became of it */
export const CANCEL_ERRORS: FormErrorTable = { not_found: {}, request_not_open: {} };

/** security-report-page.controller.ts: the link is unknown, spent or too old: the page says which */
export const REPORT_ERRORS: FormErrorTable = {
  report_link_invalid: {},
  report_link_used: {},
  report_link_expired: {},
};

/** users-pages.controller.ts: Cancel in the "Recovery requests" section */
export const ORGANIZATION_CANCEL_ERRORS: FormErrorTable = {
  request_not_open: { message: ({ t }) => t.users.cancelNotOpen },
  forbidden: { message: ({ t }) => t.users.cannotCancelOwner },
};

/** agent-pages.controller.ts: approve and deny; `currentStatus` of a request no longer open */
export const DECISION_ERRORS: FormErrorTable<{ currentStatus: () => Promise<RequestStatus> }> = {
  step_up_required: { field: 'code', message: ({ t }) => t.agent.stepUpNeeded },
  invalid_code: { field: 'code', message: ({ t }) => t.twoFactor.stepUpFailed },
  two_factor_locked: LOCKED,
  already_approved: { message: ({ t }) => t.agent.alreadyApproved },
  request_not_open: {
    message: async ({ t }, { currentStatus }) =>
      t.agent.notOpen(t.requestStatus[await currentStatus()]),
  },
};

/** Every form's table, by form: what form-tables.spec.ts checks. */
export const FORM_TABLES: Record<string, FormErrorTable<never>> = {
  PASSWORD_ERRORS,
  SIGN_IN_CODE_ERRORS,
  SIGN_IN_RECOVERY_CODE_ERRORS,
  SIGN_IN_ENROLL_ERRORS,
  SIGN_IN_ENROLL_CONFIRM_ERRORS,
  SETTINGS_CODE_ERRORS,
  SETTINGS_CONFIRM_ERRORS,
  RESET_ERRORS,
  CANCEL_ERRORS,
  REPORT_ERRORS,
  ORGANIZATION_CANCEL_ERRORS,
  DECISION_ERRORS,
};
