import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  formationStep,
  voteOf,
  type FormationInput,
  type FormationState,
  type HeardReport,
} from '../../../src/cluster/node/index.js';

const NOW = 100_000;
const heard = (nodeId: string, state: FormationState, vote?: string, ago = 0): HeardReport => ({
  nodeId,
  state,
  ...(vote === undefined ? {} : { vote }),
  at: NOW - ago,
});

const input = (self: string, peers: HeardReport[], extra: Partial<FormationInput> = {}): FormationInput => ({
  self,
  expect: 3,
  now: NOW,
  peers: new Map(peers.map((p) => [p.nodeId, p])),
  formed: 0,
  forgetAfterMs: 15_000,
  voteFreshMs: 2000,
  ...extra,
});

describe('formationStep', () => {
  const cases: { desc: string; in: FormationInput; want: ReturnType<typeof formationStep> }[] = [
    {
      desc: 'too few nodes: wait without a vote',
      in: input('b', [heard('a', 'forming')]),
      want: { type: 'wait', vote: undefined, forming: 2 },
    },
    {
      desc: 'enough nodes, not the lowest id: vote for the lowest and wait',
      in: input('b', [heard('a', 'forming'), heard('c', 'forming', 'a')]),
      want: { type: 'wait', vote: 'a', forming: 3 },
    },
    {
      desc: 'the lowest id without the votes yet: wait',
      in: input('a', [heard('b', 'forming'), heard('c', 'forming', 'a')]),
      want: { type: 'wait', vote: 'a', forming: 3 },
    },
    {
      desc: 'the lowest id with expect − 1 votes: bootstrap',
      in: input('a', [heard('b', 'forming', 'a'), heard('c', 'forming', 'a')]),
      want: { type: 'bootstrap' },
    },
    {
      desc: 'votes older than voteFreshMs do not count',
      in: input('a', [heard('b', 'forming', 'a', 3000), heard('c', 'forming', 'a')]),
      want: { type: 'wait', vote: 'a', forming: 3 },
    },
    {
      desc: 'a peer not heard from for forgetAfterMs no longer counts',
      in: input('a', [heard('b', 'forming', 'a', 20_000), heard('c', 'forming', 'a')]),
      want: { type: 'wait', vote: undefined, forming: 2 },
    },
    {
      desc: 'a peer already bootstrapping: wait, even as the lowest id',
      in: input('a', [heard('b', 'forming', 'a'), heard('c', 'forming', 'a'), heard('z', 'bootstrapping')]),
      want: { type: 'wait', vote: 'a', forming: 3 },
    },
    {
      desc: 'a peer joining: wait',
      in: input('a', [heard('b', 'joining'), heard('c', 'forming', 'a'), heard('d', 'forming', 'a')]),
      want: { type: 'wait', vote: 'a', forming: 3 },
    },
    {
      desc: 'a formed cluster answered: join it',
      in: input('a', [heard('b', 'forming', 'a'), heard('c', 'forming', 'a')], { formed: 1 }),
      want: { type: 'join' },
    },
    {
      desc: 'expect 1: bootstrap alone',
      in: input('a', [], { expect: 1 }),
      want: { type: 'bootstrap' },
    },
    {
      desc: 'its own report among the peers is ignored',
      in: input('a', [heard('a', 'forming', 'a'), heard('b', 'forming', 'a')]),
      want: { type: 'wait', vote: undefined, forming: 2 },
    },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(formationStep(c.in), c.want));

  test('with exactly expect nodes, any order of hearing elects one node', () => {
    // Every node hears the others; whatever order the reports arrive in, only one bootstraps.
    const ids = ['n3', 'n1', 'n2'];
    const winners = ids.filter((self) => {
      const others = ids.filter((id) => id !== self);
      const votes = others.map((id) =>
        heard(
          id,
          'forming',
          voteOf(
            id,
            ids.filter((x) => x !== id).map((x) => heard(x, 'forming')),
            3,
          ),
        ),
      );
      return formationStep(input(self, votes)).type === 'bootstrap';
    });
    assert.deepEqual(winners, ['n1']);
  });
});
