import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config.schema';

/**
 * Structured JSON logs. Anything that could carry a secret — credentials, tokens, codes, TOTP
 * secrets, billing values, message bodies — is redacted by path before it is written.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.code',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.challenge',
  '*.recoveryCodes',
  '*.last4',
  '*.holderName',
  '*.studentId',
  '*.body',
  '*.text',
  '*.html',
  // a failed query's bound values (TypeORM QueryFailedError) may be billing values or hashes
  '*.parameters',
];

/**
 * The path of a request as logged: without the query, and without the single-use token of an
 * e-mailed link — the cancel link (GET /recovery/cancel/:token), which would let anyone reading
 * the logs cancel a recovery, and the "this wasn't me" link (GET /security/report/:token), which
 * would let them freeze an account's recovery and end its sessions.
 */
export function loggedPath(url: string): string {
  return url
    .split('?')[0]
    .replace(/^\/recovery\/cancel\/[^/]+/, '/recovery/cancel/[redacted]')
    .replace(/^\/security\/report\/[^/]+/, '/security/report/[redacted]');
}

export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // request bodies are never logged; only method, path and status
      serializers: {
        req: (req: { method: string; url: string; id: unknown }) => ({
          id: req.id,
          method: req.method,
          path: loggedPath(req.url),
        }),
      },
      // probes and scrapes come every few seconds: they would drown the request log
      autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
    },
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Settings worth a warning in every process at start, whatever its roles: a process that only
 * receives mail stores what another will decide under the same setting.
 */
export function startupWarnings(
  config: Pick<AppConfig, 'senderAuth' | 'nodeEnv' | 'metricsToken' | 'httpHost' | 'roles'>,
): string[] {
  const warnings: string[] = [];
  if (
    config.nodeEnv === 'production' &&
    config.metricsToken === undefined &&
    config.roles.has('api') &&
    !LOOPBACK_HOSTS.has(config.httpHost)
  ) {
    // allowed (an internal network may be private enough), but said out loud: queue sizes and
    // request counts tell an outsider how busy the desk is and when an attack lands
    warnings.push(
      `METRICS_TOKEN is unset: GET /metrics is open to anyone who reaches ${config.httpHost}. ` +
        'Set METRICS_TOKEN, or keep the HTTP listener on a private network.',
    );
  }
  if (config.senderAuth === 'none') {
    warnings.push(
      'SENDER_AUTH=none: inbound senders are NOT authenticated. Development only: anyone can ' +
        'pose as any user by writing their address in From.',
    );
  }
  return warnings;
}
