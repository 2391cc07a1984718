/**
 * A real receiving MTA for end-to-end tests: Debian's Postfix with the OpenDKIM and OpenDMARC
 * milters, each started by the test with a configuration of its own in a temporary directory,
 * on free loopback ports (never the system's services). Postfix relays mail for the support
 * domain to the app's SMTP ingress, so the app sees exactly what it would see behind an
 * operator's MTA. The configuration written here is the one docs/operations.md ("Behind your own
 * MTA") explains.
 *
 * DNS: OpenDKIM resolves through libunbound, told by an unbound configuration file to forward
 * every question to the test's DNS server. OpenDMARC (and the libspf2 it links) only read
 * /etc/resolv.conf, which cannot name a port: it runs in a mount namespace of its own where a
 * resolv.conf of ours is bind-mounted over /etc/resolv.conf, pointing at the test's DNS server on
 * port 53 of a loopback address of its own (127.53.x.y). Postfix itself needs no DNS: it relays
 * to a fixed address and does not look up its clients.
 *
 * Needs root (Postfix's master and the mount namespace do), as the Debian packages do.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import nodemailer from 'nodemailer';
import { join } from 'node:path';

export interface MtaOptions {
  /** the authserv-id OpenDKIM and OpenDMARC write (AUTHSERV_ID of the app) */
  authservId: string;
  /** OpenDKIM's and OpenDMARC's AuthservIDWithJobID: `authserv-id/queue-id` */
  withJobId?: boolean;
  /** the mail domain Postfix relays, and where to */
  relayDomain: string;
  relayPort: number;
  /** the DNS server every look-up goes to (port 53 for OpenDMARC's sake) */
  dnsHost: string;
}

