import { Etcd3, type IOptions } from 'etcd3';
import { etcdTlsClientOptions, type EtcdTlsOptions } from '../store/index.js';

// Short-lived etcd clients for the sidecar's own calls (status, membership), without
// etcd3's per-host circuit breaker: after three failures it refuses every call to that
// host for 5 s, which would hide a member that has just restarted and turn etcd's
// "not now" answers (retried by membership.ts) into "circuit breaker is open".

type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;

// etcd3 only ever calls execute() on a host policy.
const callOnce = {
  execute: (fn: (context: { signal: AbortSignal }) => unknown) =>
    Promise.resolve().then(() => fn({ signal: new AbortController().signal })),
} as unknown as HostPolicy;

export function openEtcdClient(
  endpoints: readonly string[],
  tls: EtcdTlsOptions | undefined,
  timeoutMs: number,
): Etcd3 {
  const options: IOptions = {
    hosts: [...endpoints],
    dialTimeout: timeoutMs,
    faultHandling: { host: () => callOnce },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeoutMs }),
  };
  return new Etcd3(tls === undefined ? options : { ...options, ...etcdTlsClientOptions(tls) });
}

export async function withEtcdClient<T>(
  endpoints: readonly string[],
  tls: EtcdTlsOptions | undefined,
  timeoutMs: number,
  fn: (client: Etcd3) => Promise<T>,
): Promise<T> {
  const client = openEtcdClient(endpoints, tls, timeoutMs);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
