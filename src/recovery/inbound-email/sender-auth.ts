import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { authenticate } from 'mailauth';
import { promises as dns } from 'node:dns';
import { MessageChannel } from 'node:worker_threads';
import { cachedResolver, DnsResolve } from './dns-cache';
import { closeOffLoopPool, goesOffLoop, offLoopPool } from './off-loop';
import { AppConfigService } from '../../config/app-config.service';
import type { HeaderField } from './auto-reply';
import type { InboundMessageSource } from './inbound-message.entity';
import { withoutSpf } from './no-smtp-client';
import {
  decideDmarc,
  decideUpstream,
  MailauthOutcome,
  SenderAuthentication,
  TemporaryAuthenticationError,
} from './sender-auth-decision';
import type { DnsAnswer, DnsQuestion, OffLoopResult, OffLoopTask } from './off-loop-thread';

export interface SenderEnvelope {
  clientIp: string | null;
  clientHelo: string | null;
  /** '' for the null sender, null when unknown */
  mailFrom: string | null;
  /** imap: fetched from a mailbox, no SMTP client (aligned DKIM only, see no-smtp-client.ts) */
  source?: InboundMessageSource;
}

const DNS_TIMEOUT_MS = 5000;
const DNS_TRIES = 2;

/**
 * Builds the resolver for SPF/DKIM/DMARC look-ups: DNS_SERVERS when set (each `ip[:port]`), the
 * system's resolvers otherwise. Node reports NXDOMAIN and empty answers as ENOTFOUND/ENODATA,
 * which mailauth treats as "no record"; every other failure (timeout, SERVFAIL, refused) becomes
 * a temperror, which we retry rather than reject.
 */
export function buildResolver(servers: string[]): DnsResolve {
  const resolver = new dns.Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });
  if (servers.length > 0) resolver.setServers(servers);
  return (name, rrtype) => resolver.resolve(name, rrtype);
}

/**
 * Authenticates the sender of a message per SENDER_AUTH (docs/operations.md, Configuration; docs/architecture.md, step 7). Throws
 * TemporaryAuthenticationError when DNS could not answer for now; the job is then retried with
 * back-off instead of the message being rejected.
 */
@Injectable()
export class SenderAuthenticator implements OnModuleDestroy {
  private readonly logger = new Logger(SenderAuthenticator.name);
  private readonly resolve: DnsResolve;

  constructor(private readonly config: AppConfigService) {
    this.resolve = cachedResolver(
      buildResolver(config.get('dnsServers')),
      config.get('dnsCacheSeconds'),
    );
  }

  async authenticate(
    raw: Buffer,
    envelope: SenderEnvelope,
    headers: HeaderField[],
    fromAddresses: string[],
  ): Promise<SenderAuthentication> {
    const mode = this.config.get('senderAuth');
    switch (mode) {
      case 'none': {
        this.logger.warn(
          'SENDER_AUTH=none: accepting an unauthenticated sender (development only)',
        );
        const domain =
          fromAddresses.length === 1 ? fromAddresses[0].split('@').pop()?.toLowerCase() : undefined;
        return {
          result: 'pass',
          method: 'none',
          detail: 'SENDER_AUTH=none: not verified (development only)',
          ...(domain === undefined ? {} : { domain }),
        };
      }
      case 'upstream':
        return decideUpstream(headers, this.config.get('authservId') ?? '', fromAddresses);
      case 'dmarc': {
        if (goesOffLoop(raw)) return this.authenticateOffLoop(raw, envelope);
        const outcome = (await authenticate(raw, {
          ip: envelope.clientIp ?? undefined,
          helo: envelope.clientHelo ?? undefined,
          sender:
            envelope.mailFrom === null || envelope.mailFrom === '' ? undefined : envelope.mailFrom,
          resolver: this.resolve,
          // ARC seals are not trusted for the decision and BIMI is about logos: skip their look-ups
          disableArc: true,
          disableBimi: true,
        })) as unknown as MailauthOutcome;
        return decideDmarc(envelope.source === 'imap' ? withoutSpf(outcome) : outcome);
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    await closeOffLoopPool();
  }

  /** The same check as inline, in a worker thread; its DNS questions are answered here. */
  private async authenticateOffLoop(
    raw: Buffer,
    envelope: SenderEnvelope,
  ): Promise<SenderAuthentication> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (question: DnsQuestion) => {
      this.resolve(question.name, question.rrtype).then(
        (result) => port1.postMessage({ id: question.id, result } satisfies DnsAnswer),
        (error: NodeJS.ErrnoException) =>
          port1.postMessage({
            id: question.id,
            error: { message: error.message, code: error.code },
          } satisfies DnsAnswer),
      );
    });
    const task: OffLoopTask = {
      raw,
      ip: envelope.clientIp ?? undefined,
      helo: envelope.clientHelo ?? undefined,
      sender:
        envelope.mailFrom === null || envelope.mailFrom === '' ? undefined : envelope.mailFrom,
      dns: port2,
    };
    try {
      const result = (await offLoopPool().run(task, { transferList: [port2] })) as OffLoopResult;
      if ('temporary' in result) throw new TemporaryAuthenticationError(result.temporary);
      if ('error' in result) throw new Error(`sender authentication failed: ${result.error}`);
      return result.authentication;
    } finally {
      port1.close();
    }
  }
}
