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
];

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
          path: req.url.split('?')[0],
        }),
      },
      autoLogging: { ignore: (req) => req.url === '/health' },
    },
  };
}
