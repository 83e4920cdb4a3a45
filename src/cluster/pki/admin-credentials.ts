import type { ClusterCa } from './ca.js';
import type { Credentials } from './credentials.js';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { generateKeyPair, privateKeyPem } from './keys.js';
import { NodeId } from './names.js';
import { signLeaf } from './sign-leaf.js';
import { DEFAULT_ADMIN_DAYS, validityFrom } from './validity.js';

export interface AdminCredentialsOptions {
  /** Who the credentials are for; the node-id segment of `spiffe://<cluster>/admin/<name>`. */
  readonly name?: string;
  readonly validityDays?: number;
  readonly now?: Date;
}

/**
 * A client certificate with the admin role, for the admin API. Unlike a node's, the key
 * is made here, on the CA side, because it is written out for a person to carry away
 * (writeCredentials), as Traefik Enterprise does with `--mtlscertsoutputdir`.
 */
export async function createAdminCredentials(
  ca: ClusterCa,
  options: AdminCredentialsOptions = {},
): Promise<PkiResult<Credentials>> {
  const name = NodeId.safeParse(options.name ?? 'admin');
  if (!name.success) return pkiFail('PKI_INVALID', 'name', name.error.issues[0]!.message);
  const keys = await generateKeyPair();
  const cert = await signLeaf(ca, {
    identity: { clusterId: ca.clusterId, role: 'admin', nodeId: name.data },
    publicKey: keys.publicKey,
    dnsNames: [],
    ipAddresses: [],
    serverAuth: false,
    validity: validityFrom(options.now ?? new Date(), options.validityDays ?? DEFAULT_ADMIN_DAYS),
  });
  if (!cert.ok) return cert;
  return pkiOk({ caPem: ca.certPem, certPem: cert.value, keyPem: await privateKeyPem(keys.privateKey) });
}
