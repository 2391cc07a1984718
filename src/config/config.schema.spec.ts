import { ConfigError, loadConfig } from './config.schema';

const KEY = Buffer.alloc(32, 1).toString('base64');

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/recovery_desk',
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: 'rd',
      httpHost: '127.0.0.1',
      httpPort: 3000,
      smtpHost: '127.0.0.1',
      smtpPort: 2525,
      supportAddresses: ['support@recovery-desk.test'],
      maxMessageBytes: 10485760,
      publicUrl: 'http://localhost:3000',
      mailTransport: { kind: 'file', dir: 'var/outbox' },
      mailFrom: 'support@recovery-desk.test',
      secretKey: undefined,
      senderAuth: 'dmarc',
      dnsServers: [],
      dnsCacheSeconds: 60,
      inboundToken: undefined,
      provisioningToken: undefined,
      recoveryExpiryHours: 168,
      recoveryDelayMinutes: 0,
      reportFreezeDays: 7,
      rawRetentionDays: 30,
    });
    expect([...config.roles].sort()).toEqual(['api', 'smtp', 'worker']);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ROLES: 'worker, api',
      DATABASE_URL: 'postgresql://u:p@db:5433/rd',
      REDIS_URL: 'rediss://redis:6380/2',
      REDIS_PREFIX: 'rd-staging',
      HTTP_PORT: '8080',
      HTTP_HOST: '0.0.0.0',
      SMTP_PORT: '25',
      SMTP_HOST: '::',
      SUPPORT_ADDRESSES: 'Support@Example.se, help@example.se',
      MAX_MESSAGE_BYTES: '2048',
      PUBLIC_URL: 'https://desk.example.se/',
      MAIL_TRANSPORT: 'smtp://mailpit:1025',
      MAIL_FROM: 'Recovery Desk <desk@example.se>',
      SECRET_KEY: KEY,
      SENDER_AUTH: 'upstream',
      AUTHSERV_ID: 'mx.example.se',
      DNS_SERVERS: '1.1.1.1, 9.9.9.9:53, [2606:4700::1111]:53',
      DNS_CACHE_SECONDS: '0',
      INBOUND_TOKEN: 'i'.repeat(16),
      PROVISIONING_TOKEN: 'p'.repeat(32),
      RECOVERY_EXPIRY_HOURS: '24',
      RECOVERY_DELAY_MINUTES: '60',
      REPORT_FREEZE_DAYS: '14',
      RAW_RETENTION_DAYS: '0',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgresql://u:p@db:5433/rd',
      redisPrefix: 'rd-staging',
      httpPort: 8080,
      supportAddresses: ['support@example.se', 'help@example.se'],
      publicUrl: 'https://desk.example.se',
      mailTransport: { kind: 'smtp', url: 'smtp://mailpit:1025' },
      mailFrom: 'Recovery Desk <desk@example.se>',
      secretKey: KEY,
      senderAuth: 'upstream',
      authservId: 'mx.example.se',
      dnsServers: ['1.1.1.1', '9.9.9.9:53', '[2606:4700::1111]:53'],
      dnsCacheSeconds: 0,
      provisioningToken: 'p'.repeat(32),
      recoveryExpiryHours: 24,
      recoveryDelayMinutes: 60,
      reportFreezeDays: 14,
      rawRetentionDays: 0,
    });
    expect([...config.roles].sort()).toEqual(['api', 'worker']);
  });

  it('reads SECRET_KEYS_PREVIOUS and refuses an entry that is not a 32-byte key, without echoing it', () => {
    const older = Buffer.alloc(32, 1).toString('base64');
    expect(loadConfig({}).secretKeysPrevious).toEqual([]);
    expect(loadConfig({ SECRET_KEYS_PREVIOUS: ` ${older}, ${KEY}` }).secretKeysPrevious).toEqual([
      older,
      KEY,
    ]);
    const short = Buffer.alloc(16, 1).toString('base64');
    expect(() => loadConfig({ SECRET_KEYS_PREVIOUS: `${older},${short}` })).toThrow(
      /SECRET_KEYS_PREVIOUS: entry 2 is not 32 bytes/,
    );
    try {
      loadConfig({ SECRET_KEYS_PREVIOUS: short });
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('reads EVENTS_WEBHOOK_URL with its whsec_ secret, and refuses one without the other', () => {
    const secret = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
    expect(loadConfig({})).toMatchObject({
      eventsWebhookUrl: undefined,
      eventsWebhookSecret: undefined,
    });
    expect(
      loadConfig({
        EVENTS_WEBHOOK_URL: 'https://siem.example.se/hooks/rd',
        EVENTS_WEBHOOK_SECRET: secret,
      }),
    ).toMatchObject({
      eventsWebhookUrl: 'https://siem.example.se/hooks/rd',
      eventsWebhookSecret: secret,
    });
    expect(() => loadConfig({ EVENTS_WEBHOOK_URL: 'https://siem.example.se/' })).toThrow(
      /EVENTS_WEBHOOK_SECRET: is required/,
    );
    expect(() => loadConfig({ EVENTS_WEBHOOK_SECRET: secret })).toThrow(/EVENTS_WEBHOOK_SECRET/);
    const url = 'https://siem.example.se/';
    for (const bad of [
      Buffer.alloc(24, 9).toString('base64'),
      `whsec_${Buffer.alloc(23, 9).toString('base64')}`,
      'whsec_not base64!',
    ]) {
      expect(() => loadConfig({ EVENTS_WEBHOOK_URL: url, EVENTS_WEBHOOK_SECRET: bad })).toThrow(
        /EVENTS_WEBHOOK_SECRET: must be whsec_/,
      );
    }
    expect(() =>
      loadConfig({ EVENTS_WEBHOOK_URL: 'ftp://siem.example.se/', EVENTS_WEBHOOK_SECRET: secret }),
    ).toThrow(/EVENTS_WEBHOOK_URL/);
    expect(() =>
      loadConfig({
        EVENTS_WEBHOOK_URL: 'https://u:p@siem.example.se/',
        EVENTS_WEBHOOK_SECRET: secret,
      }),
    ).toThrow(/EVENTS_WEBHOOK_URL: must not carry/);
  });

  it('refuses a plain-http events webhook in production unless it is on loopback', () => {
    const production = {
      NODE_ENV: 'production',
      SECRET_KEY: KEY,
      MAIL_TRANSPORT: 'smtp://relay:25',
      PUBLIC_URL: 'https://desk.example.se',
      EVENTS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 9).toString('base64')}`,
    };
    expect(() =>
      loadConfig({ ...production, EVENTS_WEBHOOK_URL: 'http://siem.example.se/' }),
    ).toThrow(/EVENTS_WEBHOOK_URL: must be https/);
    for (const local of ['http://127.0.0.1:9000/', 'http://localhost/', 'http://[::1]:8080/']) {
      expect(loadConfig({ ...production, EVENTS_WEBHOOK_URL: local }).eventsWebhookUrl).toBe(local);
    }
  });

  it('reads TRUST_PROXY as hops or a list of proxies, and refuses anything else', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::1' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::1',
    ]);
    for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.example', '11']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PROVISIONING_TOKEN: '', HTTP_PORT: ' ' })).toMatchObject({
      provisioningToken: undefined,
      httpPort: 3000,
    });
  });

  it.each<[string, Record<string, string>]>([
    ['ROLES', { ROLES: 'api,cron' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x@y/z' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['REDIS_URL', { REDIS_URL: 'http://redis:6379' }],
    ['REDIS_PREFIX', { REDIS_PREFIX: 'has space' }],
    ['HTTP_PORT', { HTTP_PORT: 'eighty' }],
    ['HTTP_PORT', { HTTP_PORT: '70000' }],
    ['SMTP_PORT', { SMTP_PORT: '-1' }],
    ['SUPPORT_ADDRESSES', { SUPPORT_ADDRESSES: 'support' }],
    ['SUPPORT_ADDRESSES', { SUPPORT_ADDRESSES: ' , ' }],
    ['MAX_MESSAGE_BYTES', { MAX_MESSAGE_BYTES: '10MB' }],
    ['MAX_MESSAGE_BYTES', { MAX_MESSAGE_BYTES: '10' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://desk.example' }],
    ['MAIL_TRANSPORT', { MAIL_TRANSPORT: 'sendmail' }],
    ['MAIL_TRANSPORT', { MAIL_TRANSPORT: 'file:' }],
    ['MAIL_FROM', { MAIL_FROM: 'not an address' }],
    ['SECRET_KEY', { SECRET_KEY: 'c2hvcnQ=' }],
    ['SECRET_KEY', { SECRET_KEY: '!!!' }],
    ['SECRET_KEY', { NODE_ENV: 'production' }],
    ['SENDER_AUTH', { SENDER_AUTH: 'maybe' }],
    ['AUTHSERV_ID', { SENDER_AUTH: 'upstream' }],
    ['AUTHSERV_ID', { SENDER_AUTH: 'upstream', AUTHSERV_ID: 'mx.example.se/2846' }],
    ['AUTHSERV_ID', { SENDER_AUTH: 'upstream', AUTHSERV_ID: 'mx.example.se; dmarc=pass' }],
    ['AUTHSERV_ID', { SENDER_AUTH: 'upstream', AUTHSERV_ID: '"mx.example.se"' }],
    ['DNS_SERVERS', { DNS_SERVERS: 'dns.google' }],
    ['DNS_SERVERS', { DNS_SERVERS: '1.1.1.1:99999' }],
    ['INBOUND_TOKEN', { INBOUND_TOKEN: 'short' }],
    ['PROVISIONING_TOKEN', { PROVISIONING_TOKEN: 'short' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'fifteen-chars15' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'has a space in the middle' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'tab\tinside-0123456789' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'non-ascii-åäö-0123456789' }],
    ['METRICS_PORT', { METRICS_PORT: 'nine' }],
    ['METRICS_PORT', { METRICS_PORT: '65536' }],
    ['METRICS_PORT', { METRICS_PORT: '3000' }],
    ['METRICS_PORT', { HTTP_PORT: '8080', METRICS_PORT: '8080', ROLES: 'api,worker' }],
    ['RECOVERY_EXPIRY_HOURS', { RECOVERY_EXPIRY_HOURS: '0' }],
    ['RECOVERY_DELAY_MINUTES', { RECOVERY_DELAY_MINUTES: '1.5' }],
    ['RAW_RETENTION_DAYS', { RAW_RETENTION_DAYS: 'forever' }],
    ['REPORT_FREEZE_DAYS', { REPORT_FREEZE_DAYS: '0' }],
    ['REPORT_FREEZE_DAYS', { REPORT_FREEZE_DAYS: 'week' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['SMTP_TLS_CERT_FILE', { SMTP_TLS_KEY_FILE: '/tmp/key.pem' }],
  ])('names %s in a one-line message when it is bad (%j)', (variable, env) => {
    const error = refusal(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  describe('NODE_ENV=production refuses what only development may use', () => {
    const production = {
      NODE_ENV: 'production',
      SECRET_KEY: KEY,
      MAIL_TRANSPORT: 'smtps://mail.example.se:465',
      PUBLIC_URL: 'https://desk.example.se',
    };

    it('starts with a production-fit environment', () => {
      expect(loadConfig(production).nodeEnv).toBe('production');
      expect(
        loadConfig({ ...production, SENDER_AUTH: 'upstream', AUTHSERV_ID: 'mx' }),
      ).toBeTruthy();
    });

    it.each<[string, Record<string, string>]>([
      ['SENDER_AUTH', { SENDER_AUTH: 'none' }],
      ['SENDER_AUTH', { SENDER_AUTH: ' none ' }],
      ['MAIL_TRANSPORT', { MAIL_TRANSPORT: 'file:/var/mail/outbox' }],
      ['PUBLIC_URL', { PUBLIC_URL: 'http://desk.example.se' }],
      ['PUBLIC_URL', { PUBLIC_URL: '' }],
      ['SECRET_KEY', { SECRET_KEY: '' }],
    ])('refuses %s (%j) with one line naming it', (variable, change) => {
      const error = refusal({ ...production, ...change });
      expect(error.variable).toBe(variable);
      expect(error.message).toMatch(new RegExp(`^${variable}: .*production`));
      expect(error.message).not.toContain('\n');
    });

    it('refuses a NODE_ENV it does not know rather than running as development', () => {
      for (const nodeEnv of ['prod', 'Production', 'staging']) {
        expect(refusal({ ...production, NODE_ENV: nodeEnv }).variable).toBe('NODE_ENV');
      }
      expect(loadConfig({ NODE_ENV: 'development', SENDER_AUTH: 'none' }).senderAuth).toBe('none');
    });
  });

  it('refuses a DNS_CACHE_SECONDS that is not a whole number of seconds up to an hour', () => {
    for (const bad of ['-1', '3601', '1.5', 'sixty']) {
      expect(() => loadConfig({ DNS_CACHE_SECONDS: bad })).toThrow(/DNS_CACHE_SECONDS/);
    }
    expect(loadConfig({ DNS_CACHE_SECONDS: '3600' }).dnsCacheSeconds).toBe(3600);
  });

  it('reads METRICS_TOKEN and METRICS_PORT', () => {
    expect(loadConfig({})).toMatchObject({ metricsToken: undefined, metricsPort: undefined });
    expect(loadConfig({ METRICS_TOKEN: ' sixteen-chars-16 ', METRICS_PORT: '9464' })).toMatchObject(
      { metricsToken: 'sixteen-chars-16', metricsPort: 9464 },
    );
    // a worker has no HTTP listener: its metrics listener may take the port the API would use
    expect(loadConfig({ ROLES: 'worker', METRICS_PORT: '3000' }).metricsPort).toBe(3000);
    expect(loadConfig({ METRICS_PORT: '0', HTTP_PORT: '0' }).metricsPort).toBe(0);
  });

  it('does not echo a bad metrics token back in the message', () => {
    const token = 'a secret token with spaces';
    expect(refusal({ METRICS_TOKEN: token }).message).not.toContain(token);
  });

  it('does not echo a bad secret back in the message', () => {
    const secret = 'dGhpcyBpcyBub3QgMzIgYnl0ZXM=';
    expect(refusal({ SECRET_KEY: secret }).message).not.toContain(secret);
  });
});
