import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { z } from 'zod';
import { KEY_ROOT, compareKeys } from '../store/index.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  ArchiveEntry,
  ArchiveHeader,
  ArchiveTrailer,
  type Archive,
  type ArchivedKey,
} from './archive-format.js';
import { backupFail, backupOk, type BackupResult } from './errors.js';

const where = (line: number): string => `archive:line ${line}`;

const issueOf = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid' : `${issue.path.join('.') || 'line'}: ${issue.message}`;
};

function parseJson(text: string, line: number): BackupResult<unknown> {
  try {
    return backupOk(JSON.parse(text) as unknown);
  } catch {
    return backupFail('BACKUP_CORRUPT', where(line), 'is not JSON');
  }
}

/**
 * Reads an archive and checks it completely before returning anything: gzip, the seal on
 * the last line (sha256 and key count) before any line is trusted, then the header's
 * format and version, and every entry (a key under the store's root, in key order, once).
 */
export function decodeArchive(bytes: Uint8Array): BackupResult<Archive> {
  let text: Buffer;
  try {
    text = gunzipSync(bytes);
  } catch (err) {
    return backupFail(
      'BACKUP_CORRUPT',
      'archive',
      `is not a complete gzip stream: ${(err as Error).message}`,
    );
  }
  // Every line ends in a newline; the seal is the last line, and covers every byte before it.
  const newline = 0x0a;
  if (text.length === 0 || text[text.length - 1] !== newline) {
    return backupFail('BACKUP_CORRUPT', 'archive', 'is truncated: it does not end with its seal line');
  }
  const sealed = text.lastIndexOf(newline, text.length - 2) + 1;
  const lines = text.subarray(0, sealed).toString('utf8').split('\n');
  lines.pop(); // the empty string after the last newline
  const sealLine = lines.length + 1;
  const sealJson = parseJson(text.subarray(sealed, text.length - 1).toString('utf8'), sealLine);
  if (!sealJson.ok) return sealJson;
  const seal = ArchiveTrailer.safeParse(sealJson.value);
  if (!seal.success) {
    return backupFail(
      'BACKUP_CORRUPT',
      where(sealLine),
      `is not the archive's seal (truncated?): ${issueOf(seal.error)}`,
    );
  }
  const digest = createHash('sha256').update(text.subarray(0, sealed)).digest('hex');
  if (digest !== seal.data.sha256) {
    return backupFail(
      'BACKUP_CHECKSUM',
      'archive',
      `sha256 is ${digest}, the archive says ${seal.data.sha256}`,
    );
  }
  if (lines.length === 0) return backupFail('BACKUP_CORRUPT', 'archive', 'has no header line');
  if (lines.length - 1 !== seal.data.keyCount) {
    return backupFail(
      'BACKUP_CHECKSUM',
      'archive',
      `holds ${lines.length - 1} keys, the archive says ${seal.data.keyCount}`,
    );
  }
  const header = readHeader(lines[0]!);
  if (!header.ok) return header;
  const keys: ArchivedKey[] = [];
  for (let i = 1; i < lines.length; i++) {
    const entry = readEntry(lines[i]!, i + 1, keys.at(-1)?.key);
    if (!entry.ok) return entry;
    keys.push(entry.value);
  }
  const { end: _end, ...trailer } = seal.data;
  return backupOk({ manifest: { ...header.value, ...trailer }, keys });
}

function readHeader(line: string): BackupResult<ArchiveHeader> {
  const json = parseJson(line, 1);
  if (!json.ok) return json;
  const value = json.value as Partial<Record<string, unknown>> | null;
  if (value?.format !== ARCHIVE_FORMAT) {
    return backupFail('BACKUP_VERSION', where(1), `is not a ${ARCHIVE_FORMAT} archive`);
  }
  if (value.version !== ARCHIVE_VERSION) {
    return backupFail(
      'BACKUP_VERSION',
      where(1),
      `format version ${String(value.version)}; this build reads version ${ARCHIVE_VERSION}`,
    );
  }
  const header = ArchiveHeader.safeParse(value);
  if (!header.success) return backupFail('BACKUP_CORRUPT', where(1), issueOf(header.error));
  return backupOk(header.data);
}

function readEntry(line: string, n: number, previous: string | undefined): BackupResult<ArchivedKey> {
  const json = parseJson(line, n);
  if (!json.ok) return json;
  const entry = ArchiveEntry.safeParse(json.value);
  if (!entry.success) return backupFail('BACKUP_CORRUPT', where(n), issueOf(entry.error));
  const key = entry.data.k;
  if (!key.startsWith(KEY_ROOT)) {
    return backupFail('BACKUP_CORRUPT', where(n), `key ${key} is outside ${KEY_ROOT}`);
  }
  if (previous !== undefined && compareKeys(previous, key) >= 0) {
    return backupFail('BACKUP_CORRUPT', where(n), `key ${key} is out of order or repeated`);
  }
  return backupOk({ key, value: new Uint8Array(Buffer.from(entry.data.v, 'base64')) });
}
