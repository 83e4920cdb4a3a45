import { CONTROLLER_KEY } from '../../cluster/election/index.js';
import { readRemovedNodes } from '../../cluster/node/index.js';
import { readDataNodeStatuses } from '../../distribution/index.js';
import type { ClusterInputs, EtcdFacts } from './node-view.js';
import type { AdminSources } from './sources.js';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Reads everything the nodes view is built from. A source that fails becomes a warning
 * rather than a failed request: without quorum the store does not answer, and that is
 * exactly when an operator needs the list (etcd's status and member list still answer).
 */
export async function gatherInputs(sources: AdminSources): Promise<ClusterInputs> {
  const warnings: string[] = [];
  const note = (what: string) => (err: unknown) => {
    warnings.push(`${what}: ${messageOf(err)}`);
    return undefined;
  };
  const [etcd, controller, removed, dataNodes] = await Promise.all([
    etcdFacts(sources, note),
    controllerId(sources).catch(note('controller key')),
    readRemovedNodes(sources.store).catch(note('removed nodes')),
    readDataNodeStatuses(sources.store).catch(note('data node statuses')),
  ]);
  return {
    self: sources.gossip.self.info.id,
    members: sources.gossip.members(),
    etcd,
    controller: controller ?? sources.election.term?.nodeId,
    removed: removed ?? [],
    ...(dataNodes === undefined ? {} : { dataNodes }),
    warnings,
  };
}

/** The node id in the controller key, if any node holds it. */
export async function controllerId(sources: AdminSources): Promise<string | undefined> {
  const { kv } = await sources.store.get(CONTROLLER_KEY);
  return kv === undefined ? undefined : new TextDecoder().decode(kv.value);
}

async function etcdFacts(
  sources: AdminSources,
  note: (what: string) => (err: unknown) => undefined,
): Promise<EtcdFacts | undefined> {
  const etcd = sources.etcd;
  if (etcd === undefined) return undefined;
  const [members, status] = await Promise.all([
    etcd.members().catch(note('etcd members')),
    etcd.status().catch(note('etcd status')),
  ]);
  return { members, leader: status?.leader };
}
