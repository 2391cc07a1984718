import { ConfigError, loadConfig } from './config.schema';
import { isLoopbackHost, parseImapUrl } from './imap-url';

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('IMAP_URL', () => {
  it('reads user, password (percent-decoded), host, port and mailbox', () => {
    const config = loadConfig({
      IMAP_URL:
        'imaps://support%40clinic.se:p%40ss%3Aw%2Frd%25@imap.example.se:1993/Support%20Mail',
      IMAP_PROCESSED_MAILBOX: 'Support Mail/Done',
      IMAP_POLL_SECONDS: '30',
    });
    expect(config.imap).toEqual({
      secure: true,
      host: 'imap.example.se',
      port: 1993,
      user: 'support@clinic.se',
      password: 'p@ss:w/rd%',
      mailbox: 'Support Mail',
      display: 'imaps://support%40clinic.se@imap.example.se:1993/Support%20Mail',
    });
    expect(config.imapProcessedMailbox).toBe('Support Mail/Done');
    expect(config.imapPollSeconds).toBe(30);
    // unset ROLES with a mailbox: the imap role too
    expect([...config.roles].sort()).toEqual(['api', 'imap', 'smtp', 'worker']);
  });

  it('defaults: INBOX, port 143 or 993, Processed, 60 seconds; off when unset', () => {
    expect(parseImapUrl('IMAP_URL', 'imap://u:p@mail.test')).toMatchObject({
      secure: false,
      port: 143,
      mailbox: 'INBOX',
    });
    expect(parseImapUrl('IMAP_URL', 'imaps://u:p@mail.test/')).toMatchObject({ port: 993 });
    const off = loadConfig({});
    expect(off.imap).toBeUndefined();
    expect(off.imapProcessedMailbox).toBe('Processed');
    expect(off.imapPollSeconds).toBe(60);
    expect(off.roles.has('imap')).toBe(false);
  });

  it.each([
    ['not a URL', 'imap//support:Secret-Pa55@host'],
    ['another scheme', 'https://support:Secret-Pa55@host/INBOX'],
    ['no password', 'imap://support@host/INBOX'],
    ['a query', 'imap://support:Secret-Pa55@host/INBOX?x=1'],
    ['a bad percent-encoding', 'imap://support:Secret-Pa55%zz@host/INBOX'],
  ])('stops start-up on %s, naming IMAP_URL without echoing the password', (_name, value) => {
    const error = refusal({ IMAP_URL: value });
    expect(error.variable).toBe('IMAP_URL');
    expect(error.message).toMatch(/^IMAP_URL: /);
    expect(error.message).not.toContain('Secret-Pa55');
  });

  it('is required by ROLES=imap', () => {
    expect(refusal({ ROLES: 'imap' }).variable).toBe('IMAP_URL');
  });

  it('refuses a processed mailbox that is the watched one, and odd poll intervals', () => {
    expect(
      refusal({ IMAP_URL: 'imap://u:p@host/INBOX', IMAP_PROCESSED_MAILBOX: 'inbox' }).variable,
    ).toBe('IMAP_PROCESSED_MAILBOX');
    expect(refusal({ IMAP_POLL_SECONDS: '0' }).variable).toBe('IMAP_POLL_SECONDS');
    expect(refusal({ IMAP_TLS_CA_FILE: '/nonexistent/ca.pem' }).variable).toBe('IMAP_TLS_CA_FILE');
  });

  it('knows loopback hosts (plain IMAP without STARTTLS is allowed only there)', () => {
    expect(['127.0.0.1', '127.3.4.5', '::1', 'localhost'].every(isLoopbackHost)).toBe(true);
    expect(['10.0.0.1', 'imap.gmail.com', '::ffff:8.8.8.8'].some(isLoopbackHost)).toBe(false);
  });
});
