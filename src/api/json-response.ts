import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type ApiRequest = IncomingMessage | Http2ServerRequest;
export type ApiResponse = ServerResponse | Http2ServerResponse;

// Go's encoding/json escapes these in strings so that JSON can sit inside HTML; Traefik's
// API inherits it (a rule's `&&` comes out as `\u0026\u0026`).
const HTML_UNSAFE = /[<>&\u2028\u2029]/g;
const escapeHtml = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** JSON as Go's json.Encoder writes it: HTML-safe, with a trailing newline. */
export function encodeJson(value: unknown): string {
  return `${JSON.stringify(value).replace(HTML_UNSAFE, escapeHtml)}\n`;
}

export function sendJson(res: ApiResponse, value: unknown, headers: Record<string, string> = {}): void {
  const body = encodeJson(value);
  send(res, 200, { ...headers, 'content-type': 'application/json' }, body);
}

/**
 * Traefik's writeError: the message as JSON, sent through Go's http.Error, which makes it
 * plain text with nosniff.
 */
export function sendApiError(res: ApiResponse, status: number, message: string): void {
  const body = encodeJson({ message });
  send(
    res,
    status,
    { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body,
  );
}

/** Go's http.NotFound, which gorilla/mux answers for a path it has no route for. */
export function sendNotFound(res: ApiResponse): void {
  const headers = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };
  send(res, 404, headers, '404 page not found\n');
}

/** gorilla/mux's answer to a known path asked with another method: the status, no body. */
export function sendMethodNotAllowed(res: ApiResponse): void {
  send(res, 405, {}, '');
}

function send(res: ApiResponse, status: number, headers: Record<string, string>, body: string): void {
  // Both response kinds take (status, headers); their overloads differ only in typing.
  (res as ServerResponse).writeHead(status, {
    ...headers,
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
