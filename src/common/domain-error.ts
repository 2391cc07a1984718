/**
 * Every failure a service can report. Services throw DomainError with one of these codes and know
 * nothing of HTTP; the global filter (domain-error.filter.ts) maps each code to a status with an
 * exhaustive switch, so adding a code here without mapping it fails to compile.
 */
export type DomainErrorCode =
  // accounts
  | 'invalid_credentials'
  | 'not_authenticated'
  | 'forbidden'
  | 'not_found'
  | 'email_taken'
  | 'owner_exists'
  | 'invalid_input'
  | 'json_too_deep'
  | 'rate_limited'
  | 'sign_in_busy'
  | 'provisioning_disabled'
  | 'webhook_disabled'
  // inbound mail
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'recipient_not_accepted'
  | 'storage_unavailable'
  // two-factor (enrollment, sign-in second step, step-up)
  | 'invalid_challenge'
  | 'invalid_code'
  | 'invalid_enrollment_code'
  | 'step_up_failed'
  | 'step_up_unavailable'
  | 'step_up_required'
  | 'two_factor_required'
  | 'two_factor_locked'
  | 'two_factor_already_active'
  | 'two_factor_not_enrolled'
  | 'no_pending_enrollment'
  // recovery requests (agents, cancel link)
  | 'request_not_open'
  | 'already_approved'
  // "this wasn't me" links: unknown, already used, past their 30 days
  | 'report_link_invalid'
  | 'report_link_used'
  | 'report_link_expired';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message?: string,
    /** seconds, for rate_limited-like codes: sent as Retry-After */
    readonly retryAfterSeconds?: number,
  ) {
    super(message ?? code);
    this.name = 'DomainError';
  }
}
