import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { InboundMessageRepository } from './inbound-message.repository';

const PURGE_BATCH = 500;

/**
 * Card data never lingers (docs/architecture.md, Masking and retention): a user may paste a full card number or IBAN into a
 * message, so its raw bytes are dropped RAW_RETENTION_DAYS after receipt. The decision, the
 * authentication result, the metadata and the audit trail stay. Rows still `stored` keep their
 * bytes: they have not been processed yet.
 */
@Injectable()
export class InboundRawPurgeService {
  private readonly logger = new Logger(InboundRawPurgeService.name);

  constructor(
    private readonly repository: InboundMessageRepository,
    private readonly config: AppConfigService,
  ) {}

  async purgeExpired(): Promise<number> {
    const days = this.config.get('rawRetentionDays');
    let total = 0;
    for (;;) {
      const purged = await this.repository.purgeRaw(days, PURGE_BATCH);
      total += purged;
      if (purged < PURGE_BATCH) break;
    }
    if (total > 0)
      this.logger.log({ purged: total, retentionDays: days }, 'raw inbound mail purged');
    return total;
  }
}
