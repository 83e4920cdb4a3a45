// The data node of the distribution benchmark, in its own process so that its RSS is its
// own: forked by distribution.ts, it waits for "go", starts a DataNodeClient and reports
// when the target revision is applied (to a recorder, or to a real data plane).
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { Credentials } from '../../src/cluster/pki/index.js';
import { StaticConfig } from '../../src/config/static/index.js';
import { DataPlane, type ApplyInput, type ApplyOutcome } from '../../src/dataplane/index.js';
import { DataNodeClient } from '../../src/distribution/index.js';
import { createLogger } from '../../src/log/index.js';

export interface NodeSetup {
  readonly address: string;
  readonly credentialsFile: string;
  readonly stateDir: string;
  readonly target: number;
  /** `record`: the distribution alone; `dataplane`: a real DataPlane applies each version. */
  readonly mode: 'record' | 'dataplane';
}

export type NodeReport =
  | { readonly type: 'ready' }
  | { readonly type: 'applied'; readonly at: number; readonly rss: number; readonly errors: number }
  | { readonly type: 'settled'; readonly rss: number };

const setup = JSON.parse(process.env.BENCH_NODE ?? '{}') as NodeSetup;
const send = (report: NodeReport): void => void process.send!(report);
const log = createLogger({ level: 'FATAL', destination: new Writable({ write: (_c, _e, done) => done() }) });
const credentials = JSON.parse(readFileSync(setup.credentialsFile, 'utf8')) as Credentials;
const entryPoints = StaticConfig.parse({
  entryPoints: { websecure: { address: '127.0.0.1:0' } },
}).entryPoints;
const dataPlane = setup.mode === 'dataplane' ? new DataPlane({ logger: log }) : undefined;

let reported = false;
const apply = async (input: ApplyInput): Promise<ApplyOutcome> => {
  const outcome = dataPlane ? await dataPlane.apply(input) : { ok: true, version: input.version, errors: [] };
  if (!reported && input.version >= setup.target) {
    reported = true;
    send({ type: 'applied', at: Date.now(), rss: process.memoryUsage().rss, errors: outcome.errors.length });
    setTimeout(() => send({ type: 'settled', rss: process.memoryUsage().rss }), 2000);
  }
  return outcome;
};

const client = new DataNodeClient({
  nodeId: 'bench-new-node',
  credentials,
  controlNodes: [setup.address],
  stateDir: setup.stateDir,
  localEntryPoints: entryPoints,
  apply,
  log,
});

process.on('message', (message) => {
  if (message === 'go') void client.start();
  if (message === 'stop') {
    void client
      .stop()
      .then(() => dataPlane?.close(0))
      .then(() => process.exit(0));
  }
});
send({ type: 'ready' });
