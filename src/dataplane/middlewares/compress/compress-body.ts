import type { OutgoingHttpHeader } from 'node:http';
import type { Transform } from 'node:stream';
import type { BodyFilter, FilteredBody, HeadHeaders } from '../response-head/index.js';
import type { Encoding } from './accept-encoding.js';
import { createEncoder, flushEncoder } from './encoders.js';
import type { TypeFilter } from './type-filter.js';

/** What a compress middleware does with a response, for one negotiated encoding. */
export interface CompressPlan {
  readonly encoding: Encoding;
  readonly minSize: number;
  readonly types: TypeFilter;
}

/**
 * compress's head hook, deciding as Traefik's compression handlers do. Vary:
 * Accept-Encoding always; then nothing more for a response without a body (204, 304), one
 * the service already encoded or sent a range of, one whose Content-Type is excluded (or
 * not included, or unreadable), or one whose Content-Length is below minSize: decided on
 * the head alone, such a response goes out untouched, with nothing set up for its body.
 * A Content-Length of minSize or more is compressed from the first byte; without one, up
 * to minSize bytes are held back to learn which it is.
 */
export function decideCompression(
  head: HeadHeaders,
  status: number,
  plan: CompressPlan,
): BodyFilter | undefined {
  addVary(head);
  if (status === 204 || status === 304 || !compressible(head, plan.types)) return undefined;
  const length = contentLength(head.get('content-length'));
  if (length === undefined) return new HeldCompression(plan);
  if (length < plan.minSize) return undefined;
  markCompressed(head, plan.encoding);
  return new Compression(plan.encoding);
}

/** A body compressed as it streams, its head already saying so. */
class Compression implements BodyFilter {
  readonly holdsHead = false;
  #encoder: Transform | null = null;
  #flushing = false;

  constructor(readonly encoding: Encoding) {}

  write(chunk: Buffer, out: FilteredBody): boolean {
    const encoder = this.#encoder ?? this.#start(out);
    const more = encoder.write(chunk);
    // Flush once the writer pauses, so a streamed response is not held in the compressor.
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(flushLater, this);
    }
    return more;
  }

  end(out: FilteredBody): void {
    (this.#encoder ?? this.#start(out)).end();
  }

  /** Flushes the compressor, unless the response ended meanwhile. */
  flushNow(): void {
    this.#flushing = false;
    const encoder = this.#encoder;
    if (encoder !== null && !encoder.writableEnded && !encoder.destroyed)
      flushEncoder(encoder, this.encoding);
  }

  #start(out: FilteredBody): Transform {
    const encoder = createEncoder(this.encoding);
    this.#encoder = encoder;
    const res = out.response;
    encoder.on('data', (compressed: Buffer) => {
      if (out.pass(compressed)) return;
      encoder.pause();
      res.once('drain', () => encoder.resume());
    });
    encoder.once('end', () => out.finish());
    encoder.once('error', () => res.destroy());
    // The writer waits for the response's 'drain' when the compressor is full.
    encoder.on('drain', () => res.emit('drain'));
    // The client left, or the writer gave up on the response.
    res.once('close', () => encoder.destroy());
    return encoder;
  }
}

function flushLater(compression: Compression): void {
  compression.flushNow();
}

/**
 * A body of unknown length: up to minSize bytes are held with the head. Reaching minSize
 * means it is compressed; ending before means it goes out as it came, its length now
 * known. Nothing more than minSize is ever held.
 */
class HeldCompression implements BodyFilter {
  readonly holdsHead = true;
  #held: Buffer[] = [];
  #heldSize = 0;
  #compression: Compression | null = null;

  constructor(readonly plan: CompressPlan) {}

  write(chunk: Buffer, out: FilteredBody): boolean {
    if (this.#compression !== null) return this.#compression.write(chunk, out);
    this.#held.push(chunk);
    this.#heldSize += chunk.length;
    if (this.#heldSize < this.plan.minSize) return true;
    markCompressed(out.head, this.plan.encoding);
    out.commitHead();
    const compression = new Compression(this.plan.encoding);
    this.#compression = compression;
    const held = Buffer.concat(this.#held, this.#heldSize);
    this.#held = [];
    return compression.write(held, out);
  }

  end(out: FilteredBody): void {
    if (this.#compression !== null) {
      this.#compression.end(out);
      return;
    }
    if (this.#heldSize > 0) out.head.set('content-length', this.#heldSize);
    out.commitHead();
    for (const chunk of this.#held) out.pass(chunk);
    this.#held = [];
    out.finish();
  }
}

function compressible(head: HeadHeaders, types: TypeFilter): boolean {
  const encoding = head.get('content-encoding');
  if (encoding !== undefined && encoding !== '') return false;
  if (head.get('content-range') !== undefined) return false;
  const type = head.get('content-type');
  return type === undefined || types.allows(String(type));
}

function markCompressed(head: HeadHeaders, encoding: Encoding): void {
  head.remove('content-length');
  head.remove('accept-ranges');
  head.set('content-encoding', encoding);
}

function contentLength(value: OutgoingHttpHeader | undefined): number | undefined {
  if (value === undefined) return undefined;
  const length = Number(value);
  return Number.isInteger(length) && length >= 0 ? length : undefined;
}

const ACCEPT_ENCODING = /(^|,)\s*accept-encoding\s*(,|$)/i;

function addVary(head: HeadHeaders): void {
  const vary = head.get('vary');
  if (vary === undefined) {
    head.set('vary', 'Accept-Encoding');
    return;
  }
  const values = Array.isArray(vary) ? vary.map(String) : [String(vary)];
  if (values.some((value) => ACCEPT_ENCODING.test(value))) return;
  head.set('vary', [...values, 'Accept-Encoding'].join(', '));
}
