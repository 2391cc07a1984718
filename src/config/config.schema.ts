import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import {
  ConfigError,
  EMAIL,
  emailList,
  type Env,
  integer,
  optional,
  text,
  url,
} from './config-parsers';
import { ImapSettings, parseImapUrl, processedMailbox } from './imap-url';

export { ConfigError };

export type Role = 'api' | 'smtp' | 'worker' | 'imap';
const ROLE_NAMES: readonly Role[] = ['api', 'smtp', 'worker', 'imap'];
export type SenderAuthMode = 'dmarc' | 'upstream' | 'none';
export type MailTransport = { kind: 'file'; dir: string } | { kind: 'smtp'; url: string };

export interface AppConfig {
  nodeEnv: string;
  roles: ReadonlySet<Role>;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  httpHost: string;
  httpPort: number;
  smtpHost: string;
  smtpPort: number;
  smtpTlsKeyFile: string | undefined;
  smtpTlsCertFile: string | undefined;
  supportAddresses: string[];
  maxMessageBytes: number;
  publicUrl: string;
  mailTransport: MailTransport;
  mailFrom: string;
  /** base64 of 32 bytes, or undefined when a development key must be created. */
  secretKey: string | undefined;
  /** earlier SECRET_KEY values (base64 of 32 bytes each): what they sealed still opens */
  secretKeysPrevious: string[];
  /** where security events are POSTed; undefined = no events are recorded or sent */
  eventsWebhookUrl: string | undefined;
  /** `whsec_` + base64 of at least 24 bytes; set exactly when eventsWebhookUrl is */
  eventsWebhookSecret: string | undefined;
  senderAuth: SenderAuthMode;
  authservId: string | undefined;
  dnsServers: string[];
  /** longest an SPF/DKIM/DMARC answer is reused; 0 = every message asks again */
  dnsCacheSeconds: number;
  /** Express `trust proxy`: hops or addresses whose X-Forwarded-For is believed; false = none */
  trustProxy: number | string[] | false;
  inboundToken: string | undefined;
  provisioningToken: string | undefined;
  /** bearer token of GET /metrics; undefined = open */
  metricsToken: string | undefined;
  /** port of the metrics-only listener (on HTTP_HOST); undefined = none */
  metricsPort: number | undefined;
  recoveryExpiryHours: number;
  recoveryDelayMinutes: number;
  /** days e-mail recovery is refused after the holder said "this wasn't me" */
  reportFreezeDays: number;
  rawRetentionDays: number;
  /** the support mailbox polled by the imap role; undefined: IMAP ingress off */
  imap: ImapSettings | undefined;
  imapProcessedMailbox: string;
  imapPollSeconds: number;
  /** extra trusted CA certificates (PEM) for the IMAP server's TLS certificate */
  imapTlsCaFile: string | undefined;
  logLevel: string;
  varDir: string;
}

/** ROLES; unset, every role — imap only when IMAP_URL names a mailbox. */
function roles(env: Env): Set<Role> {
  const raw = text(
    env,
    'ROLES',
    optional(env, 'IMAP_URL') ? 'api,smtp,worker,imap' : 'api,smtp,worker',
  );
  const result = new Set<Role>();
  for (const item of raw.split(',').map((r) => r.trim())) {
    const role = ROLE_NAMES.find((name) => name === item);
    if (role === undefined) {
      throw new ConfigError('ROLES', `unknown role "${item}" (expected ${ROLE_NAMES.join(', ')})`);
    }
    result.add(role);
  }
  return result;
}

function readableFile(env: Env, name: string): string | undefined {
  const file = optional(env, name);
  if (file === undefined) return undefined;
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new ConfigError(name, `cannot read "${file}"`);
  }
  return file;
}

/** IMAP_URL and its companions; the imap role needs a mailbox. */
function imapSettings(
  env: Env,
  processRoles: ReadonlySet<Role>,
): Pick<AppConfig, 'imap' | 'imapProcessedMailbox' | 'imapPollSeconds' | 'imapTlsCaFile'> {
  const raw = optional(env, 'IMAP_URL');
  const imap = raw === undefined ? undefined : parseImapUrl('IMAP_URL', raw);
  if (imap === undefined && processRoles.has('imap')) {
    throw new ConfigError('IMAP_URL', 'is required when ROLES includes imap');
  }
  return {
    imap,
    imapProcessedMailbox: processedMailbox(
      'IMAP_PROCESSED_MAILBOX',
      text(env, 'IMAP_PROCESSED_MAILBOX', 'Processed'),
      imap?.mailbox ?? 'INBOX',
    ),
    imapPollSeconds: integer(env, 'IMAP_POLL_SECONDS', 60, 1, 3600),
    imapTlsCaFile: readableFile(env, 'IMAP_TLS_CA_FILE'),
  };
}

