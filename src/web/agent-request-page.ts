import { Injectable } from '@nestjs/common';
import { AccountsRepository } from '../accounts/accounts.repository';
import type { AuditEvent } from '../audit/audit-event.entity';
import { AuditService } from '../audit/audit.service';
import { RecoveryRequestsService } from '../recovery/approval/recovery-requests.service';
import type { Messages } from './i18n/locale';

/** Enough for any one request's trail (a request has a handful of events). */
const HISTORY_LIMIT = 200;

/**
 * What the request page shows: the agent's view of the request (RecoveryRequestsService.detail:
 * checks and risk, never billing values), its audit trail oldest first, and the names of the
 * people in it.
 */
@Injectable()
export class AgentRequestPage {
  constructor(
    private readonly requests: RecoveryRequestsService,
    private readonly audit: AuditService,
    private readonly accounts: AccountsRepository,
  ) {}

  async build(id: string, agentId: string, t: Messages) {
    const request = await this.requests.detail(id);
    const { items } = await this.audit.list({ subjectId: id, page: 1, pageSize: HISTORY_LIMIT });
    const events = [...items].reverse();
    const names = await this.names([
      ...request.approvals.map((approval) => approval.agentId),
      ...events.map((event) => (event.actorType === 'user' ? event.actorId : null)),
    ]);
    return {
      title: `${t.agent.requestTitle} · ${request.sender}`,
      request,
      names,
      alreadyApproved: request.approvals.some((approval) => approval.agentId === agentId),
      history: events.map((event) => ({
        occurredAt: event.occurredAt.toISOString(),
        actor: actorName(event, names, t),
        action: event.action,
        details: details(event.data),
      })),
    };
  }

  private async names(ids: (string | null)[]): Promise<Record<string, string>> {
    const unique = [...new Set(ids.filter((id): id is string => id !== null))];
    const users = await Promise.all(unique.map((id) => this.accounts.findUser(id)));
    const names: Record<string, string> = {};
    for (const user of users) if (user !== null) names[user.id] = `${user.name} (${user.email})`;
    return names;
  }
}

function actorName(event: AuditEvent, names: Record<string, string>, t: Messages): string {
  switch (event.actorType) {
    case 'user':
      return event.actorId === null ? '' : (names[event.actorId] ?? event.actorId);
    case 'system':
      return t.agent.system;
    case 'mailbox':
      return t.agent.mailbox;
    case 'provisioning':
      return 'Provisioning';
  }
}

/**
 * The event's data as "key: value" (audit data never holds secrets or billing values by the
 * AuditService contract); nested values are summarized rather than dumped.
 */
function details(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([key, value]) => {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const inner = Object.entries(value as Record<string, unknown>)
          .map(([name, item]) => `${name}=${primitive(item)}`)
          .join(', ');
        return `${key}: ${inner}`;
      }
      return `${key}: ${primitive(value)}`;
    })
    .join(' · ')
    .slice(0, 500);
}

function primitive(value: unknown): string {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value)
    ? String(value)
    : '…';
}
