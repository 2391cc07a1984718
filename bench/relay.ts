import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * The outbound relay of the bench: a real SMTP server that takes every mail and keeps nothing
 * (production refuses the file transport, src/config/config.schema.ts). Its cost stays small
 * beside the app's: it reads and drops the bytes, it does not parse them.
 */
export async function startDiscardingRelay(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData: (stream, _session, callback) => {
      stream.on('end', () => callback());
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
