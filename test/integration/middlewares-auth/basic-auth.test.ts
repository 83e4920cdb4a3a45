import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  basic,
  HTPASSWD_MISSING,
  htpasswd,
  send,
  service,
  startOrigin,
  startProxy,
  type Origin,
  type Proxy,
} from './support.js';

// Hashes made at test time by Apache's htpasswd, an implementation independent of ours.
const bcryptLine = htpasswd('-B', 'alice', 'bcrypt-secret');
const md5Line = htpasswd('-m', 'bob', 'apr1-secret');
const shaLine = htpasswd('-s', 'carol', 'sha-secret');
const skip = bcryptLine === undefined ? HTPASSWD_MISSING : false;

describe('basicAuth with htpasswd hashes', { skip }, () => {
  let origin: Origin;
  let proxy: Proxy;
  let dir: string;

  before(async () => {
    origin = await startOrigin('app');
    dir = mkdtempSync(join(tmpdir(), 'switchyard-basic-'));
    const file = join(dir, 'users');
    writeFileSync(file, `# team\n\n  ${shaLine}  \n${htpasswd('-B', 'dave', 'file-secret')}\n`);
    proxy = await startProxy({
      routers: {
        'inline@file': { rule: 'Host(`inline.test`)', service: 'app@file', middlewares: ['inline@file'] },
        'file@file': { rule: 'Host(`file.test`)', service: 'app@file', middlewares: ['file@file'] },
        'docs@file': { rule: 'Host(`docs.test`)', service: 'app@file', middlewares: ['docs@file'] },
      },
      services: { 'app@file': service(origin) },
      middlewares: {
        'inline@file': {
          basicAuth: {
            users: [bcryptLine, md5Line],
            realm: 'Team "A"',
            headerField: 'X-WebAuth-User',
            removeHeader: true,
          },
        },
        'file@file': { basicAuth: { usersFile: file } },
        // Traefik's documented example: the passwords are test and test2.
        'docs@file': {
          basicAuth: {
            users: [
              'test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/',
              'test2:$apr1$d9hr9HBB$4HxwgUir3HP4EsggP/QNo0',
            ],
          },
        },
      },
    });
  });

  after(async () => {
    await proxy.close();
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases = [
    { desc: 'bcrypt (htpasswd -B)', host: 'inline.test', user: 'alice', password: 'bcrypt-secret' },
    { desc: 'apr1 MD5 (htpasswd -m)', host: 'inline.test', user: 'bob', password: 'apr1-secret' },
    { desc: 'SHA1 (htpasswd -s) from usersFile', host: 'file.test', user: 'carol', password: 'sha-secret' },
    { desc: 'bcrypt from usersFile', host: 'file.test', user: 'dave', password: 'file-secret' },
    { desc: "Traefik's documented user test", host: 'docs.test', user: 'test', password: 'test' },
    { desc: "Traefik's documented user test2", host: 'docs.test', user: 'test2', password: 'test2' },
  ];
  for (const c of cases) {
    test(`${c.desc}: the right password passes, a wrong one gets 401`, async () => {
      const good = await send(proxy.port, {
        host: c.host,
        headers: { authorization: basic(c.user, c.password) },
      });
      assert.equal(good.status, 200);
      assert.equal(good.echo?.name, 'app');
      const bad = await send(proxy.port, {
        host: c.host,
        headers: { authorization: basic(c.user, `${c.password}x`) },
      });
      assert.equal(bad.status, 401);
    });
  }

  test('401 carries the challenge with the realm, and go-http-auth body', async () => {
    const reply = await send(proxy.port, { host: 'inline.test' });
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['www-authenticate'], 'Basic realm="Team "A""');
    assert.equal(reply.headers['content-type'], 'text/plain');
    assert.equal(reply.body, '401 Unauthorized\n');
    const defaultRealm = await send(proxy.port, { host: 'file.test' });
    assert.equal(defaultRealm.headers['www-authenticate'], 'Basic realm="traefik"');
  });

  test('headerField carries the user upstream; removeHeader drops Authorization', async () => {
    const reply = await send(proxy.port, {
      host: 'inline.test',
      headers: { authorization: basic('bob', 'apr1-secret') },
    });
    assert.equal(reply.echo?.headers['x-webauth-user'], 'bob');
    assert.equal(reply.echo?.headers.authorization, undefined);
    const kept = await send(proxy.port, {
      host: 'file.test',
      headers: { authorization: basic('carol', 'sha-secret') },
    });
    assert.equal(kept.echo?.headers.authorization, basic('carol', 'sha-secret'));
  });

  test('unknown users, malformed headers and other schemes get 401', async () => {
    for (const authorization of [
      basic('mallory', 'bcrypt-secret'),
      'Basic not base64!',
      'Basic YWxpY2U=', // "alice", no colon
      'Bearer abc',
    ]) {
      const reply = await send(proxy.port, { host: 'inline.test', headers: { authorization } });
      assert.equal(reply.status, 401, authorization);
    }
  });

  test('the scheme is case-insensitive, as in Go', async () => {
    const value = basic('alice', 'bcrypt-secret').replace('Basic', 'bAsIc');
    assert.equal(
      (await send(proxy.port, { host: 'inline.test', headers: { authorization: value } })).status,
      200,
    );
  });

  test('a remembered bcrypt match answers without bcrypt, concurrent checks agree', async () => {
    const authorization = basic('alice', 'bcrypt-secret');
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => send(proxy.port, { host: 'inline.test', headers: { authorization } })),
    );
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
    const started = performance.now();
    for (let i = 0; i < 50; i++) {
      assert.equal((await send(proxy.port, { host: 'inline.test', headers: { authorization } })).status, 200);
    }
    // 50 uncached checks of a cost-5 bcrypt would take well over 250 ms in pure JavaScript.
    assert.ok(performance.now() - started < 5_000);
  });
});

