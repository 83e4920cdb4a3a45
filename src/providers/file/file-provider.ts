import { watch, type FSWatcher } from 'chokidar';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../../config/errors.js';
import type { Emit, Provider, ProviderMessage } from '../provider.js';
import { stableStringify } from '../stable-json.js';
import { nextFileState, unreadableFileState, type FileState } from './file-state.js';
import { isHidden, listConfigFiles } from './list-files.js';
import { mergeFileConfigs } from './merge-files.js';
import { formatOf } from './parse-text.js';

/** Traefik's `providers.file` options. */
export interface FileProviderOptions {
  /** Every .yml, .yaml and .toml file below it, subdirectories included. Wins over `filename`, as in Traefik. */
  readonly directory?: string;
  readonly filename?: string;
  /** Re-read on change. Traefik's default is true. */
  readonly watch?: boolean;
  /** How long the files must be quiet before they are read again, so that a burst of writes gives one message. */
  readonly debounceMs?: number;
}

const DEFAULT_DEBOUNCE_MS = 100;

/**
 * The file provider's I/O shell: lists and reads files, keeps each file's state (see
 * nextFileState for why a broken file keeps its previous content), merges them and emits
 * the whole result. On any change below the watched path it reads everything again, which
 * is cheap at configuration sizes and cannot miss an editor's rename dance.
 */
export class FileProvider implements Provider {
  readonly name = 'file';
  readonly #directory: string | undefined;
  readonly #filename: string | undefined;
  readonly #watch: boolean;
  readonly #debounceMs: number;
  #states = new Map<string, FileState>();
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  #checks = 0;
  #stopped = false;
  #lastEmitted = '';
  #emit: Emit | undefined;

  constructor(options: FileProviderOptions) {
    if (!options.directory && !options.filename) {
      throw new Error('providers.file: set either directory or filename');
    }
    if (!options.directory && options.filename && !formatOf(options.filename)) {
      throw new Error(`providers.file.filename: ${options.filename} is not a .yml, .yaml or .toml file`);
    }
    this.#directory = options.directory || undefined;
    this.#filename = this.#directory ? undefined : options.filename;
    this.#watch = options.watch ?? true;
    this.#debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  }

  async start(emit: Emit): Promise<void> {
    this.#emit = emit;
    // The watcher is ready before the first read, so that no change falls between the two.
    if (this.#watch) this.#watcher = await this.#startWatcher();
    await this.#refresh();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#watcher?.close();
    await this.#chain;
  }

  async #startWatcher(): Promise<FSWatcher> {
    const root = resolve(this.#directory ?? dirname(this.#filename!));
    const file = this.#filename && resolve(this.#filename);
    const watcher = watch(root, {
      ignoreInitial: true,
      // A single file is watched through its directory, as Traefik does, so that a rename
      // over it (how most editors save) is seen.
      depth: file ? 0 : undefined,
      ignored: (path: string) => {
        if (path === root) return false;
        if (file) return path !== file;
        return relative(root, path).split(sep).some(isHidden);
      },
    });
    watcher.on('all', (event, path) => {
      const isFileEvent = event === 'add' || event === 'change' || event === 'unlink';
      if (isFileEvent && !formatOf(path)) return;
      this.#onEvent();
    });
    // Watch errors (a directory removed under the watcher, say) are followed by a read that reports them.
    watcher.on('error', () => this.#onEvent());
    await new Promise<void>((ready) => watcher.once('ready', ready));
    return watcher;
  }

  /**
   * A watch event asks for two reads, one after the other, each once the files have been
   * quiet for the debounce delay: chokidar drops a file's repeated change events within
   * 50 ms of each other, so a write right after another may come without an event of
   * its own. Any read that finds a change asks for one more, until the files settle.
   */
  #onEvent(): void {
    this.#checks = 2;
    this.#arm();
  }

  #arm(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#check(), this.#debounceMs);
  }

  async #check(): Promise<void> {
    if (this.#checks === 0) return;
    this.#checks--;
    if (await this.#refresh()) this.#checks = Math.max(this.#checks, 1);
    if (this.#checks > 0) this.#arm();
  }

  /** Reads everything and emits the result if it differs from the last one; reads never overlap. */
  #refresh(): Promise<boolean> {
    const run = this.#chain.then(async () => {
      if (this.#stopped) return false;
      const message = await this.#read();
      const key = stableStringify(message);
      if (this.#stopped || key === this.#lastEmitted) return false;
      this.#lastEmitted = key;
      this.#emit?.(message);
      return true;
    });
    this.#chain = run.catch(() => false);
    return run;
  }

  async #read(): Promise<ProviderMessage> {
    const errors: ConfigError[] = [];
    let paths: string[];
    if (this.#directory) {
      try {
        const listed = await listConfigFiles(this.#directory);
        paths = listed.files;
        errors.push(...listed.errors);
      } catch (cause) {
        // As Traefik: a directory that cannot be read leaves the configuration as it was.
        const detail = `cannot read the directory: ${cause instanceof Error ? cause.message : String(cause)}`;
        errors.push(new ConfigError('CONFIG_PARSE', this.#directory, detail, { cause }));
        paths = [...this.#states.keys()];
        return this.#message(paths, errors);
      }
    } else {
      paths = [this.#filename!];
    }
    const states = new Map<string, FileState>();
    await Promise.all(
      paths.map(async (path) => {
        const previous = this.#states.get(path);
        try {
          states.set(path, nextFileState(path, await readFile(path, 'utf8'), previous));
        } catch (cause) {
          // In a directory, a file listed then gone was deleted in between: it is dropped.
          const deleted = this.#directory && (cause as NodeJS.ErrnoException).code === 'ENOENT';
          if (!deleted) states.set(path, unreadableFileState(path, cause, previous));
        }
      }),
    );
    this.#states = states;
    return this.#message(
      paths.filter((path) => states.has(path)),
      errors,
    );
  }

  #message(paths: readonly string[], errors: ConfigError[]): ProviderMessage {
    const files = paths.map((path) => ({ path, state: this.#states.get(path)! }));
    const merged = mergeFileConfigs(files.map(({ path, state }) => ({ file: path, config: state.config })));
    return {
      provider: this.name,
      config: merged.config,
      errors: [...errors, ...files.flatMap(({ state }) => state.errors), ...merged.errors],
    };
  }
}
