import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';
import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import { compileGoRegexp } from '../../../rules/index.js';
import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import { readBody, replayBody, requestWithBody, TOO_LARGE } from '../request-body/index.js';
import type { BuildContext } from '../registry.js';
import { onResponseHead } from '../response-head/index.js';
import { authCookiesHook, splitAuthCookies } from './auth-cookies.js';
import { authRequestHeaders, type AuthRequestPlan, type ForwardTrust } from './auth-request-headers.js';
import { copyAuthResponseHeaders, denialHeaders } from './auth-response.js';
import { resolveAuthServerTls } from './client-tls.js';
import { hostOf } from './host-resolution.js';

// Go's http.Client timeout in Traefik's forwardAuth covers the whole exchange; undici
// bounds the wait for the head and the gaps in the body with it.
const TIMEOUT_MS = 30_000;
/** Traefik's status for a client that went away while the request was being handled. */
const CLIENT_CLOSED_REQUEST = 499;

type Writable = ProxyResponse & { writeHead(status: number, headers?: string[]): unknown };

/**
 * Traefik's forwardAuth: every request is first sent to the authentication server (GET,
 * or its own method with preserveRequestMethod) with the client's headers and
 * X-Forwarded-Method/Proto/Host/Uri/For; a 2xx lets it through with the headers named by
 * authResponseHeaders(Regex), anything else is the client's answer as the server gave it.
 * One undici pool per middleware talks to the server, closed when the runtime that built
 * it is retired. An address that does not parse is a configuration error, and so is one
 * whose host the DNS check before the build found does not exist; one that fails later
 * (the name gone, the server down) is a 500 at request time.
 */
export function buildForwardAuth(
  config: MiddlewareOf<'forwardAuth'>,
  next: Handler,
  ctx: BuildContext,
): Result<Handler> {
  let address: URL;
  try {
    address = new URL(config.address);
  } catch {
    return fail(
      new ConfigError('CONFIG_INVALID', 'address', `${JSON.stringify(config.address)} is not a URL`),
    );
  }
  if (address.protocol !== 'http:' && address.protocol !== 'https:') {
    return fail(
      new ConfigError(
        'CONFIG_INVALID',
        'address',
        `must be an http:// or https:// URL, not ${address.protocol}`,
      ),
    );
  }
  const host = hostOf(config.address);
  const unresolved = host === undefined ? undefined : ctx.unresolvedHost(host);
  if (unresolved !== undefined) {
    return fail(
      new ConfigError(
        'CONFIG_INVALID',
        'address',
        `host ${JSON.stringify(host)} does not resolve: ${unresolved}`,
      ),
    );
  }
  let regex: RegExp | null = null;
  if (config.authResponseHeadersRegex) {
    const compiled = compileGoRegexp(config.authResponseHeadersRegex);
    if (!compiled.ok) return fail(...compiled.errors.map((error) => error.under('authResponseHeadersRegex')));
    regex = compiled.value;
  }
  const tls = resolveAuthServerTls(config.tls);
  if (!tls.ok) return tls;

  const pool = new Pool(address.origin, {
    connect: { ...tls.value },
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
  });
  // Its connections to the server go with the configuration that built it.
  ctx.onClose(() => pool.close());
  return ok(new ForwardAuth(config, address, regex, pool, next).handler);
}

const trustOf = (value: boolean | undefined): ForwardTrust =>
  value === undefined ? 'legacy' : value ? 'trusted' : 'untrusted';

class ForwardAuth {
  readonly handler: Handler;
  readonly #pool: Pool;
  readonly #next: Handler;
  readonly #address: string;
  readonly #path: string;
  readonly #plan: AuthRequestPlan;
  readonly #responseHeaders: readonly string[];
  readonly #regex: RegExp | null;
  readonly #cookieNames: ReadonlySet<string>;
  readonly #cookiesHook: ReturnType<typeof authCookiesHook> | null;
  readonly #headerField: string;
  readonly #forwardBody: boolean;
  readonly #maxBodySize: number;
  readonly #maxResponseBodySize: number;
  readonly #preserveLocation: boolean;
  readonly #preserveMethod: boolean;

