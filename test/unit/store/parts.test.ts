// The store's pure parts: frames, records, key order, compares, request checks, the etcd
// translation and error mapping, group commit and the key space's history.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompareResult, CompareTarget, EtcdLeaseInvalidError, type IEvent, type IKeyValue } from 'etcd3';
import { compareHolds } from '../../../src/cluster/store/compare.js';
import {
  byRevision,
  listRange,
  prefixEnd,
  prefixRange,
  toCompare,
} from '../../../src/cluster/store/etcd-codec.js';
import { toStoreError } from '../../../src/cluster/store/etcd-errors.js';
import { encodeFrame, scanFrames } from '../../../src/cluster/store/frame.js';
import { GroupCommit } from '../../../src/cluster/store/group-commit.js';
import { compareKeys, resourceKey, type Compare, type KeyValue } from '../../../src/cluster/store/index.js';
import { KeySpace } from '../../../src/cluster/store/keyspace.js';
import { decodeBatch, encodeBatch, type StoreRecord } from '../../../src/cluster/store/record-codec.js';
import { checkTxn } from '../../../src/cluster/store/validate.js';

const text = (s: string): Uint8Array => Buffer.from(s);

describe('frames', () => {
  const frames = [
    encodeFrame(Buffer.from('one')),
    encodeFrame(Buffer.from('two')),
    encodeFrame(Buffer.from('three')),
  ];
  const file = Buffer.concat(frames);
  const at = (i: number): number => frames.slice(0, i).reduce((n, f) => n + f.length, 0);
  const flip = (buf: Buffer, offset: number): Buffer => {
    const out = Buffer.from(buf);
    out[offset]! ^= 1;
    return out;
  };

  const cases: {
    desc: string;
    buf: Buffer;
    tornTail: boolean;
    want: { frames: number; end: number } | { corruptAt: number };
  }[] = [
    { desc: 'a clean file', buf: file, tornTail: true, want: { frames: 3, end: file.length } },
    {
      desc: 'a torn last frame',
      buf: file.subarray(0, file.length - 2),
      tornTail: true,
      want: { frames: 2, end: at(2) },
    },
    {
      desc: 'a torn last header',
      buf: file.subarray(0, at(2) + 5),
      tornTail: true,
      want: { frames: 2, end: at(2) },
    },
    {
      desc: 'a bad last frame',
      buf: flip(file, file.length - 1),
      tornTail: true,
      want: { frames: 2, end: at(2) },
    },
    { desc: 'a bad middle frame', buf: flip(file, at(1) + 13), tornTail: true, want: { corruptAt: at(1) } },
    { desc: 'a bad middle header', buf: flip(file, at(1) + 1), tornTail: true, want: { corruptAt: at(1) } },
    {
      desc: 'a torn tail where none is allowed',
      buf: file.subarray(0, file.length - 2),
      tornTail: false,
      want: { corruptAt: at(2) },
    },
    {
      desc: 'zeroes after the last frame',
      buf: Buffer.concat([file, Buffer.alloc(64)]),
      tornTail: true,
      want: { frames: 3, end: file.length },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const scan = scanFrames(c.buf, 0, c.tornTail);
      if ('corruptAt' in c.want) {
        assert.ok(!scan.ok);
        assert.equal(scan.offset, c.want.corruptAt);
      } else {
        assert.ok(scan.ok, scan.ok ? '' : scan.reason);
        assert.deepEqual({ frames: scan.frames.length, end: scan.end }, c.want);
      }
    });
  }

  test('payloads come back intact', () => {
    const scan = scanFrames(file, 0, false);
    assert.ok(scan.ok);
    assert.deepEqual(
      scan.frames.map((f) => f.payload.toString()),
      ['one', 'two', 'three'],
    );
  });
});

