import { randomBytes } from 'node:crypto';
import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import type { ProxyRequest, RequestContext } from '../../handler.js';
import type { HeadHeaders } from '../response-head/index.js';

type HeadersConfig = MiddlewareOf<'headers'>;

/** Traefik's HasSecureHeadersDefined (the deprecated options count when set). */
export function hasSecureHeaders(c: HeadersConfig): boolean {
  return (
    (c.allowedHosts?.length ?? 0) > 0 ||
    (c.hostsProxyHeaders?.length ?? 0) > 0 ||
    c.sslRedirect === true ||
    c.sslTemporaryRedirect === true ||
    c.sslForceHost === true ||
    (c.sslHost ?? '') !== '' ||
    Object.keys(c.sslProxyHeaders ?? {}).length > 0 ||
    (c.stsSeconds ?? 0) !== 0 ||
    c.stsIncludeSubdomains === true ||
    c.stsPreload === true ||
    c.forceSTSHeader === true ||
    c.frameDeny === true ||
    (c.customFrameOptionsValue ?? '') !== '' ||
    c.contentTypeNosniff === true ||
    c.browserXssFilter === true ||
    (c.customBrowserXSSValue ?? '') !== '' ||
    (c.contentSecurityPolicy ?? '') !== '' ||
    (c.contentSecurityPolicyReportOnly ?? '') !== '' ||
    (c.publicKey ?? '') !== '' ||
    (c.referrerPolicy ?? '') !== '' ||
    (c.featurePolicy ?? '') !== '' ||
    (c.permissionsPolicy ?? '') !== '' ||
    c.isDevelopment === true
  );
}

/** The response headers of one request, and what the Location rewrite needs to know. */
export interface SecureHead {
  /** [name, value, ...] set over the service's values. */
  readonly headers: readonly string[];
  readonly ssl: boolean;
}

/** What the secure part of the middleware decided for a request. */
export type SecureOutcome =
  | { readonly kind: 'pass'; readonly head: SecureHead }
  | { readonly kind: 'badHost' }
  | { readonly kind: 'redirect'; readonly status: number; readonly location: string };

const NONCE = '$NONCE';

/**
 * unrolled/secure as Traefik configures it: the allowed hosts check, the (deprecated) SSL
 * redirects, and the security response headers. Everything that does not depend on the
 * request is built here; a request picks its list by whether it came over HTTPS.
 */
export class SecureHeaders {
  readonly #config: HeadersConfig;
  readonly #development: boolean;
  readonly #allowedHosts: readonly string[];
  readonly #hostHeaders: readonly string[];
  readonly #sslProxyHeaders: readonly (readonly [string, string])[];
  readonly #sslHost: string;
  readonly #overSsl: SecureHead;
  readonly #plain: SecureHead;
  /** CSP values with $NONCE in them get a fresh nonce per request. */
  readonly #withNonce: boolean;

