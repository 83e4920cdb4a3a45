/**
 * Writes items as lines of bytes into the writer's chunk (see LineWriter): the writer asks
 * how many bytes a line may take, then has it written in place. encode always follows
 * maxBytes for the same item, so an encoder may make the line in maxBytes and keep it.
 */
export interface LineEncoder<T> {
  /** The most bytes the item's line may take, newline included. */
  maxBytes(item: T): number;
  /** Writes the item's line into `buf` from `offset`; returns the offset after it. */
  encode(item: T, buf: Buffer, offset: number): number;
}

// The most bytes a UTF-16 code unit takes in UTF-8: a string of n units fits in 3n bytes.
const MAX_BYTES_PER_UNIT = 3;

/** An encoder for a format that writes each line as a string (the CLF formats). */
export function textLines<T>(format: (item: T) => string): LineEncoder<T> {
  // Made by maxBytes, written by encode (see LineEncoder).
  let line = '';
  return {
    maxBytes(item) {
      line = format(item);
      return line.length * MAX_BYTES_PER_UNIT;
    },
    encode(_item, buf, offset) {
      const end = offset + buf.write(line, offset, 'utf8');
      line = '';
      return end;
    },
  };
}
