import type { User } from '../../accounts/user.entity';
import type { EvidenceOutcome, FactorResult } from './evidence';
import type { MessageBodies } from './visible-text';

/**
 * A message as the verification reads it. The inbound pipeline's parse fits as it is; only the
 * fields read here are named, so verification depends on no other room.
 */
export interface MessageToVerify {
  receivedAt: Date;
  message: MessageBodies & {
    /** every address of every From field */
    from: { address: string; name: string }[];
    headers: { key: string; value: string }[];
    subject: string | null;
  };
  authentication: { result: 'pass' | 'fail'; method: string; detail: string };
}

/** What was checked, as stored with the request and shown to agents. */
export interface RequestChecks {
  senderAuth: { result: 'pass' | 'fail'; method: string; detail: string };
  senderMatch: 'matched' | 'ambiguous' | 'unknown' | 'not_checked';
  factors: { last4: FactorResult; holderName: FactorResult; studentId: FactorResult };
}

/** The request row as far as verification fills it in. */
export interface RequestDraft {
  sender: string;
  userId: string | null;
  organizationId: string | null;
  checks: RequestChecks;
  /** the subject as agents may see it: cut to 500 characters and masked */
  subject: string | null;
}

/** The evidence found in the visible text of a matched user's message. */
export interface EvidenceFinding {
  outcome: EvidenceOutcome;
  factors: RequestChecks['factors'];
  /** the excerpt agents see, masked */
  bodyExcerpt: string;
  /** masked against what the sender wrote in the body as well */
  subject: string | null;
}

/**
 * What the verification decided about one message (docs/architecture.md, steps 10–13):
 * - `unanswered`: rejected before a user could be matched (or the sender is not authenticated);
 *   never answered, since the From address may be forged or may have no account;
 * - `no_second_factor`: the user has no active second factor and needs no recovery;
 * - `evidence_checked`: an eligible user; `request` is the row before the evidence (what a
 *   duplicate or rate-limited request records), `evidence` what the body proved.
 */
export type VerificationDecision =
  | {
      kind: 'unanswered';
      reason: 'sender_not_authenticated' | 'ambiguous_sender' | 'unknown_sender';
      request: RequestDraft;
    }
  | { kind: 'no_second_factor'; user: User; request: RequestDraft }
  | { kind: 'evidence_checked'; user: User; request: RequestDraft; evidence: EvidenceFinding };
