// A data plane on 127.0.0.1 with an access log, and ways to read what it wrote.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { StaticConfig } from '../../../src/config/static/index.js';
import { DataPlane } from '../../../src/dataplane/index.js';
import { AccessLog } from '../../../src/dataplane/observability/access-log/index.js';
import type { Destination } from '../../../src/dataplane/observability/access-log/index.js';
import { createLogger } from '../../../src/log/index.js';
import { dynamic, entryPoints, mustApply, portOf } from '../dataplane/harness.js';
import { eventually } from '../services/harness.js';

const silent = createLogger({
  level: 'FATAL',
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

export interface Logged {
  readonly port: number;
  readonly file: string;
  readonly accessLog: AccessLog;
  /** The lines written so far. */
  lines(): Promise<string[]>;
  /** Waits until at least `count` lines were written, and returns them all. */
  waitForLines(count: number): Promise<string[]>;
  close(): Promise<void>;
}

export interface LoggedOptions {
  /** The static `accessLog` section; `filePath` defaults to a file in a fresh directory. */
  readonly accessLog?: Record<string, unknown>;
  /** The `http` section of the dynamic configuration. */
  readonly http: Record<string, unknown>;
  readonly entryPoints?: Record<string, unknown>;
  readonly destination?: Destination;
}

/** Starts a data plane whose access log goes to a file (or `destination`). */
export async function startLogged(options: LoggedOptions): Promise<Logged> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-access-log-'));
  const file = join(dir, 'logs', 'access.log');
  const config = StaticConfig.parse({ accessLog: { filePath: file, ...options.accessLog } }).accessLog!;
  const accessLog = await AccessLog.open(
    config,
    options.destination ? { destination: options.destination } : {},
  );
  const dp = new DataPlane({ logger: silent, serverName: 'switchyard-test', accessLog });
  const eps = entryPoints(options.entryPoints ?? { web: { address: '127.0.0.1:0' } });
  await mustApply(dp, 1, eps, dynamic({ http: options.http }));
  const lines = async (): Promise<string[]> => {
    const text = await readFile(file, 'utf8').catch(() => '');
    return text.split('\n').filter((line) => line !== '');
  };
  return {
    port: portOf(dp, 'web'),
    file,
    accessLog,
    lines,
    async waitForLines(count) {
      await eventually(async () => (await lines()).length >= count);
      return lines();
    },
    async close() {
      await dp.close(1_000);
      await accessLog.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
