import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataKey, type PkiErrorCode } from '../../../src/cluster/pki/index.js';
import { must } from './fixtures.js';

const secretA = DataKey.generateSecret();
const secretB = DataKey.generateSecret();
const ringA = must(await DataKey.create([secretA]));
const KEY_PEM =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';
const STORE_KEY = '/switchyard/certs/example.com/key';

const openCode = async (ring: DataKey, blob: Uint8Array, aad: string): Promise<PkiErrorCode | 'ok'> => {
  const result = await ring.open(blob, aad);
  return result.ok ? 'ok' : result.error.code;
};

describe('DataKey', () => {
  test('round trip: what is sealed opens to the same bytes under the same store key', async () => {
    const blob = await ringA.seal(KEY_PEM, STORE_KEY);
    assert.equal(Buffer.from(blob).includes(Buffer.from('PRIVATE KEY')), false);
    assert.equal(Buffer.from(must(await ringA.open(blob, STORE_KEY))).toString(), KEY_PEM);
  });

  test('two seals of the same plaintext differ (fresh nonce)', async () => {
    const [a, b] = [await ringA.seal(KEY_PEM, STORE_KEY), await ringA.seal(KEY_PEM, STORE_KEY)];
    assert.notDeepEqual(a, b);
  });

  test('a blob moved to another store key does not open', async () => {
    const blob = await ringA.seal(KEY_PEM, STORE_KEY);
    assert.equal(await openCode(ringA, blob, '/switchyard/certs/other.com/key'), 'DATA_KEY_OPEN_FAILED');
  });

  const tampering = [
    { desc: 'a ciphertext byte', at: (n: number) => 21 + Math.floor((n - 37) / 2) },
    { desc: 'the nonce', at: () => 12 },
    { desc: 'the tag', at: (n: number) => n - 1 },
  ];
  for (const c of tampering) {
    test(`tampering with ${c.desc} is detected`, async () => {
      const blob = await ringA.seal(KEY_PEM, STORE_KEY);
      blob[c.at(blob.length)]! ^= 0x01;
      assert.equal(await openCode(ringA, blob, STORE_KEY), 'DATA_KEY_OPEN_FAILED');
    });
  }

  const malformed = [
    { desc: 'empty', blob: new Uint8Array() },
    { desc: 'too short', blob: new Uint8Array(20).fill(1) },
    { desc: 'unknown version', blob: new Uint8Array(64).fill(9) },
  ];
  for (const c of malformed) {
    test(`refuses a malformed blob: ${c.desc}`, async () => {
      assert.equal(await openCode(ringA, c.blob, STORE_KEY), 'DATA_KEY_MALFORMED');
    });
  }

  test('refuses secrets of the wrong size, naming which', async () => {
    const result = await DataKey.create([secretA, new Uint8Array(16)]);
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual([result.error.code, result.error.path], ['PKI_INVALID', 'dataKeys[1]']);
    const none = await DataKey.create([]);
    assert.equal(none.ok, false);
  });
});

describe('DataKey rotation', () => {
  test('a new primary seals, the old key still opens, and reseal moves blobs over', async () => {
    const old = await ringA.seal(KEY_PEM, STORE_KEY);
    const rotated = must(await DataKey.create([secretB, secretA]));
    assert.notEqual(rotated.primaryId, ringA.primaryId);
    assert.equal(rotated.needsReseal(old), true);
    assert.equal(Buffer.from(must(await rotated.open(old, STORE_KEY))).toString(), KEY_PEM);

    const moved = must(await rotated.reseal(old, STORE_KEY));
    assert.equal(rotated.needsReseal(moved), false);
    const onlyNew = must(await DataKey.create([secretB]));
    assert.equal(Buffer.from(must(await onlyNew.open(moved, STORE_KEY))).toString(), KEY_PEM);
    // Once the old key is dropped, blobs that were not resealed are reported, not garbled.
    assert.equal(await openCode(onlyNew, old, STORE_KEY), 'DATA_KEY_UNKNOWN');
  });

  test('editing the key id in a blob does not make another key open it', async () => {
    const both = must(await DataKey.create([secretA, secretB]));
    const blob = await both.seal(KEY_PEM, STORE_KEY);
    const idB = Buffer.from(must(await DataKey.create([secretB])).primaryId, 'hex');
    blob.set(idB, 1);
    assert.equal(await openCode(both, blob, STORE_KEY), 'DATA_KEY_OPEN_FAILED');
  });
});
