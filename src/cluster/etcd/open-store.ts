import { readFile } from 'node:fs/promises';
import { EtcdStore } from '../store/index.js';
import type { EtcdTlsOptions } from '../store/index.js';
import { withEtcdClient } from './client.js';
import type { EtcdConfig } from './config.js';
import { EtcdError } from './errors.js';
import { memberStatus } from './status.js';
import type { EtcdSupervisor } from './supervisor.js';
import { checkEtcdVersion, parseVersionNumber } from './version.js';

// The two ways a control node reaches its store: its own sidecar member, or an external
// etcd cluster (--etcd.endpoints) that someone else runs, where no supervisor starts.

/** The store of this node's sidecar member, once the supervisor has started it. */
export function openSidecarStore(supervisor: EtcdSupervisor, requestTimeoutMs?: number): Promise<EtcdStore> {
  return EtcdStore.open({
    endpoints: supervisor.clientUrls,
    tls: supervisor.clientTls,
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  });
}

/**
 * The store of an external cluster. Its version is checked as the sidecar's binary is:
 * a member older than 3.4 is ETCD_VERSION_UNSUPPORTED.
 */
export async function openExternalStore(
  config: EtcdConfig & { readonly endpoints: readonly string[] },
  requestTimeoutMs = 5000,
): Promise<EtcdStore> {
  const files = config.tls;
  const tls: EtcdTlsOptions | undefined =
    files === undefined
      ? undefined
      : {
          ca: await readFile(files.ca),
          ...(files.cert === undefined ? {} : { cert: await readFile(files.cert) }),
          ...(files.key === undefined ? {} : { key: await readFile(files.key) }),
        };
  const path = config.endpoints.join(',');
  let version: string;
  try {
    version = (await withEtcdClient(config.endpoints, tls, requestTimeoutMs, memberStatus)).version;
  } catch (err) {
    throw new EtcdError('ETCD_UNREACHABLE', path, `does not answer: ${String(err)}`, {
      cause: err,
    });
  }
  const checked = checkEtcdVersion(parseVersionNumber(version), path, version);
  if (checked instanceof EtcdError) throw checked;
  return EtcdStore.open({ endpoints: config.endpoints, tls, requestTimeoutMs });
}
