import { ServerResponse, type IncomingMessage } from 'node:http';
import { Http2ServerResponse, type Http2ServerRequest } from 'node:http2';
import type { ExchangeMeter } from './exchange-meter.js';

export const kMeter = Symbol('switchyard.exchangeMeter');

/**
 * A response of the classes below: the meter its methods tell, set by
 * ExchangeMeter.start(); undefined on a response no one meters.
 */
export interface Metered {
  [kMeter]: ExchangeMeter | undefined;
}

// Node lets a server build its responses from a class of ours (the `ServerResponse`,
// `Http1ServerResponse` and `Http2ServerResponse` options). Counting the body bytes and
// seeing the end in that class's methods costs a property read per call; wrapping each
// response's write and end and adding it a 'close' listener cost about 1 µs per request
// (two closures' worth of own properties, and a listener array shared with the proxy's).

function counted(meter: ExchangeMeter | undefined, chunk: unknown, encoding: unknown): void {
  if (meter === undefined || meter.ending) return;
  meter.bytes += byteLength(chunk, encoding);
}

function ending(meter: ExchangeMeter | undefined, chunk: unknown, encoding: unknown): void {
  if (meter === undefined || meter.ending) return;
  // HTTP/2's end() writes its last chunk through write(), which must not count it again.
  meter.ending = true;
  meter.bytes += byteLength(chunk, encoding);
}

function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

/**
 * Node's HTTP/1.1 response, metered when a meter is set on it. Generic as Node's own
 * classes are, so that a server built from them keeps its type.
 */
export class MeteredServerResponse<Request extends IncomingMessage = IncomingMessage>
  extends ServerResponse<Request>
  implements Metered
{
  [kMeter]: ExchangeMeter | undefined = undefined;

  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    counted(this[kMeter], chunk, encoding);
    return super.write(chunk, encoding as BufferEncoding, callback as () => void);
  }

  override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
    ending(this[kMeter], chunk, encoding);
    return super.end(chunk, encoding as BufferEncoding, callback as () => void);
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const heard = super.emit(event, ...args);
    // After the listeners: the proxy's sets the status of a client that left (499).
    if (event === 'close') this[kMeter]?.responseClosed();
    return heard;
  }
}

/** Node's HTTP/2 compatibility response, metered when a meter is set on it. */
export class MeteredHttp2ServerResponse<Request extends Http2ServerRequest = Http2ServerRequest>
  extends Http2ServerResponse<Request>
  implements Metered
{
  [kMeter]: ExchangeMeter | undefined = undefined;

  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    counted(this[kMeter], chunk, encoding);
    return super.write(chunk as string, encoding as BufferEncoding, callback as () => void);
  }

  override end(chunk?: unknown, encoding?: unknown, callback?: unknown): this {
    ending(this[kMeter], chunk, encoding);
    return super.end(chunk as string, encoding as BufferEncoding, callback as () => void);
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const heard = super.emit(event, ...args);
    if (event === 'close') this[kMeter]?.responseClosed();
    return heard;
  }
}
