import { EntryPoint } from './entrypoint-schema.js';

/** The entrypoint Traefik serves its API, dashboard and ping on unless told otherwise. */
/** Traefik's internal entrypoint (:8080 unless defined), where api.insecure, ping and metrics live. */
export const INTERNAL_ENTRYPOINT = 'traefik';

type Needs = {
  entryPoints: Record<string, EntryPoint>;
  api?: { insecure: boolean } | undefined;
  ping?: { entryPoint: string; manualRouting: boolean } | undefined;
  metrics?: { prometheus?: { entryPoint: string; manualRouting: boolean } | undefined } | undefined;
};

/**
 * Traefik's SetEffectiveConfiguration, for the keys Switchyard has: with no entrypoint at all
 * there is `http` on :80; and `traefik` on :8080 appears when api.insecure is set, or when ping
 * or Prometheus metrics route themselves (no manualRouting) to the entrypoint named "traefik",
 * unless the user defined it.
 * Returns the names it added, so errors about them can say where they came from.
 */
export function withImplicitEntryPoints<C extends Needs>(config: C): { config: C; added: string[] } {
  const entryPoints = { ...config.entryPoints };
  const added: string[] = [];
  if (Object.keys(entryPoints).length === 0) {
    entryPoints.http = EntryPoint.parse({ address: ':80' });
    added.push('http');
  }
  const routesToInternal = (self: { entryPoint: string; manualRouting: boolean } | undefined): boolean =>
    self !== undefined && !self.manualRouting && self.entryPoint === INTERNAL_ENTRYPOINT;
  const wantsInternal =
    config.api?.insecure === true ||
    routesToInternal(config.ping) ||
    routesToInternal(config.metrics?.prometheus);
  if (wantsInternal && !Object.hasOwn(entryPoints, INTERNAL_ENTRYPOINT)) {
    entryPoints[INTERNAL_ENTRYPOINT] = EntryPoint.parse({ address: ':8080' });
    added.push(INTERNAL_ENTRYPOINT);
  }
  return { config: { ...config, entryPoints }, added };
}
