import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { AppConfigService } from '../config/app-config.service';
import { MAIL_CONCURRENCY } from './mail.queue';

/** A composed message, ready for the wire. */
export interface OutgoingMail {
  /** outbox row id: names the .eml file of the file transport */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  locale: 'sv' | 'en';
  autoReply: boolean;
  inReplyTo?: string;
  references: string[];
}

/**
 * Outbound mail per MAIL_TRANSPORT: `file:DIR` writes one `<id>.eml` per message (the default,
 * so a fresh machine needs no mail server), `smtp://` / `smtps://` hands it to a relay.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private readonly transporter: Transporter;
  private readonly fileDir: string | undefined;
  private readonly from: string;

  constructor(config: AppConfigService) {
    const transport = config.get('mailTransport');
    this.from = config.get('mailFrom');
    if (transport.kind === 'file') {
      this.fileDir = path.resolve(transport.dir);
      this.transporter = createTransport({
        streamTransport: true,
        buffer: true,
        newline: 'windows',
      });
    } else {
      // Timeouts well under the worker's lease on the row, so a hung relay frees it in time;
      // nodemailer's defaults (2 and 10 minutes) would hold a job for ages. Connections are
      // pooled (one per mail worker slot, each reused for up to 100 mails): a connection per
      // mail cost a TCP handshake, greeting and EHLO every time.
      this.transporter = createTransport({
        url: transport.url,
        pool: true,
        maxConnections: MAIL_CONCURRENCY,
        maxMessages: 100,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
        dnsTimeout: 10_000,
      });
    }
  }

  get kind(): 'file' | 'smtp' {
    return this.fileDir === undefined ? 'smtp' : 'file';
  }

  async send(mail: OutgoingMail): Promise<void> {
    const options: SendMailOptions = {
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      date: new Date(),
      inReplyTo: mail.inReplyTo,
      references: mail.references.length > 0 ? mail.references : undefined,
      headers: {
        // RFC 3834: marks the message as automatic, so well-behaved systems do not answer it;
        // replies to inbound mail say so explicitly (docs/architecture.md, step 15).
        'Auto-Submitted': mail.autoReply ? 'auto-replied' : 'auto-generated',
        // Exchange's equivalent: no out-of-office or read receipts back to the support inbox
        'X-Auto-Response-Suppress': 'All',
        'Content-Language': mail.locale,
      },
    };
    // Composed into one buffer first, then handed over as it is: streamed part by part, the
    // message went out in a socket write per MIME piece (about ten per mail), which dominated
    // the cost of sending (bench/README.md, "Where the time goes").
    const node = new MailComposer(options).compile();
    const raw = await node.build();
    const info = (await this.transporter.sendMail({ envelope: node.getEnvelope(), raw })) as {
      message?: Buffer;
    };
    if (this.fileDir !== undefined) {
      if (!Buffer.isBuffer(info.message)) throw new Error('file transport produced no message');
      await writeAtomically(this.fileDir, `${mail.id}.eml`, info.message);
    }
  }

  onApplicationShutdown(): void {
    this.transporter.close();
  }
}

/**
 * Writes the file under a temporary name, flushes it, then renames it into place: a reader (or a
 * crash) never sees half a message, and sending the same row twice just replaces the file.
 */
async function writeAtomically(dir: string, name: string, data: Buffer): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temporary = path.join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path.join(dir, name));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
