import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { FollowingClient } from '../../../src/cli/following-client.js';
import { createLogger } from '../../../src/log/index.js';

// A data node's client follows the control nodes gossip announces, without ever leaving
// the data plane unfed: it is replaced only while attached to none.

const log = createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) });

interface Fake {
  readonly controlNodes: readonly string[];
  attachedTo: string | undefined;
  started: boolean;
  stopped: boolean;
}

function setUp(initial: string[], attachedTo: string | undefined) {
  const made: Fake[] = [];
  let announced: string[] = [...initial];
  const client = new FollowingClient({
    initial,
    announced: () => announced,
    log,
    make: (controlNodes) => {
      const fake: Fake = { controlNodes, attachedTo, started: false, stopped: false };
      made.push(fake);
      return {
        start: () => Promise.resolve(void (fake.started = true)),
        stop: () => Promise.resolve(void (fake.stopped = true)),
        status: () => ({ appliedRevision: 7, attachedTo: fake.attachedTo, errors: [], lastNack: undefined }),
      };
    },
  });
  return { client, made, announce: (list: string[]) => (announced = list) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('FollowingClient', () => {
  const cases: {
    desc: string;
    attachedTo: string | undefined;
    announced: string[];
    want: readonly (readonly string[])[];
  }[] = [
    {
      desc: 'attached: kept, whatever gossip says',
      attachedTo: 'a:4243',
      announced: ['a:4243', 'b:4243'],
      want: [['a:4243']],
    },
    { desc: 'detached, nothing new: kept', attachedTo: undefined, announced: ['a:4243'], want: [['a:4243']] },
    {
      desc: 'detached, gossip names another control node: replaced by one that dials it first',
      attachedTo: undefined,
      announced: ['a:4243', 'b:4243'],
      want: [['a:4243'], ['b:4243', 'a:4243']],
    },
  ];
  for (const c of cases) {
    test(c.desc, async () => {
      const { client, made, announce } = setUp(['a:4243'], c.attachedTo);
      await client.start();
      announce(c.announced);
      client.check();
      await settle();
      assert.deepEqual(
        made.map((m) => m.controlNodes),
        c.want,
      );
      assert.ok(
        made.slice(0, -1).every((m) => m.stopped),
        'every replaced client is stopped',
      );
      assert.ok(made.at(-1)!.started && !made.at(-1)!.stopped, 'the last one runs');
      await client.stop();
      assert.ok(made.every((m) => m.stopped));
    });
  }
});
