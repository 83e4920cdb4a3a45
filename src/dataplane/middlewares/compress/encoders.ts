import zlib from 'node:zlib';
import type { Transform } from 'node:stream';
import type { Encoding } from './accept-encoding.js';

// Node 20 has no zstd; Node 22.15 and later do. The encoding is offered only where the
// running Node can produce it.
type ZstdFactory = (options?: { params?: Record<number, number> }) => Transform;
const createZstdCompress = (zlib as unknown as { createZstdCompress?: ZstdFactory }).createZstdCompress;

/** The encodings this Node can produce. */
export const AVAILABLE_ENCODINGS: ReadonlySet<Encoding> = new Set<Encoding>(
  createZstdCompress === undefined ? ['gzip', 'br'] : ['gzip', 'br', 'zstd'],
);

/** A compressor at the level Traefik's Go libraries use by default (gzip 6, brotli 6, zstd 3). */
export function createEncoder(encoding: Encoding): Transform {
  switch (encoding) {
    case 'gzip':
      return zlib.createGzip();
    case 'br':
      return zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6 } });
    case 'zstd':
      return createZstdCompress!();
  }
}

/** Pushes out what a compressor holds, so that a streamed response keeps flowing. */
export function flushEncoder(encoder: Transform, encoding: Encoding): void {
  const flushable = encoder as Transform & { flush(kind?: number): void };
  if (encoding === 'gzip') flushable.flush(zlib.constants.Z_SYNC_FLUSH);
  else flushable.flush();
}
