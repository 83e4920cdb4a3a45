import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { etcdTlsClientOptions, type EtcdTlsOptions } from '../store/index.js';

// etcd serves clients on the node's advertised address, so that joining control nodes can
// add themselves, and it trusts the cluster CA, which also signs data nodes' certificates.
// Authentication narrows that to control nodes: with client certificate auth, etcd takes
// the certificate's CN as the user name, and only `switchyard-control` (the CN of every
// control certificate) is a user, with the root role. A data node's certificate
// (`switchyard-data`) then gets "permission denied" for every request. The `root` user
// etcd requires before enabling auth gets a random password that is thrown away.

const CONTROL_USER = 'switchyard-control';

/** Enables auth on a new cluster; run once, by the node that bootstraps it. */
export async function restrictToControlNodes(
  endpoints: readonly string[],
  tls: EtcdTlsOptions,
): Promise<void> {
  const client = new Etcd3({ hosts: [...endpoints], ...etcdTlsClientOptions(tls) });
  try {
    await client.role('root').create();
    for (const user of ['root', CONTROL_USER]) {
      await client.user(user).create(randomBytes(32).toString('base64'));
      await client.user(user).addRole('root');
    }
    await client.auth.authEnable({});
  } finally {
    client.close();
  }
}
