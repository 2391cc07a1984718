import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  SMTPServer,
  SMTPServerAddress,
  SMTPServerDataStream,
  SMTPServerOptions,
  SMTPServerSession,
} from 'smtp-server';
import { AppConfigService } from '../../config/app-config.service';
import { readBounded } from './bounded-body';
import { InboundMessageStore } from './inbound-message-store.service';
import { SupportRecipients } from './support-recipients';

/** Connection, command and idle limits: generous for a real MTA, short for a slow-loris. */
export const SMTP_LIMITS = {
  maxClients: 100,
  maxRecipients: 20,
  /** messages one connection may deliver before it must reconnect */
  maxMessagesPerConnection: 100,
  socketTimeoutMs: 60_000,
  /** shutdown waits this long for sessions; with the workers' 15 s it stays under main.ts's 25 s */
  closeTimeoutMs: 8_000,
};

type SmtpCallback = (error?: Error | null) => void;

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * Inbound SMTP (docs/architecture.md, step 1), started when ROLES includes smtp. Accepts mail for
 * SUPPORT_ADDRESSES only (550 otherwise), announces SIZE and answers 552 above MAX_MESSAGE_BYTES
 * without holding more than that, and answers 250 with the stored id only once the raw bytes and
 * the envelope are committed — 451 when PostgreSQL cannot take them.
 */
@Injectable()
export class SmtpIngressServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SmtpIngressServer.name);
  private server: SMTPServer | undefined;
  private readonly recipients: SupportRecipients;

  constructor(
    private readonly config: AppConfigService,
    private readonly store: InboundMessageStore,
  ) {
    this.recipients = new SupportRecipients(config.get('supportAddresses'));
  }

  /** The port actually bound (SMTP_PORT=0 lets the OS choose, as tests do). */
  get port(): number | undefined {
    const address = this.server?.server.address() as AddressInfo | null | undefined;
    return address?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.hasRole('smtp')) return;
    const server = new SMTPServer(this.options());
    server.on('error', (error) =>
      this.logger.warn({ err: error.message }, 'SMTP connection error'),
    );
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.config.get('smtpPort'), this.config.get('smtpHost'), () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`SMTP ingress listening on ${this.config.get('smtpHost')}:${this.port}`);
  }

  /**
   * Before the database pool closes: stop accepting, let transactions in progress finish their
   * commit and answer (up to closeTimeout), then close. A client cut off here got no 250, so its
   * MTA delivers again later.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private options(): SMTPServerOptions {
    const keyFile = this.config.get('smtpTlsKeyFile');
    const certFile = this.config.get('smtpTlsCertFile');
    const tls =
      keyFile !== undefined && certFile !== undefined
        ? { key: readFileSync(keyFile), cert: readFileSync(certFile) }
        : undefined;
    return {
      ...(tls ?? {}),
      // no AUTH: this is a receiving MX, not a submission server. Without a configured
      // certificate no STARTTLS either (smtp-server would otherwise offer a built-in test cert).
      disabledCommands: tls === undefined ? ['AUTH', 'STARTTLS'] : ['AUTH'],
      authOptional: true,
      size: this.config.get('maxMessageBytes'),
      rejectOversized: true,
      maxClients: SMTP_LIMITS.maxClients,
      maxRecipients: SMTP_LIMITS.maxRecipients,
      socketTimeout: SMTP_LIMITS.socketTimeoutMs,
      closeTimeout: SMTP_LIMITS.closeTimeoutMs,
      // no DNS in the accept path: SPF gets the address and HELO as they are
      disableReverseLookup: true,
      banner: 'Recovery Desk support mail',
      logger: false,
      onMailFrom: (_address, session, callback) => this.onMailFrom(session, callback),
      onRcptTo: (address, _session, callback) => this.onRcptTo(address, callback),
      onData: (stream, session, callback) => {
        this.onData(stream, session).then(
          (id) => callback(null, `OK: stored as ${id}`),
          (error: Error) => callback(error),
        );
      },
    };
  }

  private onMailFrom(session: SMTPServerSession, callback: SmtpCallback): void {
    if (session.transaction > SMTP_LIMITS.maxMessagesPerConnection) {
      return callback(smtpError('Too many messages on one connection, reconnect', 421));
    }
    callback();
  }

  private onRcptTo(address: SMTPServerAddress, callback: SmtpCallback): void {
    if (!this.recipients.accepts(address.address)) {
      return callback(smtpError('No such mailbox here', 550));
    }
    callback();
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const raw = await readBounded(stream, this.config.get('maxMessageBytes'), true);
    if (raw === null || stream.sizeExceeded) {
      // smtp-server answers 552 itself (rejectOversized); nothing was kept
      throw smtpError('Message exceeds the maximum size', 552);
    }
    const envelope = session.envelope;
    try {
      return await this.store.store({
        source: 'smtp',
        clientIp: session.remoteAddress ?? null,
        clientHelo: session.hostNameAppearsAs || null,
        // mailFrom.address is '' for the null reverse-path <>
        mailFrom: envelope.mailFrom === false ? null : envelope.mailFrom.address,
        rcptTo: envelope.rcptTo.map((rcpt) => rcpt.address),
        raw,
      });
    } catch {
      // nothing was committed (storage_unavailable): the sending MTA keeps the message and retries
      throw smtpError('Temporary local problem, please try again later', 451);
    }
  }
}
