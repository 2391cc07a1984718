import { isIP } from 'node:net';
import { DomainError } from '../../common/domain-error';

export interface WebhookEnvelope {
  mailFrom: string | null;
  rcptTo: string[];
  clientIp: string | null;
  clientHelo: string | null;
}

type HeaderBag = Record<string, string | string[] | undefined>;

function single(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/;

/**
 * The envelope a mail provider passes beside the raw message (X-Envelope-From, X-Envelope-To,
 * X-Client-Ip, X-Client-Helo); these feed SPF exactly as SMTP's MAIL FROM, RCPT TO, peer address
 * and HELO do. Malformed values are refused with 400 rather than guessed at.
 */
export function webhookEnvelope(headers: HeaderBag): WebhookEnvelope {
  const fromHeader = single(headers, 'x-envelope-from');
  let mailFrom: string | null = null;
  if (fromHeader !== undefined) {
    mailFrom = fromHeader.replace(/^<(.*)>$/, '$1').trim();
    if (mailFrom !== '' && (!ADDRESS.test(mailFrom) || mailFrom.length > 254)) {
      throw new DomainError('invalid_input', 'X-Envelope-From must be an address or <>');
    }
  }
  const toHeader = single(headers, 'x-envelope-to');
  const rcptTo =
    toHeader === undefined
      ? []
      : toHeader
          .split(',')
          .map((item) => item.trim().replace(/^<(.*)>$/, '$1'))
          .filter((item) => item !== '');
  if (rcptTo.length > 100 || rcptTo.some((item) => !ADDRESS.test(item) || item.length > 254)) {
    throw new DomainError('invalid_input', 'X-Envelope-To must be a comma list of addresses');
  }
  const clientIp = single(headers, 'x-client-ip') ?? null;
  if (clientIp !== null && isIP(clientIp) === 0) {
    throw new DomainError('invalid_input', 'X-Client-Ip must be an IPv4 or IPv6 address');
  }
  const clientHelo = single(headers, 'x-client-helo') ?? null;
  if (clientHelo !== null && !/^[\x21-\x7e]{1,255}$/.test(clientHelo)) {
    throw new DomainError('invalid_input', 'X-Client-Helo must be a host name or address literal');
  }
  return { mailFrom, rcptTo, clientIp, clientHelo };
}
