import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  type ArchivedKey,
  type ArchiveHeader,
  type ArchiveTrailer,
} from './archive-format.js';

export const archiveHeader = (clusterId: string, revision: number, createdAt: Date): ArchiveHeader => ({
  format: ARCHIVE_FORMAT,
  version: ARCHIVE_VERSION,
  clusterId,
  revision,
  createdAt: createdAt.toISOString(),
});

/**
 * The archive's lines, header first and seal last, each ending in a newline. A generator,
 * so that a large store is encoded as it is sent rather than as one string.
 */
export function* archiveLines(header: ArchiveHeader, keys: readonly ArchivedKey[]): Generator<string> {
  const hash = createHash('sha256');
  const emit = (line: string): string => {
    hash.update(line);
    return line;
  };
  yield emit(`${JSON.stringify(header)}\n`);
  for (const { key, value } of keys) {
    yield emit(`${JSON.stringify({ k: key, v: Buffer.from(value).toString('base64') })}\n`);
  }
  const trailer: ArchiveTrailer = { end: true, keyCount: keys.length, sha256: hash.digest('hex') };
  yield `${JSON.stringify(trailer)}\n`;
}

/** The whole archive in memory, gzipped: for tests and callers that write a file. */
export const encodeArchive = (header: ArchiveHeader, keys: readonly ArchivedKey[]): Buffer =>
  gzipSync(Buffer.from([...archiveLines(header, keys)].join('')));

/** The archive as a gzipped stream, for an HTTP response. */
export const archiveStream = (header: ArchiveHeader, keys: readonly ArchivedKey[]): Readable =>
  Readable.from(archiveLines(header, keys)).pipe(createGzip());
