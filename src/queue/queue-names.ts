/** Every BullMQ queue, named once. Job ids are row ids, chosen in job-options.ts (jobOptionsFor). */
export const QueueName = {
  mail: 'mail',
  inboundEmail: 'inbound-email',
  recoveryReset: 'recovery-reset',
  securityEvents: 'security-events',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];