describe('records', () => {
  test('every record type survives the round trip', () => {
    const records: StoreRecord[] = [
      {
        type: 'commit',
        revision: 2 ** 40,
        mutations: [
          { type: 'put', key: '/k/é', value: Buffer.from([0, 1, 255]), lease: 'abc' },
          { type: 'put', key: '/k/2', value: Buffer.alloc(0), lease: undefined },
          { type: 'delete', key: '/gone' },
        ],
      },
      { type: 'compact', revision: 17 },
      { type: 'snapshot-start', revision: 9, compactRevision: 3 },
      {
        type: 'kv',
        kv: { key: '/a', value: Buffer.from('v'), createRevision: 2, modRevision: 5, version: 3 },
      },
      {
        type: 'kv',
        kv: {
          key: '/b',
          value: Buffer.from('w'),
          createRevision: 4,
          modRevision: 4,
          version: 1,
          lease: '7f',
        },
      },
      { type: 'snapshot-end', count: 2 },
    ];
    assert.deepEqual(decodeBatch(encodeBatch(records)), records);
  });

  const bad: { desc: string; payload: Buffer }[] = [
    { desc: 'an unknown record type', payload: Buffer.from([1, 0, 0, 0, 42]) },
    { desc: 'a record cut short', payload: encodeBatch([{ type: 'compact', revision: 5 }]).subarray(0, 8) },
    { desc: 'bytes after the last record', payload: Buffer.concat([encodeBatch([]), Buffer.from([1])]) },
  ];
  for (const c of bad) {
    test(`${c.desc} does not decode`, () => {
      assert.throws(() => decodeBatch(c.payload), { name: 'DecodeError' });
    });
  }
});

describe('key order and layout', () => {
  test('sorts by UTF-8 bytes, as etcd does', () => {
    const keys = ['b', 'a', '\u{10000}', '\uffff', '\ue000', 'é', 'a/b', 'ab', ''];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual([...keys].sort(compareKeys), byBytes);
  });

  test('one key per resource, under /switchyard/<kind>/', () => {
    assert.equal(resourceKey('routers', 'api@docker'), '/switchyard/routers/api@docker');
  });
});

describe('compares', () => {
  const kv: KeyValue = { key: '/k', value: text('m'), createRevision: 3, modRevision: 7, version: 2 };
  const cases: { desc: string; c: Omit<Compare, 'key'>; on: KeyValue | undefined; want: boolean }[] = [
    { desc: 'version = actual', c: { target: 'version', op: '=', value: 2 }, on: kv, want: true },
    {
      desc: 'createRevision < actual',
      c: { target: 'createRevision', op: '<', value: 3 },
      on: kv,
      want: false,
    },
    { desc: 'modRevision > smaller', c: { target: 'modRevision', op: '>', value: 6 }, on: kv, want: true },
    { desc: 'value != other', c: { target: 'value', op: '!=', value: text('n') }, on: kv, want: true },
    {
      desc: 'value < bigger (bytewise)',
      c: { target: 'value', op: '<', value: text('ma') },
      on: kv,
      want: true,
    },
    {
      desc: 'missing key: version = 0',
      c: { target: 'version', op: '=', value: 0 },
      on: undefined,
      want: true,
    },
    {
      desc: 'missing key: value != anything',
      c: { target: 'value', op: '!=', value: text('x') },
      on: undefined,
      want: false,
    },
  ];
  for (const c of cases) {
    test(c.desc, () => assert.equal(compareHolds({ ...c.c, key: '/k' } as Compare, c.on), c.want));
  }
});

