/**
 * Our UBJSON Draft 12 decoder, which also reads BJData (Draft 3, the UBJSON superset Autobahn|Python
 * ≥ 26.6.1 sends as "ubjson"). It accepts optimized containers (`$` type, `#` count), N no-op,
 * C char and H high-precision numbers (returned as the nearest double, like JSON.parse does for long
 * numbers). BJData's markers u, m, M (unsigned 16/32/64), h (half float) and B (byte) exist only
 * there, so meeting one restarts the payload in BJData mode, where all multi-byte numbers are
 * little-endian. A strongly typed uint8 array (`[$U#n`, BJData `[$B#n`) decodes to a `Uint8Array`.
 */
import { ProtocolError } from "../errors.js";
import { decodeFailed, notAList, notBytes } from "./serializerErrors.js";
import {
  ARRAY_END,
  ARRAY_START,
  BJ_BYTE,
  BJ_FLOAT16,
  BJ_UINT16,
  BJ_UINT32,
  BJ_UINT64,
  CHAR,
  CONTAINER_COUNT,
  CONTAINER_TYPE,
  FALSE,
  FLOAT32,
  FLOAT64,
  HIGH_PRECISION,
  INT8,
  INT16,
  INT32,
  INT64,
  NOOP,
  NULL,
  OBJECT_END,
  OBJECT_START,
  STRING,
  TRUE,
  UINT8,
} from "./ubjsonMarkers.js";
import { MAX_DEPTH } from "./writeBuffer.js";

const FORMAT = "ubjson";
const TWO_32 = 2 ** 32;

// A recursive descent over module-level state (no user code runs while decoding, so no
// re-entrancy). Every read is bounds-checked, and every declared length or count is checked against
// the bytes left before anything is allocated for it.

const EMPTY = new Uint8Array(0);
let src: Uint8Array = EMPTY;
let at = 0;
let end = 0;
let bjdata = false;

/** Thrown (preallocated, so no stack is captured) on the first BJData-only marker in UBJSON mode. */
const RESTART_AS_BJDATA = new Error("BJData marker");

const utf8 = new TextDecoder("utf-8", { fatal: true });
const ASCII: string[] = [];
for (let c = 0; c < 0x80; c++) ASCII.push(String.fromCharCode(c));

// Floats are read through a DataView over the input, made on the first float of a payload only
// (integers are assembled from bytes: most payloads then need no DataView at all).
let floats: DataView | undefined;

// Per-length scratch lists of char codes, so a short ASCII string costs one fromCharCode call.
const SHORT_TEXT = 32;
const CHAR_CODES: number[][] = [];
for (let length = 0; length <= SHORT_TEXT; length++) CHAR_CODES.push(new Array<number>(length).fill(0));

// Object keys repeat from message to message: short ASCII keys are cached by a hash of their bytes,
// so a known key costs no string allocation and is already internalized when it becomes a property.
const KEY_CACHE_SIZE = 1024; // a power of two
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SIZE).fill(undefined);

function fail(reason: string): never {
  throw new ProtocolError("SERIALIZER_DECODE_FAILED", `ubjson: ${reason}`);
}

function need(count: number): void {
  if (count > end - at) fail("truncated input");
}

// BJData writes every multi-byte number little-endian, UBJSON big-endian.
function readUint16(): number {
  need(2);
  const a = src[at];
  const b = src[at + 1];
  at += 2;
  return bjdata ? (b << 8) | a : (a << 8) | b;
}

