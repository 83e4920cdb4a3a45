import type { StaticConfig } from '../../config/static/index.js';
import {
  buildOptionsFor,
  buildSwarmConfiguration,
  createDockerApi,
  DrainSet,
  EventStream,
  isStopSignal,
  swarmNetworkFromDocument,
  swarmServiceFromDocument,
  SyncLoop,
  type BuildOptions,
  type DockerApi,
  type DockerEvent,
  type SwarmNetworkInfo,
  type SwarmServiceInfo,
  type SwarmTaskInfo,
} from '../docker/index.js';
import type { Emit, Provider } from '../provider.js';
import { nextRead, type ReadTimings } from './read-schedule.js';
import { tasksWithAddresses } from './task-addresses.js';

export type SwarmProviderOptions = NonNullable<StaticConfig['providers']['swarm']>;

/** Timings; the defaults suit production, tests shorten them. */
export interface SwarmProviderTimings {
  /** How long events must be quiet before a read. */
  readonly debounceMs?: number;
  /** First delay between reads while tasks are on their way to running; it doubles up to convergeMaxMs. */
  readonly convergeMinMs?: number;
  readonly convergeMaxMs?: number;
  /** Delay between reads while a service is being updated or rolled back. */
  readonly rollingMs?: number;
}

// Service and node events come from the managers' raft log, so a manager sees them for the
// whole swarm; container events only for this node's tasks. The `event` filter applies to
// every type at once: the union of what matters is asked for, and the rest is ignored.
const EVENT_TYPES = ['service', 'node', 'container'];
const EVENT_ACTIONS = [
  'create',
  'update',
  'remove',
  'start',
  'die',
  'stop',
  'kill',
  'destroy',
  'health_status',
];
const SERVICE_LABEL = 'com.docker.swarm.service.id';
const TASK_LABEL = 'com.docker.swarm.task.id';

const DEBOUNCE_MS = 50;
const CONVERGE_MIN_MS = 100;
const CONVERGE_MAX_MS = 5_000;
/** Well inside the 2 s Docker waits between a task's desired state turning to shutdown and its stop signal. */
const ROLLING_MS = 250;
/** A task's container is stopped within its grace period (10 s by default) of its stop signal. */
const TASK_DRAIN_MS = 30_000;

interface Listed {
  readonly services: readonly SwarmServiceInfo[];
  readonly tasks: readonly SwarmTaskInfo[];
  readonly networks: readonly SwarmNetworkInfo[];
}

/**
 * The Swarm provider's I/O shell, talking to a manager. Traefik polls Swarm (every 15 s by
 * default); this one follows the events stream instead: a service created, updated or
 * removed, a node changed, or a task's container started or stopped on this node gives a
 * read within the debounce delay; while tasks are on their way to running (a scale-up,
 * tasks on other nodes whose container events this node never sees) it reads again at a
 * short, growing interval until they settle, and through a rolling update at a short fixed
 * one, so that a task leaves before its stop signal (see nextRead). `refreshSeconds` remains as
 * the interval of a full read that covers anything missed.
 */
export class SwarmProvider implements Provider {
  readonly name = 'swarm';
  readonly #options: SwarmProviderOptions;
  readonly #api: DockerApi;
  readonly #debounceMs: number;
  readonly #timings: ReadTimings;
  readonly #drain = new DrainSet();
  readonly #loop: SyncLoop<Listed>;
  #convergeMs: number;
  #events: EventStream | undefined;

  constructor(options: SwarmProviderOptions, timings: SwarmProviderTimings = {}, api?: DockerApi) {
    this.#options = options;
    this.#api = api ?? createDockerApi(options);
    this.#debounceMs = timings.debounceMs ?? DEBOUNCE_MS;
    this.#timings = {
      convergeMinMs: timings.convergeMinMs ?? CONVERGE_MIN_MS,
      convergeMaxMs: timings.convergeMaxMs ?? CONVERGE_MAX_MS,
      rollingMs: timings.rollingMs ?? ROLLING_MS,
    };
    this.#convergeMs = this.#timings.convergeMinMs;
    this.#loop = new SyncLoop({
      provider: this.name,
      source: `the Swarm manager at ${options.endpoint}`,
      read: () => this.#read(),
      build: (listed) => this.#build(listed),
      resyncMs: options.watch && options.refreshSeconds > 0 ? options.refreshSeconds : undefined,
    });
  }

  async start(emit: Emit): Promise<void> {
    if (this.#options.watch) {
      this.#events = new EventStream(this.#api, {
        filters: { type: EVENT_TYPES, event: EVENT_ACTIONS },
        onEvent: (event) => this.#onEvent(event),
        onConnect: () => this.#loop.request(0),
      });
      this.#events.start();
    }
    await this.#loop.start(emit);
  }

  async stop(): Promise<void> {
    const loopStopped = this.#loop.stop(); // no message from here on
    await this.#api.close(); // aborts a read that hangs, which the loop waits for
    await this.#events?.close();
    await loopStopped;
    this.#drain.clear();
  }

  #onEvent(event: DockerEvent): void {
    const attributes = event.Actor?.Attributes ?? {};
    if (event.Type === 'container') {
      if (attributes[SERVICE_LABEL] === undefined) return; // not a task's container
      const task = attributes[TASK_LABEL];
      if (event.Action === 'kill' && task !== undefined && isStopSignal(attributes.signal, undefined)) {
        this.#drain.kill(task, TASK_DRAIN_MS, () => this.#loop.request(0));
        this.#loop.rebuild();
      }
    }
    // Something moved: a task may be about to change state (Swarm marks it running some
    // 100 ms after its container's start event), so poll closely again.
    this.#convergeMs = this.#timings.convergeMinMs;
    this.#loop.request(this.#debounceMs);
  }

  async #read(): Promise<Listed> {
    const readAt = this.#drain.mark();
    const [services, taskDocuments, networkDocuments] = await Promise.all([
      this.#api.listServices(),
      this.#api.listRunningTasks(),
      this.#api.listSwarmNetworks(),
    ]);
    const networks = networkDocuments.map(swarmNetworkFromDocument);
    const tasks = await tasksWithAddresses(this.#api, taskDocuments, networks);
    const next = nextRead(services, tasks, this.#convergeMs, this.#timings);
    this.#convergeMs = next.convergeMs;
    if (next.delayMs !== undefined) this.#loop.request(next.delayMs);
    const running = new Set(tasks.filter((t) => t.state === 'running').map((t) => t.id));
    this.#drain.settle(readAt, (id) => running.has(id));
    return { services: services.map(swarmServiceFromDocument), tasks, networks };
  }

  #build({ services, tasks, networks }: Listed) {
    const serving = tasks.filter((task) => !this.#drain.has(task.id));
    return buildSwarmConfiguration(services, serving, networks, this.#buildOptions());
  }

  #buildOptions(): BuildOptions {
    return buildOptionsFor(this.#options, this.name);
  }
}
