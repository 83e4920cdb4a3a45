/**
 * A shuffled copy. Traefik shuffles servers and child services when it builds a balancer,
 * so that many proxies built from one configuration do not all start on the same server.
 */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const item = copy[i]!;
    copy[i] = copy[j]!;
    copy[j] = item;
  }
  return copy;
}
