/**
 * WAMP-over-MessagePack (basic profile §"Serializers": MessagePack v5 or later, which tells strings
 * from binary). Decoding is msgpackr's; encoding is our own small encoder, because msgpackr writes
 * every integer outside the 32-bit range as a float64, and WAMP ids live in [1, 2^53] (basic profile
 * §"IDs"): strict peers (Autobahn|Python's message classes) refuse a float where an id belongs, and
 * rewriting msgpackr's output afterwards cost up to 3× its encoding time on float-heavy payloads.
 *
 * The encoder writes what the reference implementations (Python msgpack, use_bin_type) write: the
 * smallest integer format (unsigned for non-negative values), float64 for other numbers, str for
 * strings, bin for `Uint8Array`, the smallest array and map headers. Like JSON it leaves out object
 * keys whose value is undefined, a function or a symbol, and writes such values as nil in lists.
 */
import { Unpackr } from "msgpackr";
import { ProtocolError } from "../errors.js";
import type { Serializer } from "./serializer.js";
import { decodeFailed, encodeFailed, notAList, notBytes } from "./serializerErrors.js";
import * as writeBuffer from "./writeBuffer.js";

// Module constants, not imported bindings, on the encoder's hot path: see "Module constants" in
// messages/validators.ts.
const { allocChunk, growChunk, MAX_DEPTH, MIN_ROOM, writeInt64BE, writeUtf8 } = writeBuffer;

const FORMAT = "msgpack";

const unpackr = new Unpackr({
  // plain MessagePack only: no record/structure extension, which no other WAMP peer understands
  useRecords: false,
  mapsAsObjects: true,
  // uint64/int64 decode to numbers, never BigInt (WAMP ids are ≤ 2^53)
  int64AsType: "number",
  // msgpackr's structured-clone extensions could hand back cyclic graphs built by the peer
  structuredClone: false,
});

const TWO_53 = 2 ** 53;
const MAX_UINT64 = 2n ** 64n - 1n;
const MIN_INT64 = -(2n ** 63n);

// ---------------------------------------------------------------------------------------------
// Encoder (see ./writeBuffer.ts for the chunk discipline).

let out = allocChunk(0);
let outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
let pos = 0;
let start = 0;
let encoding = false;

function ensure(room: number): void {
  if (pos + room <= out.length) return;
  out = growChunk(out, start, pos, room);
  outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
  pos -= start;
  start = 0;
}

function writeInteger(value: number): void {
  ensure(9);
  if (value >= 0) {
    if (value < 0x80) {
      out[pos++] = value; // positive fixint
    } else if (value < 0x100) {
      out[pos++] = 0xcc;
      out[pos++] = value;
    } else if (value < 0x10000) {
      out[pos++] = 0xcd;
      out[pos++] = value >> 8;
      out[pos++] = value;
    } else if (value < 0x100000000) {
      out[pos++] = 0xce;
      outView.setUint32(pos, value);
      pos += 4;
    } else {
      out[pos++] = 0xcf;
      writeInt64BE(out, pos, value);
      pos += 8;
    }
  } else if (value >= -0x20) {
    out[pos++] = value; // negative fixint: the byte is the two's complement
  } else if (value >= -0x80) {
    out[pos++] = 0xd0;
    out[pos++] = value;
  } else if (value >= -0x8000) {
    out[pos++] = 0xd1;
    out[pos++] = value >> 8;
    out[pos++] = value;
  } else if (value >= -0x80000000) {
    out[pos++] = 0xd2;
    outView.setInt32(pos, value);
    pos += 4;
  } else {
    out[pos++] = 0xd3;
    writeInt64BE(out, pos, value);
    pos += 8;
  }
}

function writeNumber(value: number): void {
  // 32-bit integers first: cheaper tests than Number.isInteger, and by far the most common numbers
  if (
    value >>> 0 === value ||
    (value | 0) === value ||
    (Number.isInteger(value) && value >= -TWO_53 && value <= TWO_53)
  ) {
    writeInteger(value);
  } else {
    // other numbers, NaN and ±Infinity included, as float64 (integers beyond 2^53 too: not ids)
    ensure(9);
    out[pos++] = 0xcb;
    outView.setFloat64(pos, value);
    pos += 8;
  }
}

