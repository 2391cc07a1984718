import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { User } from '../../accounts/user.entity';
import { checkEvidence } from './evidence';
import { buildBodyExcerpt, maskHeaderForDisplay } from './masking';
import { senderAddress } from './sender-match';
import { SenderRecords, SenderRecordsRepository } from './sender-records.repository';
import type {
  MessageToVerify,
  RequestChecks,
  RequestDraft,
  VerificationDecision,
} from './verification-decision';
import { extractVisibleText } from './visible-text';

const NOT_CHECKED: RequestChecks['factors'] = {
  last4: 'not_applicable',
  holderName: 'not_applicable',
  studentId: 'not_applicable',
};

/**
 * docs/architecture.md, steps 10–13, for an inbound message: who sent it, may they ask, what
 * evidence did they give. Reads only; the request that results is written by
 * src/recovery/approval/recovery-intake.service.ts in the same transaction (`manager`).
 */
@Injectable()
export class RecoveryVerificationService {
  constructor(private readonly senders: SenderRecordsRepository) {}

  async verify(message: MessageToVerify, manager: EntityManager): Promise<VerificationDecision> {
    if (message.authentication.result !== 'pass') return this.unauthenticated(message, manager);
    const sender = senderAddress(this.senderInput(message));
    if (sender.outcome !== 'single_address') {
      const request = this.draft(message, this.rawFrom(message), null, 'ambiguous', []);
      return { kind: 'unanswered', reason: 'ambiguous_sender', request };
    }
    const records = await this.lookUp(sender.email, manager);
    if (records === null || records.user.organizationId === null) {
      // No reply: whether an address has an account is not ours to tell.
      const request = this.draft(message, sender.email, null, 'unknown', []);
      return { kind: 'unanswered', reason: 'unknown_sender', request };
    }
    const { user, billing, factorStatus } = records;
    const plan = records.plan ?? 'paid';
    const subjectValues = checkEvidence(message.message.subject ?? '', billing, plan);
    const request = this.draft(
      message,
      sender.email,
      user,
      'matched',
      subjectValues.evidenceValues,
    );
    if (factorStatus !== 'active') return { kind: 'no_second_factor', user, request };

    const visible = extractVisibleText(message.message);
    const evidence = checkEvidence(visible.text, billing, plan);
    const masked = [...evidence.evidenceValues, ...subjectValues.evidenceValues];
    return {
      kind: 'evidence_checked',
      user,
      request,
      evidence: {
        outcome: evidence.outcome,
        factors: evidence.factors,
        bodyExcerpt: buildBodyExcerpt(visible.text, evidence.evidenceValues),
        subject: this.displaySubject(message, masked),
      },
    };
  }

  /**
   * The sender is not authenticated: linked to the claimed user for the agents' risk picture
   * (impersonation attempts), nothing more — and never answered, since the From address may be
   * forged and answering would make us a spam cannon that tells which addresses have accounts.
   */
  private async unauthenticated(
    message: MessageToVerify,
    manager: EntityManager,
  ): Promise<VerificationDecision> {
    const sender = senderAddress(this.senderInput(message));
    const email = sender.outcome === 'single_address' ? sender.email : this.rawFrom(message);
    const claimed = sender.outcome === 'single_address' ? await this.lookUp(email, manager) : null;
    const subjectValues = claimed === null ? [] : this.subjectValues(message, claimed);
    const request = this.draft(message, email, claimed?.user ?? null, 'not_checked', subjectValues);
    return { kind: 'unanswered', reason: 'sender_not_authenticated', request };
  }

  private draft(
    message: MessageToVerify,
    sender: string,
    user: Pick<User, 'id' | 'organizationId'> | null,
    senderMatch: RequestChecks['senderMatch'],
    subjectValues: readonly string[],
  ): RequestDraft {
    const { result, method, detail } = message.authentication;
    return {
      sender,
      userId: user?.id ?? null,
      organizationId: user?.organizationId ?? null,
      checks: { senderAuth: { result, method, detail }, senderMatch, factors: NOT_CHECKED },
      subject: this.displaySubject(message, subjectValues),
    };
  }

  /** Agents see the subject too, masked like the excerpt (and every 4-digit group in it). */
  private displaySubject(message: MessageToVerify, values: readonly string[]): string | null {
    const subject = message.message.subject?.slice(0, 500);
    return subject === undefined || subject === null ? null : maskHeaderForDisplay(subject, values);
  }

  /** What in the subject would reveal the (claimed) user's billing values, for masking. */
  private subjectValues(message: MessageToVerify, records: SenderRecords): string[] {
    if (records.user.organizationId === null) return [];
    const plan = records.plan ?? 'paid';
    return checkEvidence(message.message.subject ?? '', records.billing, plan).evidenceValues;
  }

  private async lookUp(email: string, manager: EntityManager): Promise<SenderRecords | null> {
    const records = await this.senders.findByEmail(email, manager);
    // support agents are not customers: their access is managed elsewhere
    return records !== null && records.user.role !== 'agent' ? records : null;
  }

  private rawFrom(message: MessageToVerify): string {
    return message.message.from
      .map((address) => address.address)
      .join(', ')
      .slice(0, 320);
  }

  /** senderAddress reads mailparser's shapes; rebuild them from the inbound pipeline's parse. */
  private senderInput(message: MessageToVerify) {
    return {
      from: {
        value: message.message.from.map((address) => ({
          address: address.address,
          name: address.name,
        })),
        html: '',
        text: '',
      },
      headerLines: message.message.headers.map((header) => ({
        key: header.key,
        line: `${header.key}: ${header.value}`,
      })),
    };
  }
}
