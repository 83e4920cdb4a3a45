import type { ControlMessage, DataMessage } from './messages.js';

// What carries one data node's stream, seen from the data node: gRPC to a control node
// (grpc-endpoint.ts) or a direct pairing with a feed in the same process (local.ts).

export interface ClientLink {
  /** Sends in order; a message sent after the link closed is dropped. */
  send(message: DataMessage): void;
  close(): void;
}

export interface LinkHandlers {
  readonly onMessage: (message: ControlMessage) => void;
  /** Called once, when the link is gone; `error` says why, when it is not a clean end. */
  readonly onClose: (error: Error | undefined) => void;
}

export interface Endpoint {
  /** host:port, or `local`: where status() says the node is attached. */
  readonly name: string;
  /** Resolves once the stream is open; `signal` gives up on it (the client is stopping). */
  connect(handlers: LinkHandlers, signal: AbortSignal): Promise<ClientLink>;
}
