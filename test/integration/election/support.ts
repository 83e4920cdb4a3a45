// What the election tests share: a controller that writes a counter through fencedTxn
// while it holds office, a contender in a child process (to kill -9 or SIGSTOP), and
// the history check that reads every write back from etcd.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Election } from '../../../src/cluster/election/index.js';
import { isElectionError, type Term } from '../../../src/cluster/election/index.js';
import { CONTROLLER_KEY } from '../../../src/cluster/election/index.js';
import type { Store, WatchEvent } from '../../../src/cluster/store/index.js';

export const COUNTER_KEY = '/switchyard/test/counter';
export const TTL_MS = 2000;

export interface CounterValue {
  readonly term: number;
  readonly nodeId: string;
  readonly seq: number;
}

const encode = (v: CounterValue): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/**
 * Writes the counter every `everyMs` through fencedTxn while `election` holds a term, as
 * a controller's writes would; stops at the first refusal. `fenced` counts refusals.
 */
export function writeWhileElected(election: Election, everyMs = 25): { fenced: number; written: number } {
  const stats = { fenced: 0, written: 0 };
  let seq = 0;
  election.on('elected', (term: Term) => {
    const tick = async (): Promise<void> => {
      while (election.term === term) {
        try {
          await election.fencedTxn(term, {
            success: [
              {
                type: 'put',
                key: COUNTER_KEY,
                value: encode({ term: term.revision, nodeId: term.nodeId, seq: ++seq }),
              },
            ],
          });
          stats.written++;
        } catch (err) {
          if (isElectionError(err, 'ELECTION_FENCED')) {
            stats.fenced++;
            return;
          }
          // A store error (etcd failing over): the term may still hold; try again.
        }
        await new Promise((r) => setTimeout(r, everyMs));
      }
    };
    void tick();
  });
  return stats;
}

export interface ChildContender {
  readonly child: ChildProcess;
  /** Lines the child printed: `elected <rev>`, `deposed <reason> <rev>`, `fenced <rev>`, `wrote <rev>`. */
  readonly lines: string[];
  /** Resolves with the first line starting with `prefix` (past or future). */
  line(prefix: string, timeoutMs?: number): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  exited(): Promise<void>;
}

export interface ChildOptions {
  readonly nodeId: string;
  readonly endpoints: readonly string[];
  readonly tls?: { readonly caFile: string; readonly certFile: string; readonly keyFile: string };
}

const FIXTURE = fileURLToPath(new URL('./fixtures/contender.ts', import.meta.url));

export async function startChildContender(options: ChildOptions): Promise<ChildContender> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (l: string) => void }[] = [];
  let buffer = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const l = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(l);
      for (const w of [...waiters]) {
        if (l.startsWith(w.prefix)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    }
  });
  const exit = once(child, 'exit').then(() => undefined);
  const contender: ChildContender = {
    child,
    lines,
    line(prefix, timeoutMs = 15_000) {
      const seen = lines.find((l) => l.startsWith(prefix));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `child ${options.nodeId}: no "${prefix}" within ${timeoutMs} ms; said ${lines.join(' / ')}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ prefix, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited: () => exit,
  };
  await contender.line('ready');
  return contender;
}

/** Every event under `/switchyard/` from revision 1 up to now, in revision order. */
export async function readHistory(store: Store): Promise<{ revision: number; event: WatchEvent }[]> {
  const end = (await store.put('/switchyard/test/history-end', new Uint8Array([1]))).revision;
  const out: { revision: number; event: WatchEvent }[] = [];
  await new Promise<void>((resolve, reject) => {
    const w = store.watch('/switchyard/', 1, (change) => {
      if (change.type === 'error') {
        w.cancel();
        return reject(change.error);
      }
      for (const event of change.events) out.push({ revision: change.revision, event });
      if (change.revision >= end) {
        w.cancel();
        resolve();
      }
    });
  });
  return out;
}

export interface HistoryReport {
  readonly terms: number;
  readonly writes: number;
}

/**
 * The fencing invariant, from etcd's own history: every counter write carries the term
 * of the election key that existed at that revision, and terms never go backwards — no
 * write from an old term after a newer term's first write, and never two controllers'
 * writes in one term.
 */
export function checkHistory(history: readonly { revision: number; event: WatchEvent }[]): HistoryReport {
  const decoder = new TextDecoder();
  let holder: { createRevision: number; nodeId: string } | undefined;
  let lastTerm = 0;
  const writersByTerm = new Map<number, Set<string>>();
  let writes = 0;
  for (const { revision, event } of history) {
    const { kv } = event;
    if (kv.key === CONTROLLER_KEY) {
      holder =
        event.type === 'delete'
          ? undefined
          : { createRevision: kv.createRevision, nodeId: decoder.decode(kv.value) };
      continue;
    }
    if (kv.key !== COUNTER_KEY || event.type !== 'put') continue;
    const v = JSON.parse(decoder.decode(kv.value)) as CounterValue;
    writes++;
    if (holder === undefined || holder.createRevision !== v.term || holder.nodeId !== v.nodeId) {
      throw new Error(
        `revision ${revision}: ${v.nodeId} wrote in term ${v.term}, but the controller key was ${JSON.stringify(holder)}`,
      );
    }
    if (v.term < lastTerm)
      throw new Error(`revision ${revision}: a write of term ${v.term} after term ${lastTerm}`);
    lastTerm = v.term;
    const writers = writersByTerm.get(v.term) ?? new Set();
    writers.add(v.nodeId);
    writersByTerm.set(v.term, writers);
    if (writers.size > 1) throw new Error(`term ${v.term} has two writers: ${[...writers].join(', ')}`);
  }
  return { terms: writersByTerm.size, writes };
}

const STORE_METHODS = [
  'get',
  'list',
  'put',
  'delete',
  'deletePrefix',
  'txn',
  'watch',
  'grantLease',
  'keepAlive',
  'revokeLease',
  'revision',
  'compact',
  'close',
] as const;

/** The store with some methods replaced, e.g. a watch that never delivers. */
export function wrapStore(store: Store, overrides: Partial<Store>): Store {
  const out: Record<string, unknown> = {};
  for (const m of STORE_METHODS)
    out[m] = overrides[m] ?? (store[m] as (...a: unknown[]) => unknown).bind(store);
  return out as unknown as Store;
}
