import type { Socket } from 'node:net';

// TCP carries one length-prefixed frame each way: 4-byte big-endian length, then the
// sealed push-pull. The cap bounds what an unauthenticated peer can make us buffer;
// 8 MiB holds the state of some ten thousand members.
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export function frame(body: Buffer): Buffer {
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

/** Resolves with the body of the first frame on `socket`. */
export function readFrame(socket: Socket, maxBytes = MAX_FRAME_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let need = -1;
    const done = (err: Error | undefined, body?: Buffer) => {
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', done);
      if (err !== undefined) reject(err);
      else resolve(body!);
    };
    const onEnd = () => done(new Error(`connection closed after ${have} bytes, before a full frame`));
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      if (need < 0 && have >= 4) {
        need = Buffer.concat(chunks).readUInt32BE(0);
        if (need > maxBytes) return done(new Error(`frame of ${need} bytes exceeds ${maxBytes}`));
      }
      if (need >= 0 && have >= 4 + need) done(undefined, Buffer.concat(chunks).subarray(4, 4 + need));
    };
    socket.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', done);
  });
}
