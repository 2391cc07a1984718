import type { Readable } from 'node:stream';

/**
 * Reads a message stream into one buffer, holding at most `limit` bytes: once the limit is
 * passed, everything read so far is dropped and `null` is returned. With `drain` the rest of the
 * stream is read and discarded first (SMTP must read to the final "." before it may answer 552);
 * without, the answer comes at once and the caller closes the connection (HTTP 413).
 */
export function readBounded(
  stream: Readable,
  limit: number,
  drain: boolean,
): Promise<Buffer | null> {
  return new Promise<Buffer | null>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let exceeded = false;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      if (exceeded) return;
      size += chunk.length;
      if (size > limit) {
        exceeded = true;
        chunks = [];
        if (!drain) {
          cleanup();
          stream.pause();
          resolve(null);
        }
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(exceeded ? null : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}
