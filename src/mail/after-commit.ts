import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

/**
 * Runs callbacks once the caller's transaction has committed, so a job never races ahead of the
 * row it points at (and is never queued for a row that was rolled back). TypeORM broadcasts
 * transaction events to every subscriber of the data source; this one registers itself at start.
 */
@Injectable()
export class AfterCommitHooks implements EntitySubscriberInterface, OnModuleInit {
  private readonly pending = new WeakMap<QueryRunner, (() => void)[]>();
  private readonly batches = new WeakMap<QueryRunner, Map<object, unknown[]>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    if (!this.dataSource.subscribers.includes(this)) this.dataSource.subscribers.push(this);
  }

  /**
   * Schedules `callback` for after the commit of `manager`'s transaction and returns true, or
   * returns false when `manager` is not inside a transaction (its writes are already committed).
   */
  schedule(manager: EntityManager, callback: () => void): boolean {
    const runner = manager.queryRunner;
    if (runner === undefined || runner.isReleased || !runner.isTransactionActive) return false;
    const list = this.pending.get(runner) ?? [];
    list.push(callback);
    this.pending.set(runner, list);
    return true;
  }

  /**
   * Like `schedule`, but items with the same `key` within one transaction are collected and
   * handed to ONE call of `run` after the commit (e.g. one addBulk for every mail of the
   * transaction). Returns false when `manager` is not inside a transaction.
   */
  scheduleBatched<T>(
    manager: EntityManager,
    key: object,
    item: T,
    run: (items: T[]) => void,
  ): boolean {
    const runner = manager.queryRunner;
    if (runner === undefined || runner.isReleased || !runner.isTransactionActive) return false;
    const batches = this.batches.get(runner) ?? new Map<object, unknown[]>();
    this.batches.set(runner, batches);
    const batch = batches.get(key) as T[] | undefined;
    if (batch !== undefined) {
      batch.push(item);
      return true;
    }
    const items = [item];
    batches.set(key, items);
    return this.schedule(manager, () => run(items));
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    // a released savepoint is not a commit: wait for the outermost transaction
    if (runner.isTransactionActive) return;
    const list = this.pending.get(runner);
    this.pending.delete(runner);
    this.batches.delete(runner);
    for (const callback of list ?? []) callback();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    // Rolling back to a savepoint may or may not have removed the row: keep the callback (the
    // worker treats a missing row as "not yet" and gives up after its retries). A full rollback
    // removed everything: drop them.
    if (!event.queryRunner.isTransactionActive) {
      this.pending.delete(event.queryRunner);
      this.batches.delete(event.queryRunner);
    }
  }
}
