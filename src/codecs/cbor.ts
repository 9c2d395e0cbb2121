/**
 * WAMP-over-CBOR (basic profile §"Serializers", RFC 8949). Decoding is cbor-x's, behind a guard that
 * refuses the cbor-x tags that build shared, cyclic or code-defined values. Encoding is our own small
 * encoder: cbor-x writes every integer outside the 32-bit range as a float64, while WAMP ids live in
 * [1, 2^53] (basic profile §"IDs") and strict peers (Autobahn|Python) refuse a float id.
 *
 * The encoder writes RFC 8949 §4.2.1 preferred serialization, as Python's cbor2 does: the shortest
 * heads, integers as major types 0/1, float64 for other numbers, byte strings (major type 2, untagged)
 * for `Uint8Array`, text strings, definite-length arrays and maps. Like JSON it leaves out object keys
 * whose value is undefined, a function or a symbol, and writes such values as null in lists.
 */
import { Decoder, type Options } from "cbor-x";
import { ProtocolError } from "../errors.js";
import type { Serializer } from "./serializer.js";
import { decodeFailed, encodeFailed, notAList, notBytes } from "./serializerErrors.js";
import * as writeBuffer from "./writeBuffer.js";

// Module constants, not imported bindings, on the encoder's hot path: see "Module constants" in
// messages/validators.ts.
const { allocChunk, growChunk, MAX_DEPTH, MIN_ROOM, writeInt64BE, writeUtf8 } = writeBuffer;

const FORMAT = "cbor";

const decoder = new Decoder({
  useRecords: false,
  mapsAsObjects: true,
  // uint64/negative 64-bit integers decode to numbers, never BigInt (WAMP ids are ≤ 2^53)
  int64AsNumber: true,
  // decoded byte strings own their memory instead of pinning the whole received frame
  copyBuffers: true,
} as Options & { int64AsNumber: boolean });

const TAG = 6;

/**
 * Tags whose cbor-x decoding is stateful or builds more than plain data: 6/51 packed CBOR, 25/256
 * string references, 27 generic objects (constructors by name), 28/29 value sharing (cycles, and
 * re-reads that grow exponentially with nesting), 105 and 0xdf00 upward cbor-x records and bundles.
 */
function isUnsafeTag(tag: number): boolean {
  return (
    tag === 6 ||
    tag === 25 ||
    tag === 27 ||
    tag === 28 ||
    tag === 29 ||
    tag === 51 ||
    tag === 105 ||
    tag === 256 ||
    tag >= 0xdf00
  );
}

/**
 * Refuse unsafe tags in one flat walk over the data items (RFC 8949 §3: container heads only announce
 * counts, so items follow one another). A malformed head ends the walk; cbor-x then reports it.
 */
function refuseUnsafeTags(bytes: Uint8Array): void {
  const end = bytes.length;
  let at = 0;
  while (at < end) {
    const initial = bytes[at];
    const major = initial >> 5;
    const info = initial & 0x1f;
    let argument = info;
    let head = 1;
    if (info >= 24) {
      if (info === 24) {
        argument = bytes[at + 1];
        head = 2;
      } else if (info === 25) {
        argument = (bytes[at + 1] << 8) | bytes[at + 2];
        head = 3;
      } else if (info === 26) {
        argument =
          ((bytes[at + 1] << 24) | (bytes[at + 2] << 16) | (bytes[at + 3] << 8) | bytes[at + 4]) >>> 0;
        head = 5;
      } else if (info === 27) {
        argument = Number.POSITIVE_INFINITY; // a 64-bit argument: no string or tag that large is acceptable
        head = 9;
      } else if (info === 31) {
        argument = 0; // indefinite length or "break": the chunks / items follow as items of their own
      } else {
        return; // 28..30 are reserved (RFC 8949 §3): malformed
      }
    }
    if (major === TAG && isUnsafeTag(argument)) {
      throw new ProtocolError("SERIALIZER_DECODE_FAILED", `unsupported CBOR tag ${argument}`);
    }
    at += head;
    if ((major === 2 || major === 3) && info !== 31) at += argument;
  }
}

