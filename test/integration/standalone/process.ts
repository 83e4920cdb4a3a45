// Runs `switchyard standalone` (or another long-running command: start-data-node) as a
// real child process (through tsx, so no build is needed) and collects its log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface SwitchyardProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first log line matching `pattern`, waiting at most `ms`. */
  waitForLine(pattern: RegExp, ms?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const startSwitchyard = (args: readonly string[], env: NodeJS.ProcessEnv = {}): SwitchyardProcess =>
  spawnSwitchyard('standalone', args, env);

export function spawnSwitchyard(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): SwitchyardProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', command, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return {
    child,
    lines,
    waitForLine(pattern, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const line = lines.find((l) => pattern.test(l));
          if (line === undefined) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no log line matching ${pattern} within ${ms} ms; got:\n${lines.join('\n')}`));
        }, ms);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Polls `probe` until it returns true, at most `ms`. */
export async function eventually(
  probe: () => Promise<boolean>,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
