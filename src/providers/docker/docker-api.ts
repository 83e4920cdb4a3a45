import type Dockerode from 'dockerode';
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { parseEndpoint } from './endpoint.js';
import type { DockerInspect } from './from-inspect.js';
import type { NetworkDocument, SwarmServiceDocument, SwarmTaskDocument } from './swarm-from-inspect.js';

/** A container's inspect document, with what the shell reads besides the translation's input. */
export interface ContainerDocument extends DockerInspect {
  readonly Config?: {
    readonly Labels?: Readonly<Record<string, string>> | null;
    /** The signal `docker stop` sends (`SIGTERM` when unset). */
    readonly StopSignal?: string;
    /** Seconds `docker stop` waits before SIGKILL (10 when unset). */
    readonly StopTimeout?: number | null;
  } | null;
}

/** One message of `GET /events`. */
export interface DockerEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Readonly<Record<string, string>> | null };
}

export type EventFilters = Readonly<Record<string, readonly string[]>>;

/** The calls the Docker and Swarm providers make, so that tests can stand between them and the engine. */
export interface DockerApi {
  /** The IDs of all containers, running or not. */
  listContainerIds(): Promise<string[]>;
  /** Undefined when the container is gone (removed between the list and the inspect). */
  inspectContainer(id: string): Promise<ContainerDocument | undefined>;
  listServices(): Promise<SwarmServiceDocument[]>;
  /** The tasks Swarm wants running (desired state `running`), whatever their state. */
  listRunningTasks(): Promise<SwarmTaskDocument[]>;
  /** Networks of swarm scope: those a task's attachments can name. */
  listSwarmNetworks(): Promise<NetworkDocument[]>;
  /** The events stream, newline-delimited JSON, until `signal` aborts it or the engine ends it. */
  events(filters: EventFilters, signal: AbortSignal): Promise<NodeJS.ReadableStream>;
  /** Closes the connections kept for later calls. */
  close(): Promise<void>;
}

export interface DockerApiOptions {
  readonly endpoint: string;
  readonly tls?:
    | {
        readonly ca?: string | undefined;
        readonly cert?: string | undefined;
        readonly key?: string | undefined;
        readonly insecureSkipVerify: boolean;
      }
    | undefined;
  /** Milliseconds each call may take, the events stream aside; 0 for no limit. */
  readonly httpClientTimeout: number;
}

/** More than a provider's read ever has in flight on one engine (16 inspects, 3 lists, the events). */
const CALLS_IN_FLIGHT = 32;

/**
 * The Docker API through dockerode. The client is made on first use, not here, because a
 * TLS endpoint reads its certificate files: a failure then is a failed call, reported and
 * retried by the provider like an engine that does not answer.
 */
export function createDockerApi(options: DockerApiOptions): DockerApi {
  let client: Promise<{ docker: Dockerode; agent: Agent | undefined }> | undefined;
  // Aborts every call in flight on close(), so that a provider stops even when the engine hangs.
  const closing = new AbortController();
  // Without httpClientTimeout every call listens on this one signal until it ends: a read's
  // 16 inspects at once would pass Node's default of 10 and warn of a leak that is not one.
  setMaxListeners(CALLS_IN_FLIGHT, closing.signal);
  const docker = async (): Promise<Dockerode> => {
    if (closing.signal.aborted) throw new Error('the Docker API client is closed');
    client ??= openClient(options).catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return (await client).docker;
  };
  const limit = (): { abortSignal: AbortSignal } => ({
    abortSignal:
      options.httpClientTimeout > 0
        ? AbortSignal.any([closing.signal, AbortSignal.timeout(options.httpClientTimeout)])
        : closing.signal,
  });
  return {
    async listContainerIds() {
      const containers = await (await docker()).listContainers({ all: true, ...limit() });
      return containers.map((c) => c.Id);
    },
    async inspectContainer(id) {
      try {
        return (await (await docker()).getContainer(id).inspect(limit())) as ContainerDocument;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw error;
      }
    },
    async listServices() {
      return (await (await docker()).listServices(limit())) as SwarmServiceDocument[];
    },
    async listRunningTasks() {
      const filters = { 'desired-state': ['running'] };
      return (await (await docker()).listTasks({ filters, ...limit() })) as SwarmTaskDocument[];
    },
    async listSwarmNetworks() {
      const filters = { scope: ['swarm'] };
      return (await (await docker()).listNetworks({ filters, ...limit() })) as NetworkDocument[];
    },
    async events(filters, signal) {
      // No time limit here: the stream is meant to stay open while nothing happens.
      const abortSignal = AbortSignal.any([closing.signal, signal]);
      return (await docker()).getEvents({ filters: JSON.stringify(filters), abortSignal });
    },
    async close() {
      closing.abort();
      (await client?.catch(() => undefined))?.agent?.destroy();
    },
  };
}

/** The client, and the agent it was given (TLS only) for close() to end its connections. */
async function openClient(
  options: DockerApiOptions,
): Promise<{ docker: Dockerode; agent: Agent | undefined }> {
  // Loaded here, not at the top: a node without the Docker or Swarm provider never pays
  // for dockerode (about 9 MiB of resident memory).
  const { default: Dockerode } = await import('dockerode');
  const endpoint = parseEndpoint(options.endpoint, options.tls !== undefined);
  if (!endpoint) throw new Error(`unusable endpoint ${options.endpoint}`);
  if (endpoint.kind === 'unix')
    return { docker: new Dockerode({ socketPath: endpoint.socketPath }), agent: undefined };
  if (!endpoint.https) {
    return {
      docker: new Dockerode({ host: endpoint.host, port: endpoint.port, protocol: 'http' }),
      agent: undefined,
    };
  }
  const tls = options.tls;
  const [ca, cert, key] = await Promise.all([tls?.ca, tls?.cert, tls?.key].map(fileOrContent));
  // Options of the agent win over those of each request, so insecureSkipVerify holds.
  const agent = new Agent({ ca, cert, key, rejectUnauthorized: !tls?.insecureSkipVerify, keepAlive: true });
  // docker-modem takes an agent; @types/dockerode (written for dockerode 4) does not say so.
  const modem: Dockerode.DockerOptions & { agent: Agent } = {
    host: endpoint.host,
    port: endpoint.port,
    protocol: 'https',
    agent,
  };
  return { docker: new Dockerode(modem), agent };
}

/** Traefik's FileOrContent: PEM text as is, anything else a path to read. */
async function fileOrContent(value: string | undefined): Promise<string | undefined> {
  if (value === undefined) return undefined;
  return value.includes('-----BEGIN') ? value : readFile(value, 'utf8');
}
