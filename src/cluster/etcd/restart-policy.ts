import { z } from 'zod';

// How the supervisor restarts an etcd that died: exponential backoff, and a bound on how
// many restarts a window may hold, so a member that cannot run (a full disk, a corrupt
// WAL) is reported instead of being restarted forever.

export const RestartPolicy = z.strictObject({
  initialDelayMs: z.number().int().min(0).default(100),
  maxDelayMs: z.number().int().min(0).default(5000),
  /** Restarts allowed within `windowMs`; one more is a crash loop. */
  maxRestarts: z.number().int().min(0).default(10),
  windowMs: z.number().int().min(1).default(60_000),
});
export type RestartPolicy = z.infer<typeof RestartPolicy>;

/**
 * The delay before the next restart, given when earlier restarts happened; `undefined`
 * when the window already holds `maxRestarts` of them. Each restart within the window
 * doubles the delay.
 */
export function nextRestartDelay(
  restarts: readonly number[],
  now: number,
  policy: RestartPolicy,
): number | undefined {
  const recent = restarts.filter((t) => now - t < policy.windowMs).length;
  if (recent >= policy.maxRestarts) return undefined;
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** recent);
}
