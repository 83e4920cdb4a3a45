// Random choices with the source of randomness passed in, so a seeded generator makes a
// simulation repeatable.
export type Random = () => number;

export function shuffle<T>(random: Random, items: readonly T[]): T[] {
  return sample(random, items, items.length);
}

/** Up to `k` distinct items, in random order (a partial Fisher-Yates shuffle). */
export function sample<T>(random: Random, items: readonly T[], k: number): T[] {
  const pool = items.slice();
  const n = Math.min(k, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  pool.length = n;
  return pool;
}
