import type { OutgoingHttpHeaders } from 'node:http';
import type { Transform } from 'node:stream';
import type { ProxyResponse } from '../../handler.js';
import { InterceptedResponse } from '../support/index.js';
import type { Encoding } from './accept-encoding.js';
import { createEncoder, flushEncoder } from './encoders.js';
import { mediaTypeMatches, parseMediaType, type MediaType } from './media-type.js';

export interface CompressPolicy {
  readonly minSize: number;
  /** Compress only these response types, when not empty. */
  readonly includes: readonly MediaType[];
  /** Never compress these response types. */
  readonly excludes: readonly MediaType[];
}

const PLAIN = 0;
const DECIDING = 1;
const COMPRESSING = 2;

/**
 * A response compressed on the way out, as Traefik's compression handlers decide it: not
 * when the service already encoded it or sent a range, not for an excluded (or not
 * included, or unreadable) Content-Type, not for a body shorter than minSize. The length
 * is known from Content-Length, or by holding back up to minSize bytes; nothing more is
 * ever held. Vary: Accept-Encoding is always added. A response without a body (HEAD, 204,
 * 304) goes out untouched.
 */
export class CompressResponse extends InterceptedResponse {
  #mode = DECIDING;
  #headers: OutgoingHttpHeaders = {};
  #held: Buffer[] = [];
  #heldSize = 0;
  #encoder: Transform | null = null;
  #flushing = false;

  constructor(
    private readonly policy: CompressPolicy,
    private readonly encoding: Encoding,
    target: ProxyResponse,
  ) {
    super(target);
  }

  protected onHead(_status: number, headers: OutgoingHttpHeaders): void {
    this.#headers = { ...headers };
    addVary(this.#headers);
    if (!compressible(this.#headers, this.policy)) this.#sendPlain();
  }

  protected onData(chunk: Buffer): boolean {
    if (this.#mode === PLAIN) return this.passData(chunk);
    if (this.#mode === COMPRESSING) return this.#compress(chunk);
    if (this.#heldSize === 0) {
      const length = contentLength(this.#headers);
      if (length !== undefined) {
        if (length < this.policy.minSize) {
          this.#sendPlain();
          return this.passData(chunk);
        }
        this.#startCompressing();
        return this.#compress(chunk);
      }
    }
    this.#held.push(chunk);
    this.#heldSize += chunk.length;
    if (this.#heldSize < this.policy.minSize) return true;
    this.#startCompressing();
    const held = Buffer.concat(this.#held, this.#heldSize);
    this.#held = [];
    return this.#compress(held);
  }

  protected onEnd(): void {
    if (this.#mode === COMPRESSING) {
      this.#encoder!.end();
      return;
    }
    if (this.#mode === DECIDING) {
      // Less than minSize came, all of it held: it goes out as it is, its length now known.
      if (this.#heldSize > 0 && contentLength(this.#headers) === undefined) {
        this.#headers['content-length'] = this.#heldSize;
      }
      this.#sendPlain();
    }
    this.passEnd();
  }

  protected onDestroy(byClient: boolean): void {
    this.#encoder?.destroy();
    if (!byClient) this.target.destroy();
  }

  #sendPlain(): void {
    this.#mode = PLAIN;
    this.commitHead(this.statusCode, this.#headers);
    for (const chunk of this.#held) this.passData(chunk);
    this.#held = [];
  }

  #startCompressing(): void {
    this.#mode = COMPRESSING;
    const headers = this.#headers;
    delete headers['content-length'];
    delete headers['accept-ranges'];
    headers['content-encoding'] = this.encoding;
    this.commitHead(this.statusCode, headers);
    const encoder = createEncoder(this.encoding);
    this.#encoder = encoder;
    encoder.on('data', (out: Buffer) => {
      if (this.passData(out)) return;
      encoder.pause();
      this.target.once('drain', () => encoder.resume());
    });
    encoder.once('end', () => this.passEnd());
    encoder.once('error', () => this.target.destroy());
    encoder.on('drain', () => this.emit('drain'));
  }

  #compress(chunk: Buffer): boolean {
    const more = this.#encoder!.write(chunk);
    // Flush once the writer pauses, so a streamed response is not held in the compressor.
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(flushLater, this);
    }
    return more;
  }

  /** Flushes the compressor, unless the response ended meanwhile. */
  flushNow(): void {
    this.#flushing = false;
    const encoder = this.#encoder;
    if (encoder !== null && !encoder.writableEnded && !encoder.destroyed)
      flushEncoder(encoder, this.encoding);
  }
}

function flushLater(response: CompressResponse): void {
  response.flushNow();
}

function compressible(headers: OutgoingHttpHeaders, policy: CompressPolicy): boolean {
  if (headers['content-encoding'] !== undefined && headers['content-encoding'] !== '') return false;
  if (headers['content-range'] !== undefined) return false;
  const contentType = headers['content-type'];
  if (contentType === undefined) return true;
  const type = parseMediaType(String(contentType));
  if (type === undefined) return false;
  if (policy.includes.length > 0 && !policy.includes.some((pattern) => mediaTypeMatches(pattern, type))) {
    return false;
  }
  return !policy.excludes.some((pattern) => mediaTypeMatches(pattern, type));
}

function contentLength(headers: OutgoingHttpHeaders): number | undefined {
  const value = headers['content-length'];
  if (value === undefined) return undefined;
  const length = Number(value);
  return Number.isInteger(length) && length >= 0 ? length : undefined;
}

function addVary(headers: OutgoingHttpHeaders): void {
  const vary = headers['vary'];
  if (vary === undefined) {
    headers['vary'] = 'Accept-Encoding';
    return;
  }
  const values = Array.isArray(vary) ? vary.map(String) : [String(vary)];
  if (values.some((value) => /(^|,)\s*accept-encoding\s*(,|$)/i.test(value))) return;
  headers['vary'] = [...values, 'Accept-Encoding'].join(', ');
}
