import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../config/backoff.js';
import type { ConfigError } from '../config/errors.js';
import type { ApplyInput, ApplyOutcome } from '../dataplane/index.js';
import type { Logger } from '../log/index.js';
import { loadCache, saveCache } from './cache.js';
import { ClientState, type AppliedVersion } from './client-state.js';
import { DecodeCache, entriesToInput } from './entries-input.js';
import type { ClientLink, Endpoint } from './link.js';
import { MAX_REPORTED_ERRORS, type ControlMessage, type DataMessage, type WireError } from './messages.js';
import type { ReconnectTiming } from './timing.js';

// A data node's distribution client, whatever carries its stream: it serves its cached
// version first, then keeps one stream open to one of its endpoints, moving to the next
// when that one goes, and applies what comes, one version at a time.
//
// ACK or NACK: a version the data plane refuses as a whole (an address it cannot bind) is
// NACKed and the previous one keeps serving. A version it takes without some resources
// (a router naming an entrypoint this node lacks) is ACKed with those errors, as Traefik
// serves the rest. Certificates are the exception: a certificate that does not load would
// silently put the default certificate on its domains, so such a version is rolled back
// and NACKed, and the certificates that served before keep serving.

export interface ClientRunnerOptions {
  readonly nodeId: string;
  readonly stateDir: string;
  readonly localEntryPoints: ApplyInput['entryPoints'];
  readonly apply: (input: ApplyInput) => Promise<ApplyOutcome>;
  readonly log: Logger;
  readonly endpoints: readonly Endpoint[];
  readonly reconnect: ReconnectTiming;
}

export interface ClientStatus {
  /** The revision serving now, from the cache or a stream. */
  readonly appliedRevision: number | undefined;
  /** The endpoint the stream is open to (host:port, or `local`). */
  readonly attachedTo: string | undefined;
  /** The resources the serving revision runs without. */
  readonly errors: readonly WireError[];
  readonly lastNack: { readonly revision: number; readonly errors: readonly WireError[] } | undefined;
}

/** A link that lived this long before it went was a good one: reconnecting starts over fast. */
const STABLE_LINK_MS = 10_000;

/** Errors that make a version unfit to serve at all: a certificate of the TLS section that does not load. */
export const isCertificateError = (error: ConfigError): boolean =>
  error.code === 'TLS_INVALID' && error.path.startsWith('tls.');

export class ClientRunner {
  readonly #o: ClientRunnerOptions;
  readonly #state = new ClientState();
  readonly #decoded = new DecodeCache();
  #appliedInput: ApplyInput | undefined;
  #errors: readonly WireError[] = [];
  #lastNack: ClientStatus['lastNack'];
  #link: ClientLink | undefined;
  #attachedTo: string | undefined;
  /** Bumped per link: messages of a link that is gone are dropped. */
  #linkGeneration = 0;
  #queue: Promise<void> = Promise.resolve();
  #running: Promise<void> | undefined;
  readonly #stop = new AbortController();
  #saving: Promise<void> | undefined;
  #toSave: AppliedVersion | undefined;

  constructor(options: ClientRunnerOptions) {
    this.#o = options;
  }

