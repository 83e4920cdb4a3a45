import { ConfigError } from '../config/errors.js';
import type { ControlMessage, Entry } from './messages.js';

// The data node's side of the stream, without I/O: it puts chunks back together, checks
// that each version follows the one it serves, and says what to do. The serving version
// changes only through commit(), once the data plane has taken a version.

export interface AppliedVersion {
  readonly revision: number;
  readonly entries: ReadonlyMap<string, string>;
}

export type Step =
  /** Nothing to do yet (a chunk that is not the last, a keepalive, a message while resyncing). */
  | { readonly kind: 'none' }
  /** The stream lost its place: say hello again with the revision served. */
  | { readonly kind: 'resync'; readonly reason: string }
  /** The version is the one serving: acknowledge it without applying. */
  | { readonly kind: 'ack'; readonly revision: number }
  /** The version is refused before applying it. */
  | { readonly kind: 'nack'; readonly revision: number; readonly errors: readonly ConfigError[] }
  /** A whole new version to apply. */
  | { readonly kind: 'apply'; readonly revision: number; readonly entries: Map<string, string> };

type Assembly =
  | { readonly kind: 'snapshot'; readonly revision: number; next: number; readonly entries: Entry[] }
  | {
      readonly kind: 'delta';
      readonly fromRevision: number;
      readonly revision: number;
      next: number;
      readonly puts: Entry[];
      readonly deletes: string[];
    };

export class ClientState {
  #applied: AppliedVersion | undefined;
  #assembly: Assembly | undefined;
  /** A resync hello is out: gaps are expected until its answer starts. */
  #resyncing = false;

  constructor(applied?: AppliedVersion) {
    this.#applied = applied;
  }

  get applied(): AppliedVersion | undefined {
    return this.#applied;
  }

  /** The data plane took this version. */
  commit(version: AppliedVersion): void {
    this.#applied = version;
  }

  /** A new stream: whatever was half received on the old one is dropped. */
  reconnected(): void {
    this.#assembly = undefined;
    this.#resyncing = false;
  }

  receive(message: ControlMessage): Step {
    if (message.type === 'keepalive') return { kind: 'none' };
    const current = this.#applied?.revision;
    if (message.chunk === 0) {
      if (message.type === 'delta' && message.fromRevision !== current) {
        this.#assembly = undefined;
        return this.#resync(`a delta from revision ${message.fromRevision}, serving ${String(current)}`);
      }
      this.#resyncing = false;
      this.#assembly =
        message.type === 'snapshot'
          ? { kind: 'snapshot', revision: message.revision, next: 0, entries: [] }
          : {
              kind: 'delta',
              fromRevision: message.fromRevision,
              revision: message.revision,
              next: 0,
              puts: [],
              deletes: [],
            };
    }
    const assembly = this.#assembly;
    if (assembly === undefined)
      return this.#resyncing ? { kind: 'none' } : this.#resync('a chunk without its start');
    const fits =
      assembly.kind === message.type &&
      assembly.revision === message.revision &&
      assembly.next === message.chunk &&
      (message.type === 'snapshot' ||
        (assembly.kind === 'delta' && assembly.fromRevision === message.fromRevision));
    if (!fits) {
      this.#assembly = undefined;
      return this.#resync(`chunk ${message.chunk} of ${message.type} ${message.revision} out of order`);
    }
    assembly.next++;
    if (message.type === 'snapshot')
      for (const entry of message.entries) (assembly as { entries: Entry[] }).entries.push(entry);
    else if (assembly.kind === 'delta') {
      for (const put of message.puts) assembly.puts.push(put);
      for (const key of message.deletes) assembly.deletes.push(key);
    }
    if (!message.last) return { kind: 'none' };
    this.#assembly = undefined;
    return this.#complete(assembly);
  }

  #complete(assembly: Assembly): Step {
    const current = this.#applied;
    if (assembly.kind === 'snapshot') {
      if (current !== undefined && assembly.revision < current.revision) {
        return {
          kind: 'nack',
          revision: assembly.revision,
          errors: [
            new ConfigError(
              'CONFIG_STALE',
              '',
              `revision ${assembly.revision} is older than revision ${current.revision}, which this node serves`,
            ),
          ],
        };
      }
      if (current !== undefined && assembly.revision === current.revision) {
        return { kind: 'ack', revision: assembly.revision };
      }
      return { kind: 'apply', revision: assembly.revision, entries: new Map(assembly.entries) };
    }
    // Checked at chunk 0, but a commit may have happened since (an apply finishing late).
    if (current?.revision !== assembly.fromRevision) {
      return this.#resync(
        `a delta from revision ${assembly.fromRevision}, serving ${String(current?.revision)}`,
      );
    }
    const entries = new Map(current.entries);
    for (const [key, text] of assembly.puts) entries.set(key, text);
    for (const key of assembly.deletes) entries.delete(key);
    return { kind: 'apply', revision: assembly.revision, entries };
  }

  #resync(reason: string): Step {
    if (this.#resyncing) return { kind: 'none' };
    this.#resyncing = true;
    return { kind: 'resync', reason };
  }
}