  constructor(config: HeadersConfig) {
    this.#config = config;
    this.#development = config.isDevelopment === true;
    this.#allowedHosts = (config.allowedHosts ?? []).map((host) => host.toLowerCase());
    this.#hostHeaders = (config.hostsProxyHeaders ?? []).map((name) => name.toLowerCase());
    this.#sslProxyHeaders = Object.entries(config.sslProxyHeaders ?? {}).map(
      ([name, value]) => [name.toLowerCase(), value] as const,
    );
    this.#sslHost = config.sslHost ?? '';
    this.#withNonce =
      `${config.contentSecurityPolicy ?? ''}${config.contentSecurityPolicyReportOnly ?? ''}`.includes(NONCE);
    this.#overSsl = { headers: this.#headers(true, ''), ssl: true };
    this.#plain = { headers: this.#headers(false, ''), ssl: false };
  }

  check(req: ProxyRequest, ctx: RequestContext): SecureOutcome {
    const host = this.#host(ctx);
    if (
      this.#allowedHosts.length > 0 &&
      !this.#development &&
      !this.#allowedHosts.includes(host.toLowerCase())
    ) {
      return { kind: 'badHost' };
    }
    const ssl = this.#isSsl(req, ctx);
    const temporary = this.#config.sslTemporaryRedirect === true;
    if (this.#config.sslRedirect === true && !ssl && !this.#development) {
      return {
        kind: 'redirect',
        status: temporary ? 307 : 301,
        location: httpsUrl(this.#sslHost || host, ctx),
      };
    }
    if (this.#config.sslForceHost === true && this.#sslHost !== '' && this.#sslHost !== host) {
      return { kind: 'redirect', status: temporary ? 307 : 301, location: httpsUrl(this.#sslHost, ctx) };
    }
    if (this.#withNonce) {
      return { kind: 'pass', head: { headers: this.#headers(ssl, randomBytes(16).toString('base64')), ssl } };
    }
    return { kind: 'pass', head: ssl ? this.#overSsl : this.#plain };
  }

  /** The response hook: the Location fix for sslHost, then the security headers. */
  readonly applyResponse = (head: HeadHeaders, _status: number, secure: SecureHead): void => {
    if (secure.ssl && this.#sslHost !== '') {
      const location = head.get('location');
      if (typeof location === 'string') {
        const plain = `http://${this.#sslHost}`;
        if (location === plain || location.startsWith(`${plain}/`)) {
          head.set('location', `https:${location.slice(5)}`);
        }
      }
    }
    const headers = secure.headers;
    for (let i = 0; i < headers.length; i += 2) head.set(headers[i]!, headers[i + 1]!);
  };

  #host(ctx: RequestContext): string {
    for (const name of this.#hostHeaders) {
      const value = ctx.headers[name];
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined && first !== '') return first;
    }
    return ctx.authority;
  }

  #isSsl(req: ProxyRequest, ctx: RequestContext): boolean {
    if (ctx.tls || /^https:\/\//i.test(req.url ?? '')) return true;
    for (const [name, value] of this.#sslProxyHeaders) {
      const header = ctx.headers[name];
      const first = Array.isArray(header) ? header[0] : header;
      if ((first ?? '') === value) return true;
    }
    return false;
  }

  #headers(ssl: boolean, nonce: string): string[] {
    const c = this.#config;
    const out: string[] = [];
    const stsSeconds = c.stsSeconds ?? 0;
    if (stsSeconds !== 0 && (ssl || c.forceSTSHeader === true) && !this.#development) {
      const subdomains = c.stsIncludeSubdomains === true ? '; includeSubDomains' : '';
      const preload = c.stsPreload === true ? '; preload' : '';
      out.push('strict-transport-security', `max-age=${stsSeconds}${subdomains}${preload}`);
    }
    if (c.customFrameOptionsValue) out.push('x-frame-options', c.customFrameOptionsValue);
    else if (c.frameDeny === true) out.push('x-frame-options', 'DENY');
    if (c.contentTypeNosniff === true) out.push('x-content-type-options', 'nosniff');
    if (c.customBrowserXSSValue) out.push('x-xss-protection', c.customBrowserXSSValue);
    else if (c.browserXssFilter === true) out.push('x-xss-protection', '1; mode=block');
    if (c.publicKey && ssl && !this.#development) out.push('public-key-pins', c.publicKey);
    const withNonce = (policy: string): string => policy.replaceAll(NONCE, `'nonce-${nonce}'`);
    if (c.contentSecurityPolicy) out.push('content-security-policy', withNonce(c.contentSecurityPolicy));
    if (c.contentSecurityPolicyReportOnly) {
      out.push('content-security-policy-report-only', withNonce(c.contentSecurityPolicyReportOnly));
    }
    if (c.referrerPolicy) out.push('referrer-policy', c.referrerPolicy);
    if (c.featurePolicy) out.push('feature-policy', c.featurePolicy);
    if (c.permissionsPolicy) out.push('permissions-policy', c.permissionsPolicy);
    return out;
  }
}

/** Go's r.URL with scheme https and another host: the request's own path and query. */
function httpsUrl(host: string, ctx: RequestContext): string {
  const path = ctx.rawPath === '' ? '' : ctx.rawPath;
  return ctx.rawQuery === '' ? `https://${host}${path}` : `https://${host}${path}?${ctx.rawQuery}`;
}
