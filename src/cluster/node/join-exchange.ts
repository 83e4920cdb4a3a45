import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type Backoff } from '../../config/backoff.js';
import { requestJoin, type JoinResponse, type PkiError, type PkiErrorCode } from '../pki/index.js';
import { NodeError } from './errors.js';
import { formatPeerAddress, resolvePeerAddresses } from './peer-address.js';

// The join exchange as both roles run it: ask each peer in turn, round after round, until
// one answers, a refusal that another try would only repeat ends it, or time runs out.

/** Between rounds: a node started before any control node does not hammer them as they come up. */
const ROUNDS: Backoff = { baseMs: 500, maxMs: 5_000 };

export interface JoinExchangeOptions {
  readonly token: string;
  readonly csrPem: string;
  /** `host[:port]` of control nodes, or names that resolve to them. */
  readonly peers: readonly string[];
  /** The port a peer address without one is given. */
  readonly defaultPort: number;
  /** When to give up (epoch ms). */
  readonly deadline: number;
  /** Whether a refusal ends the exchange at once. */
  readonly isFinal: (code: PkiErrorCode) => boolean;
  readonly onRetry?: (peer: string, code: PkiErrorCode) => void;
  /** Told before each wait between rounds, with the last refusal. */
  readonly onWait?: (waitMs: number, last: PkiError | undefined) => void;
}

export async function exchangeJoin(options: JoinExchangeOptions): Promise<JoinResponse> {
  let last: PkiError | undefined;
  for (let round = 0; Date.now() < options.deadline; round++) {
    for (const peer of await resolvePeerAddresses(options.peers, options.defaultPort)) {
      const answer = await requestJoin({
        ...peer,
        token: options.token,
        csrPem: options.csrPem,
        timeoutMs: 5000,
      });
      if (answer.ok) return answer.value;
      last = answer.error;
      if (options.isFinal(answer.error.code)) {
        throw new NodeError(
          'NODE_JOIN_FAILED',
          formatPeerAddress(peer),
          `refused the join: ${answer.error.code}: ${answer.error.message}`,
          { cause: answer.error },
        );
      }
      options.onRetry?.(formatPeerAddress(peer), answer.error.code);
    }
    const wait = Math.min(backoffDelay(round, ROUNDS), Math.max(0, options.deadline - Date.now()));
    options.onWait?.(wait, last);
    await sleep(wait);
  }
  throw new NodeError(
    'NODE_JOIN_FAILED',
    options.peers.join(','),
    last === undefined
      ? 'no peer address resolved'
      : `no peer accepted the join; last: ${last.code}: ${last.message}`,
    { cause: last },
  );
}
