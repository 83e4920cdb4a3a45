import type { Agent } from 'node:https';
import { pipeline } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { snapshotStore, archiveHeader, archiveStream } from '../../cluster/backup/index.js';
import { isNodeDenied } from '../../cluster/node/index.js';
import { PkiError, spiffeIdOf } from '../../cluster/pki/index.js';
import { acmeRoutes } from './acme-routes.js';
import { AdminError, errorBody, statusOf } from './errors.js';
import { gatherInputs } from './gather-inputs.js';
import { buildClusterView } from './node-view.js';
import { peerOf } from './peer.js';
import { distributionRoutes } from './distribution-routes.js';
import { checkRemoval, removeNode } from './remove-node.js';
import type { AdminSources } from './sources.js';
import { staticConfigRoutes } from './static-config-routes.js';
import { writeForwarding } from './write-forwarding.js';

export interface AdminAppOptions {
  readonly sources: AdminSources;
  /** Names the cluster in backup manifests. */
  readonly clusterId: string;
  /** Carries this node's client certificate when it forwards a write to the controller. */
  readonly forwardAgent: Agent;
}

/**
 * The admin API's routes. Every request has passed mutual TLS and guardRequests; here
 * admins may do anything, and control nodes only forward writes (they call no other
 * route, so they may use no other).
 */
export function createAdminApp(options: AdminAppOptions): express.Express {
  const { sources, clusterId } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(async (req: Request, _res: Response, next: NextFunction) => {
    const peer = peerOf(req);
    if (peer.role === 'admin') return next();
    if (peer.role !== 'control' || !req.path.startsWith('/api/config/')) {
      return next(
        new PkiError(
          'PKI_ROLE_DENIED',
          'peer',
          `${peer.role} node ${peer.nodeId} may not use ${req.method} ${req.path}`,
        ),
      );
    }
    // A removed control node's certificate is still valid: the deny list is what stops it.
    if (await isNodeDenied(sources.store, peer.nodeId)) {
      return next(
        new PkiError('PKI_NODE_REMOVED', 'peer', `node ${peer.nodeId} was removed from the cluster`),
      );
    }
    next();
  });

  app.get('/api/cluster/nodes', async (_req: Request, res: Response) => {
    res.json(buildClusterView(await gatherInputs(sources)));
  });

  app.delete('/api/cluster/nodes/:id', async (req: Request<{ id: string }>, res: Response) => {
    const view = buildClusterView(await gatherInputs(sources));
    const checked = checkRemoval(view, req.params.id, req.query.force === 'true');
    if (!checked.ok) throw checked.error;
    const record = await removeNode(
      sources,
      checked.value,
      { reason: 'removed', by: spiffeIdOf(peerOf(req)) },
      new Date(),
    );
    res.json({ removed: record });
  });

  app.get('/api/cluster/backup', async (_req: Request, res: Response) => {
    const snapshot = await snapshotStore(sources.store);
    const header = archiveHeader(clusterId, snapshot.revision, new Date());
    res.writeHead(200, {
      'content-type': 'application/gzip',
      'content-disposition': `attachment; filename="switchyard-${clusterId}-${snapshot.revision}.backup.gz"`,
      'x-switchyard-backup-keys': String(snapshot.keys.length),
      'x-switchyard-backup-revision': String(snapshot.revision),
    });
    pipeline(archiveStream(header, snapshot.keys), res, () => undefined);
  });

  app.use(distributionRoutes(sources));

  app.use(acmeRoutes(sources));

  // Mounted at the root, not under /api/config: express would strip the mount path from
  // req.url, and the proxy forwards req.url as it finds it.
  app.use(writeForwarding({ sources, local: staticConfigRoutes(sources), agent: options.forwardAgent }));

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new AdminError('ADMIN_NOT_FOUND', req.path, `no ${req.method} route`));
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    const parserStatus = bodyParserStatus(err);
    const body =
      parserStatus === undefined
        ? errorBody(err)
        : { code: 'ADMIN_INVALID', path: 'body', message: (err as Error).message };
    if (body.code === 'ADMIN_NO_CONTROLLER') res.set('retry-after', '1');
    res.status(parserStatus ?? statusOf(body.code)).json({ error: body });
  });
  return app;
}

/** express.json's errors carry an HTTP status (400, 413, 415) and a type, but no code. */
function bodyParserStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err) || !('status' in err)) return undefined;
  return typeof err.status === 'number' ? err.status : undefined;
}
