// The process logger (pino): JSON lines to stdout, or readable lines when stdout is a terminal
// (KLANG_LOG_FORMAT). Credentials in request headers are removed; payload bodies are never logged.
import pino from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;
export type LogFormat = 'auto' | 'json' | 'pretty';

const options = (level: string): pino.LoggerOptions => ({
  level,
  base: { service: 'klang-webhooks' },
  redact: {
    paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'],
    remove: true,
  },
});

/** `auto` is readable on a terminal and JSON everywhere else (files, pipes, log collectors). */
export const wantsPretty = (format: LogFormat, isTty = process.stdout.isTTY === true): boolean =>
  format === 'pretty' || (format === 'auto' && isTty);

export function createLogger(level: string, format: LogFormat = 'json'): Logger {
  if (!wantsPretty(format)) return pino(options(level));
  // In-process and synchronous: lines are written in order with the start-up banner, no worker thread.
  const stream = pretty({
    sync: true,
    colorize: process.stdout.isTTY === true,
    ignore: 'pid,hostname,service',
    singleLine: true,
  });
  return pino(options(level), stream);
}
