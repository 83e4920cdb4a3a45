import type { RequestContext } from '../../handler.js';
import { canonicalHost } from '../../routing/index.js';
import type { HeadHeaders } from '../response-head/index.js';

type Headers = Record<string, string | string[] | undefined>;

/** customRequestHeaders or customResponseHeaders as [lower-case name, value] pairs. */
export type HeaderChanges = readonly (readonly [string, string])[];

export const headerChanges = (map: Readonly<Record<string, string>> | undefined): HeaderChanges =>
  Object.entries(map ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const);

/**
 * Whether customRequestHeaders removes X-Forwarded-For for good: the proxy then does not
 * add the client either. Traefik does this only for the name spelled exactly so (its check
 * is case-sensitive); another spelling removes the header and the proxy adds the client.
 */
export const omitsForwardedFor = (map: Readonly<Record<string, string>> | undefined): boolean =>
  map?.['X-Forwarded-For'] === '';

/**
 * customRequestHeaders: an empty value removes the header, Host changes the request's
 * host (what goes upstream and what later middlewares see), anything else replaces it.
 */
export function applyRequestHeaders(
  changes: HeaderChanges,
  omitForwardedFor: boolean,
  ctx: RequestContext,
): void {
  const headers = ctx.headers as Headers;
  if (omitForwardedFor) ctx.omitForwardedFor = true;
  for (const [name, value] of changes) {
    if (value === '') {
      delete headers[name];
    } else if (name === 'host') {
      headers.host = value;
      ctx.authority = value;
      ctx.host = canonicalHost(value);
    } else {
      headers[name] = value;
    }
  }
}

/** customResponseHeaders, over the service's: an empty value removes the header. */
export function applyResponseHeaders(changes: HeaderChanges, head: HeadHeaders): void {
  for (const [name, value] of changes) {
    if (value === '') head.remove(name);
    else head.set(name, value);
  }
}
