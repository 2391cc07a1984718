import { Global, Module } from '@nestjs/common';
import { DeploymentMetrics } from './deployment-metrics';
import { MetricsListener } from './metrics-listener';
import { MetricsTokenGuard } from './metrics-token.guard';
import { MetricsController } from './metrics.controller';
import { MetricsRepository } from './metrics.repository';
import { MetricsService } from './metrics.service';

/**
 * GET /metrics (Prometheus). Global so that the places that observe an event (the inbound worker,
 * the HTTP set-up in app.ts) reach MetricsService without importing this module.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    MetricsService,
    DeploymentMetrics,
    MetricsRepository,
    MetricsTokenGuard,
    MetricsListener,
  ],
  exports: [MetricsService],
})
export class MetricsModule {}
