import { lookup } from 'node:dns/promises';
import { ConfigError } from '../../config/errors.js';
import type { StaticConfig } from '../../config/static/index.js';
import type { Emit, Provider } from '../provider.js';
import { buildConfiguration, buildOptionsFor, type BuildOptions } from './build-configuration.js';
import type { ContainerInfo } from './container.js';
import { createDockerApi, type DockerApi, type DockerApiOptions, type DockerEvent } from './docker-api.js';
import { DrainSet, isStopSignal } from './drain-set.js';
import { EventStream } from './event-stream.js';
import { containerFromInspect } from './from-inspect.js';
import { inBatches } from './in-batches.js';
import { SyncLoop } from './sync-loop.js';

export type DockerProviderOptions = NonNullable<StaticConfig['providers']['docker']>;

/** Timings; the defaults suit production, tests shorten them. */
export interface DockerProviderTimings {
  /** How long events must be quiet before a read: a `docker compose up` is one read, not fifty. */
  readonly debounceMs?: number;
  /** Read everything this often even without events, in case one was missed. */
  readonly resyncMs?: number;
  /** How long start() waits for an engine that does not answer (see SyncLoop). */
  readonly startWaitMs?: number;
}

// Every event that can change what a container routes to. `kill` drains at once (see
// DrainSet); the rest ask for a read.
const CONTAINER_EVENTS = [
  'start',
  'die',
  'stop',
  'kill',
  'health_status',
  'pause',
  'unpause',
  'destroy',
  'rename',
] as const;
const NETWORK_EVENTS = ['connect', 'disconnect'] as const;

const DEBOUNCE_MS = 50;
const RESYNC_MS = 60_000;
/** Inspects in flight at once: enough to read hundreds of containers quickly, few enough for the engine. */
const INSPECT_BATCH = 16;
/** `docker stop`'s own default wait before SIGKILL. */
const DEFAULT_STOP_TIMEOUT_S = 10;
/** How long after `docker stop` should have killed it a drained container may still be running. */
const DRAIN_GRACE_MS = 5_000;
/** When one of several engines fails, the others' reads go on and that one is tried again this soon. */
const ENGINE_RETRY_MS = 1_000;

interface Listed {
  readonly containers: readonly ContainerInfo[];
  /** The engines that could not be read this time; their last containers stand in. */
  readonly unavailable: readonly ConfigError[];
}

/** One engine the provider reads: its client, its events stream, and what it last listed. */
interface Engine {
  readonly endpoint: string;
  readonly api: DockerApi;
  events: EventStream | undefined;
  last: readonly ContainerInfo[];
}

/** The engines to read: `endpoints` when set, else the one `endpoint`. */
function engineOptions(options: DockerProviderOptions): DockerApiOptions[] {
  const { endpoint, tls, httpClientTimeout } = options;
  if (!options.endpoints) return [{ endpoint, tls, httpClientTimeout }];
  return options.endpoints.map((e) => ({
    ...e,
    httpClientTimeout: e.httpClientTimeout ?? httpClientTimeout,
  }));
}

/**
 * The Docker provider's I/O shell. It lists and inspects every container, hands them to
 * buildConfiguration, and emits the whole result; then it follows the events stream (each
 * burst of events gives one read), reads again on every reconnection and periodically,
 * and drains a container as soon as it is sent its stop signal. An engine that cannot be
 * read is reported as PROVIDER_UNAVAILABLE and retried; the last configuration stays.
 *
 * With several endpoints, each has its own client and events stream, and the containers
 * of all of them go through one buildConfiguration: a service two hosts define alike is one
 * load balancer, one they define differently is a conflict, as between two containers. An
 * engine that fails while others answer keeps its last containers, reported and retried.
 */
export class DockerProvider implements Provider {
  readonly name = 'docker';
  readonly #options: DockerProviderOptions;
  readonly #engines: Engine[];
  readonly #debounceMs: number;
  readonly #drain = new DrainSet();
  readonly #loop: SyncLoop<Listed>;
  readonly #stops = new Map<string, { signal: string | undefined; timeoutMs: number }>();
  #hostIp: string | undefined;

