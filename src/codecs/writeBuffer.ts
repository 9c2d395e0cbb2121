/**
 * What our binary encoders (MessagePack, CBOR, UBJSON) share. Each keeps its own output chunk in
 * module state and hands out views of it, as msgpackr does: a region of a chunk is never written
 * twice, so a returned payload stays valid, and a message costs no allocation but its view.
 */

/** Size of a fresh output chunk. */
export const CHUNK_SIZE = 64 * 1024;

/** A message starts in a fresh chunk when less than this is left in the current one. */
export const MIN_ROOM = 1024;

/**
 * Nesting limit of the encoders (and of the UBJSON decoder): py-ubjson, recursive under Python's
 * default recursion limit, gives up near here too; a cycle ends here instead of in a stack overflow.
 */
export const MAX_DEPTH = 1000;

/** A chunk big enough for `room` bytes (outside the pool: chunks live as long as their views). */
export function allocChunk(room: number): Buffer {
  return Buffer.allocUnsafeSlow(Math.max(CHUNK_SIZE, room));
}

/** A bigger chunk holding `old[start, pos)` at offset 0, when a message outgrows its chunk. */
export function growChunk(old: Buffer, start: number, pos: number, room: number): Buffer {
  const used = pos - start;
  const next = allocChunk((used + room) * 2);
  old.copy(next, 0, start, pos);
  return next;
}

/**
 * UTF-8 of a short string written at `at` (room for 3 bytes per UTF-16 unit must be there); returns
 * the offset after it. For short strings a JS loop beats a call into `Buffer#write`.
 */
export function writeUtf8(out: Uint8Array, at: number, text: string): number {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      out[at++] = unit;
    } else if (unit < 0x800) {
      out[at++] = 0xc0 | (unit >> 6);
      out[at++] = 0x80 | (unit & 0x3f);
    } else if (unit < 0xd800 || unit > 0xdfff) {
      out[at++] = 0xe0 | (unit >> 12);
      out[at++] = 0x80 | ((unit >> 6) & 0x3f);
      out[at++] = 0x80 | (unit & 0x3f);
    } else {
      const next = text.charCodeAt(i + 1);
      if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const point = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
        out[at++] = 0xf0 | (point >> 18);
        out[at++] = 0x80 | ((point >> 12) & 0x3f);
        out[at++] = 0x80 | ((point >> 6) & 0x3f);
        out[at++] = 0x80 | (point & 0x3f);
        i++;
      } else {
        // a lone surrogate has no UTF-8 form: U+FFFD, as Buffer#write and TextEncoder write it
        out[at++] = 0xef;
        out[at++] = 0xbf;
        out[at++] = 0xbd;
      }
    }
  }
  return at;
}

const TWO_32 = 2 ** 32;

/** `value` (an integer, |value| ≤ 2^53) as a big-endian 64-bit two's complement integer at `at`. */
export function writeInt64BE(out: Uint8Array, at: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  const low = value - high * TWO_32;
  out[at] = high >>> 24;
  out[at + 1] = high >>> 16;
  out[at + 2] = high >>> 8;
  out[at + 3] = high;
  out[at + 4] = low >>> 24;
  out[at + 5] = low >>> 16;
  out[at + 6] = low >>> 8;
  out[at + 7] = low;
}
