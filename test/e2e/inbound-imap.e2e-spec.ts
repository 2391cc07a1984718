/**
 * IMAP ingress against a real Dovecot (test/helpers/dovecot.ts): the mailbox is filled by IMAP
 * APPEND, as a provider delivering mail would, and inspected with a client of the test's own.
 */
import { chmodSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import {
  IMAP_BATCH,
  ImapIngressService,
} from '../../src/recovery/inbound-email/imap-ingress.service';
import { OwnDovecot } from '../helpers/dovecot';
import { buildMessage, dkimSigned, uniqueMessageId } from '../helpers/inbound-mail';
import {
  Clinic,
  makeClinic,
  makeMember,
  Member,
  RecoveryWorld,
  startRecoveryWorld,
} from '../helpers/recovery';
import { eventually } from '../helpers/smtp-sink';
import { spawnApp, SpawnedApp, waitForOutput } from '../helpers/spawn-app';
import { startTestApp, testEnv, TestApp } from '../helpers/test-app';

interface ImapRow {
  id: string;
  state: string;
  reason: string | null;
  decision: string | null;
  source: string;
  imap_uid: string | null;
  authentication: { result: string; method: string } | null;
  request_status: string | null;
}

/** Every inbound row carrying this Message-ID, with its request's status. */
async function rowsFor(db: DataSource, messageId: string): Promise<ImapRow[]> {
  return db.query(
    `SELECT m.id, m.state, m.reason, m.decision, m.source, m.imap_uid::text AS imap_uid,
            m.authentication, r.status AS request_status
       FROM inbound_messages m LEFT JOIN recovery_requests r ON r.inbound_message_id = m.id
      WHERE m.message_id_header = $1 ORDER BY m.received_at`,
    [messageId],
  );
}

/** Waits until a message with this Message-ID has been decided, and returns its rows. */
async function decided(db: DataSource, messageId: string, timeoutMs = 45_000) {
  return eventually(
    async () => {
      const rows = await rowsFor(db, messageId);
      return rows.length > 0 && rows.every((row) => row.state !== 'stored') ? rows : undefined;
    },
    `a decision on ${messageId}`,
    timeoutMs,
  );
}

async function messageIdsIn(dovecot: OwnDovecot, mailbox: string): Promise<string[]> {
  return ((await dovecot.contents(mailbox)) ?? []).map((message) => message.messageId);
}

/** A DKIM-signed recovery mail from a member (what a provider would put in the mailbox). */
async function recoveryMail(clinic: Clinic, member: Member, messageId: string): Promise<string> {
  const raw = buildMessage({
    from: member.email,
    messageId,
    body: `Hello, I lost my phone. My card ends with ${clinic.last4}.`,
  });
  return dkimSigned(raw, clinic.domain, clinic.key);
}

describe('inbound mail by IMAP (Dovecot)', () => {
  let dovecot: OwnDovecot;
  beforeAll(async () => {
    dovecot = await OwnDovecot.start();
  }, 60_000);
  afterAll(async () => {
    await dovecot?.destroy();
  });

  describe('one poller', () => {
    let world: RecoveryWorld;
    let clinic: Clinic;
    let member: Member;

    beforeAll(async () => {
      world = await startRecoveryWorld({
        ROLES: 'api,worker,imap',
        IMAP_URL: dovecot.url(),
        IMAP_POLL_SECONDS: '1',
      });
      clinic = await makeClinic(world);
      member = await makeMember(world, clinic);
    }, 60_000);
    afterAll(async () => {
      await world?.close();
    });

    it('turns a recovery mail in INBOX into an awaiting request, then moves it to Processed', async () => {
      const messageId = uniqueMessageId(clinic.domain);
      await dovecot.append(await recoveryMail(clinic, member, messageId));

      const [row] = await decided(world.t.dataSource, messageId);
      expect(row).toMatchObject({
        source: 'imap',
        state: 'processed',
        decision: 'awaiting_approval',
        request_status: 'awaiting_approval',
      });
      // no SMTP client: the aligned DKIM signature is what authenticated the sender
      expect(row.authentication).toMatchObject({ result: 'pass' });
      await eventually(
        async () => (await messageIdsIn(dovecot, 'Processed')).includes(messageId),
        'the message in Processed',
      );
      expect(await messageIdsIn(dovecot, 'INBOX')).not.toContain(messageId);
      // the same reply as for SMTP mail
      await eventually(() => world.sink.to(member.email).length > 0, 'the reply to the member');
    }, 60_000);

    it('gives a message dragged back into INBOX no second outcome', async () => {
      const messageId = uniqueMessageId(clinic.domain);
      await dovecot.append(await recoveryMail(clinic, member, messageId));
      await decided(world.t.dataSource, messageId);
      await eventually(
        async () => (await messageIdsIn(dovecot, 'Processed')).includes(messageId),
        'the message in Processed',
      );
      // someone drags it back: same bytes, new UID
      const client = await dovecot.client();
      try {
        const lock = await client.getMailboxLock('Processed');
        try {
          const uids =
            (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
          expect(uids).toHaveLength(1);
          await client.messageMove(String(uids[0]), 'INBOX', { uid: true });
        } finally {
          lock.release();
        }
      } finally {
        await client.logout();
      }
      await eventually(
        async () => !(await messageIdsIn(dovecot, 'INBOX')).includes(messageId),
        'the message taken from INBOX again',
      );
      expect(await messageIdsIn(dovecot, 'Processed')).toContain(messageId);
      expect(await rowsFor(world.t.dataSource, messageId)).toHaveLength(1);
    }, 60_000);

    it('refuses a 12 MiB message without fetching it, flags it and leaves it in INBOX', async () => {
      const messageId = uniqueMessageId(clinic.domain);
      const big = buildMessage({
        from: member.email,
        messageId,
        body: `${'x'.repeat(76)}\r\n`.repeat(Math.ceil((12 * 1024 * 1024) / 78)),
      });
      expect(big.length).toBeGreaterThan(12 * 1024 * 1024);
      await dovecot.append(big);

      const [row] = await decided(world.t.dataSource, messageId);
      expect(row).toMatchObject({ source: 'imap', state: 'failed', reason: 'message_too_large' });
      const [{ raw_null }] = await world.t.dataSource.query(
        `SELECT raw IS NULL AS raw_null FROM inbound_messages WHERE id = $1`,
        [row.id],
      );
      expect(raw_null).toBe(true);
      const inbox = await eventually(async () => {
        const contents = (await dovecot.contents('INBOX')) ?? [];
        const found = contents.find((message) => message.messageId === messageId);
        return found?.flags.includes('\\Flagged') ? found : undefined;
      }, 'the refused message flagged in INBOX');
      expect(inbox.size).toBeGreaterThan(12 * 1024 * 1024);

      // later polls (proved by a later mail being taken) neither refuse it again nor move it
      const later = uniqueMessageId(clinic.domain);
      await dovecot.append(await recoveryMail(clinic, member, later));
      await decided(world.t.dataSource, later);
      expect(await rowsFor(world.t.dataSource, messageId)).toHaveLength(1);
      expect(await messageIdsIn(dovecot, 'INBOX')).toContain(messageId);
    }, 90_000);

    it('reports imap: down (503) while Dovecot is stopped, and decides the next mail once it is back', async () => {
      const up = await world.t.http.get('/health').expect(200);
      expect(up.body.details.imap).toEqual({ status: 'up' });

      await dovecot.stop();
      const down = await eventually(async () => {
        const response = await world.t.http.get('/health');
        return response.status === 503 ? response : undefined;
      }, '/health 503');
      expect(down.body.details.imap.status).toBe('down');
      // the message, like the password, is not in the answer
      expect(JSON.stringify(down.body)).not.toContain(dovecot.password);

      await dovecot.start();
      const messageId = uniqueMessageId(clinic.domain);
      await dovecot.append(await recoveryMail(clinic, member, messageId));
      const [row] = await decided(world.t.dataSource, messageId, 60_000);
      expect(row).toMatchObject({ state: 'processed', source: 'imap' });
      await eventually(
        async () => (await world.t.http.get('/health')).status === 200,
        '/health 200',
      );
    }, 120_000);
  });

  describe('IDLE', () => {
    let world: RecoveryWorld;
    beforeAll(async () => {
      // a poll only every hour: within this test, only IDLE can notice new mail
      world = await startRecoveryWorld({
        ROLES: 'api,worker,imap',
        IMAP_URL: dovecot.url(),
        IMAP_POLL_SECONDS: '3600',
      });
    }, 60_000);
    afterAll(async () => {
      await world?.close();
    });

    it('takes new mail as soon as the server announces it', async () => {
      const clinic = await makeClinic(world);
      const member = await makeMember(world, clinic);
      const first = uniqueMessageId(clinic.domain);
      await dovecot.append(await recoveryMail(clinic, member, first));
      await decided(world.t.dataSource, first);
      // the first poll's list is long done: this one arrives while the poller waits
      const second = uniqueMessageId(clinic.domain);
      await dovecot.append(await recoveryMail(clinic, member, second));
      const [row] = await decided(world.t.dataSource, second);
      expect(row.state).toBe('processed');
    }, 90_000);
  });

  describe('a server without IDLE and MOVE', () => {
    let plain: OwnDovecot;
    let world: RecoveryWorld;
    beforeAll(async () => {
      plain = await OwnDovecot.start({
        capabilities: 'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS NAMESPACE',
      });
      world = await startRecoveryWorld({
        ROLES: 'api,worker,imap',
        IMAP_URL: plain.url(),
        IMAP_POLL_SECONDS: '1',
      });
    }, 60_000);
    afterAll(async () => {
      await world?.close();
      await plain?.destroy();
    });

    it('polls, and moves by COPY, \\Deleted and EXPUNGE', async () => {
      const client = await plain.client();
      expect(client.capabilities.has('IDLE')).toBe(false);
      expect(client.capabilities.has('MOVE')).toBe(false);
      await client.logout();
      const clinic = await makeClinic(world);
      const member = await makeMember(world, clinic);
      const messageId = uniqueMessageId(clinic.domain);
      await plain.append(await recoveryMail(clinic, member, messageId));
      const [row] = await decided(world.t.dataSource, messageId);
      expect(row).toMatchObject({ state: 'processed', request_status: 'awaiting_approval' });
      await eventually(
        async () => (await messageIdsIn(plain, 'Processed')).includes(messageId),
        'the message copied to Processed',
      );
      // expunged from INBOX, not merely flagged \Deleted there
      await eventually(async () => (await plain.contents('INBOX'))?.length === 0, 'INBOX empty');
      expect(await rowsFor(world.t.dataSource, messageId)).toHaveLength(1);
    }, 90_000);
  });

  describe('two imap processes', () => {
    let world: RecoveryWorld;
    let second: TestApp;
    let clinic: Clinic;
    let member: Member;

    beforeAll(async () => {
      const imap = { IMAP_URL: dovecot.url(), IMAP_POLL_SECONDS: '1' };
      world = await startRecoveryWorld({ ROLES: 'api,worker,imap', ...imap });
      second = await startTestApp({
        ROLES: 'api,imap',
        DNS_SERVERS: world.dns.address,
        REDIS_PREFIX: world.t.redisPrefix,
        ...imap,
      });
      clinic = await makeClinic(world);
    }, 60_000);
    afterAll(async () => {
      await second?.close();
      await world?.close();
    });

    it('decides each message once, with one process polling and the other standing by', async () => {
      const members = await Promise.all(Array.from({ length: 6 }, () => makeMember(world, clinic)));
      const ids = members.map(() => uniqueMessageId(clinic.domain));
      for (const [i, one] of members.entries()) {
        await dovecot.append(await recoveryMail(clinic, one, ids[i]));
      }
      for (const id of ids) {
        const rows = await decided(world.t.dataSource, id);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ state: 'processed', request_status: 'awaiting_approval' });
      }
      const states = [world.t, second].map((t) => t.app.get(ImapIngressService).current?.state);
      expect(states.sort()).toEqual(['standby', 'up']);
      // the one standing by is healthy, and says so
      const waiting = [world.t, second].find(
        (t) => t.app.get(ImapIngressService).current?.state === 'standby',
      ) as TestApp;
      const health = await waiting.http.get('/health').expect(200);
      expect(health.body.details.imap).toEqual({ status: 'up', poller: 'standby' });
    }, 90_000);

    it('lets the other process take over when the poller stops', async () => {
      const active = world.t.app.get(ImapIngressService).current?.state === 'up' ? world.t : second;
      const other = active === second ? world.t : second;
      // the active one stops polling (its lock connection ends); the standby takes over
      await active.app.get(ImapIngressService).beforeApplicationShutdown();
      member = await makeMember(world, clinic);
      const messageId = uniqueMessageId(clinic.domain);
      await dovecot.append(await recoveryMail(clinic, member, messageId));
      const [row] = await decided(world.t.dataSource, messageId, 60_000);
      expect(row.state).toBe('processed');
      expect(other.app.get(ImapIngressService).current?.state).toBe('up');
    }, 90_000);
  });

  describe('a crash between commit and move', () => {
    let world: RecoveryWorld;
    let app: SpawnedApp | undefined;

    beforeAll(async () => {
      // the decisions are made by a worker here; the imap role runs in a process of its own
      world = await startRecoveryWorld({ ROLES: 'api,worker' });
    }, 60_000);
    afterAll(async () => {
      if (app !== undefined && app.child.exitCode === null) {
        app.child.kill('SIGKILL');
        await app.exited;
      }
      await world?.close();
    });

    function spawnImap(): SpawnedApp {
      return spawnApp(
        testEnv({
          ROLES: 'imap',
          IMAP_URL: dovecot.url(),
          IMAP_POLL_SECONDS: '1',
          DNS_SERVERS: world.dns.address,
          REDIS_PREFIX: world.t.redisPrefix,
          LOG_LEVEL: 'warn',
        }),
      );
    }

    it('stores once: the restarted poller only finishes the move', async () => {
      const clinic = await makeClinic(world);
      const member = await makeMember(world, clinic);
      // Processed exists but refuses new messages: every move fails after the commit
      const client = await dovecot.client();
      await client.list();
      if (!(await client.list()).some((box) => box.path === 'Processed')) {
        await client.mailboxCreate('Processed');
      }
      await client.logout();
      const processedDir = path.join(dovecot.maildir, '.Processed');
      const blocked = ['cur', 'new', 'tmp'].map((sub) => path.join(processedDir, sub));
      for (const dir of blocked) chmodSync(dir, 0o555);
      try {
        const messageId = uniqueMessageId(clinic.domain);
        await dovecot.append(await recoveryMail(clinic, member, messageId));
        app = spawnImap();
        const [row] = await decided(world.t.dataSource, messageId);
        expect(row).toMatchObject({ state: 'processed', request_status: 'awaiting_approval' });
        await waitForOutput(app, /stored but not moved/);
        expect(await messageIdsIn(dovecot, 'INBOX')).toContain(messageId);

        // killed while the message is committed but still in INBOX
        app.child.kill('SIGKILL');
        await app.exited;
        for (const dir of blocked) chmodSync(dir, 0o700);

        app = spawnImap();
        await eventually(
          async () => (await messageIdsIn(dovecot, 'Processed')).includes(messageId),
          'the message moved by the restarted poller',
          60_000,
        );
        expect(await messageIdsIn(dovecot, 'INBOX')).not.toContain(messageId);
        const rows = await rowsFor(world.t.dataSource, messageId);
        expect(rows).toHaveLength(1);
        const [{ n }] = await world.t.dataSource.query(
          `SELECT count(*)::int AS n FROM recovery_requests WHERE user_id = $1`,
          [member.id],
        );
        expect(n).toBe(1);
      } finally {
        for (const dir of blocked) chmodSync(dir, 0o700);
      }
    }, 120_000);
  });

  describe('a full mailbox at first start', () => {
    let world: RecoveryWorld | undefined;
    afterAll(async () => {
      await world?.close();
    });

    it('takes every message, in batches, oldest first', async () => {
      const count = IMAP_BATCH * 2 + 7;
      const tag = uniqueMessageId('backlog.test').slice(1, 12);
      const ids = Array.from({ length: count }, (_, i) => `<${tag}.${i}@backlog.test>`);
      await dovecot.appendAll(
        ids.map((messageId, i) =>
          buildMessage({ from: `sender${i}@backlog.test`, messageId, body: `message ${i}` }),
        ),
        'Backlog',
      );
      world = await startRecoveryWorld({
        ROLES: 'api,worker,imap',
        IMAP_URL: dovecot.url('Backlog'),
        IMAP_POLL_SECONDS: '1',
      });
      const db = world.t.dataSource;
      await eventually(
        async () => (await dovecot.contents('Backlog'))?.length === 0,
        'Backlog emptied',
        120_000,
      );
      const rows: { message_id_header: string; imap_uid: string }[] = await db.query(
        `SELECT message_id_header, imap_uid::text AS imap_uid FROM inbound_messages
          WHERE imap_mailbox = 'Backlog' ORDER BY received_at, imap_uid`,
      );
      // stored in the order they were delivered (UID order), each once
      expect(rows.map((row) => row.message_id_header)).toEqual(ids);
      expect(rows.map((row) => Number(row.imap_uid))).toEqual(
        [...rows.map((row) => Number(row.imap_uid))].sort((a, b) => a - b),
      );
    }, 180_000);
  });

  describe('a mailbox whose UIDVALIDITY changed', () => {
    let world: RecoveryWorld | undefined;
    afterAll(async () => {
      await world?.close();
    });

    it('recognises a message it stored under the old UIDVALIDITY by its bytes', async () => {
      const env = {
        ROLES: 'api,worker,imap',
        IMAP_URL: dovecot.url('Support'),
        IMAP_POLL_SECONDS: '1',
      };
      const client = await dovecot.client();
      const boxes = (await client.list()).map((box) => box.path);
      for (const box of ['Support', 'Processed']) {
        if (!boxes.includes(box)) await client.mailboxCreate(box);
      }
      const before = await client.status('Support', { uidValidity: true });
      await client.logout();
      // moves fail: the message stays in Support after it was stored
      const blocked = ['cur', 'new', 'tmp'].map((sub) =>
        path.join(dovecot.maildir, '.Processed', sub),
      );
      for (const dir of blocked) chmodSync(dir, 0o555);
      let raw: string;
      let messageId: string;
      try {
        world = await startRecoveryWorld(env);
        const clinic = await makeClinic(world);
        const member = await makeMember(world, clinic);
        messageId = uniqueMessageId(clinic.domain);
        raw = await recoveryMail(clinic, member, messageId);
        await dovecot.append(raw, 'Support');
        await decided(world.t.dataSource, messageId);
        await world.close();
        world = undefined;
      } finally {
        for (const dir of blocked) chmodSync(dir, 0o700);
      }
      // the mailbox is deleted and made again (a restore, a server migration): new UIDVALIDITY,
      // the same message in it again
      const again = await dovecot.client();
      await again.mailboxDelete('Support');
      await again.mailboxCreate('Support');
      const after = await again.status('Support', { uidValidity: true });
      await again.logout();
      expect(after && after.uidValidity).not.toBe(before && before.uidValidity);
      await dovecot.append(raw, 'Support');

      world = await startRecoveryWorld(env);
      await eventually(
        async () => (await dovecot.contents('Support'))?.length === 0,
        'Support emptied by the poller',
      );
      expect(await messageIdsIn(dovecot, 'Processed')).toContain(messageId);
      expect(await rowsFor(world.t.dataSource, messageId)).toHaveLength(1);
    }, 120_000);
  });

  describe('TLS', () => {
    let tlsDovecot: OwnDovecot;
    let world: RecoveryWorld | undefined;
    beforeAll(async () => {
      tlsDovecot = await OwnDovecot.start({ tls: true });
    }, 60_000);
    afterAll(async () => {
      await world?.close();
      await tlsDovecot?.destroy();
    });

    it('refuses a certificate it cannot verify, and trusts it through IMAP_TLS_CA_FILE', async () => {
      const env = { ROLES: 'api,worker,imap', IMAP_URL: tlsDovecot.url(), IMAP_POLL_SECONDS: '1' };
      const untrusted = await startTestApp(env);
      try {
        // down, and for the certificate (not merely "not connected yet")
        const down = await eventually(async () => {
          const response = await untrusted.http.get('/health');
          const imap = response.body.details?.imap;
          return response.status === 503 && /certificate/i.test(imap?.message ?? '')
            ? response
            : undefined;
        }, 'imap: down on an unverifiable certificate');
        expect(down.body.details.imap.message).toMatch(/certificate/i);
      } finally {
        await untrusted.close();
      }

      world = await startRecoveryWorld({ ...env, IMAP_TLS_CA_FILE: tlsDovecot.caFile });
      const clinic = await makeClinic(world);
      const member = await makeMember(world, clinic);
      const messageId = uniqueMessageId(clinic.domain);
      await tlsDovecot.append(await recoveryMail(clinic, member, messageId));
      const [row] = await decided(world.t.dataSource, messageId);
      expect(row).toMatchObject({ state: 'processed', request_status: 'awaiting_approval' });
      await world.t.http.get('/health').expect(200);
    }, 120_000);
  });

  it('stops start-up on a bad IMAP_URL, naming it without echoing the password', async () => {
    const app = spawnApp(
      testEnv({ ROLES: 'imap', IMAP_URL: 'imap://support:Sekret-0123@127.0.0.1:notaport/INBOX' }),
    );
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/Configuration error: IMAP_URL: /);
    expect(app.output()).not.toContain('Sekret-0123');
  }, 60_000);
});
