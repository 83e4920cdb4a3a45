import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRead, type ReadSchedule } from '../../../src/providers/swarm/index.js';

const TIMINGS = { convergeMinMs: 100, convergeMaxMs: 5_000, rollingMs: 250 };

const service = (state?: string) => ({ UpdateStatus: state === undefined ? undefined : { State: state } });
const task = (state: string) => ({ state });

describe('Swarm provider: when to read again', () => {
  const cases: {
    desc: string;
    services: ReturnType<typeof service>[];
    tasks: ReturnType<typeof task>[];
    convergeMs: number;
    want: ReadSchedule;
  }[] = [
    {
      desc: 'nothing moving: no read until an event, and the converging delay starts over',
      services: [service(), service('completed')],
      tasks: [task('running')],
      convergeMs: 800,
      want: { delayMs: undefined, convergeMs: 100 },
    },
    {
      desc: 'a task on its way to running: read after the converging delay, which doubles',
      services: [service()],
      tasks: [task('running'), task('preparing')],
      convergeMs: 400,
      want: { delayMs: 400, convergeMs: 800 },
    },
    {
      desc: 'the converging delay stops growing at its maximum',
      services: [],
      tasks: [task('pending')],
      convergeMs: 5_000,
      want: { delayMs: 5_000, convergeMs: 5_000 },
    },
    {
      desc: 'a rolling update: the fixed short delay, even between batches when no task is on its way',
      services: [service('completed'), service('updating')],
      tasks: [task('running'), task('running')],
      convergeMs: 1_600,
      want: { delayMs: 250, convergeMs: 100 },
    },
    {
      desc: 'a rollback counts as a rolling update',
      services: [service('rollback_started')],
      tasks: [task('starting')],
      convergeMs: 100,
      want: { delayMs: 250, convergeMs: 100 },
    },
    {
      desc: 'a paused update moves nothing',
      services: [service('paused'), service('rollback_completed')],
      tasks: [task('running')],
      convergeMs: 200,
      want: { delayMs: undefined, convergeMs: 100 },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => assert.deepEqual(nextRead(c.services, c.tasks, c.convergeMs, TIMINGS), c.want));
  }
});
