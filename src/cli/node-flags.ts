import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { advertiseHost } from '../cluster/gossip/index.js';
import type { Logger } from '../log/index.js';

// What the node commands (standalone, bootstrap, start-control-node, start-data-node) do
// the same way: read their network flags, report a failure (`switchyard: CODE: path:
// message` on stderr, exit 1; 2 for a bad flag), and stop on a signal.

export async function advertiseAddress(given: string | undefined, listen: string): Promise<string> {
  if (given !== undefined) return isIP(given) !== 0 ? given : (await lookup(given)).address;
  return advertiseHost(listen, networkInterfaces()) ?? '127.0.0.1';
}

/** The host name as a node id: lower case, anything else than letters, digits, dots and dashes made a dash. */
export const defaultNodeId = (): string =>
  hostname()
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');

export function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(
      `switchyard: ${flag}: must be a positive whole number, got ${JSON.stringify(text)}\n`,
    );
    process.exit(2);
  }
  return n;
}

/** Prints an error with its code and exits 1. */
export function fatal(err: unknown): never {
  report(err);
  process.exit(1);
}

export function report(err: unknown): void {
  const code = typeof err === 'object' && err !== null && 'code' in err ? `${String(err.code)}: ` : '';
  process.stderr.write(`switchyard: ${code}${err instanceof Error ? err.message : String(err)}\n`);
}

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (1 if it failed). A
 * second signal while it runs changes nothing: draining follows each entrypoint's lifeCycle.
 * The answer tells whether a signal has started the stop.
 */
export function stopOnSignals(stop: () => Promise<void>, log: Logger): { stopping: () => boolean } {
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  return { stopping: () => stopping };
}