  constructor(
    config: MiddlewareOf<'forwardAuth'>,
    address: URL,
    regex: RegExp | null,
    pool: Pool,
    next: Handler,
  ) {
    this.#pool = pool;
    this.#next = next;
    this.#address = address.href;
    this.#path = `${address.pathname}${address.search}`;
    const allowed = config.authRequestHeaders?.filter((name) => name !== '') ?? [];
    this.#plan = {
      trust: trustOf(config.trustForwardHeader),
      allowed: allowed.length > 0 ? new Set(allowed.map((name) => name.toLowerCase())) : null,
    };
    this.#responseHeaders = (config.authResponseHeaders ?? []).map((name) => name.toLowerCase());
    this.#regex = regex;
    this.#cookieNames = new Set(config.addAuthCookiesToResponse ?? []);
    this.#cookiesHook = this.#cookieNames.size > 0 ? authCookiesHook(this.#cookieNames) : null;
    this.#headerField = (config.headerField ?? '').toLowerCase();
    this.#forwardBody = config.forwardBody === true;
    this.#maxBodySize = config.maxBodySize ?? -1;
    this.#maxResponseBodySize = config.maxResponseBodySize ?? -1;
    this.#preserveLocation = config.preserveLocationHeader === true;
    this.#preserveMethod = config.preserveRequestMethod === true;
    this.handler = (req, res, ctx) => {
      void this.#authenticate(req, res, ctx);
    };
  }

  async #authenticate(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): Promise<void> {
    let body: Buffer | null = null;
    if (this.#forwardBody) {
      let read;
      try {
        read = await readBody(req, this.#maxBodySize);
      } catch {
        answer(res, res.destroyed ? CLIENT_CLOSED_REQUEST : 500);
        return;
      }
      if (read === TOO_LARGE) {
        answer(res, 401);
        return;
      }
      if (read.length > 0) {
        body = read;
        req = requestWithBody(req, replayBody(read));
      }
    }

    let status: number;
    let headers: IncomingHttpHeaders;
    let content: Buffer | typeof TOO_LARGE;
    try {
      const response = await this.#pool.request({
        method: this.#preserveMethod ? ctx.method : 'GET',
        path: this.#path,
        headers: authRequestHeaders(req, ctx, this.#plan),
        body,
      });
      status = response.statusCode;
      headers = response.headers as IncomingHttpHeaders;
      content = await readLimited(response.body, this.#maxResponseBodySize);
    } catch {
      answer(res, res.destroyed ? CLIENT_CLOSED_REQUEST : 500);
      return;
    }
    if (res.destroyed) return;
    if (content === TOO_LARGE) {
      answer(res, 500);
      return;
    }

    if (this.#headerField !== '') {
      const user = headers[this.#headerField];
      const first = Array.isArray(user) ? user[0] : user;
      if (first !== undefined) ctx.clientUsername = first;
    }

    if (status < 200 || status >= 300) {
      const out = denialHeaders(headers, content.length, this.#address, this.#preserveLocation);
      if (out === undefined) {
        answer(res, 500);
        return;
      }
      (res as Writable).writeHead(status, out);
      res.end(content);
      return;
    }

    copyAuthResponseHeaders(
      ctx.headers as Record<string, string | string[] | undefined>,
      headers,
      this.#responseHeaders,
      this.#regex,
    );
    if (this.#cookiesHook !== null) {
      const cookies = splitAuthCookies(headers['set-cookie'], this.#cookieNames);
      if (cookies.any) onResponseHead(res, this.#cookiesHook, cookies.listed);
    }
    this.#next(req, res, ctx);
  }
}

/** Go's `rw.WriteHeader(status)` with nothing written: an empty body. */
function answer(res: ProxyResponse, status: number): void {
  if (res.destroyed || res.headersSent) return;
  (res as Writable).writeHead(status, ['content-length', '0']);
  res.end();
}

/** Reads the authentication server's answer, at most `limit` bytes (-1: all of it). */
async function readLimited(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  limit: number,
): Promise<Buffer | typeof TOO_LARGE> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (limit >= 0 && size > limit) {
      body.destroy();
      return TOO_LARGE;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
