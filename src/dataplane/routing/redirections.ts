import type { Middleware, Router } from '../../config/dynamic/index.js';
import type { StaticConfig } from '../../config/static/index.js';

type EntryPoint = StaticConfig['entryPoints'][string];

/** The service Traefik's internal routers use when a middleware answers every request. */
export const NOOP_SERVICE = 'noop@internal';

export interface Redirections {
  readonly routers: Record<string, Router>;
  readonly middlewares: Record<string, Middleware>;
}

/**
 * Traefik's `entryPoints.<name>.http.redirections.entryPoint`: a catch-all router on the
 * entrypoint (`HostRegexp(^.+$)`, priority MaxInt-1 by default) whose redirectScheme
 * middleware sends every plain request to the target entrypoint's port, or to `:port`.
 * `boundPort` gives the port a listener really got (an entrypoint on port 0 gets one).
 */
export function entryPointRedirections(
  entryPoints: Readonly<Record<string, EntryPoint>>,
  boundPort: (entryPoint: string) => number | undefined,
): Redirections {
  const routers: Record<string, Router> = {};
  const middlewares: Record<string, Middleware> = {};
  for (const [name, entryPoint] of Object.entries(entryPoints)) {
    const redirect = entryPoint.http.redirections?.entryPoint;
    if (redirect === undefined) continue;
    const explicit = /^:(\d+)$/.exec(redirect.to)?.[1];
    const port = explicit ?? boundPort(redirect.to) ?? entryPoints[redirect.to]?.port;
    if (port === undefined) continue; // the static configuration refuses an unknown target
    const router = `${normalize(`${name}-to-${redirect.to}`)}@internal`;
    const middleware = `redirect-${router}`;
    routers[router] = {
      rule: 'HostRegexp(`^.+$`)',
      entryPoints: [name],
      middlewares: [middleware],
      service: NOOP_SERVICE,
      priority: redirect.priority,
    };
    middlewares[middleware] = {
      type: 'redirectScheme',
      scheme: redirect.scheme,
      port: String(port),
      permanent: redirect.permanent,
    };
  }
  return { routers, middlewares };
}

/** Traefik's provider.Normalize: runs of anything but letters and digits become one '-'. */
function normalize(name: string): string {
  return name
    .split(/[^\p{L}\p{N}]+/u)
    .filter((part) => part !== '')
    .join('-');
}
