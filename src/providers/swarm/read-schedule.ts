import type { SwarmServiceDocument, SwarmTaskInfo } from '../docker/index.js';

// When the Swarm provider reads again, events aside. Swarm sends no event when it moves a
// task (only service and node changes, and container changes on this node), so the
// provider polls while something is moving, and not otherwise.

export interface ReadTimings {
  /** First delay between reads while tasks are on their way to running; it doubles up to convergeMaxMs. */
  readonly convergeMinMs: number;
  readonly convergeMaxMs: number;
  /** Delay between reads while a service is being updated or rolled back. */
  readonly rollingMs: number;
}

export interface ReadSchedule {
  /** Read again this long after this read; undefined when nothing is moving. */
  readonly delayMs: number | undefined;
  /** The converging delay to use after the next read. */
  readonly convergeMs: number;
}

/** Task states on the way to `running`: while any is listed, the provider reads again soon. */
const ON_THE_WAY = new Set([
  'new',
  'allocated',
  'pending',
  'assigned',
  'accepted',
  'preparing',
  'ready',
  'starting',
]);

/** UpdateStatus.State while Swarm replaces tasks one batch after another. */
const ROLLING = new Set(['updating', 'rollback_started']);

/**
 * During a rolling update Swarm sets an old task's desired state to shutdown, and only some
 * 2 s later (Docker's wait for its own load balancers to forget the task, on any network
 * but the default bridge) does its container get the stop signal. Reading at a short, fixed
 * interval for the whole update takes the task out within that wait, before the process
 * starts to exit; between two batches (update-delay) no task is on its way, so the
 * converging reads alone would stop. Otherwise, while tasks are on their way to running,
 * reads follow at a growing interval until they settle.
 */
export function nextRead(
  services: readonly Pick<SwarmServiceDocument, 'UpdateStatus'>[],
  tasks: readonly Pick<SwarmTaskInfo, 'state'>[],
  convergeMs: number,
  timings: ReadTimings,
): ReadSchedule {
  if (services.some((service) => ROLLING.has(service.UpdateStatus?.State ?? ''))) {
    return { delayMs: timings.rollingMs, convergeMs: timings.convergeMinMs };
  }
  if (tasks.some((task) => ON_THE_WAY.has(task.state))) {
    return { delayMs: convergeMs, convergeMs: Math.min(convergeMs * 2, timings.convergeMaxMs) };
  }
  return { delayMs: undefined, convergeMs: timings.convergeMinMs };
}
