import type { Etcd3, IMember } from 'etcd3';
import { EtcdError } from './errors.js';
import type { InitialPeer } from './member.js';

// Membership changes through etcd's Cluster API. etcd3 1.1.2 exposes all of it on
// `client.cluster` (memberAdd with isLearner, memberPromote, memberRemove, memberUpdate,
// memberList), typed in its rpc.d.ts; the property is marked @internal in its docs only.

export interface MemberInfo {
  /** etcd's 64-bit member id, in decimal. */
  readonly id: string;
  /** Empty until the member has started and published its name. */
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

const toMemberInfo = (m: IMember): MemberInfo => ({
  id: String(m.ID),
  name: m.name,
  peerUrls: [...m.peerURLs],
  clientUrls: [...m.clientURLs],
  isLearner: m.isLearner === true,
});

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function listMembers(client: Etcd3): Promise<MemberInfo[]> {
  try {
    return (await client.cluster.memberList({})).members.map(toMemberInfo);
  } catch (err) {
    throw new EtcdError('ETCD_MEMBERSHIP', 'members', `cannot list: ${messageOf(err)}`, { cause: err });
  }
}

// etcd's strict reconfiguration check refuses a change until every voting member has
// been connected for 5 s (so right after a start or a restart), and a removal that would
// leave too few members up. Both refusals change nothing, so they are worth retrying.
const NOT_NOW = ['unhealthy cluster', 'not enough started members'];

async function whenAllowed<T>(deadline: number, pollMs: number, change: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await change();
    } catch (err) {
      const message = messageOf(err);
      if (!NOT_NOW.some((m) => message.includes(m)) || Date.now() + pollMs > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Adds a non-voting member; it votes only once promoted. Returns its id and the members
 * after. Waits, until `deadline` (epoch ms), while etcd says the cluster is not ready.
 */
export async function addLearner(
  client: Etcd3,
  peerUrls: readonly string[],
  deadline: number,
  pollMs = 250,
): Promise<{ id: string; members: MemberInfo[] }> {
  try {
    const res = await whenAllowed(deadline, pollMs, () =>
      client.cluster.memberAdd({ peerURLs: [...peerUrls], isLearner: true }),
    );
    return { id: String(res.member.ID), members: res.members.map(toMemberInfo) };
  } catch (err) {
    throw new EtcdError('ETCD_MEMBERSHIP', peerUrls.join(','), `cannot add as learner: ${messageOf(err)}`, {
      cause: err,
    });
  }
}

// etcd refuses to promote a learner whose log is not close to the leader's; that is
// worth waiting out. "can only promote a learner member" alone means it already votes.
const NOT_READY = 'in sync with leader';
const ALREADY_VOTER = 'can only promote a learner member';

/** Promotes the learner, retrying until it has caught up or `deadline` (epoch ms) passes. */
export async function promoteLearner(
  client: Etcd3,
  id: string,
  deadline: number,
  pollMs = 100,
): Promise<void> {
  for (;;) {
    let message: string;
    try {
      await client.cluster.memberPromote({ ID: id });
      return;
    } catch (err) {
      message = messageOf(err);
      if (message.includes(ALREADY_VOTER) && !message.includes(NOT_READY)) return;
    }
    // Anything else (a leader election, a timeout) may pass too: retry until the deadline.
    if (Date.now() + pollMs > deadline) {
      throw new EtcdError('ETCD_MEMBERSHIP', id, `cannot promote the learner: ${message}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Removes a member; removing one that is already gone is not an error. Waits, until
 * `deadline`, while etcd says the cluster is not ready.
 */
export async function removeMember(client: Etcd3, id: string, deadline: number, pollMs = 250): Promise<void> {
  try {
    await whenAllowed(deadline, pollMs, () => client.cluster.memberRemove({ ID: id }));
  } catch (err) {
    if (messageOf(err).includes('member not found')) return;
    throw new EtcdError('ETCD_MEMBERSHIP', id, `cannot remove: ${messageOf(err)}`, { cause: err });
  }
}

/** Points member `id`'s peer URLs elsewhere: where the others dial it from now on. */
export async function updatePeerUrls(client: Etcd3, id: string, peerUrls: readonly string[]): Promise<void> {
  try {
    await client.cluster.memberUpdate({ ID: id, peerURLs: [...peerUrls] });
  } catch (err) {
    throw new EtcdError('ETCD_MEMBERSHIP', id, `cannot update the peer URLs: ${messageOf(err)}`, {
      cause: err,
    });
  }
}

/**
 * Members an earlier life of this node left behind: the same name, or one of our peer
 * URLs (a member that never started has no name yet). A node whose data was wiped
 * comes back as a new member, so these must go first; etcd also refuses to add a
 * member whose peer URL another one has.
 */
export function staleMembers(
  members: readonly MemberInfo[],
  name: string,
  peerUrls: readonly string[],
): MemberInfo[] {
  const urls = new Set(peerUrls);
  return members.filter((m) => m.name === name || m.peerUrls.some((u) => urls.has(u)));
}

/**
 * The --initial-cluster of a member joining with `newId`: every member etcd lists, by
 * name, and the new one under its own name. etcd checks that this matches the cluster's
 * peer URLs exactly; a member that has not started yet keeps its empty name, as etcdctl
 * does it.
 */
export function joinPeers(members: readonly MemberInfo[], newId: string, self: InitialPeer): InitialPeer[] {
  return members.map((m) => (m.id === newId ? self : { name: m.name, peerUrls: m.peerUrls }));
}
