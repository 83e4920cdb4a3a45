import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HealthProbe } from '../../../src/dataplane/services/health-probe.js';
import { PassiveHealth, passiveSettings } from '../../../src/dataplane/services/passive-health.js';
import type { PassiveClock } from '../../../src/dataplane/services/passive-health.js';

/** A clock the test moves by hand; tasks run when their time comes. */
class ManualClock implements PassiveClock {
  time = 0;
  readonly #tasks: { at: number; task: () => void }[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, task: () => void): () => void {
    const entry = { at: this.time + ms, task };
    this.#tasks.push(entry);
    return () => this.#tasks.splice(this.#tasks.indexOf(entry), 1);
  }

  advance(ms: number): void {
    this.time += ms;
    for (const entry of [...this.#tasks]) {
      if (entry.at > this.time) continue;
      this.#tasks.splice(this.#tasks.indexOf(entry), 1);
      entry.task();
    }
  }

  get pending(): number {
    return this.#tasks.length;
  }
}

type Step = readonly ['fail' | 'ok', number] | readonly ['wait', number];

describe('PassiveHealth', () => {
  const cases: { desc: string; settings: object; steps: Step[]; up: boolean[] }[] = [
    {
      desc: "Traefik's defaults: one failure takes the server out for 10s",
      settings: {},
      steps: [
        ['fail', 0],
        ['wait', 9_999],
        ['wait', 1],
      ],
      up: [false, false, true],
    },
    {
      desc: 'failures must happen within the window',
      settings: { maxFailedAttempts: 3, failureWindow: 1_000 },
      steps: [
        ['fail', 0],
        ['wait', 600],
        ['fail', 0],
        ['wait', 600],
        ['fail', 0], // the first one has left the window: two in it
        ['fail', 0], // three
      ],
      up: [true, true, true, true, true, false],
    },
    {
      desc: 'a success clears the failures',
      settings: { maxFailedAttempts: 2, failureWindow: 1_000 },
      steps: [
        ['fail', 0],
        ['ok', 0],
        ['fail', 0],
        ['fail', 0],
      ],
      up: [true, true, true, false],
    },
    {
      desc: 'failures while out do not extend the time out',
      settings: { maxFailedAttempts: 1, failureWindow: 1_000 },
      steps: [
        ['fail', 0],
        ['wait', 500],
        ['fail', 0],
        ['wait', 500],
      ],
      up: [false, false, false, true],
    },
    {
      desc: 'a zero window never takes a server out (every failure is already old)',
      settings: { maxFailedAttempts: 1, failureWindow: 0 },
      steps: [
        ['fail', 0],
        ['fail', 0],
      ],
      up: [true, true],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const clock = new ManualClock();
      const health = new PassiveHealth(passiveSettings(c.settings), null, clock);
      const seen = c.steps.map(([what, ms]) => {
        if (what === 'wait') clock.advance(ms);
        else health.record(what === 'fail');
        return health.status.up;
      });
      assert.deepEqual(seen, c.up);
    });
  }

  test('with an active check it waits for that check, not for the window', () => {
    const clock = new ManualClock();
    const observers = new Set<{ probed(up: boolean): void }>();
    const probe = {
      observe: (o: { probed(up: boolean): void }) => observers.add(o),
      unobserve: (o: { probed(up: boolean): void }) => observers.delete(o),
    } as unknown as HealthProbe;
    const health = new PassiveHealth(passiveSettings({ failureWindow: 1_000 }), probe, clock);
    health.record(true);
    assert.equal(health.status.up, false);
    assert.equal(clock.pending, 0, 'no timer of its own');
    for (const observer of observers) observer.probed(false);
    assert.equal(health.status.up, false);
    for (const observer of observers) observer.probed(true);
    assert.equal(health.status.up, true);
    void health.close();
    assert.equal(observers.size, 0, 'close stops following the probe');
  });

  test('close cancels the way back', () => {
    const clock = new ManualClock();
    const health = new PassiveHealth(passiveSettings({}), null, clock);
    health.record(true);
    void health.close();
    assert.equal(clock.pending, 0);
  });
});
