import type { Election, Term } from '../../cluster/election/index.js';
import type { DataKey } from '../../cluster/pki/index.js';
import { MAX_TXN_OPS, type TxnOp } from '../../cluster/store/index.js';
import { ConfigError } from '../../config/errors.js';

// Every write of the ACME manager: a fenced transaction of the controller's term (a
// deposed controller cannot write), conditioned on the record it updates not having
// changed since it was read (the manager's own reconciliation may have dropped it).

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The record changed under the writer; whoever changed it decides what happens next. */
export class RecordConflict extends Error {
  constructor(readonly key: string) {
    super(`${key} changed while it was being written`);
  }
}

export interface Commit {
  /** The key whose revision conditions the write (0: it must not exist). */
  readonly key: string;
  readonly revision: number;
  /** Its new value; undefined deletes it. */
  readonly value: Uint8Array | string | undefined;
  readonly puts?: readonly (readonly [key: string, value: Uint8Array | string])[];
  readonly deletes?: readonly string[];
}

const bytes = (value: Uint8Array | string): Uint8Array =>
  typeof value === 'string' ? encoder.encode(value) : value;

// Room for the fence's compares and the failure branch's read.
const MAX_OPS = MAX_TXN_OPS - 8;

export class AcmeWriter {
  readonly #election: Pick<Election, 'fencedTxn'>;
  readonly #term: Term;
  readonly #dataKey: DataKey;

  constructor(election: Pick<Election, 'fencedTxn'>, term: Term, dataKey: DataKey) {
    this.#election = election;
    this.#term = term;
    this.#dataKey = dataKey;
  }

  /** Writes the commit in one transaction; its revision. RecordConflict when the key moved. */
  async commit(commit: Commit): Promise<number> {
    const ops: TxnOp[] = [
      commit.value === undefined
        ? { type: 'delete', key: commit.key }
        : { type: 'put', key: commit.key, value: bytes(commit.value) },
    ];
    for (const [key, value] of commit.puts ?? []) {
      ops.push({ type: 'put', key, value: bytes(value) });
    }
    for (const key of commit.deletes ?? []) ops.push({ type: 'delete', key });
    if (ops.length > MAX_OPS) {
      throw new ConfigError(
        'ACME_CA',
        commit.key,
        `one step would write ${ops.length} keys, more than ${MAX_OPS}`,
      );
    }
    const res = await this.#election.fencedTxn(this.#term, {
      compare: [{ key: commit.key, target: 'modRevision', op: '=', value: commit.revision }],
      success: ops,
    });
    if (!res.succeeded) throw new RecordConflict(commit.key);
    return res.revision;
  }

  /** Writes keys without a condition (router errors, cleanup), in as many transactions as needed. */
  async write(puts: readonly (readonly [string, string])[], deletes: readonly string[]): Promise<void> {
    const ops: TxnOp[] = [
      ...puts.map(([key, text]): TxnOp => ({ type: 'put', key, value: encoder.encode(text) })),
      ...deletes.map((key): TxnOp => ({ type: 'delete', key })),
    ];
    for (let at = 0; at < ops.length; at += MAX_OPS) {
      await this.#election.fencedTxn(this.#term, { success: ops.slice(at, at + MAX_OPS) });
    }
  }

  seal(plaintext: string, aad: string): Promise<Uint8Array> {
    return this.#dataKey.seal(plaintext, aad);
  }

  async open(sealed: Uint8Array, aad: string): Promise<string> {
    const opened = await this.#dataKey.open(sealed, aad);
    if (!opened.ok) throw new ConfigError('ACME_CA', aad, opened.error.message, { cause: opened.error });
    return decoder.decode(opened.value);
  }
}
