import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { AppConfigService } from '../../config/app-config.service';
import { type ImapSettings, isLoopbackHost } from '../../config/imap-url';
import { maskHeaderForDisplay } from '../verification/masking';
import { ImapMessageRepository, TOO_LARGE_REASON } from './imap-message.repository';
import { PollerLock } from './imap-poller-lock';
import { InboundMessageStore } from './inbound-message-store.service';
import type { ImapLocation } from './inbound-message.repository';

/** Messages whose size is asked for, and then taken one by one, in one go. */
export const IMAP_BATCH = 50;
/** Most messages taken in one poll; the rest wait for the next (oldest first). */
export const IMAP_PER_POLL = 500;
/** The keyword a message refused for its size gets (beside \Flagged), so it is not looked at again. */
export const IMAP_REFUSED_KEYWORD = '$RecoveryDeskTooLarge';

const FIRST_RETRY_MS = 1000;
/** How often a process that does not hold the poller lock asks for it (take-over). */
const STANDBY_RECHECK_MAX_MS = 10_000;

export type ImapStatus =
  | { state: 'up'; mailbox: string }
  | { state: 'standby'; detail: string }
  | { state: 'down'; detail: string };

/**
 * IMAP ingress (docs/architecture.md, step 1), run when ROLES includes imap. One process at a
 * time (PollerLock) watches IMAP_URL's mailbox — IDLE where offered, a poll every
 * IMAP_POLL_SECONDS in any case — and for each message, oldest first:
 * 1. recognises it when it was taken before (same mailbox, UIDVALIDITY and UID; or, moved back or
 *    under a new UIDVALIDITY, the same bytes) and only finishes the move;
 * 2. refuses it, unread, when the server's RFC822.SIZE exceeds MAX_MESSAGE_BYTES: a failed row
 *    `message_too_large`, the message flagged and left where it is;
 * 3. otherwise stores its bytes through InboundMessageStore (source imap) and, once that
 *    committed, moves it to IMAP_PROCESSED_MAILBOX (imapflow copies, flags \Deleted and
 *    expunges where MOVE is missing). A crash between the two leaves it in the mailbox for 1.
 * A connection that fails is retried with back-off; nothing is taken from the mailbox before it
 * is committed, so nothing is lost.
 */
