// The control node's error catalogue: what stops a node from forming, joining or
// restarting a cluster. `path` names what is at fault: a file of the state directory, a
// peer address, a store key or a flag.

export const NODE_ERROR_CODES = [
  'NODE_STATE_INVALID', // a state directory file that does not read back, or belongs to another node
  'NODE_NO_CLUSTER', // no state, and nothing to join with (no --token, no --bootstrap-expect)
  'NODE_LEFT', // the state of a node that left its cluster (a bootstrap node after hand-over)
  'NODE_JOIN_FAILED', // no peer accepted the join; the last refusal is in the message
  'NODE_ANSWER_INVALID', // a join answer without what a control node needs, or with a bad formation proof
  'NODE_CLUSTER_DATA', // cluster records missing from the store or unreadable with the data key
  'NODE_BOOTSTRAP_TIMEOUT', // fewer control nodes joined than --controlnodes within --timeout
] as const;

export type NodeErrorCode = (typeof NODE_ERROR_CODES)[number];

export class NodeError extends Error {
  override readonly name = 'NodeError';
  constructor(
    readonly code: NodeErrorCode,
    readonly path: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(path ? `${path}: ${detail}` : detail, options);
  }

  toJSON(): { code: NodeErrorCode; path: string; message: string } {
    return { code: this.code, path: this.path, message: this.detail };
  }
}

export const isNodeError = (err: unknown, code?: NodeErrorCode): err is NodeError =>
  err instanceof NodeError && (code === undefined || err.code === code);
