import type { Middleware, Router, Service } from '../config/dynamic/index.js';

/** What a reference points at; each kind is its own namespace. */
export type RefKind = 'service' | 'middleware' | 'serversTransport' | 'tlsOptions';

/**
 * Called once per reference with its kind, its target and its path inside the resource as
 * the user wrote it (`weighted.services[1].name`); returns the target to keep.
 */
export type RefMapper = (kind: RefKind, target: string, path: string) => string;

export interface Ref {
  readonly kind: RefKind;
  readonly target: string;
  readonly path: string;
}

/** A copy of `router` with its references mapped; the input is left alone. */
export function mapRouterRefs(router: Router, map: RefMapper): Router {
  const out: Router = { ...router, service: map('service', router.service, 'service') };
  if (router.middlewares) {
    out.middlewares = router.middlewares.map((m, i) => map('middleware', m, `middlewares[${i}]`));
  }
  // A router with `tls` and no options uses the options named `default`.
  if (router.tls?.options !== undefined) {
    out.tls = { ...router.tls, options: map('tlsOptions', router.tls.options, 'tls.options') };
  }
  return out;
}

export function mapServiceRefs(service: Service, map: RefMapper): Service {
  switch (service.type) {
    case 'loadBalancer':
      return service.serversTransport === undefined
        ? service
        : {
            ...service,
            serversTransport: map(
              'serversTransport',
              service.serversTransport,
              'loadBalancer.serversTransport',
            ),
          };
    case 'weighted':
      return {
        ...service,
        services: service.services.map((s, i) => ({
          ...s,
          name: map('service', s.name, `weighted.services[${i}].name`),
        })),
      };
    case 'mirroring': {
      const out = { ...service, service: map('service', service.service, 'mirroring.service') };
      if (service.mirrors) {
        out.mirrors = service.mirrors.map((m, i) => ({
          ...m,
          name: map('service', m.name, `mirroring.mirrors[${i}].name`),
        }));
      }
      return out;
    }
    case 'failover':
      return {
        ...service,
        service: map('service', service.service, 'failover.service'),
        fallback: map('service', service.fallback, 'failover.fallback'),
      };
  }
}

/** `chain` names other middlewares and `errors` the service rendering the error page; no other type refers to anything. */
export function mapMiddlewareRefs(middleware: Middleware, map: RefMapper): Middleware {
  switch (middleware.type) {
    case 'chain':
      if (!middleware.middlewares) return middleware;
      return {
        ...middleware,
        middlewares: middleware.middlewares.map((m, i) => map('middleware', m, `chain.middlewares[${i}]`)),
      };
    case 'errors':
      return { ...middleware, service: map('service', middleware.service, 'errors.service') };
    default:
      return middleware;
  }
}

/** Lists references through a mapper that records them and changes nothing. */
export function collectRefs<T>(resource: T, mapRefs: (resource: T, map: RefMapper) => T): Ref[] {
  const refs: Ref[] = [];
  mapRefs(resource, (kind, target, path) => {
    refs.push({ kind, target, path });
    return target;
  });
  return refs;
}
