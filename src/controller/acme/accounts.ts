import { generateKeyPairSync } from 'node:crypto';
import type { Store } from '../../cluster/store/index.js';
import { accountKey, AccountRecord } from './acme-records.js';
import type { AcmeWriter } from './acme-writer.js';
import { CaClient, type PollSettings } from './ca-client.js';
import type { ResolverSettings } from './resolvers.js';

// A resolver's ACME account, kept sealed in the store so that every controller uses the
// same one. The key is written before the CA hears of it: a controller that dies between
// the two leaves a key that its successor registers (registering a known key returns
// the existing account), never a second account.

export async function openAccount(
  settings: ResolverSettings,
  store: Pick<Store, 'get'>,
  writer: AcmeWriter,
  poll: PollSettings | undefined,
  /** The CA forgot the stored account: register the key again. */
  reregister = false,
): Promise<CaClient> {
  const key = accountKey(settings.name);
  const { kv } = await store.get(key);
  let revision = kv?.modRevision ?? 0;
  let account: AccountRecord | undefined;
  if (kv !== undefined) {
    const parsed = AccountRecord.safeParse(JSON.parse(await writer.open(kv.value, key)));
    // An account of another CA (caServer changed) is replaced, as Traefik resets it.
    if (parsed.success && parsed.data.caServer === settings.caServer) {
      const { url: _url, ...kept } = parsed.data;
      account = reregister ? kept : parsed.data;
    }
  }
  if (account === undefined) {
    // Account keys are P-256 whatever the certificates' keyType.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    account = {
      caServer: settings.caServer,
      email: settings.email,
      key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    revision = await writer.commit({ key, revision, value: await writer.seal(JSON.stringify(account), key) });
  }
  const client = new CaClient({
    directoryUrl: settings.caServer,
    accountKey: account.key,
    ...(account.url === undefined ? {} : { accountUrl: account.url }),
    ...(settings.eab === undefined ? {} : { eab: settings.eab }),
    ...(poll === undefined ? {} : { poll }),
    path: settings.path,
  });
  if (account.url === undefined || account.email !== settings.email) {
    const url = await client.register(settings.email);
    const registered: AccountRecord = { ...account, email: settings.email, url };
    await writer.commit({ key, revision, value: await writer.seal(JSON.stringify(registered), key) });
  }
  return client;
}