describe('basicAuth with lines Traefik could never match', { skip }, () => {
  let origin: Origin;
  let proxy: Proxy;

  before(async () => {
    origin = await startOrigin('app');
    proxy = await startProxy({
      routers: {
        'guarded@file': { rule: 'Host(`guarded.test`)', service: 'app@file', middlewares: ['bad-auth@file'] },
        'open@file': { rule: 'Host(`open.test`)', service: 'app@file' },
        'missing@file': { rule: 'Host(`missing.test`)', service: 'app@file', middlewares: ['no-file@file'] },
      },
      services: { 'app@file': service(origin) },
      middlewares: {
        'bad-auth@file': {
          basicAuth: {
            users: [bcryptLine, htpasswd('-p', 'plain', 'secret'), htpasswd('-d', 'des', 'secret')],
          },
        },
        'no-file@file': { basicAuth: { usersFile: '/nonexistent/switchyard/users' } },
      },
    });
  });

  after(async () => {
    await proxy.close();
    await origin.close();
  });

  test('the middleware is in error, naming the bad line, and its router is disabled', async () => {
    const errors = proxy.outcome.errors.map((e) => ({ code: e.code, path: e.path, message: e.message }));
    // The data plane reports one error per middleware: the first bad line.
    const bad = errors.filter((e) => e.path.startsWith('http.middlewares.bad-auth@file'));
    assert.deepEqual(
      bad.map((e) => [e.code, e.path]),
      [['CONFIG_INVALID', 'http.middlewares.bad-auth@file.users[1]']],
    );
    assert.match(bad[0]!.message, /users\[1\]: the hash of user "plain" is not a supported hash/);
    assert.ok(
      errors.some((e) => e.path === 'http.routers.guarded@file.middlewares' && e.code === 'CONFIG_INVALID'),
    );
    assert.equal(
      (
        await send(proxy.port, {
          host: 'guarded.test',
          headers: { authorization: basic('alice', 'bcrypt-secret') },
        })
      ).status,
      404,
    );
  });

  test('another router keeps serving', async () => {
    const reply = await send(proxy.port, { host: 'open.test' });
    assert.equal(reply.status, 200);
    assert.equal(reply.echo?.name, 'app');
  });

  test('a missing usersFile is an error naming the file', async () => {
    const error = proxy.outcome.errors.find((e) => e.path === 'http.middlewares.no-file@file.usersFile');
    assert.ok(error);
    assert.match(error.message, /cannot read \/nonexistent\/switchyard\/users \(ENOENT\)/);
    assert.equal((await send(proxy.port, { host: 'missing.test' })).status, 404);
  });
});
