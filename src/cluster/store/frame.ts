// Checksummed frames, the unit of the local store's files. A frame is
//   u32 payload length | u32 CRC32(payload) | u32 CRC32(the 8 bytes before) | payload
// (little-endian). The header has its own checksum so that a damaged length is caught as
// damage instead of being read as "the file ends early".
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 12;
/** Far above any frame the store writes (a write is at most 1 MiB); a larger one is damage. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Buffer {
  const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  header.writeUInt32LE(payload.byteLength, 0);
  header.writeUInt32LE(crc32(payload), 4);
  header.writeUInt32LE(crc32(header.subarray(0, 8)), 8);
  return Buffer.concat([header, payload]);
}

export interface Frame {
  readonly offset: number;
  readonly payload: Buffer;
}

export type FrameScan =
  /** Every frame up to `end`; `end < buf.length` means the bytes after it are a torn tail. */
  | { readonly ok: true; readonly frames: readonly Frame[]; readonly end: number }
  | { readonly ok: false; readonly offset: number; readonly reason: string };

type FrameAt = { ok: true; payload: Buffer; next: number } | { ok: false; reason: string };

/**
 * Reads the frames of `buf` from `start`. A bad frame that no good frame follows is a
 * torn tail when `tornTail` allows one (a crash during the last, unacknowledged write);
 * a bad frame with a good one after it is damage, reported with its offset.
 */
export function scanFrames(buf: Buffer, start: number, tornTail: boolean): FrameScan {
  const frames: Frame[] = [];
  let offset = start;
  while (offset < buf.length) {
    const at = frameAt(buf, offset);
    if (at.ok) {
      frames.push({ offset, payload: at.payload });
      offset = at.next;
      continue;
    }
    if (tornTail && !goodFrameAfter(buf, offset + 1)) return { ok: true, frames, end: offset };
    return { ok: false, offset, reason: at.reason };
  }
  return { ok: true, frames, end: offset };
}

function frameAt(buf: Buffer, offset: number): FrameAt {
  if (buf.length - offset < FRAME_HEADER_BYTES) return { ok: false, reason: 'incomplete frame header' };
  if (crc32(buf.subarray(offset, offset + 8)) !== buf.readUInt32LE(offset + 8)) {
    return { ok: false, reason: 'frame header checksum mismatch' };
  }
  const length = buf.readUInt32LE(offset);
  if (length > MAX_FRAME_BYTES) return { ok: false, reason: `frame length ${length} is implausible` };
  const next = offset + FRAME_HEADER_BYTES + length;
  if (next > buf.length)
    return { ok: false, reason: `frame of ${length} bytes runs past the end of the file` };
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, next);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4))
    return { ok: false, reason: 'frame checksum mismatch' };
  return { ok: true, payload, next };
}

/** Whether a whole, valid frame starts anywhere at or after `from`. */
function goodFrameAfter(buf: Buffer, from: number): boolean {
  for (let at = from; at + FRAME_HEADER_BYTES <= buf.length; at++) {
    const length = buf.readUInt32LE(at);
    // The length test first: it rejects most positions without computing a checksum.
    if (at + FRAME_HEADER_BYTES + length <= buf.length && frameAt(buf, at).ok) return true;
  }
  return false;
}
