import type { Agent } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { spiffeIdOf } from '../../cluster/pki/index.js';
import { adminUrlOf } from './admin-address.js';
import { AdminError, errorBody } from './errors.js';
import { controllerId } from './gather-inputs.js';
import { peerOf } from './peer.js';
import type { AdminSources } from './sources.js';
import { ADMIN_HEADER } from './static-config-routes.js';

// Writes go to the controller, the only writer of configuration. Any control node
// accepts them: the controller handles them itself, the others proxy them to the
// controller's admin API with their own (control) certificate, naming the admin in a
// header. One hop only: a control node that receives a forwarded write but is not the
// controller (it changed meanwhile) refuses rather than forward again, so a stale view
// cannot bounce a request around the cluster.

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface WriteForwardingOptions {
  readonly sources: AdminSources;
  /** The controller's handlers. */
  readonly local: RequestHandler;
  /** Carries this node's client certificate to the controller (clientTlsOptions). */
  readonly agent: Agent;
}

const retryLater = (path: string, detail: string): AdminError =>
  new AdminError('ADMIN_NO_CONTROLLER', path, `${detail}; retry in a moment`);

export function writeForwarding(options: WriteForwardingOptions): RequestHandler {
  const { sources, local } = options;
  const targets = new WeakMap<IncomingMessage, string>();
  const proxy = createProxyMiddleware<Request, Response>({
    router: (req) => targets.get(req),
    agent: options.agent,
    secure: true,
    proxyTimeout: 15_000,
    on: {
      proxyReq: (proxyReq, req) => {
        proxyReq.setHeader(ADMIN_HEADER, spiffeIdOf(peerOf(req)));
      },
      error: (err, req, res) => answerProxyError(err, req, res, targets.get(req)),
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (!WRITES.has(req.method) || !req.path.startsWith('/api/config/')) return next();
    if (sources.election.term !== undefined) return local(req, res, next);
    if (peerOf(req).role === 'control') {
      return next(retryLater(req.path, 'forwarded to a node that is no longer the controller'));
    }
    controllerId(sources).then(
      (id) => {
        if (id === undefined) return next(retryLater(req.path, 'no controller is elected'));
        if (id === sources.gossip.self.info.id) {
          return next(retryLater(req.path, 'this node is handing the controller role over'));
        }
        const url = adminUrlOf(sources.gossip.members(), id);
        if (url === undefined) {
          return next(retryLater(req.path, `the controller ${id} is down or gossips no admin address`));
        }
        targets.set(req, url);
        void proxy(req, res, next);
      },
      (err: unknown) => next(err),
    );
  };
}

function answerProxyError(
  err: Error,
  _req: IncomingMessage,
  res: ServerResponse | Socket,
  target: string | undefined,
): void {
  if (!('writeHead' in res)) return void res.destroy();
  if (res.headersSent) return void res.destroy();
  const error = new AdminError('ADMIN_FORWARD_FAILED', target ?? 'controller', err.message, { cause: err });
  res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: errorBody(error) }));
}