function mailTransport(env: Env): MailTransport {
  const raw = text(env, 'MAIL_TRANSPORT', 'file:var/outbox');
  if (raw.startsWith('file:')) {
    const dir = raw.slice('file:'.length);
    if (dir === '') throw new ConfigError('MAIL_TRANSPORT', 'file: needs a directory');
    return { kind: 'file', dir };
  }
  if (raw.startsWith('smtp://') || raw.startsWith('smtps://')) {
    url(env, 'MAIL_TRANSPORT', raw, ['smtp:', 'smtps:']);
    return { kind: 'smtp', url: raw };
  }
  throw new ConfigError(
    'MAIL_TRANSPORT',
    'must be smtp://host:port, smtps://host:port or file:DIR',
  );
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function secretKey(env: Env, nodeEnv: string): string | undefined {
  const raw = optional(env, 'SECRET_KEY');
  if (raw === undefined) {
    if (nodeEnv === 'production') {
      throw new ConfigError('SECRET_KEY', 'is required when NODE_ENV=production');
    }
    return undefined;
  }
  if (!BASE64.test(raw) || Buffer.from(raw, 'base64').length !== 32) {
    throw new ConfigError('SECRET_KEY', 'must be 32 bytes encoded as base64');
  }
  return raw;
}

/** SECRET_KEYS_PREVIOUS: a comma list of earlier SECRET_KEY values, each 32 bytes in base64. */
function secretKeysPrevious(env: Env): string[] {
  const raw = optional(env, 'SECRET_KEYS_PREVIOUS');
  if (raw === undefined) return [];
  return raw.split(',').map((item, index) => {
    const key = item.trim();
    if (!BASE64.test(key) || Buffer.from(key, 'base64').length !== 32) {
      // the position, never the value: these are keys
      throw new ConfigError(
        'SECRET_KEYS_PREVIOUS',
        `entry ${index + 1} is not 32 bytes encoded as base64`,
      );
    }
    return key;
  });
}

/** Shortest signing secret accepted (the Standard Webhooks secrets are 24 to 64 bytes). */
export const MIN_WEBHOOK_SECRET_BYTES = 24;

/**
 * EVENTS_WEBHOOK_URL and EVENTS_WEBHOOK_SECRET go together. Outside loopback the URL must be
 * https in production: the events name users and organizations, and the signature proves who
 * sent them but hides nothing from a network eavesdropper.
 */
function eventsWebhook(
  env: Env,
  nodeEnv: string,
): { eventsWebhookUrl: string | undefined; eventsWebhookSecret: string | undefined } {
  const rawUrl = optional(env, 'EVENTS_WEBHOOK_URL');
  const secret = optional(env, 'EVENTS_WEBHOOK_SECRET');
  if (rawUrl === undefined) {
    if (secret !== undefined) {
      throw new ConfigError('EVENTS_WEBHOOK_SECRET', 'is set but EVENTS_WEBHOOK_URL is not');
    }
    return { eventsWebhookUrl: undefined, eventsWebhookSecret: undefined };
  }
  const eventsWebhookUrl = url(env, 'EVENTS_WEBHOOK_URL', rawUrl, ['http:', 'https:']);
  const { protocol, hostname, username, password } = new URL(eventsWebhookUrl);
  if (username !== '' || password !== '') {
    throw new ConfigError('EVENTS_WEBHOOK_URL', 'must not carry a user or password');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
  if (nodeEnv === 'production' && protocol !== 'https:' && !loopback) {
    throw new ConfigError('EVENTS_WEBHOOK_URL', 'must be https:// when NODE_ENV=production');
  }
  if (secret === undefined) {
    throw new ConfigError('EVENTS_WEBHOOK_SECRET', 'is required when EVENTS_WEBHOOK_URL is set');
  }
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : undefined;
  if (
    encoded === undefined ||
    !BASE64.test(encoded) ||
    Buffer.from(encoded, 'base64').length < MIN_WEBHOOK_SECRET_BYTES
  ) {
    throw new ConfigError(
      'EVENTS_WEBHOOK_SECRET',
      `must be whsec_ followed by the base64 of at least ${MIN_WEBHOOK_SECRET_BYTES} random bytes`,
    );
  }
  return { eventsWebhookUrl, eventsWebhookSecret: secret };
}

function dnsServers(env: Env): string[] {
  const raw = optional(env, 'DNS_SERVERS');
  if (raw === undefined) return [];
  return raw.split(',').map((item) => {
    const server = item.trim();
    // ip, ip:port, [v6], [v6]:port
    const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(server) ?? /^([^:]+)(?::(\d+))?$/.exec(server);
    const host = match?.[1] ?? server;
    const port = match?.[2];
    if (isIP(host) === 0 || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
      throw new ConfigError('DNS_SERVERS', `"${server}" is not ip[:port]`);
    }
    return server;
  });
}

const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: the reverse proxies whose X-Forwarded-For names the client (per-IP sign-in limits
 * and session records use that address). A number of hops, or a comma list of addresses, CIDR
 * ranges and the names loopback, linklocal, uniquelocal. Never "trust everyone": a client could
 * then pick its own address and walk round the per-IP limits.
 */
function trustProxy(env: Env): number | string[] | false {
  const raw = optional(env, 'TRUST_PROXY');
  if (raw === undefined) return false;
  if (/^\d+$/.test(raw)) return integer(env, 'TRUST_PROXY', 0, 0, 10) || false;
  return raw.split(',').map((item) => {
    const entry = item.trim();
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const prefixOk =
      bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (PROXY_RANGE_NAMES.has(entry) || (family !== 0 && prefixOk && extra === undefined)) {
      return entry;
    }
    throw new ConfigError(
      'TRUST_PROXY',
      `"${entry}" is not a hop count, an address, a CIDR range, loopback, linklocal or uniquelocal`,
    );
  });
}

function senderAuth(env: Env): SenderAuthMode {
  const raw = text(env, 'SENDER_AUTH', 'dmarc');
  if (raw !== 'dmarc' && raw !== 'upstream' && raw !== 'none') {
    throw new ConfigError('SENDER_AUTH', `must be dmarc, upstream or none, got "${raw}"`);
  }
  return raw;
}

/** Shortest PROVISIONING_TOKEN, INBOUND_TOKEN or METRICS_TOKEN accepted. */
export const MIN_TOKEN_LENGTH = 16;

function token(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  if (value !== undefined && value.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(name, `must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  return value;
}

/**
 * METRICS_TOKEN: what a scraper sends as `Authorization: Bearer …`. Same length rule as the other
 * tokens; visible ASCII only, because a bearer credential with a space or a control character
 * cannot be sent in that header and would lock every scraper out.
 */
function metricsToken(env: Env): string | undefined {
  const value = token(env, 'METRICS_TOKEN');
  if (value !== undefined && !/^[\x21-\x7e]+$/.test(value)) {
    throw new ConfigError(
      'METRICS_TOKEN',
      'may contain only visible ASCII characters (no spaces or control characters)',
    );
  }
  return value;
}

/**
 * METRICS_PORT: a listener that serves only GET /metrics, for processes without the api role
 * (a worker or smtp process has no HTTP listener of its own). It must not take the API's port.
 */
function metricsPort(env: Env, httpPort: number, roles: ReadonlySet<Role>): number | undefined {
  if (optional(env, 'METRICS_PORT') === undefined) return undefined;
  const port = integer(env, 'METRICS_PORT', 0, 0, 65535);
  if (port !== 0 && roles.has('api') && port === httpPort) {
    throw new ConfigError('METRICS_PORT', `must differ from HTTP_PORT (${httpPort})`);
  }
  return port;
}

const NODE_ENVS = ['development', 'test', 'production'];

function nodeEnvironment(env: Env): string {
  const value = text(env, 'NODE_ENV', 'development');
  // a misspelt "prod" must not quietly run with the development allowances
  if (!NODE_ENVS.includes(value)) {
    throw new ConfigError('NODE_ENV', `must be ${NODE_ENVS.join(', ')}, got "${value}"`);
  }
  return value;
}

/**
 * What a production deployment must not run with, even though development allows it: each one
 * silently removes a protection instead of failing loudly. (A missing SECRET_KEY is refused
 * where it is read.)
 */
function refuseDevelopmentSettings(config: AppConfig): void {
  if (config.nodeEnv !== 'production') return;
  if (config.senderAuth === 'none') {
    // anyone could write in as any user: the whole recovery rests on sender authentication
    throw new ConfigError(
      'SENDER_AUTH',
      'none is for development only; NODE_ENV=production needs dmarc or upstream',
    );
  }
  if (config.mailTransport.kind === 'file') {
    // replies would only land in a local directory: account holders would never get the link
    // that lets them cancel a recovery someone else asked for
    throw new ConfigError(
      'MAIL_TRANSPORT',
      'file: is for development only; NODE_ENV=production needs smtp:// or smtps://',
    );
  }
  if (!config.publicUrl.startsWith('https://')) {
    // mailed links carry single-use tokens (cancel a recovery); the default is localhost
    throw new ConfigError('PUBLIC_URL', 'must be an https:// URL when NODE_ENV=production');
  }
}

/** Reads and validates every variable; throws ConfigError on the first bad one. */
export function loadConfig(env: Env): AppConfig {
  const config = readConfig(env);
  refuseDevelopmentSettings(config);
  return config;
}

function readConfig(env: Env): AppConfig {
  const nodeEnv = nodeEnvironment(env);
  const supportAddresses = emailList(env, 'SUPPORT_ADDRESSES', 'support@recovery-desk.test');
  const mode = senderAuth(env);
  const authservId = optional(env, 'AUTHSERV_ID');
  if (mode === 'upstream' && authservId === undefined) {
    throw new ConfigError('AUTHSERV_ID', 'is required when SENDER_AUTH=upstream');
  }
  // the bare name: a `/jobid` suffix in a field is matched anyway (authentication-results.ts)
  if (authservId !== undefined && !/^[^\s;/()"\\]+$/.test(authservId)) {
    throw new ConfigError(
      'AUTHSERV_ID',
      `"${authservId}" is not an authserv-id: give the bare name, such as mx.example.org, without /jobid, spaces or quotes`,
    );
  }
  const mailFrom = text(env, 'MAIL_FROM', supportAddresses[0]);
  if (!EMAIL.test(mailFrom.replace(/^.*<([^>]+)>\s*$/, '$1'))) {
    throw new ConfigError('MAIL_FROM', `"${mailFrom}" is not an e-mail address`);
  }
  const publicUrl = url(env, 'PUBLIC_URL', 'http://localhost:3000', ['http:', 'https:']).replace(
    /\/+$/,
    '',
  );
  const tlsKey = optional(env, 'SMTP_TLS_KEY_FILE');
  const tlsCert = optional(env, 'SMTP_TLS_CERT_FILE');
  if ((tlsKey === undefined) !== (tlsCert === undefined)) {
    throw new ConfigError(
      'SMTP_TLS_CERT_FILE',
      'SMTP_TLS_KEY_FILE and SMTP_TLS_CERT_FILE go together',
    );
  }
  const prefix = text(env, 'REDIS_PREFIX', 'rd');
  if (!/^[A-Za-z0-9_.:-]+$/.test(prefix)) {
    throw new ConfigError('REDIS_PREFIX', 'may contain only letters, digits and _ . : -');
  }
  const logLevel = text(env, 'LOG_LEVEL', nodeEnv === 'test' ? 'warn' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `unknown level "${logLevel}"`);
  }
  const processRoles = roles(env);
  const httpPort = integer(env, 'HTTP_PORT', 3000, 0, 65535);
  return {
    nodeEnv,
    roles: processRoles,
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/recovery_desk', [
      'postgres:',
      'postgresql:',
    ]),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisPrefix: prefix,
    httpHost: text(env, 'HTTP_HOST', '127.0.0.1'),
    httpPort,
    smtpHost: text(env, 'SMTP_HOST', '127.0.0.1'),
    smtpPort: integer(env, 'SMTP_PORT', 2525, 0, 65535),
    smtpTlsKeyFile: tlsKey,
    smtpTlsCertFile: tlsCert,
    supportAddresses,
    maxMessageBytes: integer(env, 'MAX_MESSAGE_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    publicUrl,
    mailTransport: mailTransport(env),
    mailFrom,
    secretKey: secretKey(env, nodeEnv),
    secretKeysPrevious: secretKeysPrevious(env),
    ...eventsWebhook(env, nodeEnv),
    senderAuth: mode,
    authservId,
    dnsServers: dnsServers(env),
    dnsCacheSeconds: integer(env, 'DNS_CACHE_SECONDS', 60, 0, 3600),
    trustProxy: trustProxy(env),
    inboundToken: token(env, 'INBOUND_TOKEN'),
    provisioningToken: token(env, 'PROVISIONING_TOKEN'),
    metricsToken: metricsToken(env),
    metricsPort: metricsPort(env, httpPort, processRoles),
    recoveryExpiryHours: integer(env, 'RECOVERY_EXPIRY_HOURS', 168, 1, 24 * 365),
    recoveryDelayMinutes: integer(env, 'RECOVERY_DELAY_MINUTES', 0, 0, 60 * 24 * 30),
    // at least a day: a report that froze nothing would leave the mailbox's holder in charge
    reportFreezeDays: integer(env, 'REPORT_FREEZE_DAYS', 7, 1, 365),
    rawRetentionDays: integer(env, 'RAW_RETENTION_DAYS', 30, 0, 3650),
    ...imapSettings(env, processRoles),
    logLevel,
    varDir: text(env, 'VAR_DIR', 'var'),
  };
}
