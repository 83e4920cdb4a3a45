import type { Socket } from 'node:net';
import { peekClientHello, type HelloPeek } from '../tls/index.js';

/** What a connection turned out to speak. */
export type Peeked = Exclude<HelloPeek, { kind: 'incomplete' }> | { readonly kind: 'h2c' };

const H2C: Peeked = { kind: 'h2c' };
/** How the HTTP/2 connection preface starts (h2c with prior knowledge); no HTTP/1 method does. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/** Classifies a connection's first bytes; undefined asks for more. */
export function classify(data: Buffer): Peeked | undefined {
  if (data.length > 0 && data[0] === H2_PREFACE[0]) {
    const length = Math.min(data.length, H2_PREFACE.length);
    if (data.compare(H2_PREFACE, 0, length, 0, length) === 0)
      return length === H2_PREFACE.length ? H2C : undefined;
  }
  const hello = peekClientHello(data);
  return hello.kind === 'incomplete' ? undefined : hello;
}

/**
 * Reads a new connection's first bytes, and puts them back, until it is clear whether it
 * speaks TLS (and for which server name), cleartext HTTP/2 or HTTP/1; then calls
 * `onPeeked`. A connection that closes, or stays silent past `timeoutMs` (0: no limit),
 * is destroyed instead.
 */
export function peekConnection(socket: Socket, timeoutMs: number, onPeeked: (peek: Peeked) => void): void {
  let buffered: Buffer | null = null;
  const finish = (): void => {
    socket.removeListener('readable', onReadable);
    socket.removeListener('end', onGone);
    socket.removeListener('timeout', onGone);
    if (timeoutMs > 0) socket.setTimeout(0);
  };
  const onReadable = (): void => {
    for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null;) {
      buffered = buffered === null ? chunk : Buffer.concat([buffered, chunk]);
    }
    if (buffered === null) return;
    const peek = classify(buffered);
    if (peek === undefined) return;
    finish();
    socket.unshift(buffered);
    onPeeked(peek);
  };
  const onGone = (): void => {
    finish();
    socket.destroy();
  };
  socket.on('readable', onReadable);
  socket.once('end', onGone);
  if (timeoutMs > 0) {
    socket.setTimeout(timeoutMs);
    socket.once('timeout', onGone);
  }
}
