import { CreateAccountsBillingAudit1764000000000 } from './1764000000000-create-accounts-billing-audit';

/** Every migration, in order. Each feature appends its own; never edit one that has shipped. */
export const migrations = [CreateAccountsBillingAudit1764000000000];
