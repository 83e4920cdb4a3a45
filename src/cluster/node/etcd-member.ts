import { join } from 'node:path';
import { EtcdConfig, EtcdSupervisor, memberFromConfig, type EtcdMember } from '../etcd/index.js';
import { CREDENTIAL_FILES } from '../pki/index.js';
import type { ControlNodeNetwork } from './node-options.js';
import { statePath } from './state-dir.js';

// The node's etcd member. Unlike the sidecar's loopback default, clients are served on the
// advertised address too: a joining control node adds itself through a member's client
// URL. Auth (etcd-auth.ts) keeps everyone but control nodes out.

const urlHost = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);

export function sidecarMember(network: ControlNodeNetwork, clusterId: string, stateDir: string): EtcdMember {
  const pki = statePath(stateDir, 'pki');
  const config = EtcdConfig.parse({
    binary: network.etcdBinary,
    listenClientUrls: [`https://${urlHost(network.listen)}:${network.etcdClientPort}`],
    advertiseClientUrls: [`https://${urlHost(network.advertise)}:${network.etcdClientPort}`],
    listenPeerUrls: [`https://${urlHost(network.listen)}:${network.etcdPeerPort}`],
  });
  const member = memberFromConfig(config, {
    nodeId: network.nodeId,
    clusterId,
    stateDir,
    advertiseHost: network.advertise,
    credentials: {
      caFile: join(pki, CREDENTIAL_FILES.caPem),
      certFile: join(pki, CREDENTIAL_FILES.certPem),
      keyFile: join(pki, CREDENTIAL_FILES.keyPem),
    },
  });
  if (!member.ok) throw new AggregateError(member.errors, member.errors.map((e) => e.message).join('; '));
  return member.value;
}

/** `serverName`: see EtcdSupervisorOptions (a member whose certificate names another address). */
export const newSupervisor = (
  network: ControlNodeNetwork,
  clusterId: string,
  stateDir: string,
  serverName?: string,
): EtcdSupervisor =>
  new EtcdSupervisor({
    member: sidecarMember(network, clusterId, stateDir),
    binary: network.etcdBinary,
    ...(serverName === undefined ? {} : { serverName }),
  });
