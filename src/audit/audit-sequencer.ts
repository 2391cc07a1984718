import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { auditHash, GENESIS_HASH } from './audit-hash';
import { AuditRepository } from './audit.repository';

/** How often each process looks for unsequenced events. */
export const SEQUENCE_EVERY_MS = 100;
/** Events integrated per transaction. */
const BATCH = 1000;
/** At most one warning per this period while sequencing fails (e.g. PostgreSQL is away). */
const WARN_EVERY_MS = 60_000;

/**
 * Integrates audit events into the hash chain, off the writers' path (docs/architecture.md, The
 * audit hash chain). Writers insert events without a place in the chain, in their own
 * transaction and without any shared lock; this sequencer gives the committed ones their `seq`,
 * `prev_hash` and `hash` in batches, in id order. One sequencer works at a time, whichever
 * process holds the advisory lock: every process with a role runs the loop every 100 ms and
 * skips a round when another holds the lock. `flush` waits for the lock instead, so everything
 * committed before it was called is in the chain when it returns (verify and tests use it).
 */
@Injectable()
export class AuditSequencer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditSequencer.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private lastWarning = 0;

  constructor(
    private readonly repository: AuditRepository,
    private readonly config: AppConfigService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    // the CLI boots without roles: it flushes once, as it closes (beforeApplicationShutdown)
    if (this.config.get('roles').size === 0) return;
    this.timer = setInterval(() => void this.tick(), SEQUENCE_EVERY_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    // The CLI (no roles) runs no loop: it chains what its command wrote as it closes, so an
    // operator's change is in the chain even when no service process is running. If that fails
    // (PostgreSQL away), the events stay committed and the next sequencer or verify chains them.
    if (this.config.get('roles').size === 0) {
      try {
        await this.flush();
      } catch (error) {
        this.logger.warn(
          { reason: error instanceof Error ? error.message : String(error) },
          'audit events left for the next sequencer to chain',
        );
      }
    }
  }

  /** Sequences every event committed before the call; returns how many this call integrated. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await this.sequenceBatch(true);
      total += done;
      if (done < BATCH) return total;
    }
  }

  private async tick(): Promise<void> {
    if (this.running !== undefined) return;
    const round = (async () => {
      if (!(await this.repository.hasPending())) return;
      while ((await this.sequenceBatch(false)) === BATCH) {
        // a backlog: keep going while this process holds the turn
      }
    })();
    this.running = round;
    try {
      await round;
    } catch (error) {
      if (Date.now() - this.lastWarning > WARN_EVERY_MS) {
        this.lastWarning = Date.now();
        this.logger.warn(
          { reason: error instanceof Error ? error.message : String(error) },
          'audit events not sequenced yet; retrying',
        );
      }
    } finally {
      this.running = undefined;
    }
  }

  /** One batch in one transaction; 0 when another sequencer has the lock and `wait` is false. */
  private sequenceBatch(wait: boolean): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      if (!(await this.repository.lockSequencer(tx, wait))) return 0;
      const tail = await this.repository.tail(tx);
      const events = await this.repository.pending(tx, BATCH);
      if (events.length === 0) return 0;
      let seq = tail?.seq ?? 0;
      let prevHash = tail?.hash ?? GENESIS_HASH;
      const links = events.map((event) => {
        seq += 1;
        const hash = auditHash(prevHash, event);
        const link = { id: event.id, seq, prevHash, hash };
        prevHash = hash;
        return link;
      });
      await this.repository.integrate(tx, links);
      return links.length;
    });
  }
}
