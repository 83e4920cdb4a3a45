import express, { type Request, type Response } from 'express';
import { waitForRevision } from '../../distribution/index.js';
import { AdminError } from './errors.js';
import type { AdminSources } from './sources.js';

// Whether a configuration version (a store revision) has reached every data node, from
// the statuses the control nodes keep for the data nodes attached to them. `switchyard
// apply --wait` asks it; ACME asks the same question in-process (waitForRevision).

/** The longest a request may wait: an admin call, not a subscription. */
const MAX_WAIT_MS = 60_000;

export function distributionRoutes(sources: AdminSources): express.Router {
  const router = express.Router();
  router.get(
    '/api/distribution/revisions/:revision',
    async (req: Request<{ revision: string }>, res: Response) => {
      const revision = Number(req.params.revision);
      if (!Number.isSafeInteger(revision) || revision < 0)
        throw new AdminError('ADMIN_INVALID', req.params.revision, 'is not a revision (a whole number)');
      const wait = req.query.wait === undefined ? 0 : Number(req.query.wait);
      if (!Number.isFinite(wait) || wait < 0)
        throw new AdminError('ADMIN_INVALID', 'wait', 'must be a number of seconds');
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      const reach = await waitForRevision(sources.store, revision, {
        timeoutMs: Math.min(wait * 1000, MAX_WAIT_MS),
        signal: gone.signal,
      });
      res.json(
        reach.ok
          ? { revision, reached: true, nodes: reach.nodes, missing: [] }
          : { revision, reached: false, missing: reach.missing, error: reach.error.toJSON() },
      );
    },
  );
  return router;
}
