import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nextFileState, unreadableFileState, type FileState } from '../../../src/providers/index.js';

const GOOD_A = 'http:\n  routers:\n    a:\n      rule: Host(`a`)\n      service: s\n';
const GOOD_B = 'http:\n  routers:\n    b:\n      rule: Host(`b`)\n      service: s\n';
const BROKEN = 'http:\n  routers:\n    a: [\n';
const HALF_VALID =
  'http:\n  routers:\n    a:\n      rule: Host(`a`)\n      service: s\n    bad:\n      service: s\n';

type Step = { read: string } | { unreadable: true };
const cases: {
  desc: string;
  steps: Step[];
  routers: string[];
  errors: [code: string, path: string][];
  kept?: boolean;
}[] = [
  { desc: 'good content is in force', steps: [{ read: GOOD_A }], routers: ['a'], errors: [] },
  {
    desc: 'new good content replaces the old',
    steps: [{ read: GOOD_A }, { read: GOOD_B }],
    routers: ['b'],
    errors: [],
  },
  {
    desc: 'content that does not parse keeps the previous content in force, and says where it broke',
    steps: [{ read: GOOD_A }, { read: BROKEN }],
    routers: ['a'],
    errors: [['CONFIG_PARSE', 'app.yml:4:1']],
    kept: true,
  },
  {
    desc: 'a fix after a break is taken',
    steps: [{ read: GOOD_A }, { read: BROKEN }, { read: GOOD_B }],
    routers: ['b'],
    errors: [],
  },
  {
    desc: 'a file broken from the start gives nothing',
    steps: [{ read: BROKEN }],
    routers: [],
    errors: [['CONFIG_PARSE', 'app.yml:4:1']],
    kept: false,
  },
  {
    desc: 'content that parses but has an invalid resource drops that resource only',
    steps: [{ read: GOOD_B }, { read: HALF_VALID }],
    routers: ['a'],
    errors: [['CONFIG_INVALID', 'app.yml: http.routers.bad.rule']],
  },
  {
    desc: 'a file that cannot be read keeps its previous content in force',
    steps: [{ read: GOOD_A }, { unreadable: true }],
    routers: ['a'],
    errors: [['CONFIG_PARSE', 'app.yml']],
    kept: true,
  },
  {
    desc: 'the same text after an unreadable spell is parsed again',
    steps: [{ read: BROKEN }, { unreadable: true }, { read: BROKEN }],
    routers: [],
    errors: [['CONFIG_PARSE', 'app.yml:4:1']],
  },
];

describe('nextFileState', () => {
  for (const c of cases) {
    test(c.desc, () => {
      let state: FileState | undefined;
      for (const step of c.steps) {
        state =
          'read' in step
            ? nextFileState('app.yml', step.read, state)
            : unreadableFileState('app.yml', new Error('EACCES: permission denied'), state);
      }
      assert.ok(state);
      assert.deepEqual(Object.keys(state.config.http.routers), c.routers);
      assert.deepEqual(
        state.errors.map((e) => [e.code, e.path]),
        c.errors,
      );
      if (c.kept !== undefined) {
        assert.equal(state.errors[0]!.detail.includes('previous content stays in force'), c.kept);
      }
    });
  }

  test('reading the same text again returns the same state, without parsing', () => {
    const first = nextFileState('app.yml', BROKEN, nextFileState('app.yml', GOOD_A, undefined));
    assert.equal(nextFileState('app.yml', BROKEN, first), first);
  });

  test('a file that is not YAML or TOML is refused (the caller lists only those)', () => {
    assert.throws(() => nextFileState('app.json', '{}', undefined), /not a \.yml, \.yaml or \.toml file/);
  });
});
