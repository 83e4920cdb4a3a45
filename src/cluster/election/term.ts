import type { LeaseId } from '../store/index.js';

/** The controller key every node campaigns for. */
export const CONTROLLER_KEY = '/switchyard/controller';

/**
 * One node's tenure as controller. `revision` is the createRevision of the election key
 * it created: a later term's key is created at a later revision, so the number orders
 * terms and fences writes.
 */
export interface Term {
  readonly nodeId: string;
  readonly leaseId: LeaseId;
  readonly revision: number;
}

export const DEPOSED_REASONS = [
  'lease-lost', // the store says the lease is gone
  'renewal-timeout', // no renewal succeeded in time: stepped down before the TTL could end
  'key-lost', // the election key was deleted or replaced under us
  'fenced', // a fenced write found another term's key
  'resigned', // close()
] as const;
export type DeposedReason = (typeof DEPOSED_REASONS)[number];
