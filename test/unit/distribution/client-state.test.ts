// The data node's stream state machine: chunks back into versions, gaps and stale
// versions, with no I/O.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClientState, type Step } from '../../../src/distribution/client-state.js';
import type { ControlMessage, Delta, Snapshot } from '../../../src/distribution/messages.js';

const snap = (revision: number, entries: [string, string][], chunk = 0, last = true): Snapshot => ({
  type: 'snapshot',
  revision,
  chunk,
  last,
  entries,
});
const delta = (
  fromRevision: number,
  revision: number,
  puts: [string, string][],
  deletes: string[] = [],
  chunk = 0,
  last = true,
): Delta => ({ type: 'delta', fromRevision, revision, chunk, last, puts, deletes });

/** Feeds the messages and commits every version it is asked to apply, as an accepting data plane does. */
function run(
  messages: readonly ControlMessage[],
  state = new ClientState(),
): { steps: string[]; state: ClientState } {
  const steps = messages.map((m) => {
    const step = state.receive(m);
    if (step.kind === 'apply') state.commit({ revision: step.revision, entries: step.entries });
    return describeStep(step);
  });
  return { steps, state };
}

function describeStep(step: Step): string {
  switch (step.kind) {
    case 'apply':
      return `apply ${step.revision} ${[...step.entries].map(([k, v]) => `${k}=${v}`).join(',')}`;
    case 'ack':
      return `ack ${step.revision}`;
    case 'nack':
      return `nack ${step.revision} ${step.errors.map((e) => e.code).join(',')}`;
    default:
      return step.kind;
  }
}

const cases: { desc: string; messages: ControlMessage[]; steps: string[]; applied?: number }[] = [
  {
    desc: 'a snapshot in one chunk is applied',
    messages: [snap(5, [['a', '1']])],
    steps: ['apply 5 a=1'],
    applied: 5,
  },
  {
    desc: 'a snapshot in chunks is applied once whole',
    messages: [
      snap(5, [['a', '1']], 0, false),
      snap(5, [['b', '2']], 1, false),
      snap(5, [['c', '3']], 2, true),
    ],
    steps: ['none', 'none', 'apply 5 a=1,b=2,c=3'],
    applied: 5,
  },
  {
    desc: 'a delta from the applied revision is applied on top of it',
    messages: [
      snap(5, [
        ['a', '1'],
        ['b', '2'],
      ]),
      delta(
        5,
        7,
        [
          ['a', '9'],
          ['c', '3'],
        ],
        ['b'],
      ),
    ],
    steps: ['apply 5 a=1,b=2', 'apply 7 a=9,c=3'],
    applied: 7,
  },
  {
    desc: 'a delta in chunks is applied once whole',
    messages: [
      snap(5, [['a', '1']]),
      delta(5, 7, [['b', '2']], [], 0, false),
      delta(5, 7, [], ['a'], 1, true),
    ],
    steps: ['apply 5 a=1', 'none', 'apply 7 b=2'],
    applied: 7,
  },
  {
    desc: 'a gap (delta from another revision) asks for a resync, once',
    messages: [snap(5, [['a', '1']]), delta(6, 7, [['b', '2']]), delta(7, 8, [['c', '3']])],
    steps: ['apply 5 a=1', 'resync', 'none'],
    applied: 5,
  },
  {
    desc: 'after a resync, the answer (a delta from the applied revision) is applied',
    messages: [snap(5, [['a', '1']]), delta(6, 7, []), delta(5, 8, [['c', '3']])],
    steps: ['apply 5 a=1', 'resync', 'apply 8 a=1,c=3'],
    applied: 8,
  },
  {
    desc: 'a delta before any version is a gap',
    messages: [delta(5, 7, [['a', '1']])],
    steps: ['resync'],
  },
  {
    desc: 'a snapshot older than the applied version is refused',
    messages: [snap(9, [['a', '1']]), snap(4, [['a', '0']])],
    steps: ['apply 9 a=1', 'nack 4 CONFIG_STALE'],
    applied: 9,
  },
  {
    desc: 'a snapshot of the applied version is acknowledged without applying',
    messages: [snap(9, [['a', '1']]), snap(9, [['a', '1']])],
    steps: ['apply 9 a=1', 'ack 9'],
    applied: 9,
  },
  {
    desc: 'a chunk out of order drops the version and asks for a resync',
    messages: [snap(5, [['a', '1']], 0, false), snap(5, [['b', '2']], 2, true)],
    steps: ['none', 'resync'],
  },
  {
    desc: 'a chunk of another revision drops the version and asks for a resync',
    messages: [snap(5, [['a', '1']], 0, false), snap(6, [['b', '2']], 1, true)],
    steps: ['none', 'resync'],
  },
  {
    desc: 'a new chunk 0 restarts the assembly (the control node started over after a hello)',
    messages: [snap(5, [['a', '1']], 0, false), snap(6, [['b', '2']], 0, true)],
    steps: ['none', 'apply 6 b=2'],
    applied: 6,
  },
  {
    desc: 'a chunk without its start asks for a resync',
    messages: [snap(5, [['a', '1']], 1, true)],
    steps: ['resync'],
  },
  {
    desc: 'keepalives change nothing',
    messages: [{ type: 'keepalive' }, snap(5, []), { type: 'keepalive' }],
    steps: ['none', 'apply 5 ', 'none'],
    applied: 5,
  },
];

describe('client state', () => {
  for (const c of cases) {
    test(c.desc, () => {
      const { steps, state } = run(c.messages);
      assert.deepEqual(steps, c.steps);
      assert.equal(state.applied?.revision, c.applied);
    });
  }

  test('a refused version leaves the applied one in place, and its delta is then a gap', () => {
    const state = new ClientState();
    run([snap(5, [['a', '1']])], state);
    const step = state.receive(delta(5, 6, [['a', 'bad']]));
    assert.equal(step.kind, 'apply'); // the data plane refuses it: no commit
    assert.deepEqual([...state.applied!.entries], [['a', '1']]);
    assert.equal(describeStep(state.receive(delta(6, 7, [['b', '2']]))), 'resync');
  });

  test('a reconnection drops a half-received version and the resync in progress', () => {
    const state = new ClientState({ revision: 5, entries: new Map([['a', '1']]) });
    assert.equal(describeStep(state.receive(delta(6, 7, []))), 'resync');
    state.receive(snap(8, [['a', '1']], 0, false));
    state.reconnected();
    assert.equal(describeStep(state.receive(snap(8, [], 1, true))), 'resync');
  });

  test('applying does not alter the applied entries (versions are built beside them)', () => {
    const state = new ClientState({ revision: 5, entries: new Map([['a', '1']]) });
    const step = state.receive(delta(5, 6, [['a', '2']], []));
    assert.equal(step.kind, 'apply');
    assert.equal(state.applied!.entries.get('a'), '1');
  });
});
