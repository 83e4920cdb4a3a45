import type { Election } from '../../cluster/election/index.js';
import { AcmeManager, type AcmeManagerOptions } from './acme-manager.js';

/** What the controller runs for one term, as ControllerGate's duty parts do. */
export interface AcmeDuty {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The ACME manager as a part of the controller's duty: each start (once per term, after
 * the election says `elected`) makes a manager for the term the election holds, each stop
 * ends it. The wiring composes it with the providers' duty.
 */
export function acmeDuty(
  options: Omit<AcmeManagerOptions, 'term' | 'election'> & { readonly election: Election },
): AcmeDuty {
  let manager: AcmeManager | undefined;
  return {
    async start() {
      const term = options.election.term;
      if (term === undefined) throw new Error('ACME: not the controller');
      manager = new AcmeManager({ ...options, term });
      await manager.start();
    },
    async stop() {
      const stopping = manager;
      manager = undefined;
      await stopping?.stop();
    },
  };
}
