// A growable byte writer and a bounds-checked reader for the local store's records.

export class ByteWriter {
  #buf = Buffer.allocUnsafe(256);
  #length = 0;

  u8(v: number): this {
    this.#room(1);
    this.#buf.writeUInt8(v, this.#length);
    this.#length += 1;
    return this;
  }

  u32(v: number): this {
    this.#room(4);
    this.#buf.writeUInt32LE(v, this.#length);
    this.#length += 4;
    return this;
  }

  /** Revisions and versions: integers up to 2^53, stored in 8 bytes. */
  u64(v: number): this {
    this.#room(8);
    this.#buf.writeBigUInt64LE(BigInt(v), this.#length);
    this.#length += 8;
    return this;
  }

  bytes(v: Uint8Array): this {
    this.u32(v.byteLength);
    this.#room(v.byteLength);
    this.#buf.set(v, this.#length);
    this.#length += v.byteLength;
    return this;
  }

  string(v: string): this {
    return this.bytes(Buffer.from(v, 'utf8'));
  }

  finish(): Buffer {
    return this.#buf.subarray(0, this.#length);
  }

  #room(n: number): void {
    if (this.#length + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#length + n));
    this.#buf.copy(next, 0, 0, this.#length);
    this.#buf = next;
  }
}

/** Thrown when a record does not decode; the caller turns it into STORE_CORRUPT. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export class ByteReader {
  #at = 0;
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.#at === this.buf.length;
  }

  u8(): number {
    this.#need(1);
    return this.buf.readUInt8(this.#at++);
  }

  u32(): number {
    this.#need(4);
    const v = this.buf.readUInt32LE(this.#at);
    this.#at += 4;
    return v;
  }

  u64(): number {
    this.#need(8);
    const v = this.buf.readBigUInt64LE(this.#at);
    this.#at += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError(`integer ${v} is out of range`);
    return Number(v);
  }

  /** A copy, so that a record's value does not pin the whole file buffer in memory. */
  bytes(): Buffer {
    const n = this.u32();
    this.#need(n);
    const v = Buffer.from(this.buf.subarray(this.#at, this.#at + n));
    this.#at += n;
    return v;
  }

  string(): string {
    const n = this.u32();
    this.#need(n);
    const v = this.buf.toString('utf8', this.#at, this.#at + n);
    this.#at += n;
    return v;
  }

  #need(n: number): void {
    if (this.#at + n > this.buf.length) {
      throw new DecodeError(`record ends early: needs ${n} bytes at ${this.#at} of ${this.buf.length}`);
    }
  }
}
