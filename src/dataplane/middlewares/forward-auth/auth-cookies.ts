import type { HeadHeaders } from '../response-head/index.js';

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The name of a Set-Cookie value, or undefined when Go's cookie parser would drop it. */
export function cookieName(setCookie: string): string | undefined {
  const end = setCookie.indexOf(';');
  const pair = end === -1 ? setCookie : setCookie.slice(0, end);
  const equals = pair.indexOf('=');
  if (equals === -1) return undefined;
  const name = pair.slice(0, equals).trim();
  return COOKIE_NAME.test(name) ? name : undefined;
}

const asList = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

/**
 * addAuthCookiesToResponse, applied to the service's answer once the authentication
 * server set any cookie: the service's cookies with a listed name are dropped, and the
 * authentication server's cookies with a listed name (`arg`) are added.
 */
export function authCookiesHook(names: ReadonlySet<string>) {
  return (head: HeadHeaders, _status: number, authCookies: readonly string[]): void => {
    const kept = asList(head.get('set-cookie')).filter((cookie) => {
      const name = cookieName(cookie);
      return name === undefined || !names.has(name);
    });
    const cookies = [...kept, ...authCookies];
    if (cookies.length === 0) head.remove('set-cookie');
    else head.set('set-cookie', cookies);
  };
}

/** The valid Set-Cookie values of an answer, and those of them whose name is listed. */
export function splitAuthCookies(
  setCookie: string | string[] | undefined,
  names: ReadonlySet<string>,
): { readonly any: boolean; readonly listed: string[] } {
  let any = false;
  const listed: string[] = [];
  for (const cookie of asList(setCookie)) {
    const name = cookieName(cookie);
    if (name === undefined) continue;
    any = true;
    if (names.has(name)) listed.push(cookie);
  }
  return { any, listed };
}
