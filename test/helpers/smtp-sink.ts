import { ParsedMail, simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  /** RCPT TO addresses of the envelope, lower-cased */
  recipients: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/**
 * A real SMTP server (smtp-server) that keeps what it receives, for outbound-mail tests:
 * point MAIL_TRANSPORT at `smtp://127.0.0.1:${sink.port}`. It can refuse the next messages for an
 * address with 451 (a relay in trouble) or 550 (a mailbox that does not exist).
 */
export class SmtpSink {
  readonly messages: SunkMail[] = [];
  /** DATA attempts per recipient, including refused ones */
  readonly attempts = new Map<string, number>();
  private readonly refusals = new Map<string, { times: number; code: number }>();
  private server: SMTPServer | undefined;
  port = 0;

  /** Starts listening: on a free port the first time, on the same port after stop(). */
  async start(): Promise<this> {
    this.server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
          for (const address of recipients) {
            this.attempts.set(address, (this.attempts.get(address) ?? 0) + 1);
          }
          const refused = recipients
            .map((address) => this.refusals.get(address))
            .find((refusal) => refusal !== undefined && refusal.times > 0);
          if (refused !== undefined) {
            refused.times -= 1;
            const text = refused.code >= 500 ? 'Mailbox unavailable' : 'Mailbox busy, try later';
            const error = new Error(text) as Error & { responseCode: number };
            error.responseCode = refused.code;
            callback(error);
            return;
          }
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              this.messages.push({ recipients, raw, parsed });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** The relay goes down: connections are refused until start() listens on the port again. */
  async stop(): Promise<void> {
    await this.close();
    this.server = undefined;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Answers `code` (451: try later; 550: never) to the next `times` messages for `address`. */
  refuse(address: string, times: number, code = 451): void {
    this.refusals.set(address.toLowerCase(), { times, code });
  }

  to(address: string): SunkMail[] {
    return this.messages.filter((m) => m.recipients.includes(address.toLowerCase()));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(resolve) : resolve()));
  }
}

/** Polls until `check` returns a value other than undefined/false, or fails after the timeout. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined && result !== false) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