function writeBigInt(value: bigint): void {
  if (value < MIN_INT64 || value > MAX_UINT64) {
    throw new ProtocolError("SERIALIZER_ENCODE_FAILED", "msgpack: integer outside the 64-bit range");
  }
  const asNumber = Number(value);
  if (asNumber >= -TWO_53 && asNumber <= TWO_53) {
    writeInteger(asNumber);
    return;
  }
  ensure(9);
  if (value < 0n) {
    out[pos++] = 0xd3;
    outView.setBigInt64(pos, value);
  } else {
    out[pos++] = 0xcf;
    outView.setBigUint64(pos, value);
  }
  pos += 8;
}

/** A str or bin header for `length` bytes (str 8 / bin 8 first: MessagePack v5). */
function writeSizedHeader(length: number, small: number): void {
  if (length < 0x100) {
    out[pos++] = small;
    out[pos++] = length;
  } else if (length < 0x10000) {
    out[pos++] = small + 1;
    out[pos++] = length >> 8;
    out[pos++] = length;
  } else {
    out[pos++] = small + 2;
    outView.setUint32(pos, length);
    pos += 4;
  }
}

const STR8 = 0xd9;
const BIN8 = 0xc4;

function writeString(text: string): void {
  const units = text.length;
  if (units < 32) {
    // Written behind a fixstr head: at most 31 bytes unless non-ASCII characters widen it (URIs,
    // keys and most short strings are ASCII), in which case it moves one byte up for a str 8 head
    // (≤ 93 bytes). No copy on the common path, which a write-then-narrow scheme would pay.
    ensure(2 + 3 * units);
    const headerAt = pos;
    pos = writeUtf8(out, pos + 1, text);
    const length = pos - headerAt - 1;
    if (length < 32) {
      out[headerAt] = 0xa0 | length;
    } else {
      out.copyWithin(headerAt + 2, headerAt + 1, pos);
      out[headerAt] = STR8;
      out[headerAt + 1] = length;
      pos++;
    }
  } else if (units < 86) {
    // 32 to 255 bytes: always a str 8
    ensure(2 + 3 * units);
    const headerAt = pos;
    pos = writeUtf8(out, pos + 2, text);
    out[headerAt] = STR8;
    out[headerAt + 1] = pos - headerAt - 2;
  } else {
    const length = Buffer.byteLength(text, "utf8");
    ensure(5 + length);
    writeSizedHeader(length, STR8);
    pos += out.write(text, pos, length, "utf8");
  }
}

function writeBytes(bytes: Uint8Array): void {
  ensure(5 + bytes.length);
  writeSizedHeader(bytes.length, BIN8);
  out.set(bytes, pos);
  pos += bytes.length;
}

function writeArray(items: readonly unknown[], depth: number): void {
  const count = items.length;
  ensure(5);
  if (count < 16) {
    out[pos++] = 0x90 | count;
  } else if (count < 0x10000) {
    out[pos++] = 0xdc;
    out[pos++] = count >> 8;
    out[pos++] = count;
  } else {
    out[pos++] = 0xdd;
    outView.setUint32(pos, count);
    pos += 4;
  }
  for (let i = 0; i < count; i++) writeValue(items[i], depth);
}

const hasOwn = Object.prototype.hasOwnProperty;

function writeMap(object: object, depth: number): void {
  // the entry count is known only after skipping unserializable values: assume a fixmap, widen after
  ensure(1);
  const headerFromStart = pos - start;
  pos++;
  let count = 0;
  for (const key in object) {
    if (!hasOwn.call(object, key)) continue;
    const item: unknown = (object as Record<string, unknown>)[key];
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    writeString(key);
    writeValue(item, depth);
    count++;
  }
  if (count < 16) {
    out[start + headerFromStart] = 0x80 | count;
    return;
  }
  const extra = count < 0x10000 ? 2 : 4;
  ensure(extra);
  const headerAt = start + headerFromStart;
  out.copyWithin(headerAt + 1 + extra, headerAt + 1, pos);
  pos += extra;
  if (extra === 2) {
    out[headerAt] = 0xde;
    out[headerAt + 1] = count >> 8;
    out[headerAt + 2] = count;
  } else {
    out[headerAt] = 0xdf;
    outView.setUint32(headerAt + 1, count);
  }
}

