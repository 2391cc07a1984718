import type { InboundMessage } from './inbound-message.entity';

/**
 * What agents see of a received message: envelope, headers' metadata, state and decision, the
 * sender authentication result and the request it produced. Never the body or the raw bytes
 * (they may carry card numbers), never attachment contents.
 */
export function inboundMessageView(message: InboundMessage) {
  return {
    id: message.id,
    receivedAt: message.receivedAt.toISOString(),
    source: message.source,
    envelope: {
      mailFrom: message.mailFrom,
      rcptTo: message.rcptTo,
      clientIp: message.clientIp,
      helo: message.clientHelo,
    },
    from: message.fromAddresses ?? [],
    subject: message.subject,
    messageId: message.messageIdHeader,
    size: message.rawSize,
    attachments: message.attachments ?? [],
    state: message.state,
    reason: message.reason,
    decision: message.decision,
    authentication: message.authentication,
    requestId: message.recoveryRequestId,
    duplicateOf: message.duplicateOf,
    attempts: message.attempts,
    processedAt: message.processedAt?.toISOString() ?? null,
    rawPurged: message.rawPurgedAt !== null,
  };
}
