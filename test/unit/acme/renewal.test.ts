import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renewalWindow, renewAt } from '../../../src/controller/acme/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("renewal window (Traefik's table)", () => {
  const cases = [
    { desc: '1 year or more', hours: 365 * 24, renewBefore: 120 * DAY, every: 7 * DAY },
    { desc: '90 days (the default)', hours: 2160, renewBefore: 30 * DAY, every: DAY },
    { desc: '89 days', hours: 89 * 24, renewBefore: DAY, every: HOUR },
    { desc: '7 days', hours: 7 * 24, renewBefore: DAY, every: HOUR },
    { desc: '1 day', hours: 24, renewBefore: 6 * HOUR, every: 10 * 60_000 },
    { desc: 'under a day', hours: 23, renewBefore: 20 * 60_000, every: 60_000 },
  ];
  for (const c of cases) {
    test(c.desc, () =>
      assert.deepEqual(renewalWindow(c.hours), { renewBeforeMs: c.renewBefore, checkEveryMs: c.every }),
    );
  }
});

describe('renewAt', () => {
  const window = renewalWindow(2160);
  const notAfter = Date.parse('2030-06-01T00:00:00Z');
  test('without ARI: the window before expiry', () => {
    assert.equal(
      renewAt(notAfter, window, undefined, () => 0.5),
      notAfter - 30 * DAY,
    );
  });
  test('with ARI: a point drawn uniformly inside the suggested window', () => {
    const suggested = { start: notAfter - 10 * DAY, end: notAfter - 8 * DAY };
    assert.equal(
      renewAt(notAfter, window, suggested, () => 0),
      suggested.start,
    );
    assert.equal(
      renewAt(notAfter, window, suggested, () => 0.5),
      suggested.start + DAY,
    );
    assert.ok(renewAt(notAfter, window, suggested, () => 0.999999) < suggested.end);
  });
  test('an empty suggested window is ignored', () => {
    assert.equal(
      renewAt(notAfter, window, { start: 5, end: 5 }, () => 0.5),
      notAfter - 30 * DAY,
    );
  });
});
