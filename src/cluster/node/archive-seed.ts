import { decodeArchive, type ArchivedKey, type ArchiveManifest } from '../backup/index.js';
import { DataKey, type ClusterCa } from '../pki/index.js';
import {
  CA_CERT_KEY,
  CA_KEY_KEY,
  NODES_PREFIX,
  openClusterCa,
  TOKEN_RECORDS_KEY,
  tokenTextKey,
} from './cluster-records.js';
import { NodeError } from './errors.js';
import { must } from './new-cluster.js';

// `switchyard bootstrap --archivepath`: a new cluster that starts from a backup instead of
// from nothing. What comes back is what the cluster serves and what it trusts: the CA
// (so every certificate it issued stays valid), the token registry, the configuration,
// ACME accounts and certificates, and the deny list (the removed nodes' certificates are
// still valid under the same CA). What does not is the old cluster's membership: the
// control node records, whose addresses would be gossip seeds, and etcd's members, which
// are not in the store at all.

/** Everything a restoring bootstrap needs, checked before any etcd starts. */
export interface ArchiveSeed {
  readonly manifest: ArchiveManifest;
  readonly ca: ClusterCa;
  readonly dataKey: DataKey;
  /** The data key ring as given, base64, primary first: the new node's secrets. */
  readonly dataKeys: readonly string[];
  /** The keys to restore, the old membership left out. */
  readonly keys: readonly ArchivedKey[];
}

/** The records a cluster cannot start without: the new node serves joins with them at once. */
const REQUIRED = [CA_CERT_KEY, CA_KEY_KEY, TOKEN_RECORDS_KEY, tokenTextKey('control'), tokenTextKey('data')];

/** Whether a key describes the old cluster's membership rather than what it serves. */
export const isMembershipKey = (key: string): boolean => key.startsWith(NODES_PREFIX);

/**
 * Checks an archive against the data key it comes with: the archive must be whole, hold
 * the cluster records, and its CA key must open with that data key and name the cluster
 * the archive says it is. Any failure is reported before anything is started or written.
 */
export async function seedFromArchive(bytes: Uint8Array, dataKeys: readonly string[]): Promise<ArchiveSeed> {
  const archive = decodeArchive(bytes);
  if (!archive.ok) throw archive.error;
  const { manifest, keys } = archive.value;
  const byKey = new Map(keys.map((k) => [k.key, k.value]));
  for (const key of REQUIRED) {
    if (!byKey.has(key)) {
      throw new NodeError('NODE_CLUSTER_DATA', `archive:${key}`, 'is missing: not a backup of a cluster');
    }
  }
  const dataKey = must(await DataKey.create(dataKeys.map((k) => new Uint8Array(Buffer.from(k, 'base64')))));
  const ca = await openClusterCa(byKey.get(CA_CERT_KEY)!, byKey.get(CA_KEY_KEY)!, dataKey).catch(
    (err: unknown) => {
      throw new NodeError(
        'NODE_CLUSTER_DATA',
        `archive:${CA_KEY_KEY}`,
        `does not open with the data key given: is it the data key of cluster ${manifest.clusterId}?`,
        { cause: err },
      );
    },
  );
  if (ca.clusterId !== manifest.clusterId) {
    throw new NodeError(
      'NODE_CLUSTER_DATA',
      `archive:${CA_CERT_KEY}`,
      `is the CA of cluster ${ca.clusterId}, but the archive says ${manifest.clusterId}`,
    );
  }
  return {
    manifest,
    ca,
    dataKey,
    dataKeys: [...dataKeys],
    keys: keys.filter((k) => !isMembershipKey(k.key)),
  };
}
