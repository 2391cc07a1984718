import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type Redis from 'ioredis';
import { Public } from '../common/auth.decorators';
import { REDIS_CLIENT } from '../queue/queue.module';
import { ImapIngressService } from '../recovery/inbound-email/imap-ingress.service';

const TIMEOUT_MS = 1500;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly imap: ImapIngressService,
  ) {}

  /**
   * 200 when PostgreSQL and Redis both answer (and, in a process running the imap role, the
   * mailbox is open or another process polls it), 503 (with which one failed) otherwise.
   */
  @Public()
  @Get()
  @HealthCheck()
  check() {
    const imap = this.imap.current;
    return this.health.check([
      () => this.database.pingCheck('postgres', { timeout: TIMEOUT_MS }),
      () => this.pingRedis(),
      ...(imap === undefined ? [] : [() => this.imapCheck()]),
    ]);
  }

  /** `imap: up` while this process has the mailbox open, or stands by for another that does. */
  private imapCheck() {
    const indicator = this.indicators.check('imap');
    const status = this.imap.current;
    if (status === undefined || status.state === 'down') {
      return indicator.down({ message: status?.detail ?? 'not running' });
    }
    return status.state === 'up' ? indicator.up() : indicator.up({ poller: 'standby' });
  }

  private async pingRedis() {
    const indicator = this.indicators.check('redis');
    try {
      const reply = await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS).unref(),
        ),
      ]);
      return reply === 'PONG' ? indicator.up() : indicator.down({ message: 'unexpected reply' });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : 'unreachable' });
    }
  }
}