@Injectable()
export class ImapIngressService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ImapIngressService.name);
  private readonly lock: PollerLock;
  private status: ImapStatus = { state: 'down', detail: 'not connected yet' };
  private stopping = false;
  private running: Promise<void> | undefined;
  private client: ImapFlow | undefined;
  private woken = false;
  private wake: (() => void) | undefined;
  private knownUidValidity: string | undefined;

  constructor(
    private readonly config: AppConfigService,
    private readonly store: InboundMessageStore,
    private readonly messages: ImapMessageRepository,
  ) {
    this.lock = new PollerLock(config.get('databaseUrl'));
  }

  /** Whether this process runs the poller, and how it is doing (for /health). */
  get current(): ImapStatus | undefined {
    return this.config.hasRole('imap') ? this.status : undefined;
  }

  onApplicationBootstrap(): void {
    const settings = this.config.get('imap');
    if (!this.config.hasRole('imap') || settings === undefined) return;
    this.logger.log(
      `IMAP ingress for ${settings.display}, processed mail to ${this.config.get('imapProcessedMailbox')}`,
    );
    this.running = this.run(settings);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wakeUp();
    this.client?.close();
    await this.running;
    await this.lock.release();
  }

  private async run(settings: ImapSettings): Promise<void> {
    const pollMs = this.config.get('imapPollSeconds') * 1000;
    const maxDelay = Math.max(pollMs, FIRST_RETRY_MS);
    let delay = FIRST_RETRY_MS;
    while (!this.stopping) {
      try {
        if (!(await this.lock.tryAcquire())) {
          this.status = { state: 'standby', detail: 'another process polls the mailbox' };
          await this.sleep(Math.min(pollMs, STANDBY_RECHECK_MAX_MS));
          continue;
        }
        await this.session(settings, pollMs, () => (delay = FIRST_RETRY_MS));
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        if (!this.stopping) {
          this.logger.warn(
            { mailbox: settings.display, err: detail, retryInMs: delay },
            'IMAP mailbox unavailable; retrying',
          );
        }
        this.status = { state: 'down', detail: detail.slice(0, 300) };
      }
      if (this.stopping) break;
      await this.sleep(delay);
      delay = Math.min(delay * 2, maxDelay);
    }
  }

  /** One connection: log in, open the mailbox, then take mail until something breaks. */
  private async session(settings: ImapSettings, pollMs: number, connected: () => void) {
    const client = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      // imap:// must upgrade with STARTTLS (a server that does not offer it is refused), except
      // towards this machine, where imapflow upgrades whenever the server offers it
      doSTARTTLS: settings.secure || isLoopbackHost(settings.host) ? undefined : true,
      auth: { user: settings.user, pass: settings.password },
      tls: this.tlsOptions(),
      logger: false,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
      // IDLE starts a second after the last command and is renewed every IMAP_POLL_SECONDS
      autoIdleDelay: 1000,
      maxIdleTime: pollMs,
    });
    client.on('error', (error: Error) => {
      this.logger.warn({ err: error.message }, 'IMAP connection error');
      this.wakeUp();
    });
    client.on('close', () => this.wakeUp());
    client.on('exists', () => this.wakeUp());
    this.client = client;
    try {
      await client.connect();
      await this.ensureProcessedMailbox(client);
      await client.mailboxOpen(settings.mailbox);
      this.status = { state: 'up', mailbox: settings.mailbox };
      connected();
      while (!this.stopping) {
        await this.pass(client, settings.mailbox);
        if (this.stopping) break;
        if (this.lock.lost) throw new Error('lost the IMAP poller lock');
        await this.sleep(pollMs, true);
        if (!client.usable) throw new Error('IMAP connection closed');
      }
    } finally {
      this.client = undefined;
      client.removeAllListeners('exists');
      client.close();
    }
  }

  private tlsOptions(): { ca?: string[]; minVersion: 'TLSv1.2' } {
    const caFile = this.config.get('imapTlsCaFile');
    // rejectUnauthorized stays Node's default (true): an extra CA is trusted, nothing else is
    if (caFile === undefined) return { minVersion: 'TLSv1.2' };
    return { ca: [...rootCertificates, readFileSync(caFile, 'utf8')], minVersion: 'TLSv1.2' };
  }

  private async ensureProcessedMailbox(client: ImapFlow): Promise<void> {
    const processed = this.config.get('imapProcessedMailbox');
    const boxes = await client.list();
    if (boxes.some((box) => box.path === processed)) return;
    await client.mailboxCreate(processed);
    this.logger.log(`created the IMAP mailbox ${processed}`);
  }

  /** One poll: the oldest messages first, in batches, at most IMAP_PER_POLL of them. */
  private async pass(client: ImapFlow, mailbox: string): Promise<void> {
    const opened = client.mailbox;
    if (opened === false) throw new Error('no mailbox selected');
    const uidValidity = String(opened.uidValidity);
    await this.noticeUidValidity(mailbox, uidValidity);
    const found =
      (await client.search({ deleted: false, unKeyword: IMAP_REFUSED_KEYWORD }, { uid: true })) ||
      [];
    const uids = [...found].sort((a, b) => a - b);
    if (uids.length === 0) return;
    const todo = uids.slice(0, IMAP_PER_POLL);
    if (uids.length > IMAP_BATCH) {
      this.logger.log(
        `IMAP: ${uids.length} messages in ${mailbox}; taking ${todo.length} this poll, oldest first`,
      );
    }
    for (let start = 0; start < todo.length; start += IMAP_BATCH) {
      const batch = todo.slice(start, start + IMAP_BATCH);
      const heads: FetchMessageObject[] = [];
      for await (const head of client.fetch(
        batch.join(','),
        { uid: true, size: true, envelope: true },
        { uid: true },
      )) {
        heads.push(head);
      }
      heads.sort((a, b) => a.uid - b.uid);
      for (const head of heads) {
        if (this.stopping || this.lock.lost) return;
        await this.take(client, head, { mailbox, uidValidity, uid: String(head.uid) });
      }
      if (uids.length > IMAP_BATCH) {
        this.logger.log(
          `IMAP: ${start + batch.length} of ${uids.length} messages in ${mailbox} handled`,
        );
      }
    }
  }

  private async noticeUidValidity(mailbox: string, uidValidity: string): Promise<void> {
    if (this.knownUidValidity === uidValidity) return;
    const last = await this.messages.lastUidValidity(mailbox);
    if (last !== null && last !== uidValidity) {
      // every UID changed meaning: messages still in the mailbox are recognised by their bytes
      this.logger.warn(
        { mailbox, previous: last, current: uidValidity },
        'IMAP UIDVALIDITY changed; messages taken before are recognised by their content',
      );
    }
    this.knownUidValidity = uidValidity;
  }

  private async take(
    client: ImapFlow,
    head: FetchMessageObject,
    location: ImapLocation,
  ): Promise<void> {
    const known = await this.messages.findByLocation(location);
    if (known !== null) {
      if (known.reason === TOO_LARGE_REASON) await this.flagRefused(client, head.uid);
      // stored before, not moved (a crash, or the move failed): finish the move only
      else await this.moveToProcessed(client, head.uid, known.id);
      return;
    }
    const max = this.config.get('maxMessageBytes');
    if ((head.size ?? 0) > max) return this.refuse(client, head, location);
    const fetched = await client.fetchOne(String(head.uid), { source: true }, { uid: true });
    if (fetched === false || fetched.source === undefined) return; // expunged meanwhile
    const raw = fetched.source;
    if (raw.length > max) return this.refuse(client, { ...head, size: raw.length }, location);
    const copy = await this.messages.findCopy(createHash('sha256').update(raw).digest());
    if (copy !== null) {
      this.logger.log(
        { inboundMessageId: copy, uid: head.uid },
        'IMAP message already stored (same bytes); moving it without storing it again',
      );
      await this.moveToProcessed(client, head.uid, copy);
      return;
    }
    const id = await this.store.store({
      source: 'imap',
      clientIp: null,
      clientHelo: null,
      mailFrom: null,
      rcptTo: [],
      raw,
      imap: location,
    });
    await this.moveToProcessed(client, head.uid, id);
  }

  /** After the commit only. A failed move is retried at the next poll (step 1 recognises it). */
  private async moveToProcessed(client: ImapFlow, uid: number, id: string): Promise<void> {
    const processed = this.config.get('imapProcessedMailbox');
    const moved = await client.messageMove(String(uid), processed, { uid: true });
    if (moved === false) {
      this.logger.warn(
        { inboundMessageId: id, uid, mailbox: processed },
        'IMAP message stored but not moved; the move is retried at the next poll',
      );
    }
  }

  private async refuse(
    client: ImapFlow,
    head: FetchMessageObject,
    location: ImapLocation,
  ): Promise<void> {
    const envelope = head.envelope;
    const subject = envelope?.subject?.slice(0, 1000);
    const id = await this.messages.recordRefused({
      location,
      size: head.size ?? 0,
      fromAddresses: (envelope?.from ?? [])
        .map((address) => address.address ?? '')
        .filter((address) => address !== '')
        .map((address) => address.slice(0, 320))
        .slice(0, 50),
      subject: subject === undefined ? null : maskHeaderForDisplay(subject),
      messageId: envelope?.messageId?.slice(0, 1000) ?? null,
    });
    if (id !== null) {
      this.logger.warn(
        { inboundMessageId: id, uid: head.uid, size: head.size },
        'IMAP message exceeds MAX_MESSAGE_BYTES: refused, flagged and left in the mailbox',
      );
    }
    await this.flagRefused(client, head.uid);
  }

  private async flagRefused(client: ImapFlow, uid: number): Promise<void> {
    const opened = client.mailbox;
    const keywords = opened !== false && opened.permanentFlags?.has('\\*') === true;
    await client.messageFlagsAdd(
      String(uid),
      keywords ? ['\\Flagged', IMAP_REFUSED_KEYWORD] : ['\\Flagged'],
      { uid: true },
    );
  }

  private wakeUp(): void {
    this.woken = true;
    this.wake?.();
  }

  /**
   * Waits `ms`. A wakeable wait ends early on new mail (IDLE), a closed connection or shutdown;
   * any other wait (back-off, standby) only on shutdown.
   */
  private async sleep(ms: number, wakeable = false): Promise<void> {
    if (this.stopping) return;
    if (wakeable && this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        if (!wakeable && !this.stopping) return;
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    if (wakeable) this.woken = false;
  }
}
