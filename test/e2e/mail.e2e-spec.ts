import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { simpleParser } from 'mailparser';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MailDeliveryService } from '../../src/mail/mail-delivery.service';
import { InvalidMailError } from '../../src/mail/mail-templates';
import { MailService } from '../../src/mail/mail.service';
import { OutboundMail } from '../../src/mail/outbound-mail.entity';
import { QueueName } from '../../src/queue/queue-names';
import { makeUser, uniqueEmail } from '../helpers/factories';
import { OwnRedis } from '../helpers/own-services';
import { eventually, SmtpSink } from '../helpers/smtp-sink';
import { startTestApp, TestApp } from '../helpers/test-app';

const CANCEL_URL = 'https://desk.example.test/recovery/cancel?token=tok-SECRET-1234&r=9';
const SIGN_IN_URL = 'https://desk.example.test/login';
const REPORT_URL = 'https://desk.example.test/security/report/tok-REPORT-5678';

function row(t: TestApp, id: string): Promise<OutboundMail | null> {
  return t.dataSource.getRepository(OutboundMail).findOneBy({ id });
}

async function sentRow(t: TestApp, id: string): Promise<OutboundMail> {
  return eventually(async () => {
    const found = await row(t, id);
    return found?.status === 'sent' ? found : undefined;
  }, `mail ${id} to be marked sent`);
}

