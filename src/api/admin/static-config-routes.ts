import express, { type Request, type Response } from 'express';
import { resourceKey } from '../../cluster/store/index.js';
import { spiffeIdOf } from '../../cluster/pki/index.js';
import { AdminError } from './errors.js';
import { peerOf } from './peer.js';
import type { AdminSources } from './sources.js';

// The controller's side of forwarded writes. This is a stand-in for the real "apply a
// configuration" command, which belongs to the distribution work: it stores one JSON
// document per name under /switchyard/static/, through the controller's fenced writes,
// so that forwarding has a real write to carry end to end.

/** Set by the node that forwarded the write: the admin who asked it. */
export const ADMIN_HEADER = 'x-switchyard-admin';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

export const staticDocumentKey = (name: string): string => resourceKey('static', name);

/** Who asked for a write: the admin, directly or as named by the control node that forwarded it. */
function actorOf(req: Request): string {
  const peer = peerOf(req);
  const forwardedFor = req.get(ADMIN_HEADER);
  return peer.role === 'control' && forwardedFor !== undefined ? forwardedFor : spiffeIdOf(peer);
}

export function staticConfigRoutes(sources: AdminSources): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  const target = (
    req: Request<{ name: string }>,
  ): { key: string; term: NonNullable<AdminSources['election']['term']> } => {
    const name = req.params.name;
    if (!NAME.test(name)) throw new AdminError('ADMIN_INVALID', name, 'is not a document name');
    const term = sources.election.term;
    if (term === undefined)
      throw new AdminError('ADMIN_NO_CONTROLLER', name, 'this node stopped being the controller');
    return { key: staticDocumentKey(name), term };
  };
  const documentOf = (req: Request): Uint8Array => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AdminError('ADMIN_INVALID', 'body', 'must be a JSON object (content-type: application/json)');
    }
    const doc = { document: body, updatedAt: new Date().toISOString(), updatedBy: actorOf(req) };
    return new TextEncoder().encode(JSON.stringify(doc));
  };

  // PUT writes whatever is there; POST only creates.
  router.put('/api/config/static/:name', async (req: Request<{ name: string }>, res: Response) => {
    const { key, term } = target(req);
    const result = await sources.election.fencedTxn(term, {
      success: [{ type: 'put', key, value: documentOf(req) }],
    });
    res.json({ key, revision: result.revision });
  });
  router.post('/api/config/static/:name', async (req: Request<{ name: string }>, res: Response) => {
    const { key, term } = target(req);
    const result = await sources.election.fencedTxn(term, {
      compare: [{ key, target: 'createRevision', op: '=', value: 0 }],
      success: [{ type: 'put', key, value: documentOf(req) }],
    });
    if (!result.succeeded)
      throw new AdminError('ADMIN_CONFLICT', req.params.name, 'exists already: PUT replaces it');
    res.status(201).json({ key, revision: result.revision });
  });
  router.delete('/api/config/static/:name', async (req: Request<{ name: string }>, res: Response) => {
    const { key, term } = target(req);
    const result = await sources.election.fencedTxn(term, { success: [{ type: 'delete', key }] });
    const op = result.results[0];
    if (op?.type !== 'delete' || op.deleted === 0)
      throw new AdminError('ADMIN_NOT_FOUND', req.params.name, 'no such document');
    res.json({ key, revision: result.revision });
  });
  return router;
}
