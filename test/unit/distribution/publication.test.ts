// Whole publications only: the pure rules that say when a configuration written in
// several transactions is complete.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CONFIG_PREFIX, CONFIG_VERSION_KEY, http01Key } from '../../../src/cluster/node/index.js';
import {
  isStreamedKey,
  publicationOpenAfter,
  publicationOpenInRead,
} from '../../../src/distribution/streamed-keys.js';

const router = `${CONFIG_PREFIX}http/routers/a@file`;
const errorsKey = `${CONFIG_PREFIX}errors/http.routers.b@file`;
const challenge = http01Key('tok');

describe('publication open after a revision', () => {
  const cases = [
    { desc: 'a config batch without the version key opens one', was: false, keys: [router], open: true },
    { desc: 'a batch that is only errors opens one too', was: false, keys: [errorsKey], open: true },
    { desc: 'the version key closes it', was: true, keys: [router, CONFIG_VERSION_KEY], open: false },
    {
      desc: 'a one-batch publication never leaves one open',
      was: false,
      keys: [router, CONFIG_VERSION_KEY],
      open: false,
    },
    { desc: 'an ACME write outside a publication leaves none', was: false, keys: [challenge], open: false },
    { desc: 'an ACME write inside a publication keeps it open', was: true, keys: [challenge], open: true },
    {
      desc: 'deleting the whole prefix (version key included) closes it',
      was: true,
      keys: [CONFIG_VERSION_KEY],
      open: false,
    },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(publicationOpenAfter(c.was, c.keys), c.open));
});

describe('publication open in a read', () => {
  const cases = [
    { desc: 'nothing published', kvs: [], open: false },
    {
      desc: 'every key older than the version key',
      kvs: [
        { key: router, modRevision: 4 },
        { key: CONFIG_VERSION_KEY, modRevision: 5 },
      ],
      open: false,
    },
    {
      desc: 'a key newer than the version key',
      kvs: [
        { key: CONFIG_VERSION_KEY, modRevision: 5 },
        { key: router, modRevision: 6 },
      ],
      open: true,
    },
    { desc: 'keys but no version key yet', kvs: [{ key: router, modRevision: 2 }], open: true },
    {
      desc: 'ACME keys newer than the version key do not count',
      kvs: [
        { key: CONFIG_VERSION_KEY, modRevision: 5 },
        { key: challenge, modRevision: 9 },
      ],
      open: false,
    },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(publicationOpenInRead(c.kvs), c.open));
});

describe('streamed keys', () => {
  const cases = [
    { key: router, streamed: true },
    { key: CONFIG_VERSION_KEY, streamed: true },
    { key: errorsKey, streamed: false },
    { key: '/switchyard/static/entrypoints', streamed: true },
    { key: challenge, streamed: true },
    { key: '/switchyard/acme/certificates/le/a.example.com', streamed: true },
    { key: '/switchyard/acme/orders/le/a.example.com', streamed: false },
    { key: '/switchyard/acme/accounts/le', streamed: false },
    { key: '/switchyard/status/data-nodes/d1', streamed: false },
    { key: '/switchyard/cluster/ca', streamed: false },
  ];
  for (const c of cases)
    test(`${c.key}: ${c.streamed ? 'streamed' : 'kept back'}`, () =>
      assert.equal(isStreamedKey(c.key), c.streamed));
});
