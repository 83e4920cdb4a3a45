import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStore } from '../../../src/cluster/store/index.js';
import { runStoreContract } from './contract.js';

runStoreContract(
  'local store',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-store-'));
    return {
      store: await LocalStore.open({ dir }),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
  { leaseTtlMs: 200 },
);