  /** `api` stands in for the client of the first endpoint (tests put a proxy there). */
  constructor(options: DockerProviderOptions, timings: DockerProviderTimings = {}, api?: DockerApi) {
    this.#options = options;
    const engines = engineOptions(options);
    this.#engines = engines.map((engine, i) => ({
      endpoint: engine.endpoint,
      api: (i === 0 ? api : undefined) ?? createDockerApi(engine),
      events: undefined,
      last: [],
    }));
    this.#debounceMs = timings.debounceMs ?? DEBOUNCE_MS;
    const endpoints = engines.map((e) => e.endpoint);
    this.#loop = new SyncLoop({
      provider: this.name,
      source: `the Docker engine${endpoints.length > 1 ? 's' : ''} at ${endpoints.join(', ')}`,
      read: () => this.#read(),
      build: (listed) => this.#build(listed),
      resyncMs: options.watch ? (timings.resyncMs ?? RESYNC_MS) : undefined,
      ...(timings.startWaitMs !== undefined && { startWaitMs: timings.startWaitMs }),
    });
  }

  async start(emit: Emit): Promise<void> {
    if (this.#options.watch) {
      for (const engine of this.#engines) {
        engine.events = new EventStream(engine.api, {
          filters: { type: ['container', 'network'], event: [...CONTAINER_EVENTS, ...NETWORK_EVENTS] },
          onEvent: (event) => this.#onEvent(event),
          onConnect: () => this.#loop.request(0),
        });
        engine.events.start();
      }
    }
    await this.#loop.start(emit);
  }

  async stop(): Promise<void> {
    const loopStopped = this.#loop.stop(); // no message from here on
    // Closing the clients aborts a read that hangs, which the loop waits for.
    await Promise.all(this.#engines.map((e) => e.api.close()));
    await Promise.all(this.#engines.map((e) => e.events?.close()));
    await loopStopped;
    this.#drain.clear();
  }

  #onEvent(event: DockerEvent): void {
    const id = event.Actor?.ID ?? '';
    if (event.Type === 'container' && event.Action === 'kill') {
      const stop = this.#stops.get(id);
      if (isStopSignal(event.Actor?.Attributes?.signal, stop?.signal)) {
        const expireMs = (stop?.timeoutMs ?? DEFAULT_STOP_TIMEOUT_S * 1000) + DRAIN_GRACE_MS;
        this.#drain.kill(id, expireMs, () => this.#loop.request(0));
        this.#loop.rebuild();
      }
    } else if (event.Type === 'container' && event.Action === 'start') {
      this.#drain.restart(id);
    }
    this.#loop.request(this.#debounceMs);
  }

  async #read(): Promise<Listed> {
    const readAt = this.#drain.mark();
    const several = this.#engines.length > 1;
    const reads = await Promise.allSettled(this.#engines.map((engine) => this.#readEngine(engine, several)));
    const failed = reads.flatMap((r, i) =>
      r.status === 'rejected' ? [{ engine: this.#engines[i]!, r }] : [],
    );
    // Every engine down is the loop's to report and retry, with the last configuration kept.
    if (failed.length === reads.length) {
      const why = failed.map(
        ({ engine, r }) => `${several ? `${engine.endpoint}: ` : ''}${messageOf(r.reason)}`,
      );
      throw new Error(why.join('; '), { cause: failed[0]?.r.reason });
    }
    this.#stops.clear();
    const containers: ContainerInfo[] = [];
    reads.forEach((r, i) => {
      const engine = this.#engines[i]!;
      if (r.status === 'fulfilled') {
        engine.last = r.value.containers;
        for (const [id, stop] of r.value.stops) this.#stops.set(id, stop);
      }
      containers.push(...engine.last);
    });
    const unavailable = failed.map(
      ({ engine, r }) =>
        new ConfigError(
          'PROVIDER_UNAVAILABLE',
          `providers.${this.name}.endpoints`,
          `cannot read the Docker engine at ${engine.endpoint}: ${messageOf(r.reason)}; retrying, and its last containers stay in force`,
          { cause: r.reason },
        ),
    );
    if (unavailable.length > 0) this.#loop.request(ENGINE_RETRY_MS);
    // Resolved only when needed: the lookup is a DNS query where the names are not defined.
    if (containers.some((c) => c.networkMode === 'host')) this.#hostIp ??= await hostAddress();
    const running = new Set(containers.filter((c) => c.state.running).map((c) => c.id));
    this.#drain.settle(readAt, (id) => running.has(id));
    return { containers, unavailable };
  }

  /** Lists and inspects every container of one engine; `tagged` marks each with the endpoint. */
  async #readEngine(engine: Engine, tagged: boolean) {
    const ids = await engine.api.listContainerIds();
    const documents = await inBatches(ids, INSPECT_BATCH, (id) => engine.api.inspectContainer(id));
    const containers: ContainerInfo[] = [];
    const stops = new Map<string, { signal: string | undefined; timeoutMs: number }>();
    for (const document of documents) {
      if (document === undefined) continue; // removed since the list
      const container = containerFromInspect(document);
      containers.push(tagged ? { ...container, endpoint: engine.endpoint } : container);
      const timeoutS = document.Config?.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
      stops.set(document.Id, { signal: document.Config?.StopSignal, timeoutMs: timeoutS * 1000 });
    }
    return { containers, stops };
  }

  #build({ containers, unavailable }: Listed) {
    // A draining container counts as stopped: out of its load balancer, still there for
    // a container that shares its network.
    const seen = containers.map((c) =>
      this.#drain.has(c.id) ? { ...c, state: { ...c.state, running: false } } : c,
    );
    const built = buildConfiguration(seen, this.#buildOptions());
    return { config: built.config, errors: [...built.errors, ...unavailable] };
  }

  #buildOptions(): BuildOptions {
    return buildOptionsFor(this.#options, this.name, this.#hostIp ?? '127.0.0.1');
  }
}

/**
 * Where a container in host network mode is reached, as Traefik finds it:
 * host.docker.internal, then host.containers.internal, else 127.0.0.1.
 */
async function hostAddress(): Promise<string> {
  for (const name of ['host.docker.internal', 'host.containers.internal']) {
    try {
      return (await lookup(name)).address;
    } catch {
      // not defined here; try the next
    }
  }
  return '127.0.0.1';
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause)).trim();
