/**
 * The worker-thread side of the off-loop path for large messages (off-loop.ts): parsing
 * (mailparser turns a large text part into text and HTML in one go) and sender authentication
 * (mailauth hashes and canonicalizes the whole body for DKIM) each hold an event loop for hundreds
 * of milliseconds on a message of megabytes. Here they run in a thread of their own; DNS look-ups
 * go back to the main thread over a MessagePort, so the process's one resolver answers them.
 */
import { authenticate } from 'mailauth';
import type { MessagePort } from 'node:worker_threads';
import { ParsedInboundMessage, parseInboundMessage } from './message-parser';
import {
  decideDmarc,
  MailauthOutcome,
  SenderAuthentication,
  TemporaryAuthenticationError,
} from './sender-auth-decision';

export interface OffLoopTask {
  raw: Uint8Array;
  ip?: string;
  helo?: string;
  sender?: string;
  /** DNS questions go out on it as { id, name, rrtype }; answers come back as { id, result | error } */
  dns: MessagePort;
}

export type OffLoopResult =
  { authentication: SenderAuthentication } | { temporary: string } | { error: string };

export interface DnsQuestion {
  id: number;
  name: string;
  rrtype: string;
}

export type DnsAnswer =
  { id: number; result: unknown } | { id: number; error: { message: string; code?: string } };

/** A resolver with dns.promises.resolve's signature that asks the main thread. */
function resolverOver(port: MessagePort) {
  let next = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  port.on('message', (answer: DnsAnswer) => {
    const waiting = pending.get(answer.id);
    if (waiting === undefined) return;
    pending.delete(answer.id);
    if ('error' in answer) {
      // mailauth reads the code (ENOTFOUND, ENODATA: no record; anything else: temperror)
      waiting.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
    } else {
      waiting.resolve(answer.result);
    }
  });
  return (name: string, rrtype: string) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      port.postMessage({ id, name, rrtype } satisfies DnsQuestion);
    });
}

/** `parse`: parseInboundMessage in this thread (the message is large, see off-loop.ts). */
export async function parse(raw: Uint8Array): Promise<ParsedInboundMessage> {
  return parseInboundMessage(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
}

export default async function authenticateOffLoop(task: OffLoopTask): Promise<OffLoopResult> {
  try {
    const outcome = (await authenticate(Buffer.from(task.raw), {
      ip: task.ip,
      helo: task.helo,
      sender: task.sender,
      resolver: resolverOver(task.dns),
      // as on the main thread (sender-auth.ts): ARC and BIMI are not part of the decision
      disableArc: true,
      disableBimi: true,
    })) as unknown as MailauthOutcome;
    return { authentication: decideDmarc(outcome) };
  } catch (error) {
    if (error instanceof TemporaryAuthenticationError) return { temporary: error.detail };
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    task.dns.close();
  }
}
