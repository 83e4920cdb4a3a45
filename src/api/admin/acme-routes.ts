import { Router, type Request, type Response } from 'express';
import { readAcmeStatus } from '../../controller/acme/index.js';
import type { AdminSources } from './sources.js';

/**
 * GET /api/acme/certificates: every ACME certificate's state and last error, and the
 * routers' ACME errors (invalid domains, wildcards without DNS-01, unknown resolvers),
 * read from the store; `switchyard certs` shows it. No key is opened.
 */
export function acmeRoutes(sources: Pick<AdminSources, 'store'>): Router {
  const router = Router();
  router.get('/api/acme/certificates', async (_req: Request, res: Response) => {
    res.json(await readAcmeStatus(sources.store));
  });
  return router;
}