describe('outbound mail over SMTP (real smtp-server sink)', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let mail: MailService;

  beforeAll(async () => {
    sink = await new SmtpSink().start();
    t = await startTestApp({ MAIL_TRANSPORT: sink.url });
    mail = t.app.get(MailService);
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('delivers a reply in the recipient language with threading and auto-reply headers', async () => {
    const user = await makeUser(t.dataSource, { locale: 'sv', name: 'Åsa Öberg' });
    const id = await mail.enqueue({
      template: 'recovery_received',
      to: user.email,
      locale: 'sv',
      userId: user.id,
      vars: {
        name: user.name,
        cancelUrl: CANCEL_URL,
        expiresAt: '2030-01-08T12:00:00Z',
        reportUrl: REPORT_URL,
      },
      inReplyTo: '<request-1@sender.example.test>',
      references: ['<earlier@sender.example.test>', '<request-1@sender.example.test>'],
      autoReply: true,
    });

    const [message] = await eventually(() => {
      const found = sink.to(user.email);
      return found.length > 0 ? found : undefined;
    }, 'the reply in the sink');
    const parsed = message.parsed;
    expect(parsed.subject).toBe(
      'Vi har tagit emot din begäran om att återställa tvåfaktorsautentisering',
    );
    expect(parsed.from?.value[0].address).toBe('support@recovery-desk.test');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.headers.get('content-language')).toBe('sv');
    expect(parsed.inReplyTo).toBe('<request-1@sender.example.test>');
    expect(parsed.references).toEqual([
      '<earlier@sender.example.test>',
      '<request-1@sender.example.test>',
    ]);
    expect(parsed.text).toContain('Hej Åsa Öberg!');
    expect(parsed.text).toContain(CANCEL_URL);
    expect(parsed.html).toContain(`href="${CANCEL_URL.replace(/&/g, '&amp;')}"`);

    const stored = await sentRow(t, id);
    expect(parsed.messageId).toBe(stored.messageId);
    expect(stored.messageId).toMatch(/^<[0-9a-f-]{36}@recovery-desk\.test>$/);
    expect(stored).toMatchObject({ attempts: 1, lastError: null, userId: user.id });
    expect(stored.sentAt).toBeInstanceOf(Date);
    // the cancel token must not linger in the outbox once the mail is out
    expect(stored.vars).toBeNull();
    const raw = await t.dataSource.query(
      `SELECT vars::text AS vars FROM outbound_mails WHERE id = $1`,
      [id],
    );
    expect(JSON.stringify(raw)).not.toContain('tok-SECRET-1234');
  });

  it('marks notifications auto-generated and writes them in English for English users', async () => {
    const to = uniqueEmail('notify');
    await mail.enqueue({
      template: 'two_factor_enabled',
      to,
      locale: 'en',
      vars: { name: 'Kim', reportUrl: REPORT_URL },
    });
    const [message] = await eventually(() => sink.to(to)[0] && [sink.to(to)[0]], 'notification');
    expect(message.parsed.subject).toBe('Two-factor authentication is now on');
    expect(message.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(message.parsed.headers.has('in-reply-to')).toBe(false);
  });

  it('retries with back-off when the relay answers 451, and delivers exactly once', async () => {
    const to = uniqueEmail('busy');
    sink.refuse(to, 2);
    const id = await mail.enqueue({
      template: 'recovery_approved',
      to,
      locale: 'en',
      vars: { name: 'Kim', signInUrl: SIGN_IN_URL, reportUrl: REPORT_URL },
    });
    const stored = await eventually(
      async () => {
        const found = await row(t, id);
        return found?.status === 'sent' ? found : undefined;
      },
      'delivery after two refusals',
      60_000,
    );
    expect(sink.attempts.get(to)).toBe(3);
    expect(sink.to(to)).toHaveLength(1);
    expect(stored.attempts).toBe(3);
    expect(stored.lastError).toBeNull();

    // a job that runs again finds the row sent and sends nothing
    await expect(t.app.get(MailDeliveryService).deliver(id, { finalAttempt: false })).resolves.toBe(
      'skipped',
    );
    expect(sink.to(to)).toHaveLength(1);
  }, 90_000);

  it('gives up at once when the relay refuses for good (5xx), wiping the variables', async () => {
    const to = uniqueEmail('gone');
    sink.refuse(to, 1, 550);
    const id = await mail.enqueue({
      template: 'recovery_received',
      to,
      locale: 'en',
      vars: {
        name: 'Kim',
        cancelUrl: CANCEL_URL,
        expiresAt: '2030-01-08T12:00:00Z',
        reportUrl: REPORT_URL,
      },
    });
    const stored = await eventually(async () => {
      const found = await row(t, id);
      return found?.status === 'failed' ? found : undefined;
    }, 'the mail to be marked failed');
    expect(stored.attempts).toBe(1);
    expect(stored.lastError).toMatch(/550/);
    expect(stored.lastError).not.toContain('tok-SECRET');
    expect(stored.vars).toBeNull();
    expect(sink.attempts.get(to)).toBe(1);
    expect(sink.to(to)).toHaveLength(0);
  });

  it('sends once when the same row is delivered by several runs at the same time', async () => {
    const to = uniqueEmail('race');
    const id = await mail.enqueue({
      template: 'recovery_denied',
      to,
      locale: 'sv',
      vars: { name: 'Kim', reason: 'Uppgifterna räckte inte.' },
    });
    const delivery = t.app.get(MailDeliveryService);
    const runs = await Promise.allSettled([
      delivery.deliver(id, { finalAttempt: false }),
      delivery.deliver(id, { finalAttempt: false }),
      delivery.deliver(id, { finalAttempt: false }),
    ]);
    await sentRow(t, id);
    expect(
      runs.filter((r) => r.status === 'fulfilled' && r.value === 'sent').length,
    ).toBeLessThanOrEqual(1);
    expect(sink.to(to)).toHaveLength(1);
  });

  it('queues inside the caller transaction only after commit, and never after a rollback', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.mail));
    const rolledBackTo = uniqueEmail('rollback');
    let rolledBackId = '';
    await expect(
      t.dataSource.transaction(async (manager) => {
        rolledBackId = await mail.enqueue(
          {
            template: 'two_factor_enabled',
            to: rolledBackTo,
            locale: 'en',
            vars: { name: 'A', reportUrl: REPORT_URL },
          },
          manager,
        );
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await row(t, rolledBackId)).toBeNull();
    expect(await queue.getJob(rolledBackId)).toBeUndefined();

    const committedTo = uniqueEmail('commit');
    const id = await t.dataSource.transaction(async (manager) => {
      const mailId = await mail.enqueue(
        {
          template: 'two_factor_enabled',
          to: committedTo,
          locale: 'en',
          vars: { name: 'B', reportUrl: REPORT_URL },
        },
        manager,
      );
      // not visible to anyone, not queued, until the caller commits
      expect(await row(t, mailId)).toBeNull();
      expect(await queue.getJob(mailId)).toBeUndefined();
      return mailId;
    });
    await sentRow(t, id);
    expect(sink.to(committedTo)).toHaveLength(1);
    expect(sink.to(rolledBackTo)).toHaveLength(0);
  });

  it('refuses a bad request before storing anything', async () => {
    const before = await t.dataSource.getRepository(OutboundMail).count();
    await expect(
      mail.enqueue({
        template: 'recovery_approved',
        to: 'Eve <eve@example.test>, kim@example.test',
        locale: 'en',
        vars: { name: 'Kim', signInUrl: SIGN_IN_URL, reportUrl: REPORT_URL },
      }),
    ).rejects.toThrow(InvalidMailError);
    await expect(
      mail.enqueue({
        template: 'recovery_approved',
        to: uniqueEmail(),
        locale: 'en',
        vars: { name: 'Kim', signInUrl: 'javascript:alert(1)', reportUrl: REPORT_URL },
      }),
    ).rejects.toThrow(InvalidMailError);
    // other apps may add rows meanwhile, never fewer; none of these two got in
    expect(await t.dataSource.getRepository(OutboundMail).count()).toBeGreaterThanOrEqual(before);
    const rows = await t.dataSource.query(
      `SELECT 1 FROM outbound_mails WHERE to_address LIKE '%eve@example.test%' OR vars::text LIKE '%javascript:%'`,
    );
    expect(rows).toHaveLength(0);
  });
});

