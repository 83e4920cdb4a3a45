import type { DnsRecord } from '../acme-records.js';

// A DNS-01 provider publishes and removes the challenge's TXT record. Providers take their
// settings from environment variables named as lego names them (EXEC_PATH,
// HTTPREQ_ENDPOINT, RFC2136_NAMESERVER...), so a Traefik deployment's environment carries
// over. Adding a provider is one entry in the registry (providers.ts).

export interface DnsProvider {
  /** Creates the TXT record; creating one that exists must not fail. */
  present(record: DnsRecord, signal: AbortSignal): Promise<void>;
  /** Removes the TXT record; removing one that is gone must not fail. */
  cleanup(record: DnsRecord, signal: AbortSignal): Promise<void>;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads a duration in seconds from the environment (lego's unit), with a default in ms. */
export function envSeconds(env: Env, name: string, defaultMs: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return defaultMs;
  const seconds = Number(text);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : defaultMs;
}