describe('transaction checks', () => {
  const put = (key: string) => ({ type: 'put' as const, key, value: text('v') });
  const cases: { desc: string; success: Parameters<typeof checkTxn>[0]['success']; ok: boolean }[] = [
    { desc: 'distinct puts', success: [put('/a'), put('/b')], ok: true },
    { desc: 'a key put twice', success: [put('/a'), put('/a')], ok: false },
    { desc: 'a put and a delete of one key', success: [{ type: 'delete', key: '/a' }, put('/a')], ok: false },
    {
      desc: 'a put under a deleted prefix',
      success: [put('/d/x'), { type: 'deletePrefix', prefix: '/d/' }],
      ok: false,
    },
    {
      desc: 'overlapping deletes',
      success: [
        { type: 'delete', key: '/d/x' },
        { type: 'deletePrefix', prefix: '/d/' },
      ],
      ok: true,
    },
    { desc: 'a get and a put of one key', success: [{ type: 'get', key: '/a' }, put('/a')], ok: true },
  ];
  for (const c of cases) {
    test(`${c.desc}: ${c.ok ? 'accepted' : 'refused'}`, () => {
      const run = (): void => checkTxn({ compare: [], success: c.success });
      if (c.ok) assert.doesNotThrow(run);
      else assert.throws(run, { code: 'STORE_INVALID' });
    });
  }

  test('each branch is checked on its own', () => {
    assert.doesNotThrow(() => checkTxn({ compare: [], success: [put('/a')], failure: [put('/a')] }));
  });
});

describe('etcd translation', () => {
  const cases: { desc: string; prefix: number[]; end: number[] }[] = [
    { desc: 'increments the last byte', prefix: [0x61, 0x62], end: [0x61, 0x63] },
    { desc: 'drops trailing 0xff bytes', prefix: [0x61, 0xff, 0xff], end: [0x62] },
    { desc: 'all 0xff: to the end of the key space', prefix: [0xff], end: [0] },
    { desc: 'empty: to the end of the key space', prefix: [], end: [0] },
  ];
  for (const c of cases) {
    test(`prefixEnd ${c.desc}`, () => assert.deepEqual([...prefixEnd(Buffer.from(c.prefix))], c.end));
  }

  test('the empty prefix ranges over every key', () => {
    const r = prefixRange('');
    assert.deepEqual([[...r.key], [...r.range_end]], [[0], [0]]);
  });

  test('listing after a key starts just past it', () => {
    assert.deepEqual(listRange('/p/', '/p/a').key, Buffer.from('/p/a\0'));
    assert.deepEqual(listRange('/p/', '/a').key, Buffer.from('/p/'), 'a key before the prefix is ignored');
  });

  test('compares map to etcd targets and results', () => {
    assert.deepEqual(toCompare({ key: '/k', target: 'createRevision', op: '=', value: 5 }), {
      key: Buffer.from('/k'),
      result: CompareResult.Equal,
      target: CompareTarget.Create,
      create_revision: 5,
    });
    assert.deepEqual(toCompare({ key: '/k', target: 'value', op: '>', value: text('v') }), {
      key: Buffer.from('/k'),
      result: CompareResult.Greater,
      target: CompareTarget.Value,
      value: Buffer.from('v'),
    });
  });

  test('watch events are split per revision, keeping etcd order', () => {
    const kv = (key: string, mod: number): IKeyValue => ({
      key: Buffer.from(key),
      value: Buffer.from('v'),
      create_revision: '1',
      mod_revision: String(mod),
      version: '1',
      lease: '0',
    });
    const none = kv('', 0);
    none.key = Buffer.alloc(0);
    const events: IEvent[] = [
      { type: 'Put', kv: kv('/a', 5), prev_kv: none },
      { type: 'Delete', kv: kv('/b', 5), prev_kv: kv('/b', 4) },
      { type: 'Put', kv: kv('/c', 6), prev_kv: none },
    ];
    const got = byRevision(events);
    assert.deepEqual(
      got.map((b) => [
        b.revision,
        b.events.map((e) => `${e.type} ${e.kv.key} prev=${e.prevKv?.modRevision ?? '-'}`),
      ]),
      [
        [5, ['put /a prev=-', 'delete /b prev=4']],
        [6, ['put /c prev=-']],
      ],
    );
    assert.equal(got[0]!.events[0]!.kv.lease, undefined, "lease '0' means none");
  });

  const errors: { desc: string; err: unknown; code: string }[] = [
    { desc: 'a lost lease', err: new EtcdLeaseInvalidError('42'), code: 'STORE_LEASE_LOST' },
    {
      desc: 'a compacted revision',
      err: new Error('etcdserver: mvcc: required revision has been compacted'),
      code: 'STORE_COMPACTED',
    },
    {
      desc: 'a future revision',
      err: new Error('etcdserver: mvcc: required revision is a future revision'),
      code: 'STORE_INVALID',
    },
    {
      desc: 'a duplicate txn key',
      err: new Error('etcdserver: duplicate key given in txn request'),
      code: 'STORE_INVALID',
    },
    {
      desc: 'anything else',
      err: new Error('14 UNAVAILABLE: No connection established'),
      code: 'STORE_UNAVAILABLE',
    },
  ];
  for (const c of errors) {
    test(`maps ${c.desc} to ${c.code}`, () => assert.equal(toStoreError(c.err, '/k').code, c.code));
  }
});

