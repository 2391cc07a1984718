/**
 * Whether an error means PostgreSQL could not be reached or is going away — a temporary state the
 * client should retry (HTTP 503, SMTP 451) — rather than a fault in the request or the code.
 * Looks through TypeORM's QueryFailedError (`driverError`) and `cause` chains, and accepts errors
 * from another realm (Node's own socket errors are not always `instanceof Error`).
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, message, driverError, cause } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string' && UNAVAILABLE_CODE.test(code)) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  return isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(cause, depth + 1);
}

/**
 * Socket errors, and the SQLSTATEs of a server that is unreachable or shutting down: class 08
 * (connection exception), 57P01–57P03 (admin/crash shutdown, cannot connect now), 53300 (too
 * many connections).
 */
const UNAVAILABLE_CODE =
  /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|08[0-9A-Z]{3}|57P0[123]|53300)$/;

/** What node-postgres and TypeORM's pool say when a connection is lost or cannot be had. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established)/;
