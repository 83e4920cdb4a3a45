import { Transform, type TransformCallback } from 'node:stream';

/**
 * Decodes a base64 stream as it flows (the body of a grpc-web-text request), whatever the
 * chunk boundaries: characters are decoded by groups of four and the rest waits for the
 * next chunk. Padded parts one after another decode as they come.
 */
export class Base64Decoder extends Transform {
  #pending = '';

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = this.#pending + chunk.toString('latin1').replace(/[\r\n]/g, '');
    const usable = text.length - (text.length % 4);
    this.#pending = text.slice(usable);
    if (usable > 0) this.push(decode(text.slice(0, usable)));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#pending !== '') this.push(Buffer.from(this.#pending, 'base64'));
    callback();
  }
}

// Node stops decoding at the first padding: text with padded parts inside is decoded a
// part at a time, each part ending after its `=`.
function decode(text: string): Buffer {
  if (!text.includes('=')) return Buffer.from(text, 'base64');
  return Buffer.concat(
    (text.match(/[^=]*=*/g) ?? []).filter((part) => part !== '').map((part) => Buffer.from(part, 'base64')),
  );
}
