import type { ProxyResponse } from '../../handler.js';

// go-http-auth's answer to a request without valid credentials: its own plain-text type
// (no charset, no nosniff, unlike http.Error) and the status line as the body.
const BODY = Buffer.from('401 Unauthorized\n');
const LENGTH = String(BODY.length);

/** 401 with the challenge in WWW-Authenticate, as Traefik's basicAuth and digestAuth write it. */
export function sendUnauthorized(res: ProxyResponse, challenge: string): void {
  (res as ProxyResponse & { writeHead(status: number, headers: string[]): unknown }).writeHead(401, [
    'content-type',
    'text/plain',
    'www-authenticate',
    challenge,
    'content-length',
    LENGTH,
  ]);
  res.end(BODY);
}

/** The realm Traefik's auth middlewares announce when none is configured. */
export const DEFAULT_REALM = 'traefik';
