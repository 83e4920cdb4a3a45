// The protocol's numbers, in one place so that tests can shorten them and docs can cite them.

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

export interface ReconnectTiming {
  /** The first wait after a failed or lost connection. */
  readonly initialMs: number;
  /** The longest wait between two attempts. */
  readonly maxMs: number;
}

export const DEFAULT_RECONNECT: ReconnectTiming = { initialMs: 200, maxMs: 5_000 };
