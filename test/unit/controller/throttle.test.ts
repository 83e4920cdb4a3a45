import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  idleThrottle,
  throttleLimits,
  throttleMessage,
  throttleWindowEnd,
  type ThrottleLimits,
} from '../../../src/controller/throttle.js';

interface Applied {
  /** The fake clock's time of the rebuild. */
  readonly at: number;
  /** The index of the message applied: the newest one arrived by then. */
  readonly message: number;
}

/**
 * Drives the throttle with a fake clock: messages arrive at `arrivals` (ms, ascending), the
 * one window timer fires at its end, and every rebuild is recorded. A window ending at the
 * instant a message arrives ends first: the message finds the throttle idle.
 */
function simulate(arrivals: readonly number[], limits: ThrottleLimits): Applied[] {
  let state = idleThrottle(limits);
  let windowEnd: number | undefined;
  let newest = -1;
  const applied: Applied[] = [];
  const run = (now: number, step: ReturnType<typeof throttleMessage>) => {
    state = step.state;
    if (step.apply) applied.push({ at: now, message: newest });
    windowEnd = step.openMs === undefined ? undefined : now + step.openMs;
  };
  let next = 0;
  while (next < arrivals.length || windowEnd !== undefined) {
    const arrival = arrivals[next] ?? Infinity;
    if (windowEnd !== undefined && windowEnd <= arrival) {
      const now = windowEnd;
      const step = throttleWindowEnd(state, limits);
      windowEnd = undefined;
      run(now, step);
    } else {
      newest = next++;
      const step = throttleMessage(state, limits);
      if (step.apply || step.openMs !== undefined) run(arrival, step);
      else state = step.state;
    }
  }
  return applied;
}

const every = (count: number, gapMs: number, from = 0): number[] =>
  Array.from({ length: count }, (_, i) => from + i * gapMs);

const DEFAULT = throttleLimits(2_000);

describe('providers throttle (fake clock)', () => {
  test('the shortest window is a sixteenth of providersThrottleDuration', () => {
    assert.deepEqual(throttleLimits(2_000), { minMs: 125, maxMs: 2_000 });
    assert.deepEqual(idleThrottle(DEFAULT), { phase: 'idle', windowMs: 125 });
  });

  const cases: {
    desc: string;
    arrivals: number[];
    limits?: ThrottleLimits;
    want: [at: number, message: number][];
  }[] = [
    { desc: 'a lone change is applied at once', arrivals: [5_000], want: [[5_000, 0]] },
    {
      desc: 'changes a few hundred ms apart (containers started one by one) are each applied at once',
      arrivals: [0, 250, 500, 800],
      want: [
        [0, 0],
        [250, 1],
        [500, 2],
        [800, 3],
      ],
    },
    {
      desc: 'a change inside the short window waits for its end',
      arrivals: [0, 50],
      want: [
        [0, 0],
        [125, 1],
      ],
    },
    {
      desc: 'a window ending at the instant of a change is over: the change goes through',
      arrivals: [0, 125],
      want: [
        [0, 0],
        [125, 1],
      ],
    },
    {
      desc: 'a one-second burst: the window doubles while changes keep coming; the newest wins each time',
      arrivals: every(50, 20),
      want: [
        [0, 0],
        [125, 6],
        [375, 18],
        [875, 43],
        [1_875, 49],
      ],
    },
    {
      desc: 'after a quiet window the next change is applied at once and the window is short again',
      arrivals: [...every(50, 20), 4_000, 4_050],
      want: [
        [0, 0],
        [125, 6],
        [375, 18],
        [875, 43],
        [1_875, 49],
        [4_000, 50],
        [4_125, 51],
      ],
    },
    {
      desc: 'a throttle of 0 applies every change at once',
      arrivals: [0, 0, 1, 2],
      limits: throttleLimits(0),
      want: [
        [0, 0],
        [0, 1],
        [1, 2],
        [2, 3],
      ],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const applied = simulate(c.arrivals, c.limits ?? DEFAULT).map((a) => [a.at, a.message]);
      assert.deepEqual(applied, c.want);
    });
  }

  test('a long burst costs the ramp (5 rebuilds) plus one per providersThrottleDuration', () => {
    // `docker compose up` of many containers: a message every 50 ms for 10 s.
    const arrivals = every(200, 50);
    const applied = simulate(arrivals, DEFAULT);
    const burstMs = arrivals.at(-1)!;
    assert.ok(applied.length <= 5 + Math.ceil(burstMs / DEFAULT.maxMs), `${applied.length} rebuilds`);
    assert.deepEqual(
      applied.slice(5).map((a, i) => a.at - applied[i + 4]!.at),
      applied.slice(5).map(() => 2_000),
      'one rebuild per 2 s once the window is full',
    );
    assert.equal(applied.at(-1)!.message, arrivals.length - 1, 'the last change is applied');
  });

  test('whatever the arrivals: rebuilds are a shortest window apart, and each change is applied (or superseded) within the throttle', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 200; run++) {
      const arrivals: number[] = [];
      let t = 0;
      for (let i = 0; i < 60; i++) arrivals.push((t += Math.floor(random() ** 3 * 3_000)));
      const applied = simulate(arrivals, DEFAULT);
      for (let i = 1; i < applied.length; i++) {
        assert.ok(applied[i]!.at - applied[i - 1]!.at >= DEFAULT.minMs, `run ${run}: rebuilds too close`);
      }
      arrivals.forEach((arrival, i) => {
        const by = applied.find((a) => a.message >= i);
        assert.ok(by && by.at - arrival <= DEFAULT.maxMs, `run ${run}: change ${i} waited too long`);
      });
      assert.equal(applied.at(-1)!.message, arrivals.length - 1, `run ${run}: the last change is applied`);
    }
  });

  test('messages only ever wait in an open window', () => {
    const open = throttleMessage(idleThrottle(DEFAULT), DEFAULT);
    assert.deepEqual(open, { state: { phase: 'open', windowMs: 125 }, apply: true, openMs: 125 });
    const waiting = throttleMessage(open.state, DEFAULT);
    assert.deepEqual(waiting, {
      state: { phase: 'waiting', windowMs: 125 },
      apply: false,
      openMs: undefined,
    });
    assert.deepEqual(throttleWindowEnd(waiting.state, DEFAULT), {
      state: { phase: 'open', windowMs: 250 },
      apply: true,
      openMs: 250,
    });
    assert.deepEqual(throttleWindowEnd(open.state, DEFAULT), {
      state: { phase: 'idle', windowMs: 125 },
      apply: false,
      openMs: undefined,
    });
  });
});
