import type { ProxyRequest } from '../../handler.js';

/** The body did not fit in the limit given to readBody. */
export const TOO_LARGE = Symbol('switchyard.bodyTooLarge');

/**
 * Reads a request's whole body, or stops at the first byte beyond `limit` (-1 for no limit)
 * and answers TOO_LARGE, as Traefik reads at most maxBodySize + 1 bytes. Rejects when the
 * client's stream fails.
 */
export function readBody(req: ProxyRequest, limit: number): Promise<Buffer | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (limit >= 0 && size > limit) {
        cleanup();
        req.pause();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('the client closed the request before its body was read'));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
