import { z } from 'zod';
import { Domain } from './common.js';

export const RouterTls = z.strictObject({
  options: z.string().optional(),
  certResolver: z.string().optional(),
  domains: z.array(Domain).optional(),
});
export type RouterTls = z.infer<typeof RouterTls>;

export const RouterObservability = z.strictObject({
  accessLogs: z.boolean().optional(),
  tracing: z.boolean().optional(),
  metrics: z.boolean().optional(),
  traceVerbosity: z.enum(['minimal', 'detailed']).optional(),
});

/** An HTTP router (`http.routers.<name>`), as Traefik v3 defines it. */
export const Router = z.strictObject({
  rule: z.string().min(1, 'a router needs a rule'),
  ruleSyntax: z.enum(['v3', 'v2', 'default']).optional(),
  // Traefik caps priorities at MaxInt64-1000 so that its internal routers stay on top;
  // JavaScript numbers are exact to 2^53, which is the cap here.
  priority: z
    .number()
    .int()
    .max(Number.MAX_SAFE_INTEGER - 1000)
    .optional(),
  entryPoints: z.array(z.string().min(1)).optional(),
  middlewares: z.array(z.string().min(1)).optional(),
  service: z.string().min(1, 'a router needs a service'),
  tls: RouterTls.optional(),
  observability: RouterObservability.optional(),
});
export type Router = z.infer<typeof Router>;