function readUint32(): number {
  need(4);
  const a = src[at];
  const b = src[at + 1];
  const c = src[at + 2];
  const d = src[at + 3];
  at += 4;
  return (bjdata ? (d << 24) | (c << 16) | (b << 8) | a : (a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** A 64-bit integer as the nearest double (exact up to 2^53, which is all WAMP needs). */
function readInt64(signed: boolean): number {
  let high: number;
  let low: number;
  if (bjdata) {
    low = readUint32();
    high = readUint32();
  } else {
    high = readUint32();
    low = readUint32();
  }
  if (signed) high |= 0;
  return high * TWO_32 + low;
}

function readFloat(size: 4 | 8): number {
  need(size);
  if (floats === undefined) floats = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const value = size === 4 ? floats.getFloat32(at, bjdata) : floats.getFloat64(at, bjdata);
  at += size;
  return value;
}

function readFloat16(): number {
  const half = readUint16();
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** A marker, skipping N (no-op) wherever a value marker is expected. */
function nextMarker(): number {
  for (;;) {
    if (at >= end) fail("truncated input");
    const marker = src[at++];
    if (marker !== NOOP) return marker;
  }
}

/** A length or count: an integer marker and value, never negative. */
function readLength(marker: number): number {
  let value: number;
  switch (marker) {
    case UINT8:
      need(1);
      return src[at++];
    case INT8:
      need(1);
      value = (src[at++] << 24) >> 24;
      break;
    case INT16:
      value = (readUint16() << 16) >> 16;
      break;
    case INT32:
      value = readUint32() | 0;
      break;
    case INT64:
      value = readInt64(true);
      break;
    case BJ_UINT16:
      if (!bjdata) throw RESTART_AS_BJDATA;
      return readUint16();
    case BJ_UINT32:
      if (!bjdata) throw RESTART_AS_BJDATA;
      return readUint32();
    case BJ_UINT64:
      if (!bjdata) throw RESTART_AS_BJDATA;
      return readInt64(false);
    default:
      return fail("length without an integer marker");
  }
  if (value < 0) fail("negative length");
  return value;
}

function readText(length: number): string {
  need(length);
  const from = at;
  at += length;
  if (length <= SHORT_TEXT) {
    // short ASCII (keys, URIs) in one call, without TextDecoder; anything else goes the validating way
    const codes = CHAR_CODES[length];
    for (let i = 0; i < length; i++) {
      const byte = src[from + i];
      if (byte >= 0x80) return decodeUtf8(from, at);
      codes[i] = byte;
    }
    return String.fromCharCode.apply(null, codes);
  }
  return decodeUtf8(from, at);
}

/** An object key: like `readText`, through the key cache when short and ASCII. */
function readKey(length: number): string {
  if (length > 16) return readText(length);
  need(length);
  const from = at;
  let hash = length;
  for (let i = 0; i < length; i++) {
    const byte = src[from + i];
    if (byte >= 0x80) return readText(length);
    hash = (hash * 31 + byte) | 0;
  }
  const slot = hash & (KEY_CACHE_SIZE - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached.charCodeAt(i) !== src[from + i]) {
        same = false;
        break;
      }
    }
    if (same) {
      at += length;
      return cached;
    }
  }
  const key = readText(length);
  keyCache[slot] = key;
  return key;
}

function decodeUtf8(from: number, to: number): string {
  try {
    return utf8.decode(src.subarray(from, to));
  } catch {
    return fail("invalid UTF-8");
  }
}

// Draft 12 "Numeric Types": high-precision numbers are strings in JSON's number syntax.
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function readHighPrecision(): number {
  const text = readText(readLength(nextMarker()));
  if (!JSON_NUMBER.test(text)) fail("malformed high-precision number");
  return Number(text);
}

function isValueType(marker: number): boolean {
  switch (marker) {
    case NULL:
    case TRUE:
    case FALSE:
    case INT8:
    case UINT8:
    case INT16:
    case INT32:
    case INT64:
    case FLOAT32:
    case FLOAT64:
    case HIGH_PRECISION:
    case CHAR:
    case STRING:
    case ARRAY_START:
    case OBJECT_START:
      return true;
    case BJ_UINT16:
    case BJ_UINT32:
    case BJ_UINT64:
    case BJ_FLOAT16:
    case BJ_BYTE:
      if (!bjdata) throw RESTART_AS_BJDATA;
      return true;
    default:
      return false;
  }
}

/**
 * An optimized container header (Draft 12 "Optimized Format"): `$type` must be followed by `#count`;
 * `#count` may stand alone. Sets `headerType` / `headerCount` (-1 when absent).
 */
let headerType = -1;
let headerCount = -1;
let countBudget = 0;
function readContainerHeader(): void {
  headerType = -1;
  headerCount = -1;
  if (at < end && src[at] === CONTAINER_TYPE) {
    at++;
    need(1);
    headerType = src[at++];
    if (!isValueType(headerType)) fail("invalid container type");
    if (at >= end || src[at] !== CONTAINER_COUNT) fail("container type without count");
  }
  if (at < end && src[at] === CONTAINER_COUNT) {
    at++;
    headerCount = readLength(nextMarker());
    // Every element takes at least a byte (zero-size types included, by our choice), and all counts
    // of a payload together may not exceed its size: what declared counts make us allocate up front
    // stays bounded by the input, however deeply such containers nest.
    countBudget -= headerCount;
    if (headerCount > end - at || countBudget < 0) fail("count exceeds the input");
  }
}

function readArray(depth: number): unknown[] | Uint8Array {
  if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
  readContainerHeader();
  const type = headerType;
  const count = headerCount;
  if (count < 0) {
    const items: unknown[] = [];
    for (;;) {
      const marker = nextMarker();
      if (marker === ARRAY_END) return items;
      items.push(readValue(marker, depth));
    }
  }
  if (type === UINT8 || type === BJ_BYTE) {
    // py-ubjson's (and WAMP's) binary: a strongly typed uint8 array; copied, so it owns its memory
    const bytes = Uint8Array.prototype.slice.call(src, at, at + count);
    at += count;
    return bytes;
  }
  const items = new Array<unknown>(count);
  for (let i = 0; i < count; i++) items[i] = readValue(type < 0 ? nextMarker() : type, depth);
  return items;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // as JSON.parse does: "__proto__" becomes an own property instead of replacing the prototype
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function readObject(depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
  readContainerHeader();
  const type = headerType;
  const count = headerCount;
  const object: Record<string, unknown> = {};
  if (count < 0) {
    for (;;) {
      const marker = nextMarker();
      if (marker === OBJECT_END) return object;
      const key = readKey(readLength(marker));
      setOwn(object, key, readValue(nextMarker(), depth));
    }
  }
  for (let i = 0; i < count; i++) {
    const key = readKey(readLength(nextMarker()));
    setOwn(object, key, readValue(type < 0 ? nextMarker() : type, depth));
  }
  return object;
}

function readValue(marker: number, depth: number): unknown {
  switch (marker) {
    case NULL:
      return null;
    case TRUE:
      return true;
    case FALSE:
      return false;
    case UINT8:
      need(1);
      return src[at++];
    case INT8:
      need(1);
      return (src[at++] << 24) >> 24;
    case INT16:
      return (readUint16() << 16) >> 16;
    case INT32:
      return readUint32() | 0;
    case INT64:
      return readInt64(true);
    case FLOAT32:
      return readFloat(4);
    case FLOAT64:
      return readFloat(8);
    case HIGH_PRECISION:
      return readHighPrecision();
    case CHAR: {
      need(1);
      const code = src[at++];
      if (code >= 0x80) fail("char outside ASCII");
      return ASCII[code];
    }
    case STRING:
      return readText(readLength(nextMarker()));
    case ARRAY_START:
      return readArray(depth + 1);
    case OBJECT_START:
      return readObject(depth + 1);
    case BJ_UINT16:
    case BJ_UINT32:
    case BJ_UINT64:
    case BJ_FLOAT16:
    case BJ_BYTE:
      if (!bjdata) throw RESTART_AS_BJDATA;
      if (marker === BJ_UINT16) return readUint16();
      if (marker === BJ_UINT32) return readUint32();
      if (marker === BJ_UINT64) return readInt64(false);
      if (marker === BJ_FLOAT16) return readFloat16();
      need(1);
      return src[at++];
    default:
      return fail(`unknown marker 0x${marker.toString(16)}`);
  }
}

function decodeAs(data: Uint8Array, asBjdata: boolean): unknown {
  src = data;
  floats = undefined;
  at = 0;
  end = data.length;
  countBudget = data.length;
  bjdata = asBjdata;
  const value = readValue(nextMarker(), 0);
  if (at !== end) fail("trailing bytes after the message");
  return value;
}

/**
 * Decode the UBJSON (or BJData) bytes of one message. Throws `SERIALIZER_DECODE_FAILED` /
 * `SERIALIZER_NOT_A_LIST`.
 */
export function decodeUbjson(data: Uint8Array): unknown[] {
  if (!(data instanceof Uint8Array)) throw notBytes(FORMAT);
  let value: unknown;
  try {
    try {
      value = decodeAs(data, false);
    } catch (err) {
      if (err !== RESTART_AS_BJDATA) throw err;
      value = decodeAs(data, true);
    }
  } catch (err) {
    throw decodeFailed(FORMAT, err);
  } finally {
    src = EMPTY; // do not pin the caller's buffer
    floats = undefined;
  }
  if (!Array.isArray(value)) throw notAList(FORMAT);
  return value;
}
