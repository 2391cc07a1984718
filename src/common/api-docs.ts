import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import {
  ACCOUNT_FAILURE_LIMIT,
  IP_FAILURE_LIMIT,
  NORMAL_LANE,
  SLOW_LANE,
  WINDOW_SECONDS,
} from '../sign-in/login-rate-limiter';
import { MAX_BILLING_ITEMS, MAX_USERS_PER_REQUEST } from '../billing/provisioning.dto';
import { AppConfigService } from '../config/app-config.service';
import { MIN_TOKEN_LENGTH } from '../config/config.schema';
import { FAILURE_LIMIT, LOCK_SECONDS } from '../enrollment/second-factor.service';
import { FORM_FIELD_LIMIT } from './field-limits';
import { JSON_MAX_DEPTH } from './json-depth';
import { PAGE_SIZE } from './page-query.dto';

export const DOCS_PATH = 'api/docs';

/** The bearer schemes: every token is an opaque random string, none is a JWT. */
export const SESSION_SCHEME = 'bearer';
export const PROVISIONING_SCHEME = 'provisioning-token';
export const INBOUND_SCHEME = 'inbound-token';
export const METRICS_SCHEME = 'metrics-token';

const minutes = (seconds: number) => `${seconds / 60} minutes`;

/** The limits a client can meet, stated once in the document's description. */
function limitsDescription(maxMessageBytes: number, bodyLimitBytes: number): string {
  return [
    'Two-factor authentication lifecycle and support-mediated recovery.',
    '',
    '## Limits',
    '| limit | value | when exceeded |',
    '| --- | --- | --- |',
    `| JSON or form body | ${bodyLimitBytes} bytes | 413 payload_too_large |`,
    `| fields of a form body | ${FORM_FIELD_LIMIT} | 413 payload_too_large |`,
    `| inbound message (webhook body, SMTP SIZE) | ${maxMessageBytes} bytes | 413 payload_too_large (SMTP 552) |`,
    `| users per provisioning call | ${MAX_USERS_PER_REQUEST} | 400 invalid_input |`,
    `| billing records per provisioning call | ${MAX_BILLING_ITEMS} | 400 invalid_input |`,
    `| provisioning and inbound tokens (server side) | at least ${MIN_TOKEN_LENGTH} characters | the server refuses to start |`,
    `| failed sign-ins per account | ${ACCOUNT_FAILURE_LIMIT} per ${minutes(WINDOW_SECONDS)}, then blocked ${minutes(WINDOW_SECONDS)} | 429 rate_limited, Retry-After |`,
    `| failed sign-ins per client IP | ${IP_FAILURE_LIMIT} per ${minutes(WINDOW_SECONDS)}, then the IP's checks for accounts not signed in from it before run one at a time, ${SLOW_LANE.holdAfterFailureMs / 1000} s per failure; a right password still signs in | (slower answers) |`,
    `| password checks in progress per client IP | ${NORMAL_LANE.concurrent} at a time, ${NORMAL_LANE.waiting} waiting (slow lane: ${SLOW_LANE.concurrent}, ${SLOW_LANE.waiting} waiting) | 429 sign_in_busy, Retry-After 1 |`,
    `| JSON nesting (arrays and objects) | ${JSON_MAX_DEPTH} levels | 400 json_too_deep |`,
    `| consecutive wrong codes (TOTP or recovery code) | ${FAILURE_LIMIT}, then the factor locks for ${minutes(LOCK_SECONDS)} | 429 two_factor_locked, Retry-After |`,
    `| page size of every list | ${PAGE_SIZE} | (pages past the end are empty) |`,
    '',
    'Field lengths and counts are in each schema (minLength, maxLength, maxItems, maximum).',
  ].join('\n');
}

function opaqueBearer(description: string) {
  return { type: 'http' as const, scheme: 'bearer', bearerFormat: 'opaque', description };
}

export interface ApiDocsOptions {
  bodyLimitBytes: number;
  /** the policy of every other page, which the docs page loosens for inline styles only */
  csp: Record<string, string[]>;
}

/**
 * Serves the OpenAPI document at /api/docs (JSON at /api/docs-json). Swagger UI writes inline
 * styles, so its page alone may use them; scripts stay same-origin only, like every other page.
 */
export function setupApiDocs(app: NestExpressApplication, options: ApiDocsOptions): void {
  const maxMessageBytes = app.get(AppConfigService).get('maxMessageBytes');
  const styleSrc = [...(options.csp.styleSrc ?? []), "'unsafe-inline'"];
  app.use(
    `/${DOCS_PATH}`,
    helmet.contentSecurityPolicy({ directives: { ...options.csp, styleSrc } }),
  );
  const config = new DocumentBuilder()
    .setTitle('Recovery Desk')
    .setDescription(limitsDescription(maxMessageBytes, options.bodyLimitBytes))
    .addBearerAuth(
      opaqueBearer('a session token from POST /api/auth/login (opaque, not a JWT)'),
      SESSION_SCHEME,
    )
    .addBearerAuth(
      opaqueBearer(`PROVISIONING_TOKEN (opaque, at least ${MIN_TOKEN_LENGTH} characters)`),
      PROVISIONING_SCHEME,
    )
    .addBearerAuth(
      opaqueBearer(`INBOUND_TOKEN (opaque, at least ${MIN_TOKEN_LENGTH} characters)`),
      INBOUND_SCHEME,
    )
    .addBearerAuth(
      opaqueBearer(
        `METRICS_TOKEN (opaque, at least ${MIN_TOKEN_LENGTH} characters); GET /metrics is open when it is unset`,
      ),
      METRICS_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: `${DOCS_PATH}-json` });
}
