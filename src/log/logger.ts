import { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

// Traefik's level names, mapped onto pino's.
const LEVELS: Record<string, LevelWithSilent> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
  PANIC: 'fatal',
};
const LABELS: Record<number, string> = { 10: 'TRC', 20: 'DBG', 30: 'INF', 40: 'WRN', 50: 'ERR', 60: 'FTL' };

export interface LogOptions {
  level?: string;
  format?: 'common' | 'json';
  destination?: NodeJS.WritableStream;
}

/**
 * `json` is pino's own line format. `common` is a one-line human format in the spirit of
 * Traefik's: time, level, message, then the fields as key=value.
 */
export function createLogger(options: LogOptions = {}): Logger {
  const level = LEVELS[(options.level ?? 'ERROR').toUpperCase()] ?? 'error';
  const out = options.destination ?? process.stdout;
  if (options.format === 'json') return pino({ level, base: undefined }, out);
  return pino({ level, base: undefined }, commonFormat(out));
}

function commonFormat(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) out.write(`${formatLine(line)}\n`);
      }
      done();
    },
  });
}

function formatLine(line: string): string {
  const { time, level, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
  const parts = [
    new Date(Number(time)).toISOString(),
    LABELS[Number(level)] ?? String(level),
    String(msg ?? ''),
  ];
  for (const [key, value] of Object.entries(fields)) {
    parts.push(`${key}=${JSON.stringify(value)}`);
  }
  return parts.join(' ');
}
