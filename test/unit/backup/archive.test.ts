import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  archiveHeader,
  decodeArchive,
  encodeArchive,
  type ArchivedKey,
  type BackupErrorCode,
} from '../../../src/cluster/backup/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const header = archiveHeader('prod', 812, new Date('2025-01-02T03:04:05.000Z'));
const keys: ArchivedKey[] = [
  { key: '/switchyard/certificates/example.com', value: new Uint8Array([0, 1, 2, 255, 254, 10, 13]) },
  { key: '/switchyard/routers/api@docker', value: bytes('{"rule":"Host(`a`)"}') },
  { key: '/switchyard/routers/caf\u00e9\nnewline', value: new Uint8Array() },
];

/** An archive whose lines are exactly these, sealed correctly unless told otherwise. */
function sealed(lines: readonly string[], seal?: { keyCount?: number; sha256?: string }): Buffer {
  const body = lines.map((l) => `${l}\n`).join('');
  const trailer = {
    end: true,
    keyCount: seal?.keyCount ?? lines.length - 1,
    sha256: seal?.sha256 ?? createHash('sha256').update(body).digest('hex'),
  };
  return gzipSync(Buffer.from(`${body}${JSON.stringify(trailer)}\n`));
}

const headerLine = JSON.stringify(header);
const entry = (k: string, v = ''): string => JSON.stringify({ k, v: Buffer.from(v).toString('base64') });

describe('backup archive', () => {
  test('round trip: every key and every byte of its value, and the manifest', () => {
    const decoded = decodeArchive(encodeArchive(header, keys));
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
    assert.deepEqual(
      decoded.value.keys.map((k) => ({ key: k.key, value: [...k.value] })),
      keys.map((k) => ({ key: k.key, value: [...k.value] })),
    );
    const { sha256, ...manifest } = decoded.value.manifest;
    assert.deepEqual(manifest, { ...header, keyCount: 3 });
    assert.match(sha256, /^[0-9a-f]{64}$/);
  });

  test('an empty store makes a valid archive', () => {
    const decoded = decodeArchive(encodeArchive(header, []));
    assert.ok(decoded.ok);
    assert.equal(decoded.value.keys.length, 0);
    assert.equal(decoded.value.manifest.keyCount, 0);
  });

  test('the archive is JSON lines under gzip: readable with zcat', () => {
    const lines = gunzipSync(encodeArchive(header, keys)).toString('utf8').trimEnd().split('\n');
    assert.equal(lines.length, keys.length + 2);
    assert.deepEqual(JSON.parse(lines[0]!), header);
    assert.equal((JSON.parse(lines.at(-1)!) as { end: boolean }).end, true);
  });

  const good = encodeArchive(header, keys);
  const plain = gunzipSync(good);
  // One bit changed inside the first entry, then gzipped again: gzip's CRC is intact.
  const flipped = Buffer.from(plain);
  const at = headerLine.length + 20;
  flipped.writeUInt8(flipped.readUInt8(at) ^ 0x01, at);

  const cases: { desc: string; archive: Uint8Array; code: BackupErrorCode; message: RegExp }[] = [
    {
      desc: 'bytes that are not gzip',
      archive: bytes('not an archive'),
      code: 'BACKUP_CORRUPT',
      message: /gzip/,
    },
    {
      desc: 'a gzip stream cut short',
      archive: good.subarray(0, good.length - 12),
      code: 'BACKUP_CORRUPT',
      message: /gzip/,
    },
    {
      desc: 'a flipped bit in the compressed bytes',
      archive: Buffer.from(good).fill(0x55, 40, 41),
      code: 'BACKUP_CORRUPT',
      message: /gzip/,
    },
    {
      desc: 'content changed and gzipped again: the seal no longer matches',
      archive: gzipSync(flipped),
      code: 'BACKUP_CHECKSUM',
      message: /sha256/,
    },
    {
      desc: 'lines cut off before the seal (a truncated download)',
      archive: gzipSync(plain.subarray(0, plain.indexOf('\n', headerLine.length + 1) + 1)),
      code: 'BACKUP_CORRUPT',
      message: /seal/,
    },
    {
      desc: 'text cut in the middle of a line',
      archive: gzipSync(plain.subarray(0, plain.length - 5)),
      code: 'BACKUP_CORRUPT',
      message: /truncated/,
    },
    {
      desc: 'a seal that counts another number of keys',
      archive: sealed([headerLine, entry('/switchyard/a')], { keyCount: 2 }),
      code: 'BACKUP_CHECKSUM',
      message: /holds 1 keys/,
    },
    {
      desc: 'another format',
      archive: sealed([JSON.stringify({ ...header, format: 'etcd-snapshot' })]),
      code: 'BACKUP_VERSION',
      message: /not a switchyard-backup archive/,
    },
    {
      desc: 'a newer format version',
      archive: sealed([JSON.stringify({ ...header, version: 2 })]),
      code: 'BACKUP_VERSION',
      message: /version 2/,
    },
    {
      desc: 'a header without a revision',
      archive: sealed([JSON.stringify({ ...header, revision: undefined })]),
      code: 'BACKUP_CORRUPT',
      message: /line 1: revision/,
    },
    {
      desc: 'a key outside /switchyard/',
      archive: sealed([headerLine, entry('/etc/passwd')]),
      code: 'BACKUP_CORRUPT',
      message: /line 2: key \/etc\/passwd is outside/,
    },
    {
      desc: 'keys out of order',
      archive: sealed([headerLine, entry('/switchyard/b'), entry('/switchyard/a')]),
      code: 'BACKUP_CORRUPT',
      message: /line 3: key \/switchyard\/a is out of order/,
    },
    {
      desc: 'a key twice',
      archive: sealed([headerLine, entry('/switchyard/a'), entry('/switchyard/a')]),
      code: 'BACKUP_CORRUPT',
      message: /repeated/,
    },
    {
      desc: 'a value that is not base64',
      archive: sealed([headerLine, JSON.stringify({ k: '/switchyard/a', v: '%%%' })]),
      code: 'BACKUP_CORRUPT',
      message: /line 2: v/,
    },
    {
      desc: 'a line that is not JSON',
      archive: sealed([headerLine, '{"k":']),
      code: 'BACKUP_CORRUPT',
      message: /line 2: is not JSON/,
    },
  ];
  for (const c of cases) {
    test(`refused: ${c.desc}`, () => {
      const decoded = decodeArchive(c.archive);
      assert.equal(decoded.ok, false);
      if (decoded.ok) return;
      assert.equal(decoded.error.code, c.code, decoded.error.message);
      assert.match(decoded.error.message, c.message);
    });
  }
});
