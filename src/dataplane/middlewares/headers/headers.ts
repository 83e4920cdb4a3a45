import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import { compileGoRegexp } from '../../../rules/index.js';
import type { Handler, ProxyResponse } from '../../handler.js';
import { onResponseHead, type HeadHeaders } from '../response-head/index.js';
import {
  applyCorsResponseHeaders,
  corsPolicy,
  hasCors,
  isPreflight,
  preflightHeaders,
  requestOrigin,
  type CorsPolicy,
} from './cors.js';
import {
  applyRequestHeaders,
  applyResponseHeaders,
  headerChanges,
  omitsForwardedFor,
  type HeaderChanges,
} from './custom-headers.js';
import { hasSecureHeaders, SecureHeaders } from './secure-headers.js';

type HeadersConfig = MiddlewareOf<'headers'>;
type Writable = ProxyResponse & { writeHead(status: number, headers?: string[]): unknown };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Traefik's headers middleware: customRequestHeaders and customResponseHeaders, CORS
 * (preflights answered here, the service never sees them), and unrolled/secure's host
 * check, redirects and security headers. Response headers are set as the head is
 * written, over the service's values; the custom and CORS ones last, so they win.
 */
export function buildHeaders(config: HeadersConfig, next: Handler): Result<Handler> {
  const secure = hasSecureHeaders(config) ? new SecureHeaders(config) : null;
  const custom =
    Object.keys(config.customRequestHeaders ?? {}).length > 0 ||
    Object.keys(config.customResponseHeaders ?? {}).length > 0;
  const cors = hasCors(config);
  if (secure === null && !custom && !cors) {
    return fail(new ConfigError('CONFIG_INVALID', '', 'headers configuration not valid: it sets no header'));
  }
  const problem =
    checkHeaders(config.customRequestHeaders, 'customRequestHeaders') ??
    checkHeaders(config.customResponseHeaders, 'customResponseHeaders');
  if (problem !== undefined) return fail(problem);

  let policy: CorsPolicy | null = null;
  if (cors) {
    const regexps: RegExp[] = [];
    const errors: ConfigError[] = [];
    (config.accessControlAllowOriginListRegex ?? []).forEach((pattern, index) => {
      const compiled = compileGoRegexp(pattern);
      if (compiled.ok) regexps.push(compiled.value);
      else
        errors.push(
          ...compiled.errors.map((error) => error.under(`accessControlAllowOriginListRegex[${index}]`)),
        );
    });
    if (errors.length > 0) return fail(...errors);
    policy = corsPolicy(config, regexps);
  }

  const requestChanges = headerChanges(config.customRequestHeaders);
  const omitForwardedFor = omitsForwardedFor(config.customRequestHeaders);
  const responseChanges = headerChanges(config.customResponseHeaders);
  const responseHook =
    responseChanges.length > 0 || policy !== null ? customResponseHook(responseChanges, policy) : null;

  return ok((req, res, ctx) => {
    if (policy !== null && isPreflight(ctx)) {
      (res as Writable).writeHead(200, preflightHeaders(policy, ctx));
      res.end();
      return;
    }
    if (requestChanges.length > 0) applyRequestHeaders(requestChanges, omitForwardedFor, ctx);
    // Registered first, so it runs last: the custom and CORS headers have the last word,
    // also over the secure answers below (Bad Host, redirects).
    if (responseHook !== null) onResponseHead(res, responseHook, requestOrigin(ctx));
    if (secure !== null) {
      const outcome = secure.check(req, ctx);
      if (outcome.kind === 'badHost') {
        goError(res, 500, 'Bad Host');
        return;
      }
      if (outcome.kind === 'redirect') {
        goRedirect(res, ctx.method, outcome.status, outcome.location);
        return;
      }
      onResponseHead(res, secure.applyResponse, outcome.head);
    }
    next(req, res, ctx);
  });
}

function customResponseHook(changes: HeaderChanges, policy: CorsPolicy | null) {
  return (head: HeadHeaders, _status: number, origin: string): void => {
    applyResponseHeaders(changes, head);
    if (policy !== null) applyCorsResponseHeaders(policy, head, origin);
  };
}

function checkHeaders(
  map: Readonly<Record<string, string>> | undefined,
  field: string,
): ConfigError | undefined {
  for (const [name, value] of Object.entries(map ?? {})) {
    if (!TOKEN.test(name)) {
      return new ConfigError(
        'CONFIG_INVALID',
        `${field}.${name}`,
        `${JSON.stringify(name)} is not a valid header name`,
      );
    }
    if (!HEADER_VALUE.test(value)) {
      return new ConfigError(
        'CONFIG_INVALID',
        `${field}.${name}`,
        'the value must not contain control characters',
      );
    }
  }
  return undefined;
}

/** Go's http.Error. */
function goError(res: ProxyResponse, status: number, text: string): void {
  const body = `${text}\n`;
  (res as Writable).writeHead(status, [
    'content-type',
    'text/plain; charset=utf-8',
    'x-content-type-options',
    'nosniff',
    'content-length',
    String(Buffer.byteLength(body)),
  ]);
  res.end(body);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

/** Go's http.Redirect to an absolute URL: an HTML body for GET, none otherwise. */
function goRedirect(res: ProxyResponse, method: string, status: number, location: string): void {
  const headers = ['location', location];
  let body = '';
  if (method === 'GET' || method === 'HEAD') headers.push('content-type', 'text/html; charset=utf-8');
  if (method === 'GET') {
    const text = status === 301 ? 'Moved Permanently' : 'Temporary Redirect';
    body = `<a href="${location.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)}">${text}</a>.\n\n`;
  }
  headers.push('content-length', String(Buffer.byteLength(body)));
  (res as Writable).writeHead(status, headers);
  res.end(body);
}
