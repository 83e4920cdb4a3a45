import { Readable } from 'node:stream';
import type { ProxyRequest } from '../../handler.js';

// What the rest of the chain reads of a request besides its body: the proxy takes the
// method, target, headers and version from it, the HTTP/2 stream for framing, and the
// socket for the connection's details.
const PASSED_ON = [
  'method',
  'url',
  'headers',
  'rawHeaders',
  'httpVersion',
  'httpVersionMajor',
  'httpVersionMinor',
  'socket',
  'stream',
  'trailers',
  'complete',
] as const;

/**
 * The request as the next handler should see it when its body is not the client's stream
 * any more: `body` (a stream the caller built, e.g. bytes read already, or a decoding of
 * the original) dressed with the request's own fields, so that the proxy forwards `body`.
 * Later changes to the target (`url`) are made on this object, which is the one passed on.
 */
export function requestWithBody(req: ProxyRequest, body: Readable): ProxyRequest {
  const source = req as unknown as Record<string, unknown>;
  const dressed = body as unknown as Record<string, unknown>;
  for (const field of PASSED_ON) {
    const value = source[field];
    if (value !== undefined) dressed[field] = value;
  }
  return body as unknown as ProxyRequest;
}

/** A stream of bytes read already, to be read again. */
export function replayBody(bytes: Buffer): Readable {
  return Readable.from([bytes], { objectMode: false });
}
