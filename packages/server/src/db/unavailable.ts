// Recognises errors that mean the database cannot serve right now (down, restarting, disk full,
// read-only) rather than a bad request or a bug, so callers can answer 503 and try again later.

const SQLITE_CODES = /^SQLITE_(FULL|READONLY|IOERR|BUSY|LOCKED|CANTOPEN|PROTOCOL)/;
/** SQLSTATE classes and codes: connection exceptions, shutdown, resources (disk full), read-only. */
const PG_STATES = /^(08|53|57P0[1-4]|25006|40001|40P01)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const PG_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (SQLITE_CODES.test(code) || PG_STATES.test(code) || NETWORK_CODES.has(code))
    ) {
      return true;
    }
    if (typeof message === 'string' && PG_MESSAGES.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
