// The controller election: a lease-backed key in the store, and fenced writes for the
// node that holds it. See docs/cluster.md.
export { Election, type ElectionEvents, type ElectionOptions } from './election.js';
export { ELECTION_ERROR_CODES, ElectionError, isElectionError, type ElectionErrorCode } from './errors.js';
export { fencedRequest, holderValue, isFencedOut, type FencedRequest } from './fence.js';
export { CONTROLLER_KEY, DEPOSED_REASONS, type DeposedReason, type Term } from './term.js';
export { DEFAULT_TTL_MS, defaultMarginMs, electionTiming, type ElectionTiming } from './timing.js';
