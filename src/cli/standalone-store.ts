import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../cluster/node/index.js';
import { DataKey } from '../cluster/pki/index.js';
import { LocalStore } from '../cluster/store/index.js';

// Standalone keeps what a cluster keeps in etcd in the embedded local store of its state
// directory, and seals private keys with its own data key, kept beside it:
//
//   store/      the local store (write-ahead log and snapshot, docs/store.md)
//   data-key    the data key, base64, 0600

const STORE_DIR = 'store';
const DATA_KEY_FILE = 'data-key';

export interface StandaloneStore {
  readonly store: LocalStore;
  readonly dataKey: DataKey;
}

export async function openStandaloneStore(stateDir: string): Promise<StandaloneStore> {
  const dataKey = await readOrCreateDataKey(join(stateDir, DATA_KEY_FILE));
  const store = await LocalStore.open({ dir: join(stateDir, STORE_DIR) });
  return { store, dataKey };
}

async function readOrCreateDataKey(file: string): Promise<DataKey> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  const secret =
    text === undefined ? DataKey.generateSecret() : new Uint8Array(Buffer.from(text.trim(), 'base64'));
  if (text === undefined) await writeAtomic(file, `${Buffer.from(secret).toString('base64')}\n`, 0o600);
  const key = await DataKey.create([secret]);
  if (!key.ok) throw key.error.under(file);
  return key.value;
}
