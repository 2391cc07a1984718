/** Every BullMQ queue, named once. Job ids are chosen by the producers beside each name. */
export const QueueName = {
  mail: 'mail',
  inboundEmail: 'inbound-email',
  recoveryReset: 'recovery-reset',
  maintenance: 'maintenance',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];
