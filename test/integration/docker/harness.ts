// Routing for the Docker and Swarm provider tests: a Controller fed by the providers, a
// DataPlane on 127.0.0.1 applying what it publishes, a client for that entrypoint, steady
// load through it, and a recorder of the providers' messages with the time each arrived.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { DynamicConfig } from '../../../src/config/dynamic/index.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import { Controller } from '../../../src/controller/index.js';
import { DataPlane } from '../../../src/dataplane/index.js';
import { createLogger } from '../../../src/log/index.js';
import type { ProviderMessage } from '../../../src/providers/index.js';

export interface Routing {
  readonly controller: Controller;
  /** GET http://127.0.0.1:<entrypoint>/ with this Host header. */
  get(host: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface RoutingOptions {
  /** The controller's throttle; 0 (none) unless given, so that tests see each message at once. */
  readonly providersThrottleDuration?: number;
}

export async function startRouting(options: RoutingOptions = {}): Promise<Routing> {
  const logger = createLogger({
    level: 'FATAL',
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });
  const dataPlane = new DataPlane({ logger });
  const entryPoints = StaticConfig.parse({ entryPoints: { web: { address: '127.0.0.1:0' } } }).entryPoints;
  const first = await dataPlane.apply({ version: 0, entryPoints, dynamic: undefined });
  if (!first.ok) throw new Error(first.errors.map(String).join('; '));
  const port = dataPlane.status().entryPoints.web!.port;
  const controller = new Controller({
    entryPoints: ['web'],
    providersThrottleDuration: options.providersThrottleDuration ?? 0,
  });
  let applying = Promise.resolve();
  controller.onConfig(({ version, config }) => {
    applying = applying.then(async () => {
      await dataPlane.apply({ version, entryPoints, dynamic: config });
    });
  });
  return {
    controller,
    get: (host) => get(port, host),
    async close() {
      controller.close();
      await applying;
      await dataPlane.close(0);
    },
  };
}

function get(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
    });
    req.setTimeout(5_000, () => req.destroy(new Error(`GET ${host}: no answer within 5 s`)));
    req.on('error', reject);
  });
}

export interface Reply {
  /** performance.now() when the reply (or the failure) came. */
  readonly at: number;
  /** 0 when the request failed without a reply. */
  readonly status: number;
  readonly body: string;
}

export interface Load {
  /** Stops sending, waits for the requests in flight, and gives every reply in order of arrival. */
  stop(): Promise<{ replies: Reply[]; skipped: number }>;
}

/**
 * GETs `host` through the entrypoint `perSecond` times a second, each on a new connection,
 * until stop(). A tick every 10 ms sends what is due by then, so a late tick catches up. At
 * most `maxInFlight` wait at once: a request due beyond that is skipped (and counted), so
 * that a machine too busy to serve the rate slows the load down instead of queueing
 * requests until they time out.
 */
export function steadyLoad(routing: Routing, host: string, perSecond: number, maxInFlight = 32): Load {
  const replies: Reply[] = [];
  const inFlight = new Set<Promise<void>>();
  const startedAt = performance.now();
  let sent = 0;
  let skipped = 0;
  const send = () => {
    const request = routing
      .get(host)
      .then(
        ({ status, body }) => replies.push({ at: performance.now(), status, body }),
        (error: unknown) => replies.push({ at: performance.now(), status: 0, body: String(error) }),
      )
      .then(() => void inFlight.delete(request));
    inFlight.add(request);
  };
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - startedAt) * perSecond) / 1000);
    for (; sent < due; sent++) {
      if (inFlight.size < maxInFlight) send();
      else skipped++;
    }
  }, 10);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return { replies, skipped };
    },
  };
}

/** Keeps every message a provider emits, with performance.now() at its arrival. */
export class Recorder {
  readonly messages: { at: number; message: ProviderMessage }[] = [];
  readonly #forward: ((message: ProviderMessage) => void) | undefined;

  constructor(forward?: (message: ProviderMessage) => void) {
    this.#forward = forward;
  }

  readonly emit = (message: ProviderMessage): void => {
    this.messages.push({ at: performance.now(), message });
    this.#forward?.(message);
  };

  get last(): ProviderMessage {
    const last = this.messages.at(-1);
    if (!last) throw new Error('no message yet');
    return last.message;
  }

  get config(): DynamicConfig {
    return this.last.config;
  }

  /** The server URLs of a service in the last message. */
  urls(service: string): string[] {
    const found = this.config.http.services[service];
    return found?.type === 'loadBalancer' ? (found.servers ?? []).map((s) => s.url) : [];
  }
}

/** Polls `check` until it holds; fails after `timeoutMs` with `what`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`not within ${timeoutMs} ms: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
