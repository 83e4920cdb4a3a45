// The protocol's numbers, in one place so that tests can shorten them and docs can cite them.
import type { Backoff } from '../config/backoff.js';

/** The port control nodes serve the distribution stream on. */
export const DISTRIBUTION_PORT = 4243;

export interface StreamTiming {
  /** How often each side sends an app-level keepalive when it has nothing else to say. */
  readonly keepaliveMs: number;
  /** A stream that brings nothing (not even a keepalive) for this long is dropped. */
  readonly idleTimeoutMs: number;
}

/**
 * A stalled stream is noticed within idleTimeoutMs (15 s): a keepalive every 5 s leaves room
 * for two lost or late ones. gRPC's own HTTP/2 pings (grpc-options.ts) catch a dead TCP
 * connection on the same scale; the app-level ones also catch a peer whose event loop hangs.
 */
export const DEFAULT_STREAM_TIMING: StreamTiming = { keepaliveMs: 5_000, idleTimeoutMs: 15_000 };

/** The waits between attempts to reach a control node: the first's ceiling and the highest. */
export type ReconnectTiming = Backoff;

export const DEFAULT_RECONNECT: ReconnectTiming = { baseMs: 200, maxMs: 5_000 };