/** A loopback address for a DNS server on port 53, unlikely to be taken (127.53.x.y). */
export function loopbackDnsHost(): string {
  return `127.53.${randomInt(1, 255)}.${randomInt(1, 255)}`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function waitForPort(port: number, what: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 20000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port}:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class TestMta {
  /** Postfix's SMTP port on 127.0.0.1 */
  port = 0;
  private readonly dir: string;
  private readonly processes: { name: string; child: ChildProcess; output: string[] }[] = [];
  private postfixStarted = false;

  private constructor(private readonly options: MtaOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'rd-mta-'));
    // Postfix's and the milters' own users must reach their files
    chmodSync(this.dir, 0o755);
  }

  static async start(options: MtaOptions): Promise<TestMta> {
    const mta = new TestMta(options);
    // should the test process end without stop() (a crash, a kill), take the servers along
    process.once('exit', mta.onExit);
    try {
      await mta.startAll();
      return mta;
    } catch (error) {
      await mta.stop();
      throw error;
    }
  }

  /** Postfix's log, and what the milters printed: for failure messages. */
  log(): string {
    let maillog: string;
    try {
      maillog = readFileSync(join(this.dir, 'maillog'), 'utf8');
    } catch {
      maillog = '(no maillog)';
    }
    const outputs = this.processes.map((p) => `--- ${p.name}\n${p.output.join('')}`);
    return [`--- postfix maillog\n${maillog}`, ...outputs].join('\n');
  }

  /** Submits a raw message over SMTP; resolves with Postfix's reply (`250 2.0.0 Ok: queued as …`). */
  async send(raw: string, envelope: { from: string; to: string[] }): Promise<string> {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: this.port,
      secure: false,
      ignoreTLS: true,
      name: 'client.example.test',
    });
    try {
      const info = await transport.sendMail({ envelope, raw });
      return info.response;
    } finally {
      transport.close();
    }
  }

  private readonly onExit = () => {
    if (this.postfixStarted) {
      spawnSync('postfix', ['-c', join(this.dir, 'postfix'), 'stop'], { stdio: 'ignore' });
    }
    for (const { child } of this.processes) child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  };

  async stop(): Promise<void> {
    process.removeListener('exit', this.onExit);
    if (this.postfixStarted) {
      spawnSync('postfix', ['-c', join(this.dir, 'postfix'), 'stop'], { stdio: 'ignore' });
    }
    await Promise.all(
      this.processes.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => {
              child.kill('SIGKILL');
              resolve();
            }, 5000).unref();
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private write(name: string, lines: string[]): string {
    const path = join(this.dir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  }

  private run(name: string, command: string, args: string[]): void {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('exit', (code, signal) => output.push(`(exited: ${code ?? signal})\n`));
    this.processes.push({ name, child, output });
  }

  private async startAll(): Promise<void> {
    const { authservId, dnsHost } = this.options;
    const jobId = this.options.withJobId ? 'yes' : 'no';
    const [dkimPort, dmarcPort, smtpPort] = [await freePort(), await freePort(), await freePort()];

    // OpenDKIM: verify only; libunbound forwards every question to the test's DNS server
    const unbound = this.write('unbound.conf', [
      'server:',
      '  do-not-query-localhost: no',
      '  module-config: "iterator"',
      // unbound answers the special-use .test names itself (NXDOMAIN) unless told not to
      '  local-zone: "test." nodefault',
      'forward-zone:',
      '  name: "."',
      `  forward-addr: ${dnsHost}@53`,
    ]);
    const opendkim = this.write('opendkim.conf', [
      'Mode v',
      `Socket inet:${dkimPort}@127.0.0.1`,
      `PidFile ${join(this.dir, 'opendkim.pid')}`,
      'Background no',
      'Syslog no',
      `AuthservID ${authservId}`,
      `AuthservIDWithJobID ${jobId}`,
      'AlwaysAddARHeader yes',
      `ResolverConfiguration ${unbound}`,
      'UserID opendkim',
    ]);
    this.run('opendkim', 'opendkim', ['-f', '-x', opendkim]);

    // OpenDMARC: reads OpenDKIM's result, adds dmarc=…; its resolver reads /etc/resolv.conf only
    const resolvConf = this.write('resolv.conf', [`nameserver ${dnsHost}`, 'options timeout:2']);
    const ignoreHosts = this.write('ignore-hosts', ['192.0.2.1']);
    const opendmarc = this.write('opendmarc.conf', [
      `Socket inet:${dmarcPort}@127.0.0.1`,
      `PidFile ${join(this.dir, 'opendmarc.pid')}`,
      'Background false',
      'Syslog false',
      `AuthservID ${authservId}`,
      `AuthservIDWithJobID ${jobId === 'yes' ? 'true' : 'false'}`,
      `TrustedAuthservIDs ${authservId}`,
      // the default (127.0.0.1) would skip every message the test sends
      `IgnoreHosts ${ignoreHosts}`,
      'RejectFailures false',
      'FailureReports false',
      'RequiredHeaders false',
      'SPFSelfValidate false',
      'UserID opendmarc',
    ]);
    this.run('opendmarc', 'unshare', [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      'mount --bind "$1" /etc/resolv.conf && exec opendmarc -f -c "$2"',
      'sh',
      resolvConf,
      opendmarc,
    ]);
    await waitForPort(dkimPort, 'opendkim', () => this.log());
    await waitForPort(dmarcPort, 'opendmarc', () => this.log());

    // Postfix: accepts mail for the relay domain from loopback, passes it through both milters,
    // relays it to the app's SMTP ingress
    const config = join(this.dir, 'postfix');
    const queue = join(this.dir, 'queue');
    const data = join(this.dir, 'data');
    for (const path of [config, queue, data]) mkdirSync(path);
    const postfixUser = spawnSync('id', ['-u', 'postfix'], { encoding: 'utf8' });
    chownSync(data, Number(postfixUser.stdout.trim()), 0);
    writeFileSync(
      join(config, 'main.cf'),
      `${[
        'compatibility_level = 3.6',
        `queue_directory = ${queue}`,
        `data_directory = ${data}`,
        `maillog_file = ${join(this.dir, 'maillog')}`,
        `maillog_file_prefixes = ${this.dir}`,
        `myhostname = ${authservId}`,
        'inet_interfaces = 127.0.0.1',
        'inet_protocols = ipv4',
        'mydestination =',
        'alias_maps =',
        'alias_database =',
        'mynetworks = 127.0.0.0/8',
        `relay_domains = ${this.options.relayDomain}`,
        `transport_maps = inline:{${this.options.relayDomain}=smtp:[127.0.0.1]:${this.options.relayPort}}`,
        'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
        'smtp_dns_support_level = disabled',
        'smtpd_peername_lookup = no',
        `smtpd_milters = inet:127.0.0.1:${dkimPort}, inet:127.0.0.1:${dmarcPort}`,
        'non_smtpd_milters =',
        'milter_default_action = tempfail',
        'milter_protocol = 6',
      ].join('\n')}\n`,
    );
    const services = [
      `127.0.0.1:${smtpPort} inet n - n - - smtpd`,
      'pickup unix n - n 60 1 pickup',
      'cleanup unix n - n - 0 cleanup',
      'qmgr unix n - n 300 1 qmgr',
      'rewrite unix - - n - - trivial-rewrite',
      'bounce unix - - n - 0 bounce',
      'defer unix - - n - 0 bounce',
      'trace unix - - n - 0 bounce',
      'verify unix - - n - 1 verify',
      'flush unix n - n 1000? 0 flush',
      'proxymap unix - - n - - proxymap',
      'smtp unix - - n - - smtp',
      'relay unix - - n - - smtp',
      'showq unix n - n - - showq',
      'error unix - - n - - error',
      'retry unix - - n - - error',
      'discard unix - - n - - discard',
      'anvil unix - - n - 1 anvil',
      'scache unix - - n - 1 scache',
      'postlog unix-dgram n - n - 1 postlogd',
    ];
    writeFileSync(join(config, 'master.cf'), `${services.join('\n')}\n`);
    this.run('postfix', 'postfix', ['-c', config, 'start-fg']);
    this.postfixStarted = true;
    await waitForPort(smtpPort, 'postfix', () => this.log());
    this.port = smtpPort;
  }
}
