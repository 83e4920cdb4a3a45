import { z } from 'zod';

// The backup archive: gzip over JSON lines, so that `zcat` shows what a backup holds.
//
//   {"format":"switchyard-backup","version":1,"clusterId":"prod","revision":812,"createdAt":"…"}
//   {"k":"/switchyard/routers/api@docker","v":"<base64 of the value's bytes>"}
//   …                                                  one line per key, in key order
//   {"end":true,"keyCount":2431,"sha256":"<hex>"}
//
// The last line seals what comes before it: the sha256 of every byte of the header and
// the entry lines (newlines included) and their count. It comes last so that the server
// can stream an archive without holding its text twice; a reader checks it before
// trusting anything else, and a truncated archive has no such line.

export const ARCHIVE_FORMAT = 'switchyard-backup';
export const ARCHIVE_VERSION = 1;

export const ArchiveHeader = z.strictObject({
  format: z.literal(ARCHIVE_FORMAT),
  version: z.literal(ARCHIVE_VERSION),
  clusterId: z.string().min(1),
  /** The store revision every key was read at. */
  revision: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
});
export type ArchiveHeader = z.infer<typeof ArchiveHeader>;

// Values are bytes (sealed private keys, DER certificates): base64 keeps them exact.
export const ArchiveEntry = z.strictObject({
  k: z.string().min(1),
  v: z.base64(),
});
export type ArchiveEntry = z.infer<typeof ArchiveEntry>;

export const ArchiveTrailer = z.strictObject({
  end: z.literal(true),
  keyCount: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ArchiveTrailer = z.infer<typeof ArchiveTrailer>;

/** What an archive says about itself: its header and its seal. */
export type ArchiveManifest = ArchiveHeader & Omit<ArchiveTrailer, 'end'>;

/** One key of the store as an archive carries it: the value's bytes, nothing else. */
export interface ArchivedKey {
  readonly key: string;
  readonly value: Uint8Array;
}

export interface Archive {
  readonly manifest: ArchiveManifest;
  /** In key order, no key twice, all under the store's key root. */
  readonly keys: readonly ArchivedKey[];
}
