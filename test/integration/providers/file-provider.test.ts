import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileProvider, type ProviderMessage } from '../../../src/providers/index.js';

const WAIT_MS = 5000;

/** Collects a provider's messages and waits, within a bound, for one that matches. */
class Inbox {
  readonly messages: ProviderMessage[] = [];
  #waiters: { match: (m: ProviderMessage) => boolean; resolve: (m: ProviderMessage) => void }[] = [];

  readonly emit = (message: ProviderMessage): void => {
    this.messages.push(message);
    this.#waiters = this.#waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
  };

  /** The first message from now on (or the latest already received) that matches. */
  next(match: (m: ProviderMessage) => boolean, what: string): Promise<ProviderMessage> {
    const latest = this.messages.at(-1);
    if (latest && match(latest)) return Promise.resolve(latest);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no message with ${what} within ${WAIT_MS} ms`)),
        WAIT_MS,
      );
      this.#waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }
}

const routers = (m: ProviderMessage): string[] => Object.keys(m.config.http.routers).sort();
const hasRouters =
  (...names: string[]) =>
  (m: ProviderMessage) =>
    routers(m).join() === [...names].sort().join();
const router = (name: string, host = name) =>
  `http:\n  routers:\n    ${name}:\n      rule: Host(\`${host}.example.com\`)\n      service: api\n`;

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'switchyard-file-provider-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function started(options: ConstructorParameters<typeof FileProvider>[0]) {
  const inbox = new Inbox();
  const provider = new FileProvider({ debounceMs: 30, ...options });
  await provider.start(inbox.emit);
  return { inbox, provider };
}

describe('FileProvider watching a directory', () => {
  test('write, change, break, fix, delete, rename, nested directories', async (t) => {
    const dir = join(root, 'lifecycle');
    await mkdir(dir);
    await writeFile(join(dir, 'a.yml'), router('a'));
    const { inbox, provider } = await started({ directory: dir });
    t.after(() => provider.stop());

    const first = inbox.messages[0];
    assert.ok(first, 'start() emits the initial configuration');
    assert.equal(first.provider, 'file');
    assert.deepEqual(routers(first), ['a']);
    assert.deepEqual(first.errors, []);

    await writeFile(
      join(dir, 'b.toml'),
      '[http.routers.b]\nrule = "Host(`b.example.com`)"\nservice = "api"\n',
    );
    await inbox.next(hasRouters('a', 'b'), 'a new TOML file');

    await writeFile(join(dir, 'a.yml'), router('a2'));
    await inbox.next(hasRouters('a2', 'b'), 'a changed file');

    await writeFile(join(dir, 'a.yml'), 'http:\n  routers:\n    broken: [\n');
    const broken = await inbox.next((m) => m.errors.length > 0, 'a parse error');
    assert.deepEqual(routers(broken), ['a2', 'b'], 'the broken file keeps its previous content in force');
    assert.equal(broken.errors.length, 1);
    assert.equal(broken.errors[0]!.code, 'CONFIG_PARSE');
    assert.equal(broken.errors[0]!.path, `${join(dir, 'a.yml')}:4:1`);

    await writeFile(join(dir, 'a.yml'), router('a3'));
    const fixed = await inbox.next(hasRouters('a3', 'b'), 'the fixed file');
    assert.deepEqual(fixed.errors, []);

    await rm(join(dir, 'b.toml'));
    await inbox.next(hasRouters('a3'), 'the deleted file gone');

    // How editors save: write a temporary file, then rename it over the real one.
    await writeFile(join(dir, '.a.yml.tmp'), router('a4'));
    await rename(join(dir, '.a.yml.tmp'), join(dir, 'a.yml'));
    await inbox.next(hasRouters('a4'), 'the renamed-over file');

    await rename(join(dir, 'a.yml'), join(dir, 'a.txt'));
    await inbox.next(hasRouters(), 'a file renamed to another extension dropped');

    await mkdir(join(dir, 'sub', 'deeper'), { recursive: true });
    await writeFile(join(dir, 'sub', 'deeper', 'c.yaml'), router('c'));
    await inbox.next(hasRouters('c'), 'a file in a new nested directory');

    await rm(join(dir, 'sub'), { recursive: true });
    const last = await inbox.next(hasRouters(), 'the nested directory removed');
    assert.deepEqual(last.errors, []);
  });

  test('hidden files and other extensions do not count, even when they change', async (t) => {
    const dir = join(root, 'ignored');
    await mkdir(dir);
    await writeFile(join(dir, 'a.yml'), router('a'));
    const { inbox, provider } = await started({ directory: dir });
    t.after(() => provider.stop());

    await writeFile(join(dir, '.hidden.yml'), router('hidden'));
    await writeFile(join(dir, 'notes.json'), '{}');
    await writeFile(join(dir, 'b.yml'), router('b'));
    await inbox.next(hasRouters('a', 'b'), 'the visible file');
    assert.ok(inbox.messages.every((m) => !routers(m).includes('hidden')));
  });

  test('a burst of writes gives few messages, the last one with the final content', async (t) => {
    const dir = join(root, 'burst');
    await mkdir(dir);
    const { inbox, provider } = await started({ directory: dir });
    t.after(() => provider.stop());
    const before = inbox.messages.length;

    for (let i = 0; i < 20; i++) await writeFile(join(dir, 'a.yml'), router(`r${i}`));
    await inbox.next(hasRouters('r19'), 'the final content');
    assert.ok(
      inbox.messages.length - before <= 3,
      `got ${inbox.messages.length - before} messages for 20 writes`,
    );
  });

  test('the same content again emits nothing', async (t) => {
    const dir = join(root, 'same');
    await mkdir(dir);
    await writeFile(join(dir, 'a.yml'), router('a'));
    const { inbox, provider } = await started({ directory: dir });
    t.after(() => provider.stop());

    await writeFile(join(dir, 'a.yml'), router('a'));
    await writeFile(join(dir, 'b.yml'), router('b'));
    await inbox.next(hasRouters('a', 'b'), 'the second file');
    assert.deepEqual(inbox.messages.map(routers), [['a'], ['a', 'b']]);
  });

  test('a file defining a resource differently from an earlier one is reported, the earlier kept', async (t) => {
    const dir = join(root, 'conflict');
    await mkdir(dir);
    await writeFile(join(dir, 'a.yml'), router('web', 'first'));
    await writeFile(join(dir, 'b.yml'), router('web', 'second'));
    const { inbox, provider } = await started({ directory: dir });
    t.after(() => provider.stop());

    const [message] = inbox.messages;
    assert.equal(message!.config.http.routers.web?.rule, 'Host(`first.example.com`)');
    assert.deepEqual(
      message!.errors.map((e) => [e.code, e.path]),
      [['CONFIG_CONFLICT', `${join(dir, 'b.yml')}: http.routers.web`]],
    );
  });

  test('a directory that does not exist is reported, not thrown', async (t) => {
    const { inbox, provider } = await started({ directory: join(root, 'missing'), watch: false });
    t.after(() => provider.stop());
    assert.equal(inbox.messages.length, 1);
    assert.deepEqual(routers(inbox.messages[0]!), []);
    assert.equal(inbox.messages[0]!.errors[0]?.code, 'CONFIG_PARSE');
    assert.match(inbox.messages[0]!.errors[0]!.detail, /cannot read the directory/);
  });
});

describe('FileProvider watching one file', () => {
  test('changes to the file are seen, including a rename over it; its neighbours are not read', async (t) => {
    const dir = join(root, 'single');
    await mkdir(dir);
    const file = join(dir, 'dynamic.toml');
    await writeFile(file, '[http.routers.a]\nrule = "Host(`a`)"\nservice = "api"\n');
    const { inbox, provider } = await started({ filename: file });
    t.after(() => provider.stop());
    assert.deepEqual(routers(inbox.messages[0]!), ['a']);

    await writeFile(join(dir, 'other.yml'), router('other'));
    await writeFile(join(dir, 'dynamic.toml.tmp'), '[http.routers.b]\nrule = "Host(`b`)"\nservice = "api"\n');
    await rename(join(dir, 'dynamic.toml.tmp'), file);
    await inbox.next(hasRouters('b'), 'the file renamed over');

    await writeFile(file, '[http.routers.b]\nrule = \n');
    const broken = await inbox.next((m) => m.errors.length > 0, 'a parse error');
    assert.deepEqual(routers(broken), ['b']);
    assert.equal(broken.errors[0]!.path, `${file}:2:8`);
    assert.ok(inbox.messages.every((m) => !routers(m).includes('other')));
  });

  test('without watch, one message and no more', async (t) => {
    const dir = join(root, 'nowatch');
    await mkdir(dir);
    const file = join(dir, 'dynamic.yml');
    await writeFile(file, router('a'));
    const { inbox, provider } = await started({ filename: file, watch: false });
    t.after(() => provider.stop());
    await writeFile(file, router('b'));
    // Nothing can arrive without a watcher; a short look confirms no timer was left behind either.
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(inbox.messages.map(routers), [['a']]);
  });

  test('options that name no file are refused', () => {
    assert.throws(() => new FileProvider({}), /set either directory or filename/);
    assert.throws(() => new FileProvider({ filename: 'dynamic.json' }), /not a \.yml, \.yaml or \.toml file/);
  });
});
