import express, { type Request, type Response } from 'express';
import { spiffeIdOf } from '../../cluster/pki/index.js';
import { AdminError } from './errors.js';
import { peerOf } from './peer.js';
import type { AdminSources } from './sources.js';
import { checkStaticDocument, staticDocumentKey, staticDocumentName } from './static-document.js';

// Static configuration deployed from the control plane (`switchyard apply`, Traefik
// Enterprise's `teectl apply`), written by the controller only. What lies in the store,
// and what the distribution streams to data nodes as it is:
//
//   /switchyard/static/entrypoints  →  {
//     "document": { "entryPoints": { "<name>": <an entryPoints.<name> section in the static
//                   file's own form: address, http, forwardedHeaders, transport; durations
//                   as Go duration strings such as "60000ms"> } },
//     "updatedAt": ISO time, "updatedBy": the admin's SPIFFE id
//   }
//
// A data node reads it with the static schema, `StaticConfig.safeParse({ entryPoints:
// value.document.entryPoints }).data.entryPoints`, and uses those entrypoints instead of
// its own while the key exists; deleting the key gives each node its local ones back.
// The controller checked the same parse before writing, so a failure on a data node means
// a newer schema there: it NACKs and keeps serving.

/** Set by the node that forwarded the write: the admin who asked it. */
export const ADMIN_HEADER = 'x-switchyard-admin';

/** Who asked for a write: the admin, directly or as named by the control node that forwarded it. */
function actorOf(req: Request): string {
  const peer = peerOf(req);
  const forwardedFor = req.get(ADMIN_HEADER);
  return peer.role === 'control' && forwardedFor !== undefined ? forwardedFor : spiffeIdOf(peer);
}

export function staticConfigRoutes(sources: AdminSources): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  const termOf = (name: string): NonNullable<AdminSources['election']['term']> => {
    const term = sources.election.term;
    if (term === undefined)
      throw new AdminError('ADMIN_NO_CONTROLLER', name, 'this node stopped being the controller');
    return term;
  };
  /** The checked document as it is stored, and its key. */
  const documentOf = (req: Request<{ name: string }>): { key: string; value: Uint8Array } => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AdminError('ADMIN_INVALID', 'body', 'must be a JSON object (content-type: application/json)');
    }
    const name = checkStaticDocument(req.params.name, body);
    const doc = { document: body, updatedAt: new Date().toISOString(), updatedBy: actorOf(req) };
    return { key: staticDocumentKey(name), value: new TextEncoder().encode(JSON.stringify(doc)) };
  };
  // PUT writes whatever is there; POST only creates.
  router.put('/api/config/static/:name', async (req: Request<{ name: string }>, res: Response) => {
    const { key, value } = documentOf(req);
    const result = await sources.election.fencedTxn(termOf(req.params.name), {
      success: [{ type: 'put', key, value }],
    });
    res.json({ key, revision: result.revision });
  });
  router.post('/api/config/static/:name', async (req: Request<{ name: string }>, res: Response) => {
    const { key, value } = documentOf(req);
    const result = await sources.election.fencedTxn(termOf(req.params.name), {
      compare: [{ key, target: 'createRevision', op: '=', value: 0 }],
      success: [{ type: 'put', key, value }],
    });
    if (!result.succeeded)
      throw new AdminError('ADMIN_CONFLICT', req.params.name, 'exists already: PUT replaces it');
    res.status(201).json({ key, revision: result.revision });
  });
  router.delete('/api/config/static/:name', async (req: Request<{ name: string }>, res: Response) => {
    const key = staticDocumentKey(staticDocumentName(req.params.name));
    const result = await sources.election.fencedTxn(termOf(req.params.name), {
      success: [{ type: 'delete', key }],
    });
    const op = result.results[0];
    if (op?.type !== 'delete' || op.deleted === 0)
      throw new AdminError('ADMIN_NOT_FOUND', req.params.name, 'no such document');
    res.json({ key, revision: result.revision });
  });
  return router;
}
