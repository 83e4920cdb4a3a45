import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_GOSSIP_PORT, formatAddr } from '../gossip/index.js';
import { NodeId } from '../pki/index.js';

// Where a control node listens and what it tells others, from the command line of
// `switchyard bootstrap` and `switchyard start-control-node`. Every port is configurable so
// that several nodes can share a machine (and the tests can run three on loopback).

const Port = z.coerce.number().int().min(1).max(65_535);

const DEFAULT_JOIN_PORT = 4242;

export const ControlNodeNetwork = z.strictObject({
  /** Lower-case DNS name; kept from the state directory once the node has joined. */
  nodeId: NodeId,
  /** The IP address other nodes reach this one at: in its certificate, etcd and gossip. */
  advertise: z.string().refine((host) => isIP(host) !== 0, 'must be an IP address'),
  /** Where to listen; every port binds on this address. */
  listen: z
    .string()
    .refine((host) => isIP(host) !== 0, 'must be an IP address')
    .default('0.0.0.0'),
  /** Joins, renewals and bootstrap-expect's exchange (HTTPS). */
  joinPort: Port.default(DEFAULT_JOIN_PORT),
  /** Gossip, UDP and TCP. */
  gossipPort: Port.default(DEFAULT_GOSSIP_PORT),
  etcdClientPort: Port.default(2379),
  etcdPeerPort: Port.default(2380),
  etcdBinary: z.string().min(1).default('etcd'),
});
export type ControlNodeNetwork = z.infer<typeof ControlNodeNetwork>;

export const joinAddressOf = (n: ControlNodeNetwork): string => formatAddr(n.advertise, n.joinPort);
export const gossipAddressOf = (n: ControlNodeNetwork): string => formatAddr(n.advertise, n.gossipPort);
