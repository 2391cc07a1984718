import {
  BadRequestException,
  INestApplication,
  Logger as NestLogger,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { AddressInfo } from 'node:net';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { requireParsedContentType } from './common/api-content-type';
import { setupApiDocs } from './common/api-docs';
import { DomainErrorFilter } from './common/domain-error.filter';
import { refuseDeepJson } from './common/json-depth';
import { startupWarnings } from './common/logging';
import { validationMessages } from './common/validation-messages';
import type { AppConfig } from './config/config.schema';
import { runMigrations } from './database/data-source';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsService } from './metrics/metrics.service';

/** Largest JSON or form body accepted by the API (the inbound webhook has its own limit). */
export const JSON_BODY_LIMIT = 256 * 1024;

/** The Content-Security-Policy of every page: nothing inline, nothing from elsewhere. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export interface RunningApp {
  app: INestApplication;
  config: AppConfig;
  /** where HTTP listens, when ROLES includes api */
  httpUrl?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** run pending migrations first (npm start does; tests migrate once in their global setup) */
  migrate?: boolean;
  /**
   * let Nest close the app on SIGTERM/SIGINT (default). main.ts turns it off and handles the
   * signals itself, so a drained shutdown ends with exit code 0 rather than a re-raised signal.
   */
  shutdownHooks?: boolean;
}

/** Builds, configures and starts the application for the roles in config. */
export async function startApp(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  if (options.migrate ?? true) await runMigrations(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // Nest flushes the logs buffered during start-up only when HTTP starts listening: a process
  // without the api role (ROLES=worker, ROLES=smtp) would otherwise buffer every line forever.
  app.flushLogs();
  const logger = new NestLogger('Startup');
  for (const warning of startupWarnings(config)) logger.warn(warning);
  if (options.shutdownHooks ?? true) app.enableShutdownHooks();
  configureHttp(app, config);

  let httpUrl: string | undefined;
  if (config.roles.has('api')) {
    await app.listen(config.httpPort, config.httpHost);
    const address = app.getHttpServer().address() as AddressInfo;
    httpUrl = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  } else {
    await app.init();
  }
  return { app, config, httpUrl, close: () => app.close() };
}

export function configureHttp(
  app: NestExpressApplication,
  config: Pick<AppConfig, 'trustProxy'>,
): void {
  app.disable('x-powered-by');
  // first, so that every answer is timed, refusals by the middleware below included
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  // request.ip is the client's address only behind proxies named in TRUST_PROXY
  app.set('trust proxy', config.trustProxy);
  app.use(helmet({ contentSecurityPolicy: { directives: CSP_DIRECTIVES } }));
  app.use(cookieParser());
  // every JSON body is checked for nesting depth before it is parsed (see common/json-depth.ts);
  // forms are parsed flat (extended: false, no qs nesting), and so are query strings (Express 5)
  app.use(express.json({ limit: JSON_BODY_LIMIT, verify: refuseDeepJson }));
  app.use(express.urlencoded({ extended: false, limit: JSON_BODY_LIMIT }));
  app.use('/api', requireParsedContentType);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // never echo the submitted value back: it may be a password or a code
      validationError: { target: false, value: false },
      exceptionFactory: (errors) =>
        new BadRequestException({ message: validationMessages(errors) }),
    }),
  );
  // Body-parser failures (malformed JSON, too large) happen before routing: give them the same shape.
  const filter = new DomainErrorFilter();
  app.use((error: unknown, request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) return next(error);
    const body = filter.toBody(error, request);
    response.status(body.statusCode).json(body);
  });
  setupApiDocs(app, { bodyLimitBytes: JSON_BODY_LIMIT, csp: CSP_DIRECTIVES });
}
