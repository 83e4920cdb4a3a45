// The control node's feed for one data node, over a mirror the test drives.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Feed, type FeedReport } from '../../../src/distribution/feed.js';
import type { ControlMessage, Entry } from '../../../src/distribution/messages.js';
import type { MirrorView } from '../../../src/distribution/mirror.js';

/** A mirror with versions set by hand; deltas are known from `floor` on. */
class FakeMirror implements MirrorView {
  revision: number | undefined;
  entries = new Map<string, { text: string; at: number }>();
  floor = 0;
  readonly #listeners = new Set<() => void>();
  commit(revision: number, puts: Entry[]): void {
    for (const [k, v] of puts) this.entries.set(k, { text: v, at: revision });
    this.revision = revision;
    for (const l of this.#listeners) l();
  }
  snapshot(): Entry[] {
    return [...this.entries].map(([k, { text }]) => [k, text]);
  }
  deltaSince(from: number): { puts: Entry[]; deletes: string[] } | undefined {
    if (this.revision === undefined || from < this.floor || from > this.revision) return undefined;
    return {
      puts: [...this.entries].filter(([, e]) => e.at > from).map(([k, e]) => [k, e.text]),
      deletes: [],
    };
  }
  onCommit(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function harness(mirror: FakeMirror) {
  const sent: ControlMessage[] = [];
  const reports: FeedReport[] = [];
  const feed = new Feed({
    nodeId: 'd1',
    mirror,
    send: async (message) => {
      sent.push(message);
      await Promise.resolve();
    },
    report: (r) => reports.push(r),
  });
  return { feed, sent, reports };
}
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const summary = (messages: ControlMessage[]): string[] =>
  messages.map((m) =>
    m.type === 'snapshot'
      ? `snapshot ${m.revision} [${m.entries.map(([k]) => k).join(',')}]`
      : m.type === 'delta'
        ? `delta ${m.fromRevision}->${m.revision} [${m.puts.map(([k]) => k).join(',')}]`
        : m.type,
  );

describe('feed', () => {
  const cases: { desc: string; floor: number; hello: number | undefined; want: string[] }[] = [
    { desc: 'a new data node gets a snapshot', floor: 1, hello: undefined, want: ['snapshot 5 [a,b]'] },
    { desc: 'a data node the mirror can serve gets a delta', floor: 1, hello: 3, want: ['delta 3->5 [b]'] },
    {
      desc: 'a data node from before the mirror gets a snapshot',
      floor: 4,
      hello: 3,
      want: ['snapshot 5 [a,b]'],
    },
    { desc: 'a data node in step gets nothing', floor: 1, hello: 5, want: [] },
    { desc: 'a data node ahead of the mirror waits for it', floor: 1, hello: 9, want: [] },
  ];
  for (const c of cases) {
    test(c.desc, async () => {
      const mirror = new FakeMirror();
      mirror.floor = c.floor;
      mirror.commit(2, [['a', '1']]);
      mirror.commit(5, [['b', '1']]);
      const { feed, sent, reports } = harness(mirror);
      assert.equal(
        feed.receive({
          type: 'hello',
          nodeId: 'd1',
          ...(c.hello === undefined ? {} : { appliedRevision: c.hello }),
        }),
        undefined,
      );
      await settle();
      assert.deepEqual(summary(sent), c.want);
      assert.deepEqual(reports, [{ type: 'hello', appliedRevision: c.hello }]);
      feed.close();
    });
  }

  test('each commit goes out as a delta from the last one sent', async () => {
    const mirror = new FakeMirror();
    mirror.commit(2, [['a', '1']]);
    const { feed, sent } = harness(mirror);
    feed.receive({ type: 'hello', nodeId: 'd1' });
    await settle();
    mirror.commit(3, [['b', '1']]);
    await settle();
    mirror.commit(4, [['a', '2']]);
    await settle();
    assert.deepEqual(summary(sent), ['snapshot 2 [a]', 'delta 2->3 [b]', 'delta 3->4 [a]']);
    feed.close();
  });

  test('versions committed while a slow node was still being sent reach it as one delta', async () => {
    const mirror = new FakeMirror();
    mirror.commit(2, [['a', '1']]);
    const sent: ControlMessage[] = [];
    let release!: () => void;
    const feed = new Feed({
      nodeId: 'd1',
      mirror,
      send: async (m) => {
        sent.push(m);
        if (sent.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      report: () => undefined,
    });
    feed.receive({ type: 'hello', nodeId: 'd1' });
    await settle();
    mirror.commit(3, [['b', '1']]);
    mirror.commit(4, [['c', '1']]);
    release();
    await settle();
    await settle();
    assert.deepEqual(summary(sent), ['snapshot 2 [a]', 'delta 2->4 [b,c]']);
    feed.close();
  });

  test('a hello starts over from the revision it names (a resync after a gap)', async () => {
    const mirror = new FakeMirror();
    mirror.commit(2, [['a', '1']]);
    mirror.commit(3, [['b', '1']]);
    const { feed, sent } = harness(mirror);
    feed.receive({ type: 'hello', nodeId: 'd1', appliedRevision: 3 });
    await settle();
    feed.receive({ type: 'hello', nodeId: 'd1', appliedRevision: 2 });
    await settle();
    assert.deepEqual(summary(sent), ['delta 2->3 [b]']);
    feed.close();
  });

  test('ACKs and NACKs are reported', async () => {
    const mirror = new FakeMirror();
    mirror.commit(2, []);
    const { feed, reports } = harness(mirror);
    feed.receive({ type: 'hello', nodeId: 'd1' });
    feed.receive({ type: 'ack', revision: 2 });
    const errors = [{ code: 'TLS_INVALID', path: 'tls.certificates[0]', message: 'bad key' }];
    feed.receive({ type: 'nack', revision: 3, errors });
    assert.deepEqual(reports.slice(1), [
      { type: 'ack', revision: 2, errors: [] },
      { type: 'nack', revision: 3, errors },
    ]);
    feed.close();
  });

  const refusals: { desc: string; message: Parameters<Feed['receive']>[0]; code: string }[] = [
    { desc: 'a hello naming another node', message: { type: 'hello', nodeId: 'd2' }, code: 'DIST_DENIED' },
    { desc: 'an ACK before the hello', message: { type: 'ack', revision: 1 }, code: 'DIST_PROTOCOL' },
  ];
  for (const c of refusals) {
    test(`refuses ${c.desc}`, () => {
      const { feed, sent } = harness(new FakeMirror());
      assert.equal(feed.receive(c.message)?.code, c.code);
      assert.deepEqual(sent, []);
      feed.close();
    });
  }
});
