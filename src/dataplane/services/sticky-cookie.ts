import { createHash } from 'node:crypto';
import type { Sticky } from '../../config/dynamic/index.js';
import type { ProxyResponse } from '../handler.js';

type CookieOptions = NonNullable<Sticky['cookie']>;

const NAME_LENGTH = 6;

/**
 * The sticky cookie's name: the configured one with characters outside an HTTP token
 * replaced by `_`, else Traefik's generated one, `_` and the first 5 hex digits of
 * SHA-1("_TRAEFIK_BACKEND_" + qualified service name).
 */
export function stickyCookieName(configured: string | undefined, serviceName: string): string {
  if (configured) {
    let name = '';
    for (const char of configured) name += /^[A-Za-z0-9!#$%&'*+\-.^`|~]$/.test(char) ? char : '_';
    return name;
  }
  const digest = createHash('sha1').update(`_TRAEFIK_BACKEND_${serviceName}`).digest('hex');
  return `_${digest}`.slice(0, NAME_LENGTH);
}

/** The cookie value naming a target (a server URL or a child service name): Traefik v3's truncated SHA-256. */
export function stickyValue(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 16);
}

/**
 * Values older Traefik versions wrote for the same target: the name itself, its FNV-1
 * 64-bit hash, and that hash hashed again. They still match, and the cookie is rewritten.
 */
export function legacyStickyValues(name: string): string[] {
  const once = fnv1Hex(name);
  return [name, once, fnv1Hex(once)];
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/** Go's hash/fnv New64 (FNV-1, not 1a), printed as strconv.FormatUint(sum, 16) does. */
function fnv1Hex(input: string): string {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(input, 'utf8')) {
    hash = (hash * FNV_PRIME) & MASK_64;
    hash ^= BigInt(byte);
  }
  return hash.toString(16);
}

const SAME_SITE: Readonly<Record<string, string>> = { none: 'None', lax: 'Lax', strict: 'Strict' };

/** A Set-Cookie value as Go's http.Cookie writes it, attributes in Go's order. */
export function setCookieValue(name: string, value: string, options: CookieOptions): string {
  let cookie = `${name}=${value}; Path=${options.path ?? '/'}`;
  if (options.domain) cookie += `; Domain=${options.domain.replace(/^\./, '')}`;
  const maxAge = options.maxAge ?? 0;
  if (maxAge > 0) cookie += `; Max-Age=${maxAge}`;
  else if (maxAge < 0) cookie += '; Max-Age=0';
  if (options.httpOnly) cookie += '; HttpOnly';
  if (options.secure) cookie += '; Secure';
  const sameSite = SAME_SITE[options.sameSite ?? ''];
  if (sameSite !== undefined) cookie += `; SameSite=${sameSite}`;
  return cookie;
}

/** The first value of cookie `name` in a Cookie header, surrounding double quotes removed. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) {
      const value = header.slice(eq + 1, end).trim();
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
    start = end + 1;
  }
  return undefined;
}

/** A cookie value's target, and whether the cookie must be written again (legacy value). */
export interface StickyHit<T> {
  readonly target: T;
  readonly rewrite: boolean;
}

/**
 * Sticky sessions for one balancer: maps cookie values to targets, and holds each
 * target's Set-Cookie value, all computed when the configuration is built.
 */
export class StickyCookie<T> {
  readonly #hits = new Map<string, StickyHit<T>>();
  readonly #setCookies = new Map<T, string>();

  constructor(
    readonly name: string,
    options: CookieOptions,
    targets: ReadonlyArray<{ readonly key: string; readonly target: T }>,
  ) {
    for (const { key, target } of targets) {
      for (const legacy of legacyStickyValues(key)) this.#hits.set(legacy, { target, rewrite: true });
    }
    for (const { key, target } of targets) {
      const value = stickyValue(key);
      this.#hits.set(value, { target, rewrite: false });
      this.#setCookies.set(target, setCookieValue(this.name, value, options));
    }
  }

  match(cookieHeader: string | undefined): StickyHit<T> | undefined {
    const value = readCookie(cookieHeader, this.name);
    return value === undefined ? undefined : this.#hits.get(value);
  }

  /** The Set-Cookie value that pins a client to `target`. */
  setCookieFor(target: T): string {
    return this.#setCookies.get(target) ?? '';
  }
}

/** Adds a Set-Cookie to the response, keeping any set before (by a middleware, say). */
export function appendSetCookie(res: ProxyResponse, value: string): void {
  const earlier = res.getHeader('set-cookie');
  if (earlier === undefined) res.setHeader('set-cookie', value);
  else res.setHeader('set-cookie', [...(Array.isArray(earlier) ? earlier : [String(earlier)]), value]);
}
