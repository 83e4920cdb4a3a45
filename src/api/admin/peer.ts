import type { IncomingMessage } from 'node:http';
import type { NodeIdentity } from '../../cluster/pki/index.js';

// The verified identity of the client, set by guardRequests before express sees the
// request. Kept beside the request rather than on it, so nothing a handler does to the
// request object can change who asked.
const peers = new WeakMap<IncomingMessage, NodeIdentity>();

export const setPeer = (req: IncomingMessage, peer: NodeIdentity): void => {
  peers.set(req, peer);
};

export function peerOf(req: IncomingMessage): NodeIdentity {
  const peer = peers.get(req);
  // Every request reaches express through guardRequests: a missing peer is a wiring bug.
  if (peer === undefined) throw new Error('admin API request without a verified peer');
  return peer;
}
