/**
 * Scale-out: several processes with one role each on ONE database and Redis — two SMTP
 * processes (one of them also serving the API) and three queue workers — decide every accepted
 * recovery mail exactly once: one final state and one audit event per message, one recovery
 * request per decided message, one reply mail per decided message, duplicated deliveries ignored
 * as duplicates, and one open request per user however many of their mails race.
 */
import { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { QueueName } from '../../src/queue/queue-names';
import {
  buildMessage,
  dkimSigned,
  inboundRows,
  sendSmtp,
  TestDnsServer,
  uniqueMessageId,
  waitForFinal,
} from '../helpers/inbound-mail';
import { freePort } from '../helpers/own-services';
import { Clinic, makeClinic, makeMember, Member } from '../helpers/recovery';
import { eventually, SmtpSink } from '../helpers/smtp-sink';
import { openRunDatabase, spawnApp, SpawnedApp, waitForOutput } from '../helpers/spawn-app';
import { testEnv } from '../helpers/test-app';

const SUPPORT = 'support@recovery-desk.test';
const WORKERS = 3;
const CLINICS = 6;
const MEMBERS_PER_CLINIC = 3;

interface Letter {
  member: Member;
  messageId: string;
  raw: string;
}

describe('scale-out: one role per process, several workers on one database and Redis', () => {
  let db: DataSource;
  let dns: TestDnsServer;
  let sink: SmtpSink;
  const apps: SpawnedApp[] = [];
  let smtpPorts: number[];
  let redisPrefix: string;
  let redisUrl: string;

  beforeAll(async () => {
    db = await openRunDatabase();
    dns = await TestDnsServer.start();
    sink = await new SmtpSink().start();
    // one environment for every process: same database, same Redis prefix, same secret key
    const shared = testEnv({ DNS_SERVERS: dns.address, MAIL_TRANSPORT: sink.url });
    redisPrefix = shared.REDIS_PREFIX;
    redisUrl = shared.REDIS_URL;
    smtpPorts = [await freePort(), await freePort()];
    const roles: Record<string, string>[] = [
      { ROLES: 'api,smtp', HTTP_PORT: String(await freePort()), SMTP_PORT: String(smtpPorts[0]) },
      { ROLES: 'smtp', SMTP_PORT: String(smtpPorts[1]) },
      ...Array.from({ length: WORKERS }, () => ({ ROLES: 'worker' })),
    ];
    for (const role of roles) apps.push(spawnApp({ ...shared, ...role }));
    for (const app of apps) await waitForOutput(app, /Recovery Desk running/, 120_000);
  }, 180_000);

  afterAll(async () => {
    for (const app of apps) if (app.child.exitCode === null) app.child.kill('SIGTERM');
    await Promise.all(apps.map((app) => app.exited));
    await sink?.close();
    await dns?.close();
    await db?.destroy();
  });

  it('decides every accepted message exactly once', async () => {
    // the three workers are all consuming the inbound queue before any mail arrives
    const queue = new Queue(QueueName.inboundEmail, {
      connection: { url: redisUrl },
      prefix: redisPrefix,
    });
    try {
      await eventually(
        async () => (await queue.getWorkersCount()) >= WORKERS,
        `${WORKERS} inbound workers`,
        60_000,
      );
    } finally {
      await queue.close();
    }

    const world = { t: { dataSource: db }, dns };
    const clinics: Clinic[] = [];
    const members: { member: Member; clinic: Clinic }[] = [];
    for (let c = 0; c < CLINICS; c += 1) {
      const clinic = await makeClinic(world);
      clinics.push(clinic);
      for (let m = 0; m < MEMBERS_PER_CLINIC; m += 1) {
        members.push({ member: await makeMember(world, clinic), clinic });
      }
    }
    const letter = async ({ member, clinic }: (typeof members)[number]): Promise<Letter> => {
      const messageId = uniqueMessageId(clinic.domain);
      const body = `I lost my phone. Card ending in ${clinic.last4}, holder ${clinic.holderName}.`;
      const raw = buildMessage({ from: member.email, body, messageId });
      return { member, messageId, raw: await dkimSigned(raw, clinic.domain, clinic.key) };
    };
    // every member writes once; a third of the letters are delivered twice (the same bytes, one
    // copy to each SMTP process, as a sending MTA retrying after a lost 250 would); another third
    // of the members write a second, different letter at the same time
    const letters: Letter[] = [];
    const deliveries: Letter[] = [];
    for (const [i, entry] of members.entries()) {
      const first = await letter(entry);
      letters.push(first);
      deliveries.push(first);
      if (i % 3 === 0) deliveries.push(first);
      if (i % 3 === 1) {
        const second = await letter(entry);
        letters.push(second);
        deliveries.push(second);
      }
    }
    const sent = await Promise.all(
      deliveries.map(async (d, i) => ({
        letter: d,
        id: (
          await sendSmtp(smtpPorts[i % smtpPorts.length], d.raw, {
            from: d.member.email,
            to: [SUPPORT],
          })
        ).id,
      })),
    );
    const ids = sent.map((s) => s.id);
    await waitForFinal(db, ids, 180_000);
    const rows = await inboundRows(db, ids);
    const rowOf = new Map(rows.map((row) => [row.id, row]));

    // per letter: exactly one copy processed, every other copy ignored as its duplicate
    for (const l of letters) {
      const copies = sent.filter((s) => s.letter === l).map((s) => rowOf.get(s.id));
      const processed = copies.filter((row) => row?.state === 'processed');
      expect(processed).toHaveLength(1);
      for (const copy of copies) {
        if (copy === processed[0]) continue;
        expect(copy).toMatchObject({
          state: 'ignored',
          reason: 'duplicate',
          duplicate_of: processed[0]?.id,
        });
      }
    }
    const processedIds = rows.filter((row) => row.state === 'processed').map((row) => row.id);
    expect(processedIds).toHaveLength(letters.length);

    // one final audit event per accepted message, one request (and its event) per decided one
    const finals = await db.query<{ subject_id: string; n: number }[]>(
      `SELECT subject_id, count(*)::int AS n FROM audit_events
        WHERE subject_id = ANY($1) AND action LIKE 'inbound_message.%' GROUP BY subject_id`,
      [ids],
    );
    expect(finals).toHaveLength(ids.length);
    expect(finals.every((event) => event.n === 1)).toBe(true);
    const requests = await db.query<
      { id: string; inbound_message_id: string; user_id: string; status: string; reason: string }[]
    >(
      `SELECT id, inbound_message_id, user_id, status, reason FROM recovery_requests
        WHERE inbound_message_id = ANY($1)`,
      [ids],
    );
    expect(requests.map((r) => r.inbound_message_id).sort()).toEqual([...processedIds].sort());
    const requestEvents = await db.query<{ subject_id: string; n: number }[]>(
      `SELECT subject_id, count(*)::int AS n FROM audit_events
        WHERE subject_id = ANY($1) AND action IN ('recovery.awaiting_approval', 'recovery.rejected')
        GROUP BY subject_id`,
      [requests.map((r) => r.id)],
    );
    expect(requestEvents).toHaveLength(requests.length);
    expect(requestEvents.every((event) => event.n === 1)).toBe(true);

    // per member: one open request, whichever of their letters won; the other one rejected
    for (const { member } of members) {
      const own = requests.filter((r) => r.user_id === member.id);
      const written = letters.filter((l) => l.member === member).length;
      expect(own).toHaveLength(written);
      expect(own.filter((r) => r.status === 'awaiting_approval')).toHaveLength(1);
      for (const other of own.filter((r) => r.status !== 'awaiting_approval')) {
        expect(other).toMatchObject({ status: 'rejected', reason: 'duplicate_request' });
      }
    }

    // one reply per decided letter, in its thread; none for the ignored copies
    await eventually(
      async () => {
        const [{ n }] = await db.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM outbound_mails
            WHERE to_address = ANY($1) AND status <> 'sent'`,
          [members.map((m) => m.member.email)],
        );
        return n === 0 && sink.messages.length >= letters.length;
      },
      'every reply sent',
      120_000,
    );
    expect(sink.messages).toHaveLength(letters.length);
    const repliedTo = sink.messages.map((mail) => mail.parsed.inReplyTo).sort();
    expect(repliedTo).toEqual(letters.map((l) => l.messageId).sort());
    for (const l of letters) {
      const replies = sink.messages.filter((mail) => mail.parsed.inReplyTo === l.messageId);
      expect(replies.map((mail) => mail.recipients)).toEqual([[l.member.email.toLowerCase()]]);
    }
  }, 420_000);
});