  /** Serves the cached version, if any, then connects in the background. */
  async start(): Promise<void> {
    let cached: AppliedVersion | undefined;
    try {
      cached = await loadCache(this.#o.stateDir, this.#o.nodeId);
    } catch (err) {
      this.#o.log.warn({ err }, 'the cached configuration is unusable; waiting for a control node');
    }
    if (cached !== undefined) {
      this.#o.log.info({ revision: cached.revision }, 'serving the cached configuration');
      await this.#applyVersion(cached.revision, cached.entries, false);
    }
    this.#running = this.#run();
  }

  status(): ClientStatus {
    return {
      appliedRevision: this.#state.applied?.revision,
      attachedTo: this.#attachedTo,
      errors: this.#errors,
      lastNack: this.#lastNack,
    };
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    this.#link?.close();
    await this.#running;
    await this.#queue;
    await this.#saving;
  }

  async #run(): Promise<void> {
    const { endpoints, reconnect, log } = this.#o;
    let index = Math.floor(Math.random() * endpoints.length);
    let attempt = 0;
    while (!this.#stop.signal.aborted) {
      const endpoint = endpoints[index % endpoints.length]!;
      const generation = ++this.#linkGeneration;
      const opened = Date.now();
      let heard = false;
      let closed!: (error: Error | undefined) => void;
      const ended = new Promise<Error | undefined>((resolve) => (closed = resolve));
      try {
        const link = await endpoint.connect(
          {
            onMessage: (message) => {
              heard = true;
              this.#enqueue(generation, () => this.#handle(message));
            },
            onClose: closed,
          },
          this.#stop.signal,
        );
        this.#link = link;
        this.#attachedTo = endpoint.name;
        log.info({ controlNode: endpoint.name }, 'distribution stream open');
        this.#enqueue(generation, () => {
          this.#state.reconnected();
          this.#hello();
        });
        if (this.#stop.signal.aborted) link.close();
        const error = await ended;
        log.warn({ controlNode: endpoint.name, err: error }, 'distribution stream closed');
      } catch (err) {
        log.warn({ controlNode: endpoint.name, err }, 'cannot open a distribution stream');
      }
      this.#link = undefined;
      this.#attachedTo = undefined;
      if (heard || Date.now() - opened >= STABLE_LINK_MS) attempt = 0;
      index++;
      const wait = backoffDelay(attempt++, reconnect);
      await sleep(wait, undefined, { signal: this.#stop.signal }).catch(() => undefined);
    }
  }

  #enqueue(generation: number, work: () => void | Promise<void>): void {
    this.#queue = this.#queue
      .then(() => (generation === this.#linkGeneration ? work() : undefined))
      .catch((err: unknown) => this.#o.log.error({ err }, 'handling a distribution message failed'));
  }

  #send(message: DataMessage): void {
    this.#link?.send(message);
  }

  #hello(): void {
    const revision = this.#state.applied?.revision;
    this.#send({
      type: 'hello',
      nodeId: this.#o.nodeId,
      ...(revision === undefined ? {} : { appliedRevision: revision }),
    });
  }

  async #handle(message: ControlMessage): Promise<void> {
    const step = this.#state.receive(message);
    switch (step.kind) {
      case 'none':
        return;
      case 'resync':
        this.#o.log.info({ reason: step.reason }, 'asking the control node for the whole configuration');
        return this.#hello();
      case 'ack':
        return this.#send({ type: 'ack', revision: step.revision, errors: [...this.#errors] });
      case 'nack':
        return this.#refuse(step.revision, step.errors);
      case 'apply':
        return this.#applyVersion(step.revision, step.entries, true);
    }
  }

  async #applyVersion(
    revision: number,
    entries: ReadonlyMap<string, string>,
    fromStream: boolean,
  ): Promise<void> {
    const decoded = entriesToInput(entries, revision, this.#o.localEntryPoints, this.#decoded);
    if (!decoded.ok) return this.#refuse(revision, decoded.errors);
    const { input } = decoded.value;
    const outcome = await this.#o.apply(input);
    if (!outcome.ok) return this.#refuse(revision, outcome.errors);
    const errors = [...decoded.value.errors, ...outcome.errors];
    const certificates = errors.filter(isCertificateError);
    if (certificates.length > 0) {
      await this.#rollBack(revision);
      return this.#refuse(revision, errors);
    }
    const version = { revision, entries };
    this.#state.commit(version);
    this.#appliedInput = input;
    this.#errors = toWire(errors);
    if (this.#lastNack !== undefined && this.#lastNack.revision <= revision) this.#lastNack = undefined;
    if (!fromStream) return;
    this.#send({ type: 'ack', revision, errors: [...this.#errors] });
    this.#save(version);
  }

  async #rollBack(revision: number): Promise<void> {
    const previous = this.#appliedInput;
    if (previous === undefined) {
      this.#o.log.warn(
        { revision },
        'a version with unusable certificates serves: there is nothing to go back to',
      );
      return;
    }
    const outcome = await this.#o.apply(previous);
    if (!outcome.ok)
      this.#o.log.error({ revision: previous.version }, 'going back to the previous version failed');
  }

  #refuse(revision: number, errors: readonly ConfigError[]): void {
    const wire = toWire(errors);
    this.#lastNack = { revision, errors: wire };
    this.#o.log.error({ revision, errors: errors.map(String) }, 'configuration version refused');
    this.#send({ type: 'nack', revision, errors: wire });
  }

  /** Writes the cache in the background, only the newest version when several wait. */
  #save(version: AppliedVersion): void {
    this.#toSave = version;
    this.#saving ??= (async () => {
      while (this.#toSave !== undefined) {
        const next = this.#toSave;
        this.#toSave = undefined;
        try {
          await saveCache(this.#o.stateDir, this.#o.nodeId, next);
        } catch (err) {
          this.#o.log.warn({ err, revision: next.revision }, 'caching the configuration failed');
        }
      }
    })().finally(() => (this.#saving = undefined));
  }
}

/** Errors as they travel: at most MAX_REPORTED_ERRORS, the last one counting the rest. */
export function toWire(errors: readonly ConfigError[]): WireError[] {
  const clip = (text: string): string => (text.length > 4096 ? `${text.slice(0, 4093)}...` : text);
  const wire = errors.map((error) => ({
    code: error.code,
    path: clip(error.path),
    message: clip(error.detail),
  }));
  if (wire.length <= MAX_REPORTED_ERRORS) return wire;
  const kept = wire.slice(0, MAX_REPORTED_ERRORS - 1);
  kept.push({ code: 'CONFIG_INVALID', path: '', message: `and ${wire.length - kept.length} more errors` });
  return kept;
}
