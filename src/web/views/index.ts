import { agentInbound, agentQueue, agentRequest, pager } from './agent.views';
import { cancel, cancelled } from './cancel.views';
import { checkbox, csrf, error, field, layout, messages } from './layout.views';
import { securityReport, securityReported } from './security-report.views';
import { enrollIntro, signIn, signInCode, signInRecovery } from './sign-in.views';
import { enrollScan, recoveryCodes, settings } from './two-factor.views';
import { user, users } from './users.views';

/** Every template by name (eta loads each as `@name`). */
export const VIEWS = {
  layout,
  messages,
  csrf,
  field,
  checkbox,
  pager,
  error,
  signIn,
  signInCode,
  signInRecovery,
  enrollIntro,
  enrollScan,
  recoveryCodes,
  settings,
  users,
  user,
  agentQueue,
  agentRequest,
  agentInbound,
  cancel,
  cancelled,
  securityReport,
  securityReported,
} as const;

export type ViewName = keyof typeof VIEWS;
