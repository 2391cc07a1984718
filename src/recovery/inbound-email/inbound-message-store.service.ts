import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { InboundEmailQueue } from './inbound-email.queue';
import { InboundMessageRepository, NewInboundMessage } from './inbound-message.repository';

/**
 * The front door's one rule (docs/architecture.md, Durability): a message is acknowledged only after its
 * raw bytes and envelope are committed. Enqueueing comes after the commit and never delays or
 * fails the acknowledgement: with Redis away the row simply waits for the outbox sweeper.
 */
@Injectable()
export class InboundMessageStore {
  private readonly logger = new Logger(InboundMessageStore.name);

  constructor(
    private readonly repository: InboundMessageRepository,
    private readonly queue: InboundEmailQueue,
  ) {}

  /** Returns the stored id; throws DomainError('storage_unavailable') when nothing was committed. */
  async store(message: NewInboundMessage): Promise<string> {
    let id: string;
    try {
      id = await this.repository.insert(message);
    } catch (error) {
      this.logger.error(
        { source: message.source, err: error instanceof Error ? error.message : String(error) },
        'inbound message NOT stored; the sender is told to try again later',
      );
      throw new DomainError(
        'storage_unavailable',
        'The message could not be stored; try again later',
      );
    }
    // not awaited: the acknowledgement must not wait for Redis (enqueue() never rejects)
    void this.queue.enqueue([id]);
    return id;
  }
}
