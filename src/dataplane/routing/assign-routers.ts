import type { Router, RouterTls } from '../../config/dynamic/index.js';
import { ConfigError } from '../../config/errors.js';
import { INTERNAL_ENTRYPOINT, type StaticConfig } from '../../config/static/index.js';

type EntryPoint = StaticConfig['entryPoints'][string];

/** Traefik's own entrypoint (API, dashboard, ping), which routers never default to. */

/** A router as one entrypoint serves it, after the entrypoint's defaults were applied. */
export interface RouteSpec {
  /** The router's qualified name. */
  readonly name: string;
  readonly router: Router;
  /** The entrypoint's middlewares, then the router's, all qualified. */
  readonly middlewares: readonly string[];
  /** Set for a router that serves TLS requests only; its options name is qualified. */
  readonly tls: RouterTls | undefined;
}

export interface EntryPointRoutes {
  readonly plain: RouteSpec[];
  readonly tls: RouteSpec[];
}

/**
 * Files each router under the entrypoints it serves, split into TLS and plain routers, as
 * Traefik does: a router without entryPoints serves every entrypoint but `traefik`; an
 * entrypoint's `http.middlewares` come before the router's own, and its `http.tls` makes
 * every router on it without TLS settings a TLS router (Traefik's entrypoint "model"). A
 * router with `tls` serves only TLS requests, one without only plain ones. Names an
 * entrypoint gives unqualified take the router's provider.
 */
export function assignRouters(
  routers: Readonly<Record<string, Router>>,
  entryPoints: Readonly<Record<string, EntryPoint>>,
): { byEntryPoint: Map<string, EntryPointRoutes>; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const byEntryPoint = new Map<string, EntryPointRoutes>();
  for (const name of Object.keys(entryPoints)) byEntryPoint.set(name, { plain: [], tls: [] });
  const defaults = Object.keys(entryPoints)
    .filter((name) => name !== INTERNAL_ENTRYPOINT)
    .sort();

  for (const [name, router] of Object.entries(routers)) {
    const listed = router.entryPoints !== undefined && router.entryPoints.length > 0;
    const names = listed ? router.entryPoints! : defaults;
    names.forEach((epName, i) => {
      const entryPoint = entryPoints[epName];
      if (entryPoint === undefined) {
        errors.push(
          new ConfigError(
            'CONFIG_MISSING_REFERENCE',
            `http.routers.${name}.entryPoints[${i}]`,
            `entrypoint ${JSON.stringify(epName)} does not exist`,
          ),
        );
        return;
      }
      const model = entryPoint.http;
      const tls = router.tls ?? (model.tls === undefined ? undefined : modelTls(model.tls, name));
      const spec: RouteSpec = {
        name,
        router,
        middlewares: [
          ...model.middlewares.map((mw: string) => qualify(mw, name)),
          ...(router.middlewares ?? []),
        ],
        tls,
      };
      const routes = byEntryPoint.get(epName)!;
      (tls === undefined ? routes.plain : routes.tls).push(spec);
    });
  }
  return { byEntryPoint, errors };
}

function modelTls(tls: EntryPoint['http']['tls'] & object, router: string): RouterTls {
  return {
    ...(tls.options === undefined
      ? {}
      : { options: tls.options === 'default' ? 'default' : qualify(tls.options, router) }),
    ...(tls.certResolver === undefined ? {} : { certResolver: tls.certResolver }),
    ...(tls.domains.length === 0 ? {} : { domains: tls.domains }),
  };
}

/** `name@provider` stays; a bare name takes the provider of the router it is used by. */
export function qualify(name: string, router: string): string {
  if (name.includes('@')) return name;
  const at = router.lastIndexOf('@');
  return at === -1 ? name : `${name}${router.slice(at)}`;
}