/** Initial bytes of tag heads that can carry an unsafe tag number (RFC 8949 §3: major type 6). */
const TAG_HEADS = [0xc6, 0xd8, 0xd9, 0xda, 0xdb];
/** Above this size, native byte searches decide faster than a walk whether one is needed. */
const SMALL = 256;

function mayHoldUnsafeTag(data: Uint8Array): boolean {
  if (data.length <= SMALL) return true;
  for (const head of TAG_HEADS) if (data.indexOf(head) !== -1) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Encoder (see ./writeBuffer.ts for the chunk discipline).

const TWO_53 = 2 ** 53;
const TWO_64 = 2n ** 64n;
const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const FALSE = 0xf4;
const TRUE = 0xf5;
const NULL = 0xf6;
const FLOAT64 = 0xfb;

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

/** The shortest head for `major` and `argument` (an integer in [0, 2^53]), RFC 8949 §3 and §4.2.1. */
function writeHead(major: number, argument: number): void {
  ensure(9);
  const base = major << 5;
  if (argument < 24) {
    out[pos++] = base | argument;
  } else if (argument < 0x100) {
    out[pos++] = base | 24;
    out[pos++] = argument;
  } else if (argument < 0x10000) {
    out[pos++] = base | 25;
    out[pos++] = argument >> 8;
    out[pos++] = argument;
  } else if (argument < 0x100000000) {
    out[pos++] = base | 26;
    outView.setUint32(pos, argument);
    pos += 4;
  } else {
    out[pos++] = base | 27;
    writeInt64BE(out, pos, argument);
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
    if (value >= 0) writeHead(MAJOR_UNSIGNED, value);
    else writeHead(MAJOR_NEGATIVE, -1 - value); // major type 1 carries -1 - n
  } else {
    // other numbers, NaN and ±Infinity included, as float64 (integers beyond 2^53 too: not ids)
    ensure(9);
    out[pos++] = FLOAT64;
    outView.setFloat64(pos, value);
    pos += 8;
  }
}

function writeBigInt(value: bigint): void {
  const asNumber = Number(value);
  if (asNumber >= -TWO_53 && asNumber <= TWO_53) {
    writeNumber(asNumber);
    return;
  }
  const negative = value < 0n;
  const magnitude = negative ? -1n - value : value;
  if (magnitude < TWO_64) {
    ensure(9);
    out[pos++] = ((negative ? MAJOR_NEGATIVE : MAJOR_UNSIGNED) << 5) | 27;
    outView.setBigUint64(pos, magnitude);
    pos += 8;
    return;
  }
  // RFC 8949 §3.4.3 bignums: tag 2 (or 3 for -1 - n) over the big-endian bytes of n
  let digits = magnitude.toString(16);
  if (digits.length % 2 === 1) digits = `0${digits}`;
  ensure(1);
  out[pos++] = negative ? 0xc3 : 0xc2;
  writeBytes(Buffer.from(digits, "hex"));
}

function writeString(text: string): void {
  const units = text.length;
  if (units < 24) {
    // Written behind a one-byte head: fewer than 24 bytes unless non-ASCII characters widen it
    // (URIs, keys and most short strings are ASCII), in which case it moves one byte up for a
    // two-byte head (≤ 69 bytes). No copy on the common path.
    ensure(2 + 3 * units);
    const headAt = pos;
    pos = writeUtf8(out, pos + 1, text);
    const length = pos - headAt - 1;
    if (length < 24) {
      out[headAt] = (MAJOR_TEXT << 5) | length;
    } else {
      out.copyWithin(headAt + 2, headAt + 1, pos);
      out[headAt] = (MAJOR_TEXT << 5) | 24;
      out[headAt + 1] = length;
      pos++;
    }
  } else if (units < 86) {
    // 24 to 255 bytes: always a two-byte head
    ensure(2 + 3 * units);
    const headAt = pos;
    pos = writeUtf8(out, pos + 2, text);
    out[headAt] = (MAJOR_TEXT << 5) | 24;
    out[headAt + 1] = pos - headAt - 2;
  } else {
    const length = Buffer.byteLength(text, "utf8");
    writeHead(MAJOR_TEXT, length);
    ensure(length);
    pos += out.write(text, pos, length, "utf8");
  }
}

function writeBytes(bytes: Uint8Array): void {
  writeHead(MAJOR_BYTES, bytes.length);
  ensure(bytes.length);
  out.set(bytes, pos);
  pos += bytes.length;
}

const hasOwn = Object.prototype.hasOwnProperty;

function writeMap(object: object, depth: number): void {
  // the entry count is known only after skipping unserializable values: assume it fits the initial
  // byte, widen the head afterwards if not
  ensure(1);
  const headFromStart = pos - start;
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
  if (count < 24) {
    out[start + headFromStart] = 0xa0 | count;
    return;
  }
  const extra = count < 0x100 ? 1 : count < 0x10000 ? 2 : 4;
  ensure(extra);
  const headAt = start + headFromStart;
  out.copyWithin(headAt + 1 + extra, headAt + 1, pos);
  pos += extra;
  if (extra === 1) {
    out[headAt] = 0xb8;
    out[headAt + 1] = count;
  } else if (extra === 2) {
    out[headAt] = 0xb9;
    out[headAt + 1] = count >> 8;
    out[headAt + 2] = count;
  } else {
    out[headAt] = 0xba;
    outView.setUint32(headAt + 1, count);
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
      throw new ProtocolError("SERIALIZER_ENCODE_FAILED", `cbor: nested deeper than ${MAX_DEPTH} levels`);
    }
    if (Array.isArray(value)) {
      writeHead(MAJOR_ARRAY, value.length);
      for (let i = 0; i < value.length; i++) writeValue(value[i], depth + 1);
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
    out[pos++] = value ? TRUE : FALSE;
  } else if (typeof value === "bigint") {
    writeBigInt(value);
  } else {
    // null, and (like JSON inside lists) undefined, functions and symbols
    ensure(1);
    out[pos++] = NULL;
  }
}

/**
 * Encode one message, leaving `reserve` bytes free at the front (a batched frame's length prefix)
 * so that batching costs no copy. Throws `SERIALIZER_ENCODE_FAILED`.
 */
export function encodeCbor(message: readonly unknown[], reserve: number): Uint8Array {
  // a getter that encodes while we encode would interleave two messages in one chunk
  if (encoding) throw encodeFailed(FORMAT, new Error("re-entrant cbor encode"));
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

/** Decode the CBOR bytes of one message. Throws `SERIALIZER_DECODE_FAILED` / `SERIALIZER_NOT_A_LIST`. */
export function decodeCbor(data: Uint8Array): unknown[] {
  if (!(data instanceof Uint8Array)) throw notBytes(FORMAT);
  let value: unknown;
  try {
    if (mayHoldUnsafeTag(data)) refuseUnsafeTags(data);
    // cbor-x refuses trailing bytes and truncated input and checks declared lengths against the
    // input; a stack overflow on absurd nesting is caught here like any other failure.
    value = decoder.decode(data);
  } catch (err) {
    throw decodeFailed(FORMAT, err);
  }
  if (!Array.isArray(value)) throw notAList(FORMAT);
  return value;
}

// The serializer's own calls go through module constants rather than the exported (or imported)
// bindings, which optimized code reloads and checks at every use (see "Module constants" in
// messages/validators.ts).
const encodeMessage = encodeCbor;
const decodeMessage = decodeCbor;

/**
 * The `cbor` serializer (WebSocket subprotocol `wamp.2.cbor`, RawSocket serializer id 3). Integers
 * always travel as CBOR integers (2^53 is major type 0 with an 8-byte argument, not a float64);
 * `Uint8Array`s as untagged byte strings; 64-bit integers decode to numbers.
 *
 * @example
 * ```ts
 * const bytes = cborSerializer.encode([36, 5647382910, 998877665544, {}, [new Uint8Array([1])]]);
 * const [event] = cborSerializer.decode(bytes);
 * ```
 */
export const cborSerializer: Serializer = Object.freeze({
  name: "cbor",
  subprotocol: "wamp.2.cbor",
  rawsocketId: 3,
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
