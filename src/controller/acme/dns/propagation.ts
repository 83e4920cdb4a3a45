import { Resolver } from 'node:dns/promises';

// Before asking the CA to look, wait until the TXT record is visible. Only the resolvers
// the dnsChallenge names are asked: Switchyard makes no DNS query the configuration did not
// ask for (lego would also ask the system's resolvers and the zone's authoritative servers).

export interface PropagationCheck {
  /** host:port of each resolver to ask. */
  readonly resolvers: readonly string[];
  /** Every resolver must see the record, not just one (propagation.requireAllRNS). */
  readonly requireAll: boolean;
  readonly timeoutMs: number;
  readonly intervalMs: number;
}

/** Resolves once the record is seen; rejects with what each resolver saw when time runs out. */
export async function waitForTxt(
  fqdn: string,
  value: string,
  check: PropagationCheck,
  signal: AbortSignal,
): Promise<void> {
  const name = fqdn.replace(/\.$/, '');
  const deadline = Date.now() + check.timeoutMs;
  const resolvers = check.resolvers.map((server) => {
    const resolver = new Resolver({ timeout: Math.min(check.timeoutMs, 5_000), tries: 1 });
    resolver.setServers([server]);
    return { server, resolver };
  });
  let seen: string[] = [];
  for (;;) {
    seen = await Promise.all(
      resolvers.map(async ({ server, resolver }) => {
        try {
          const records = await resolver.resolveTxt(name);
          return records.some((chunks) => chunks.join('') === value) ? '' : `${server}: not yet`;
        } catch (err) {
          return `${server}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
        }
      }),
    );
    const found = seen.filter((result) => result === '').length;
    if (check.requireAll ? found === resolvers.length : found > 0) return;
    if (signal.aborted || Date.now() + check.intervalMs > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, check.intervalMs));
  }
  throw new Error(`TXT ${name} not visible after ${check.timeoutMs} ms (${seen.filter(Boolean).join('; ')})`);
}
