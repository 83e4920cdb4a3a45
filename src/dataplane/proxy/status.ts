import { STATUS_CODES } from 'node:http';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ProxyResponse } from '../handler.js';

/** Traefik's non-standard status for a client that went away before the answer. */
export const STATUS_CLIENT_CLOSED_REQUEST = 499;

// Network-level failures talking to the server: Go reports these as net.Error values,
// which Traefik answers with 502 (or 504 for timeouts, listed apart below).
const BAD_GATEWAY_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET', // "other side closed": Go's io.EOF case
  'UND_ERR_CLOSED', // the pool was closed under the request
  'UND_ERR_DESTROYED',
]);

const GATEWAY_TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT', // forwardingTimeouts.dialTimeout
  'UND_ERR_HEADERS_TIMEOUT', // forwardingTimeouts.responseHeaderTimeout
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * The status Traefik answers for a forwarding error (ComputeStatusCode): 504 for
 * timeouts, 502 for other network failures, 500 for anything else, TLS verification
 * failures included (Go does not report those as network errors).
 */
export function statusForError(error: Error): number {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return 500;
  if (GATEWAY_TIMEOUT_CODES.has(code)) return 504;
  if (BAD_GATEWAY_CODES.has(code)) return 502;
  return 500;
}

export function statusText(status: number): string {
  return status === STATUS_CLIENT_CLOSED_REQUEST
    ? 'Client Closed Request'
    : (STATUS_CODES[status] ?? 'Error');
}

interface CannedResponse {
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

const canned = new Map<number, CannedResponse>();

function cannedFor(status: number, text: string, extra: OutgoingHttpHeaders): CannedResponse {
  const body = Buffer.from(text, 'latin1');
  return {
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length, ...extra },
    body,
  };
}

// Go's http.Error, as the load balancer uses it when no server can take the request.
const NO_AVAILABLE_SERVER = cannedFor(503, 'no available server\n', { 'x-content-type-options': 'nosniff' });

/** Answers with `status` and its reason phrase as the body, as Traefik's error handler does. */
export function writeStatus(res: ProxyResponse, status: number): void {
  let response = canned.get(status);
  if (response === undefined) {
    response = cannedFor(status, statusText(status), {});
    canned.set(status, response);
  }
  send(res, status, response);
}

/** Answers 503 `no available server`: every server of the service is down, or it has none. */
export function writeNoAvailableServer(res: ProxyResponse): void {
  send(res, 503, NO_AVAILABLE_SERVER);
}

function send(res: ProxyResponse, status: number, response: CannedResponse): void {
  // Both response kinds accept (status, headers); their overloads differ only in typing.
  (res as ServerResponse).writeHead(status, response.headers);
  res.end(response.body);
}
