import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { send, service, startOrigin, startProxy, type Origin, type Proxy } from './support.js';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

interface Challenge {
  realm: string;
  nonce: string;
  opaque: string;
  stale: boolean;
}

function parseChallenge(value: string | undefined): Challenge {
  assert.ok(value?.startsWith('Digest '), `a Digest challenge, got ${value}`);
  const header = value ?? '';
  const field = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(header)?.[1] ?? '';
  assert.match(header, /algorithm="MD5", qop="auth"/);
  return {
    realm: field('realm'),
    nonce: field('nonce'),
    opaque: field('opaque'),
    stale: /stale=TRUE$/.test(header),
  };
}

/** An RFC 2617 client: the Authorization value for one request. */
function authorization(
  c: Challenge,
  user: string,
  password: string,
  options: { method?: string; uri: string; nc: number; cnonce?: string; opaque?: string },
): string {
  const nc = options.nc.toString(16).padStart(8, '0');
  const cnonce = options.cnonce ?? 'f00dcafe';
  const ha1 = md5(`${user}:${c.realm}:${password}`);
  const ha2 = md5(`${options.method ?? 'GET'}:${options.uri}`);
  const response = md5(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="${user}", realm="${c.realm}", nonce="${c.nonce}", uri="${options.uri}", ` +
    `algorithm=MD5, response="${response}", opaque="${options.opaque ?? c.opaque}", qop=auth, nc=${nc}, cnonce="${cnonce}"`
  );
}

describe('digestAuth', () => {
  let origin: Origin;
  let proxy: Proxy;

  before(async () => {
    origin = await startOrigin('app');
    proxy = await startProxy({
      routers: {
        'docs@file': { rule: 'Host(`docs.test`)', service: 'app@file', middlewares: ['docs@file'] },
        'realm@file': { rule: 'Host(`realm.test`)', service: 'app@file', middlewares: ['realm@file'] },
      },
      services: { 'app@file': service(origin) },
      middlewares: {
        // Traefik's documented users: the passwords are test and test2.
        'docs@file': {
          digestAuth: {
            users: [
              'test:traefik:a2688e031edb4be6a3797f3882655c05',
              'test2:traefik:518845800f9e2bfb1f1f740ec24f074e',
            ],
            headerField: 'X-WebAuth-User',
            removeHeader: true,
          },
        },
        'realm@file': {
          digestAuth: {
            realm: 'vault',
            users: [`eve:vault:${md5('eve:vault:secret')}`, `test:traefik:${md5('test:traefik:test')}`],
          },
        },
      },
    });
  });

  after(async () => {
    await proxy.close();
    await origin.close();
  });

  const challenge = async (host: string): Promise<Challenge> => {
    const reply = await send(proxy.port, { host, path: '/private/page' });
    assert.equal(reply.status, 401);
    assert.equal(reply.body, '401 Unauthorized\n');
    assert.equal(reply.headers['content-type'], 'text/plain');
    return parseChallenge(reply.headers['www-authenticate']);
  };

  test("Traefik's documented users get in with the right password", async () => {
    for (const [user, password] of [
      ['test', 'test'],
      ['test2', 'test2'],
    ] as const) {
      const c = await challenge('docs.test');
      assert.equal(c.realm, 'traefik');
      assert.equal(c.stale, false);
      const reply = await send(proxy.port, {
        host: 'docs.test',
        path: '/private/page?x=1',
        headers: { authorization: authorization(c, user, password, { uri: '/private/page?x=1', nc: 1 }) },
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.echo?.headers['x-webauth-user'], user);
      assert.equal(reply.echo?.headers.authorization, undefined);
    }
  });

  test('a wrong password, an unknown user or a foreign opaque get a fresh challenge', async () => {
    const c = await challenge('docs.test');
    const attempts = [
      authorization(c, 'test', 'nope', { uri: '/private/page', nc: 1 }),
      authorization(c, 'mallory', 'test', { uri: '/private/page', nc: 1 }),
      authorization(c, 'test', 'test', { uri: '/private/page', nc: 1, opaque: 'forged' }),
      authorization(c, 'test', 'test', { uri: '/elsewhere', nc: 1 }),
    ];
    for (const value of attempts) {
      const reply = await send(proxy.port, {
        host: 'docs.test',
        path: '/private/page',
        headers: { authorization: value },
      });
      assert.equal(reply.status, 401, value);
      const again = parseChallenge(reply.headers['www-authenticate']);
      assert.equal(again.stale, false);
      assert.notEqual(again.nonce, c.nonce);
    }
  });

  test('a nonce count that does not grow, or an unknown nonce, is stale', async () => {
    const c = await challenge('docs.test');
    const first = authorization(c, 'test', 'test', { uri: '/private/page', nc: 1 });
    assert.equal(
      (
        await send(proxy.port, {
          host: 'docs.test',
          path: '/private/page',
          headers: { authorization: first },
        })
      ).status,
      200,
    );
    const replayed = await send(proxy.port, {
      host: 'docs.test',
      path: '/private/page',
      headers: { authorization: first },
    });
    assert.equal(replayed.status, 401);
    assert.equal(parseChallenge(replayed.headers['www-authenticate']).stale, true);
    const next = authorization(c, 'test', 'test', { uri: '/private/page', nc: 2 });
    assert.equal(
      (await send(proxy.port, { host: 'docs.test', path: '/private/page', headers: { authorization: next } }))
        .status,
      200,
    );
    const unknown = authorization({ ...c, nonce: 'AAAAAAAAAAAAAAAA' }, 'test', 'test', {
      uri: '/private/page',
      nc: 1,
    });
    const stale = await send(proxy.port, {
      host: 'docs.test',
      path: '/private/page',
      headers: { authorization: unknown },
    });
    assert.equal(stale.status, 401);
    assert.equal(parseChallenge(stale.headers['www-authenticate']).stale, true);
  });

  test('a uri naming a prefix of the request path is accepted, as go-http-auth does', async () => {
    const c = await challenge('docs.test');
    const value = authorization(c, 'test', 'test', { uri: '/private', nc: 1 });
    assert.equal(
      (
        await send(proxy.port, {
          host: 'docs.test',
          path: '/private/page',
          headers: { authorization: value },
        })
      ).status,
      200,
    );
  });

  test('the realm option: only lines of that realm count', async () => {
    const c = await challenge('realm.test');
    assert.equal(c.realm, 'vault');
    const eve = authorization(c, 'eve', 'secret', { uri: '/', nc: 1 });
    assert.equal(
      (await send(proxy.port, { host: 'realm.test', headers: { authorization: eve } })).status,
      200,
    );
    const other = authorization({ ...c, realm: 'traefik' }, 'test', 'test', { uri: '/', nc: 2 });
    assert.equal(
      (await send(proxy.port, { host: 'realm.test', headers: { authorization: other } })).status,
      401,
    );
  });
});

describe('digestAuth with bad lines', () => {
  test('a line without realm or with a hash that is not an MD5 HA1 disables the router', async () => {
    const origin = await startOrigin('app');
    const proxy = await startProxy({
      routers: {
        'bad@file': { rule: 'Host(`bad.test`)', service: 'app@file', middlewares: ['bad@file'] },
        'ok@file': { rule: 'Host(`ok.test`)', service: 'app@file' },
      },
      services: { 'app@file': service(origin) },
      middlewares: { 'bad@file': { digestAuth: { users: ['test:traefik:plaintext'] } } },
    });
    try {
      const error = proxy.outcome.errors.find((e) => e.path === 'http.middlewares.bad@file.users[0]');
      assert.ok(error);
      assert.match(error.message, /the HA1 of user "test" must be 32 lower-case hex digits/);
      assert.equal((await send(proxy.port, { host: 'bad.test' })).status, 404);
      assert.equal((await send(proxy.port, { host: 'ok.test' })).status, 200);
    } finally {
      await proxy.close();
      await origin.close();
    }
  });
});
