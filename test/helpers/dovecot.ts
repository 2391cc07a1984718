/**
 * A Dovecot IMAP server of a test's own (Debian dovecot-imapd, /usr/sbin/dovecot): its own config
 * directory, passwd-file and Maildir under a temporary directory, listening on a free loopback
 * port, started and stopped by the test — never the system service. Plain IMAP on loopback
 * (ssl = no), which is what IMAP_URL=imap://… allows towards this machine only; or IMAPS with a
 * self-signed certificate, which the app trusts only through IMAP_TLS_CA_FILE.
 *
 * Run as root, Dovecot's login processes need an unprivileged user (dovenull) and the mail
 * processes a uid other than 0 (nobody); run as anyone else, everything runs as that user.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from './own-services';

const DOVECOT = '/usr/sbin/dovecot';

function idOf(flag: '-u' | '-g', name: string): number {
  return Number(execFileSync('id', [flag, name]).toString().trim());
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class OwnDovecot {
  readonly user = 'support';
  /** a password that needs percent-encoding in a URL */
  readonly password = 'p@ss:w/rd%';
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly tls: boolean,
    private readonly capabilities: string | undefined,
  ) {}

  /**
   * `tls`: IMAPS only (implicit TLS, ssl = required) with a self-signed certificate for
   * 127.0.0.1 made here by openssl; `caFile` is that certificate, for IMAP_TLS_CA_FILE.
   * `capabilities`: what the server announces after login instead of its own list (Dovecot's
   * imap_capability), to play a server without IDLE or MOVE.
   */
  static async start(options: { tls?: boolean; capabilities?: string } = {}): Promise<OwnDovecot> {
    const dir = mkdtempSync(path.join(tmpdir(), 'rd-dovecot-'));
    chmodSync(dir, 0o755);
    const dovecot = new OwnDovecot(
      await freePort(),
      dir,
      options.tls ?? false,
      options.capabilities,
    );
    dovecot.configure();
    await dovecot.start();
    return dovecot;
  }

  get caFile(): string {
    return path.join(this.dir, 'cert.pem');
  }

  /** IMAP_URL for the app: the password percent-encoded, as an operator would write it. */
  url(mailbox = 'INBOX'): string {
    const scheme = this.tls ? 'imaps' : 'imap';
    return `${scheme}://${this.user}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${mailbox}`;
  }

  private makeCertificate(): void {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=Recovery Desk test IMAP',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(this.dir, 'key.pem'),
        '-out',
        this.caFile,
      ],
      { stdio: 'ignore', timeout: 30000 },
    );
  }

  get maildir(): string {
    return path.join(this.dir, 'mail', this.user, 'Maildir');
  }

  private configure(): void {
    const root = process.getuid?.() === 0;
    const me = userInfo().username;
    const group = execFileSync('id', ['-gn']).toString().trim();
    const mailUid = root ? idOf('-u', 'nobody') : (process.getuid?.() ?? 0);
    const mailGid = root ? idOf('-g', 'nobody') : (process.getgid?.() ?? 0);
    const mail = path.join(this.dir, 'mail');
    for (const sub of ['run', 'state']) mkdirSync(path.join(this.dir, sub));
    mkdirSync(mail);
    if (root) chownSync(mail, mailUid, mailGid);
    const home = path.join(mail, this.user);
    if (this.tls) this.makeCertificate();
    // passwd-file fields are separated by ':': the password is given to Dovecot base64-encoded
    const password = Buffer.from(this.password).toString('base64');
    writeFileSync(
      path.join(this.dir, 'passwd'),
      `${this.user}:{PLAIN.b64}${password}:${mailUid}:${mailGid}::${home}\n`,
    );
    writeFileSync(
      path.join(this.dir, 'dovecot.conf'),
      [
        `base_dir = ${path.join(this.dir, 'run')}`,
        `state_dir = ${path.join(this.dir, 'state')}`,
        `instance_name = rd-test-${this.port}`,
        'protocols = imap',
        'listen = 127.0.0.1',
        ...(this.tls
          ? [
              'ssl = required',
              `ssl_cert = <${this.caFile}`,
              `ssl_key = <${path.join(this.dir, 'key.pem')}`,
            ]
          : ['ssl = no']),
        'disable_plaintext_auth = no',
        'auth_mechanisms = plain login',
        `default_internal_user = ${root ? 'dovecot' : me}`,
        `default_internal_group = ${root ? 'dovecot' : group}`,
        `default_login_user = ${root ? 'dovenull' : me}`,
        'first_valid_uid = 1',
        `log_path = ${path.join(this.dir, 'dovecot.log')}`,
        'mail_location = maildir:~/Maildir',
        ...(this.capabilities === undefined ? [] : [`imap_capability = ${this.capabilities}`]),
        'passdb {',
        '  driver = passwd-file',
        `  args = ${path.join(this.dir, 'passwd')}`,
        '}',
        'userdb {',
        '  driver = passwd-file',
        `  args = ${path.join(this.dir, 'passwd')}`,
        '}',
        'service imap-login {',
        '  chroot =',
        '  inet_listener imap {',
        '    address = 127.0.0.1',
        `    port = ${this.tls ? 0 : this.port}`,
        '  }',
        '  inet_listener imaps {',
        '    address = 127.0.0.1',
        `    port = ${this.tls ? this.port : 0}`,
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  }

  /** (Re)starts the server on the same port with the same mail. */
  async start(): Promise<void> {
    const child = spawn(DOVECOT, ['-F', '-c', path.join(this.dir, 'dovecot.conf')], {
      stdio: 'ignore',
    });
    this.child = child;
    const deadline = Date.now() + 30000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`dovecot exited (${this.dir}/dovecot.log)`);
      if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Stops the server (its master process ends every session) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    this.child = undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const deadline = Date.now() + 10000;
    while (await accepts(this.port)) {
      if (Date.now() > deadline) throw new Error('dovecot still listening after stop');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A logged-in client of the test's own (the test's "mail client"). */
  async client(): Promise<ImapFlow> {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: this.port,
      secure: this.tls,
      tls: this.tls ? { ca: [readFileSync(this.caFile, 'utf8')] } : undefined,
      auth: { user: this.user, pass: this.password },
      logger: false,
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  /** APPENDs a message, as a provider delivering to the mailbox would; returns its UID. */
  async append(raw: string | Buffer, mailbox = 'INBOX'): Promise<number> {
    const client = await this.client();
    try {
      const appended = await client.append(mailbox, raw);
      if (appended === false || appended.uid === undefined) throw new Error('APPEND failed');
      return appended.uid;
    } finally {
      await client.logout();
    }
  }

  /** APPENDs several messages over one connection, in order (creating the mailbox). */
  async appendAll(raws: (string | Buffer)[], mailbox = 'INBOX'): Promise<void> {
    const client = await this.client();
    try {
      if (!(await client.list()).some((box) => box.path === mailbox)) {
        await client.mailboxCreate(mailbox);
      }
      for (const raw of raws) {
        if ((await client.append(mailbox, raw)) === false) throw new Error('APPEND failed');
      }
    } finally {
      await client.logout();
    }
  }

  /** UIDs, sizes and flags of what a mailbox holds now (undefined: no such mailbox). */
  async contents(
    mailbox: string,
  ): Promise<{ uid: number; size: number; flags: string[]; messageId: string }[] | undefined> {
    const client = await this.client();
    try {
      const boxes = await client.list();
      if (!boxes.some((box) => box.path === mailbox)) return undefined;
      const lock = await client.getMailboxLock(mailbox);
      try {
        const result = [];
        if ((client.mailbox !== false ? client.mailbox.exists : 0) > 0) {
          for await (const message of client.fetch(
            '1:*',
            { uid: true, size: true, flags: true, envelope: true },
            { uid: true },
          )) {
            result.push({
              uid: message.uid,
              size: message.size ?? 0,
              flags: [...(message.flags ?? [])],
              messageId: message.envelope?.messageId ?? '',
            });
          }
        }
        return result;
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  }
}
