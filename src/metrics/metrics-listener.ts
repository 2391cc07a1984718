import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppConfigService } from '../config/app-config.service';
import { metricsAuthorized } from './metrics-token.guard';
import { MetricsService } from './metrics.service';

/**
 * METRICS_PORT: a listener on HTTP_HOST that answers GET /metrics and nothing else, so that a
 * process without the api role (ROLES=worker, ROLES=smtp) can be scraped for what only it knows:
 * its decision histogram and its process metrics. It serves this process's families only; the
 * deployment-wide ones come from the api processes (MetricsService.render).
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MetricsListener.name);
  private server: Server | undefined;

  constructor(
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
  ) {}

  /** The port actually bound (METRICS_PORT=0 lets the OS choose, as tests do). */
  get port(): number | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.get('metricsPort');
    if (port === undefined) return;
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.get('httpHost'), () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`metrics listening on ${this.config.get('httpHost')}:${this.port}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics') return this.plain(response, 404, 'Not Found');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return this.plain(response, 405, 'Method Not Allowed');
    }
    if (!metricsAuthorized(request, this.config.get('metricsToken'))) {
      response.setHeader('WWW-Authenticate', 'Bearer');
      return this.plain(response, 401, 'A valid metrics token is required');
    }
    try {
      const rendered = await this.metrics.render(this.config.hasRole('api'));
      response.writeHead(200, {
        'Content-Type': rendered.contentType,
        'Cache-Control': 'no-store',
      });
      response.end(request.method === 'HEAD' ? undefined : rendered.body);
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'metrics');
      this.plain(response, 500, 'Internal Server Error');
    }
  }

  private plain(response: ServerResponse, status: number, text: string): void {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(`${text}\n`);
  }
}