describe('outbound mail while Redis is down', () => {
  let sink: SmtpSink;
  let redis: OwnRedis;
  let t: TestApp;

  beforeAll(async () => {
    sink = await new SmtpSink().start();
    redis = await OwnRedis.start();
    t = await startTestApp({ MAIL_TRANSPORT: sink.url, REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
    await sink?.close();
  });

  it('keeps the mail pending and sends it once Redis is back (the sweeper)', async () => {
    await redis.stop();
    const to = uniqueEmail('outage');
    const id = await t.app.get(MailService).enqueue({
      template: 'two_factor_reset_by_admin',
      to,
      locale: 'en',
      vars: {
        name: 'Kim',
        adminName: 'Alex',
        resetAt: new Date().toISOString(),
        signInUrl: SIGN_IN_URL,
        reportUrl: REPORT_URL,
      },
    });
    expect(await row(t, id)).toMatchObject({ status: 'pending', attempts: 0 });

    // The sweeper only takes rows pending for 30 s or more; age this one instead of waiting.
    await t.dataSource.query(
      `UPDATE outbound_mails SET created_at = now() - interval '5 minutes' WHERE id = $1`,
      [id],
    );
    await redis.start(); // empty: the queue, its jobs and the sweeper's scheduler are all gone
    const stored = await eventually(
      async () => {
        const found = await row(t, id);
        return found?.status === 'sent' ? found : undefined;
      },
      'the sweeper to send the stored mail',
      80_000,
    );
    expect(stored.attempts).toBe(1);
    expect(sink.to(to)).toHaveLength(1);
    expect(sink.to(to)[0].parsed.messageId).toBe(stored.messageId);
  }, 120_000);
});

describe('outbound mail to .eml files (the default transport)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes one parseable .eml per message, atomically', async () => {
    const to = uniqueEmail('file');
    const id = await t.app.get(MailService).enqueue({
      template: 'two_factor_reset_by_admin',
      to,
      locale: 'sv',
      vars: {
        name: 'Kim',
        adminName: 'Alex <admin>',
        resetAt: '2030-06-01T10:00:00Z',
        signInUrl: SIGN_IN_URL,
        reportUrl: REPORT_URL,
      },
    });
    const file = path.join(t.outboxDir, `${id}.eml`);
    await eventually(() => existsSync(file), `${file} to be written`);
    const stored = await sentRow(t, id);

    const parsed = await simpleParser(readFileSync(file));
    expect(parsed.subject).toBe('Din tvåfaktorsautentisering har återställts');
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value[0].address).toBe(to);
    expect(parsed.messageId).toBe(stored.messageId);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.text).toContain('den 1 juni 2030 kl. 12:00 CEST');
    expect(parsed.text).toContain(SIGN_IN_URL);
    expect(parsed.html).toContain('Alex &lt;admin&gt;');
    expect(parsed.html).not.toContain('Alex <admin>');
    // only finished files: no temporary file left behind
    expect(readdirSync(t.outboxDir).filter((name) => !name.endsWith('.eml'))).toEqual([]);
  });
});
