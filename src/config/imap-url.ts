import { isIP } from 'node:net';
import { ConfigError } from './config-parsers';

/** The support mailbox as IMAP_URL names it; `password` is never logged or echoed. */
export interface ImapSettings {
  /** true for imaps:// (TLS from the first byte); imap:// upgrades with STARTTLS */
  secure: boolean;
  host: string;
  port: number;
  user: string;
  password: string;
  mailbox: string;
  /** imap[s]://user@host:port/MAILBOX: what logs and errors may show */
  display: string;
}

const FORM = 'imap://user:password@host:port/MAILBOX or imaps://…';

function decoded(variable: string, part: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ConfigError(variable, `the ${part} has a malformed percent-encoding`);
  }
}

/**
 * Parses IMAP_URL. Errors name the variable and what is wrong, never the value: the URL carries
 * the mailbox password. User and password are percent-decoded (`%40` for `@`, `%3A` for `:`);
 * the path is the mailbox to watch, INBOX when empty.
 */
export function parseImapUrl(variable: string, raw: string): ImapSettings {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `is not a valid URL (expected ${FORM})`);
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:') {
    throw new ConfigError(variable, `must use imap: or imaps:, got ${url.protocol}`);
  }
  if (url.hostname === '') throw new ConfigError(variable, `has no host (expected ${FORM})`);
  if (url.username === '' || url.password === '') {
    throw new ConfigError(variable, `needs a user and a password (expected ${FORM})`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError(variable, 'takes no query or fragment');
  }
  const secure = url.protocol === 'imaps:';
  const port = url.port === '' ? (secure ? 993 : 143) : Number(url.port);
  const user = decoded(variable, 'user', url.username);
  const password = decoded(variable, 'password', url.password);
  const mailbox = decoded(variable, 'mailbox', url.pathname.replace(/^\/+/, '')) || 'INBOX';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    secure,
    host,
    port,
    user,
    password,
    mailbox,
    display: `${url.protocol}//${encodeURIComponent(user)}@${url.host}/${encodeURIComponent(mailbox)}`,
  };
}

/** Plain imap:// may skip STARTTLS only towards this machine (a test server, a local proxy). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** A mailbox name for IMAP_PROCESSED_MAILBOX: printable, not the watched mailbox itself. */
export function processedMailbox(variable: string, value: string, watched: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f*%]/.test(value)) {
    throw new ConfigError(variable, 'may not contain control characters, * or %');
  }
  if (value.toUpperCase() === watched.toUpperCase()) {
    throw new ConfigError(variable, 'must differ from the mailbox IMAP_URL watches');
  }
  return value;
}
