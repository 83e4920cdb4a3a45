import type { Http2ServerRequest } from 'node:http2';
import type { ProxyRequest } from '../../handler.js';

/** Whether the request carries a body, judged from its framing as Go's server does. */
export function hasRequestBody(req: ProxyRequest): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  if (req.headers['transfer-encoding'] !== undefined) return true;
  // HTTP/2 has no framing header: a request without a body ends with its headers.
  return req.httpVersionMajor === 2 && !(req as Http2ServerRequest).stream.endAfterHeaders;
}

export type BodyOutcome =
  | { readonly kind: 'complete'; readonly body: Buffer }
  /** More than the limit came: `read` holds what was read, the rest is still in the request. */
  | { readonly kind: 'tooLarge'; readonly read: Buffer[] }
  | { readonly kind: 'failed'; readonly error: Error };

/**
 * Reads the request body into memory, up to `limit` bytes (-1: no limit). On going over,
 * stops reading (the request stays paused, the rest unread) and reports what was read.
 */
export function readBody(req: ProxyRequest, limit: number, done: (outcome: BodyOutcome) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const finish = (outcome: BodyOutcome): void => {
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onError);
    req.removeListener('close', onClose);
    done(outcome);
  };
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    size += chunk.length;
    if (limit >= 0 && size > limit) {
      req.pause();
      finish({ kind: 'tooLarge', read: chunks });
    }
  };
  const onEnd = (): void => finish({ kind: 'complete', body: Buffer.concat(chunks, size) });
  const onError = (error: Error): void => finish({ kind: 'failed', error });
  const onClose = (): void => {
    if (!req.readableEnded)
      finish({ kind: 'failed', error: new Error('the client closed the request body') });
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
  req.on('close', onClose);
}