describe('group commit', () => {
  test('items submitted while a flush runs share the next one', async () => {
    const flushed: number[][] = [];
    const gc = new GroupCommit<number>(async (batch) => {
      flushed.push([...batch]);
      await new Promise((r) => setTimeout(r, 5));
    });
    const first = [1, 2, 3].map((i) => gc.submit(i));
    await new Promise((r) => setTimeout(r, 1)); // the first flush is running
    const second = [4, 5, 6, 7].map((i) => gc.submit(i));
    await Promise.all([...first, ...second]);
    assert.deepEqual(flushed, [
      [1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  test('a failed flush fails its whole batch, and idle() still settles', async () => {
    const gc = new GroupCommit<number>(async () => {
      throw new Error('disk full');
    });
    const results = await Promise.allSettled([gc.submit(1), gc.submit(2)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    await gc.idle();
  });
});

describe('key space', () => {
  const put = (key: string, value = 'v') => ({
    type: 'put' as const,
    key,
    value: text(value),
    lease: undefined,
  });

  test('pages a prefix in order, after a given key', () => {
    const ks = new KeySpace(100);
    ks.apply(
      2,
      ['/p/c', '/p/a', '/q', '/p/b', '/p'].map((k) => put(k)),
    );
    const page = (startAfter: string | undefined, limit: number) => {
      const r = ks.range('/p/', startAfter, limit);
      return [r.kvs.map((kv) => kv.key), r.more];
    };
    assert.deepEqual(page(undefined, 2), [['/p/a', '/p/b'], true]);
    assert.deepEqual(page('/p/b', 2), [['/p/c'], false]);
  });

  test('keeps its order through single and bulk changes', () => {
    const ks = new KeySpace(100);
    ks.range('', undefined, 1); // build the sorted order, so that later changes splice it
    let rev = 1;
    for (let i = 0; i < 10; i++) ks.apply(++rev, [put(`/k/${9 - i}`)]);
    ks.apply(
      ++rev,
      Array.from({ length: 100 }, (_, i) => put(`/bulk/${i}`)),
    );
    ks.apply(++rev, [{ type: 'delete', key: '/k/5' }]);
    const keys = ks.range('/k/', undefined, 100).kvs.map((kv) => kv.key);
    assert.deepEqual(keys, ['/k/0', '/k/1', '/k/2', '/k/3', '/k/4', '/k/6', '/k/7', '/k/8', '/k/9']);
    assert.equal(ks.range('/bulk/', undefined, 1000).kvs.length, 100);
  });

  test('trims history only up to what watchers were given', () => {
    const ks = new KeySpace(4);
    for (let r = 2; r <= 11; r++) ks.apply(r, [put('/h', String(r))]);
    ks.trimHistory(5);
    assert.equal(ks.firstWatchable, 6, 'revisions after 5 are not delivered yet, so they stay');
    ks.trimHistory(11);
    assert.equal(ks.firstWatchable, 8);
    assert.deepEqual(
      ks.historyFrom(9).map((h) => h.revision),
      [9, 10, 11],
    );
  });
});
