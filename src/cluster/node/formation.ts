// bootstrap-expect's decision, pure: given what this node has heard from its peers, wait,
// bootstrap the cluster, or join the one that formed. The I/O (asking every peer address
// in turn, answering peers) is formation-session.ts.
//
// The rule. A node counts the forming nodes it has heard from recently, itself included.
// Once there are at least `expect`, it votes for the lowest node id among them, and says
// so in every message. A node bootstraps when it is its own vote, at least expect − 1
// others currently vote for it, and nobody it hears of is already bootstrapping or joining.
// Everyone else waits until a peer answers as a formed cluster, and joins it.
//
// Why one cluster: messages carry the sender's id, so a node learns of whoever asks it.
// With exactly `expect` forming nodes, two candidates would each need the other's vote,
// and no node votes for anyone but the lowest id it knows. A node that bootstraps says
// so at once, and nobody bootstraps while a peer is bootstrapping or joining. A node that
// restarts during formation keeps its id and no state, so it simply forms or joins again;
// a node with state never comes here.

export const FORMATION_STATES = ['forming', 'bootstrapping', 'joining'] as const;
export type FormationState = (typeof FORMATION_STATES)[number];

/** What one node says about itself in the formation exchange. */
export interface FormationReport {
  readonly nodeId: string;
  readonly state: FormationState;
  /** The node id it votes for; absent until it knows of `expect` forming nodes. */
  readonly vote?: string;
}

export interface HeardReport extends FormationReport {
  /** When it was heard (ms). */
  readonly at: number;
}

export interface FormationInput {
  readonly self: string;
  readonly expect: number;
  readonly now: number;
  /** The latest report of each peer, by node id. */
  readonly peers: ReadonlyMap<string, HeardReport>;
  /** Peers that answered as members of a formed cluster. */
  readonly formed: number;
  /** A peer not heard from for this long no longer counts. */
  readonly forgetAfterMs: number;
  /** A vote older than this does not count towards bootstrapping. */
  readonly voteFreshMs: number;
}

export type FormationStep =
  | { readonly type: 'wait'; readonly vote: string | undefined; readonly forming: number }
  | { readonly type: 'bootstrap' }
  | { readonly type: 'join' };

/** The lowest id among the forming nodes heard from, once there are enough of them. */
export function voteOf(self: string, live: readonly HeardReport[], expect: number): string | undefined {
  const ids = [self, ...live.filter((p) => p.state === 'forming').map((p) => p.nodeId)];
  if (ids.length < expect) return undefined;
  return ids.reduce((low, id) => (id < low ? id : low));
}

export function formationStep(input: FormationInput): FormationStep {
  if (input.formed > 0) return { type: 'join' };
  const live = [...input.peers.values()].filter(
    (p) => p.nodeId !== input.self && input.now - p.at <= input.forgetAfterMs,
  );
  const vote = voteOf(input.self, live, input.expect);
  const forming = 1 + live.filter((p) => p.state === 'forming').length;
  const wait: FormationStep = { type: 'wait', vote, forming };
  if (vote !== input.self || live.some((p) => p.state !== 'forming')) return wait;
  const votes = live.filter((p) => p.vote === input.self && input.now - p.at <= input.voteFreshMs).length;
  return votes >= input.expect - 1 ? { type: 'bootstrap' } : wait;
}
