import { promisify } from 'node:util';
import { constants, gunzip, gzip } from 'node:zlib';
import type { z } from 'zod';
import { inBatches } from '../cluster/node/index.js';
import { formatPath } from '../config/key-path.js';
import { DistributionError } from './errors.js';
import type { Delta, Entry, Snapshot } from './messages.js';

// How messages travel: JSON, gzip-compressed, one message per gRPC message. Versions are
// cut into chunks of about CHUNK_BYTES of JSON before compression, so a snapshot of ten
// thousand certificates is sixty-odd messages of a few hundred KiB rather than one of
// 60 MB; the limits below are what a receiver accepts, and what gRPC is told.

/** A chunk's share of keys and values, in UTF-16 units (bytes for the ASCII of JSON and PEM). */
export const CHUNK_BYTES = 512 * 1024;
/** The largest compressed message either side sends or accepts. */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024;
/**
 * The largest message once inflated. A single store value is at most 1 MiB
 * (MAX_WRITE_BYTES), so a chunk holding only that value still fits, escaped.
 */
export const MAX_DECODED_BYTES = 8 * 1024 * 1024;

const deflate = promisify(gzip);
const inflate = promisify(gunzip);

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: DistributionError };

/** A message as it goes on the wire. Speed over ratio: JSON and PEM compress well at level 1. */
export async function encodeFrame(message: unknown): Promise<Buffer> {
  const frame = await deflate(JSON.stringify(message), { level: constants.Z_BEST_SPEED });
  if (frame.length > MAX_FRAME_BYTES) {
    throw new DistributionError(
      'DIST_TOO_LARGE',
      '',
      `a ${frame.length}-byte message exceeds the ${MAX_FRAME_BYTES}-byte limit`,
    );
  }
  return frame;
}

/** A message off the wire, checked against `schema`; errors name the field at fault. */
export async function decodeFrame<T>(frame: Uint8Array, schema: z.ZodType<T>): Promise<Decoded<T>> {
  const fail = (code: 'DIST_MALFORMED' | 'DIST_TOO_LARGE', path: string, detail: string): Decoded<T> => ({
    ok: false,
    error: new DistributionError(code, path, detail),
  });
  if (frame.length > MAX_FRAME_BYTES) {
    return fail(
      'DIST_TOO_LARGE',
      '',
      `a ${frame.length}-byte message exceeds the ${MAX_FRAME_BYTES}-byte limit`,
    );
  }
  let json: unknown;
  try {
    const text = await inflate(frame, { maxOutputLength: MAX_DECODED_BYTES });
    json = JSON.parse(text.toString('utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return fail('DIST_TOO_LARGE', '', `inflates beyond the ${MAX_DECODED_BYTES}-byte limit`);
    }
    return fail('DIST_MALFORMED', '', `is not gzip-compressed JSON: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  return fail('DIST_MALFORMED', formatPath(issue.path), issue.message);
}

const entrySize = ([key, text]: Entry): number => key.length + text.length + 8;
const NO_ITEM_LIMIT = Number.MAX_SAFE_INTEGER;

/** A snapshot at `revision`, in chunks; an empty one is one empty last chunk. */
export function snapshotChunks(revision: number, entries: readonly Entry[]): Snapshot[] {
  const batches = inBatches(entries, entrySize, NO_ITEM_LIMIT, CHUNK_BYTES);
  if (batches.length === 0) batches.push([]);
  return batches.map((batch, chunk) => ({
    type: 'snapshot',
    revision,
    chunk,
    last: chunk === batches.length - 1,
    entries: batch,
  }));
}

type Change = { put: Entry } | { delete: string };

/** The changes from `fromRevision` to `revision`, in chunks. */
export function deltaChunks(
  fromRevision: number,
  revision: number,
  puts: readonly Entry[],
  deletes: readonly string[],
): Delta[] {
  const changes: Change[] = [...puts.map((put) => ({ put })), ...deletes.map((key) => ({ delete: key }))];
  const sizeOf = (change: Change): number =>
    'put' in change ? entrySize(change.put) : change.delete.length + 8;
  const batches = inBatches(changes, sizeOf, NO_ITEM_LIMIT, CHUNK_BYTES);
  if (batches.length === 0) batches.push([]);
  return batches.map((batch, chunk) => ({
    type: 'delta',
    fromRevision,
    revision,
    chunk,
    last: chunk === batches.length - 1,
    puts: batch.flatMap((change) => ('put' in change ? [change.put] : [])),
    deletes: batch.flatMap((change) => ('delete' in change ? [change.delete] : [])),
  }));
}