// An if chain of `typeof x === "..."` tests, not a `switch (typeof x)`: the optimizing compiler
// turns each test into a type check, where the switch materializes the typeof string by a call.
function writeValue(value: unknown, depth: number): void {
  if (typeof value === "string") {
    writeString(value);
  } else if (typeof value === "number") {
    writeNumber(value);
  } else if (typeof value === "object" && value !== null) {
    if (depth >= MAX_DEPTH) {
      throw new ProtocolError("SERIALIZER_ENCODE_FAILED", `msgpack: nested deeper than ${MAX_DEPTH} levels`);
    }
    if (Array.isArray(value)) {
      writeArray(value, depth + 1);
    } else if (value instanceof Uint8Array) {
      writeBytes(value);
    } else if (value instanceof Date) {
      // what JSON.stringify makes of a Date, without running user toJSON code mid-encode
      writeString(value.toISOString());
    } else {
      writeMap(value, depth + 1);
    }
  } else if (typeof value === "boolean") {
    ensure(1);
    out[pos++] = value ? 0xc3 : 0xc2;
  } else if (typeof value === "bigint") {
    writeBigInt(value);
  } else {
    // null, and (like JSON inside lists) undefined, functions and symbols
    ensure(1);
    out[pos++] = 0xc0;
  }
}

/**
 * Encode one message, leaving `reserve` bytes free at the front (a batched frame's length prefix)
 * so that batching costs no copy. Throws `SERIALIZER_ENCODE_FAILED`.
 */
export function encodeMsgpack(message: readonly unknown[], reserve: number): Uint8Array {
  // a getter that encodes while we encode would interleave two messages in one chunk
  if (encoding) throw encodeFailed(FORMAT, new Error("re-entrant msgpack encode"));
  if (out.length - pos < MIN_ROOM + reserve) {
    out = allocChunk(0);
    outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
    pos = 0;
  }
  start = pos;
  pos += reserve;
  encoding = true;
  try {
    writeValue(message, 0);
  } catch (err) {
    pos = start;
    throw encodeFailed(FORMAT, err);
  } finally {
    encoding = false;
  }
  return out.subarray(start, pos);
}

// ---------------------------------------------------------------------------------------------
// Decoding guard. msgpackr allocates `new Array(count)` for an array's declared count before reading
// a single element, so a few bytes declaring nested arrays of millions of elements would cost
// gigabytes before the input runs out. Like cbor-x's own budget, the declared counts of all
// array 16 / array 32 heads together may not exceed the input's length.

const ARRAY16 = 0xdc;
const ARRAY32 = 0xdd;

// Total size of each fixed-size token by its first byte; 0 marks the length-prefixed kinds (str,
// bin, ext), whose size the walk reads from the header. Container heads are tokens of their own:
// MessagePack containers only announce their element counts, so a flat walk visits every value.
const TOKEN_SIZE = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  if (b <= 0x9f || b >= 0xe0)
    TOKEN_SIZE[b] = 1; // fixint, fixmap/fixarray heads, negative fixint
  else if (b <= 0xbf) TOKEN_SIZE[b] = 1 + (b & 0x1f); // fixstr
}
for (const [marker, size] of [
  [0xc0, 1],
  [0xc1, 1],
  [0xc2, 1],
  [0xc3, 1],
  [0xca, 5],
  [0xcb, 9],
  [0xcc, 2],
  [0xcd, 3],
  [0xce, 5],
  [0xcf, 9],
  [0xd0, 2],
  [0xd1, 3],
  [0xd2, 5],
  [0xd3, 9],
  [0xd4, 3],
  [0xd5, 4],
  [0xd6, 6],
  [0xd7, 10],
  [0xd8, 18],
  [ARRAY16, 3],
  [ARRAY32, 5],
  [0xde, 3],
  [0xdf, 5],
]) {
  TOKEN_SIZE[marker] = size;
}

