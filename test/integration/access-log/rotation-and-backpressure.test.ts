import assert from 'node:assert/strict';
import { readFile, rename } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { request, service, startOrigin } from '../dataplane/harness.js';
import type { Origin } from '../dataplane/harness.js';
import { eventually } from '../services/harness.js';
import { startLogged } from './harness.js';

const routed = (origin: Origin) => ({
  routers: { 'app@file': { rule: 'Host(`app.test`)', service: 'app@file' } },
  services: { 'app@file': service(origin) },
});

const pathsIn = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => /"GET (\S+) /.exec(line)?.[1] ?? line);

describe('access log rotation and a slow destination', { timeout: 30_000 }, () => {
  let origin: Origin;
  before(async () => {
    origin = await startOrigin('app');
  });
  after(async () => {
    await origin.close();
  });

  test('reopen() after the file was moved away writes new lines to a new file', async () => {
    const logged = await startLogged({ http: routed(origin) });
    try {
      await request(logged.port, { path: '/before-1' });
      await request(logged.port, { path: '/before-2' });
      await logged.waitForLines(2);
      // What logrotate does before it sends SIGUSR1.
      await rename(logged.file, `${logged.file}.1`);
      await logged.accessLog.reopen();
      await request(logged.port, { path: '/after' });
      await logged.waitForLines(1);
      assert.deepEqual(pathsIn(await readFile(logged.file, 'utf8')), ['/after']);
      await eventually(async () => pathsIn(await readFile(`${logged.file}.1`, 'utf8')).length === 2);
      assert.deepEqual(pathsIn(await readFile(`${logged.file}.1`, 'utf8')), ['/before-1', '/before-2']);
    } finally {
      await logged.close();
    }
  });

  test('a destination that takes nothing never holds up a request: lines past the bound are dropped', async () => {
    let written = 0;
    let firstLines = 0;
    // Accepts one write and never finishes it: everything after waits, then is dropped.
    const stuck = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, _done) {
        written++;
        firstLines = chunk.toString('utf8').split('\n').length - 1;
      },
    });
    const logged = await startLogged({
      http: routed(origin),
      accessLog: { bufferingSize: 5 },
      destination: { reopens: false, open: () => Promise.resolve(stuck) },
    });
    try {
      const started = Date.now();
      for (let i = 0; i < 40; i++) {
        const reply = await request(logged.port, { path: `/r${i}` });
        assert.equal(reply.status, 200);
      }
      assert.ok(Date.now() - started < 10_000, 'every request was answered without waiting on the log');
      // The first write took the lines of its flush delay; then 5 waited and the rest went.
      await eventually(() => written === 1 && logged.accessLog.dropped === 40 - firstLines - 5);
      assert.ok(firstLines >= 1);
      assert.equal(written, 1);
    } finally {
      const closing = Date.now();
      await logged.close();
      assert.ok(Date.now() - closing < 8_000, 'close() gives up on a stuck destination');
    }
  });

  test('reopen() on stdout does nothing, and close() leaves stdout open', async () => {
    const logged = await startLogged({
      http: routed(origin),
      destination: { reopens: false, open: () => Promise.resolve(process.stdout) },
    });
    try {
      await logged.accessLog.reopen();
      assert.equal(process.stdout.writableEnded, false);
    } finally {
      await logged.close();
      assert.equal(process.stdout.writableEnded, false);
    }
  });
});