function uint16At(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

function uint32At(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/** Up to this size the walk itself costs less than the two native searches that could skip it. */
const SMALL = 128;

/**
 * Whether the walk is needed: the counts that every 0xdc / 0xdd byte would declare if it were an
 * array head add up to more than the input. Real heads are a subset of those bytes, so below that
 * no payload can over-allocate; native searches find the bytes, and ordinary messages have few.
 * Small inputs are always walked (each native search costs a call into C++ of ~25 ns).
 */
function mayOverAllocate(bytes: Uint8Array): boolean {
  const end = bytes.length;
  if (end <= SMALL) return true;
  let total = 0;
  for (let at = bytes.indexOf(ARRAY16); at !== -1; at = bytes.indexOf(ARRAY16, at + 1)) {
    total += uint16At(bytes, at + 1) || 0;
    if (total > end) return true;
  }
  for (let at = bytes.indexOf(ARRAY32); at !== -1; at = bytes.indexOf(ARRAY32, at + 1)) {
    total += uint32At(bytes, at + 1) || 0;
    if (total > end) return true;
  }
  return false;
}

function refuseOversizedArrays(bytes: Uint8Array): void {
  const end = bytes.length;
  let budget = end;
  let at = 0;
  while (at < end) {
    const marker = bytes[at];
    const size = TOKEN_SIZE[marker];
    if (size !== 0) {
      if (marker === ARRAY16 || marker === ARRAY32) {
        const count = marker === ARRAY16 ? uint16At(bytes, at + 1) : uint32At(bytes, at + 1);
        budget -= count;
        if (budget < 0)
          throw new ProtocolError("SERIALIZER_DECODE_FAILED", "msgpack: array longer than the input");
      }
      at += size;
      continue;
    }
    switch (marker) {
      case 0xc4: // bin 8
      case 0xd9: // str 8
        at += 2 + bytes[at + 1];
        break;
      case 0xc5: // bin 16
      case 0xda: // str 16
        at += 3 + uint16At(bytes, at + 1);
        break;
      case 0xc6: // bin 32
      case 0xdb: // str 32
        at += 5 + uint32At(bytes, at + 1);
        break;
      case 0xc7: // ext 8: length, type, data
        at += 3 + bytes[at + 1];
        break;
      case 0xc8: // ext 16
        at += 4 + uint16At(bytes, at + 1);
        break;
      default: // 0xc9, ext 32
        at += 6 + uint32At(bytes, at + 1);
    }
  }
}

/** Decode the MessagePack bytes of one message. Throws `SERIALIZER_DECODE_FAILED` / `SERIALIZER_NOT_A_LIST`. */
export function decodeMsgpack(data: Uint8Array): unknown[] {
  if (!(data instanceof Uint8Array)) throw notBytes(FORMAT);
  let value: unknown;
  try {
    if (mayOverAllocate(data)) refuseOversizedArrays(data);
    // msgpackr refuses trailing bytes and truncated input and checks string and binary lengths;
    // a stack overflow on absurd nesting is caught here like any other failure.
    value = unpackr.unpack(data);
  } catch (err) {
    throw decodeFailed(FORMAT, err);
  }
  if (!Array.isArray(value)) throw notAList(FORMAT);
  return value;
}

// The serializer's own calls go through module constants rather than the exported (or imported)
// bindings, which optimized code reloads and checks at every use (see "Module constants" in
// messages/validators.ts).
const encodeMessage = encodeMsgpack;
const decodeMessage = decodeMsgpack;

/**
 * The `msgpack` serializer (WebSocket subprotocol `wamp.2.msgpack`, RawSocket serializer id 2).
 * Integers up to 2^53 always travel as MessagePack integers (2^53 is a uint64, not a float64);
 * `Uint8Array`s as bin; uint64/int64 decode to numbers.
 *
 * @example
 * ```ts
 * const bytes = msgpackSerializer.encode([32, 2 ** 53, {}, "com.example.topic"]);
 * const [subscribe] = msgpackSerializer.decode(bytes); // [32, 9007199254740992, {}, "com.example.topic"]
 * ```
 */
export const msgpackSerializer: Serializer = Object.freeze({
  name: "msgpack",
  subprotocol: "wamp.2.msgpack",
  rawsocketId: 2,
  binary: true,
  batched: false,
  plainObjects: false,
  encode(message: readonly unknown[]): Uint8Array {
    return encodeMessage(message, 0);
  },
  decode(data: Uint8Array | string): unknown[][] {
    return [decodeMessage(data as Uint8Array)];
  },
} as const);
