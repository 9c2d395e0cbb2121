/**
 * WAMP-over-UBJSON (advanced profile §"RawSocket Transport", serializer id 4; subprotocol
 * `wamp.2.ubjson`), on our own UBJSON Draft 12 codec: the encoder here, the decoder in
 * ./ubjsonDecoder.ts. @shelacek/ubjson was evaluated and dropped: it writes integers above 2^31 as
 * float64 (2^53 even as float32), cannot decode int64 by default, ignores trailing bytes and does
 * not treat a Buffer as binary.
 *
 * Encoding follows what py-ubjson (Autobahn|Python's backend) writes, byte for byte: the smallest of
 * U, i, I, l, L for integers (|v| ≤ 2^53; larger integral numbers are doubles), D for other finite
 * numbers, Z for NaN and ±Infinity, C for a one-byte string, S otherwise, `[$U#n` for bytes, and
 * unsized `[...]` / `{...}` containers.
 *
 * Decoding also reads BJData, the superset Autobahn|Python ≥ 26.6.1 sends (see ./ubjsonDecoder.ts).
 */
import { ProtocolError } from "../errors.js";
import type { Serializer } from "./serializer.js";
import { encodeFailed } from "./serializerErrors.js";
import { decodeUbjson } from "./ubjsonDecoder.js";
import {
  ARRAY_END,
  ARRAY_START,
  CHAR,
  CONTAINER_COUNT,
  CONTAINER_TYPE,
  FALSE,
  FLOAT64,
  HIGH_PRECISION,
  INT8,
  INT16,
  INT32,
  INT64,
  NULL,
  OBJECT_END,
  OBJECT_START,
  STRING,
  TRUE,
  UINT8,
} from "./ubjsonMarkers.js";
import * as writeBuffer from "./writeBuffer.js";

// Module constants, not imported bindings, on the encoder's hot path: see "Module constants" in
// messages/validators.ts.
const { allocChunk, growChunk, MAX_DEPTH, MIN_ROOM, writeInt64BE, writeUtf8 } = writeBuffer;

const FORMAT = "ubjson";
const TWO_53 = 2 ** 53;

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

function tooDeep(): ProtocolError {
  return new ProtocolError("SERIALIZER_ENCODE_FAILED", `ubjson: nested deeper than ${MAX_DEPTH} levels`);
}

/** An integer with |value| ≤ 2^53 with the smallest marker, as py-ubjson chooses it (uint8 first). */
function writeInteger(value: number): void {
  ensure(9);
  if (value >= 0) {
    if (value < 0x100) {
      out[pos++] = UINT8;
      out[pos++] = value;
      return;
    }
    if (value < 0x8000) {
      out[pos++] = INT16;
      out[pos++] = value >> 8;
      out[pos++] = value;
      return;
    }
  } else {
    if (value >= -0x80) {
      out[pos++] = INT8;
      out[pos++] = value;
      return;
    }
    if (value >= -0x8000) {
      out[pos++] = INT16;
      out[pos++] = value >> 8;
      out[pos++] = value;
      return;
    }
  }
  if (value >= -0x80000000 && value < 0x80000000) {
    out[pos++] = INT32;
    out[pos++] = value >> 24;
    out[pos++] = value >> 16;
    out[pos++] = value >> 8;
    out[pos++] = value;
    return;
  }
  out[pos++] = INT64;
  writeInt64BE(out, pos, value);
  pos += 8;
}

function writeNumber(value: number): void {
  // 32-bit integers first: cheaper tests than Number.isInteger, and by far the most common numbers
  if (
    value >>> 0 === value ||
    (value | 0) === value ||
    (Number.isInteger(value) && value >= -TWO_53 && value <= TWO_53)
  ) {
    writeInteger(value);
  } else if (Number.isFinite(value)) {
    ensure(9);
    out[pos++] = FLOAT64;
    outView.setFloat64(pos, value);
    pos += 8;
  } else {
    // UBJSON has no NaN or infinity; py-ubjson and JSON.stringify both write null
    ensure(1);
    out[pos++] = NULL;
  }
}

function writeBigInt(value: bigint): void {
  if (value >= -(2n ** 63n) && value < 2n ** 63n) {
    const asNumber = Number(value);
    if (asNumber >= -TWO_53 && asNumber <= TWO_53) {
      writeInteger(asNumber);
      return;
    }
    ensure(9);
    out[pos++] = INT64;
    outView.setBigInt64(pos, value);
    pos += 8;
    return;
  }
  // beyond int64 Draft 12 has only the high-precision type, as py-ubjson writes it
  const digits = value.toString();
  ensure(1);
  out[pos++] = HIGH_PRECISION;
  writeInteger(digits.length);
  ensure(digits.length);
  pos += out.write(digits, pos, "latin1");
}

/** Length-prefixed UTF-8 (the body of S, and object keys, which carry no S marker). */
function writeSizedText(text: string): void {
  // below 86 UTF-16 units the UTF-8 form is under 256 bytes, so a U length fits: write, then patch
  if (text.length < 86) {
    ensure(2 + 3 * text.length);
    out[pos++] = UINT8;
    const lengthAt = pos++;
    pos = writeUtf8(out, pos, text);
    out[lengthAt] = pos - lengthAt - 1;
    return;
  }
  const byteLength = Buffer.byteLength(text, "utf8");
  writeInteger(byteLength);
  ensure(byteLength);
  pos += out.write(text, pos, byteLength, "utf8");
}

function writeString(text: string): void {
  if (text.length === 1 && text.charCodeAt(0) < 0x80) {
    ensure(2);
    out[pos++] = CHAR;
    out[pos++] = text.charCodeAt(0);
    return;
  }
  ensure(1);
  out[pos++] = STRING;
  writeSizedText(text);
}

function writeBytes(bytes: Uint8Array): void {
  ensure(4);
  out[pos++] = ARRAY_START;
  out[pos++] = CONTAINER_TYPE;
  out[pos++] = UINT8;
  out[pos++] = CONTAINER_COUNT;
  writeInteger(bytes.length);
  ensure(bytes.length);
  out.set(bytes, pos);
  pos += bytes.length;
}

const hasOwn = Object.prototype.hasOwnProperty;

function writeValue(value: unknown, depth: number): void {
  switch (typeof value) {
    case "string":
      writeString(value);
      return;
    case "number":
      writeNumber(value);
      return;
    case "boolean":
      ensure(1);
      out[pos++] = value ? TRUE : FALSE;
      return;
    case "bigint":
      writeBigInt(value);
      return;
    case "object":
      if (value === null) break;
      if (depth >= MAX_DEPTH) throw tooDeep();
      if (Array.isArray(value)) {
        ensure(1);
        out[pos++] = ARRAY_START;
        for (let i = 0; i < value.length; i++) writeValue(value[i], depth + 1);
        ensure(1);
        out[pos++] = ARRAY_END;
        return;
      }
      if (value instanceof Uint8Array) {
        writeBytes(value);
        return;
      }
      // what JSON.stringify makes of a Date, without running user toJSON code mid-encode
      if (value instanceof Date) {
        writeString(value.toISOString());
        return;
      }
      ensure(1);
      out[pos++] = OBJECT_START;
      for (const key in value) {
        if (!hasOwn.call(value, key)) continue;
        const item: unknown = (value as Record<string, unknown>)[key];
        // like JSON: keys whose value cannot be serialized are left out
        if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
        writeSizedText(key);
        writeValue(item, depth + 1);
      }
      ensure(1);
      out[pos++] = OBJECT_END;
      return;
  }
  // null, and (like JSON inside arrays) undefined, functions and symbols
  ensure(1);
  out[pos++] = NULL;
}

/**
 * Encode one message, leaving `reserve` bytes free at the front (a batched frame's length prefix).
 * Throws `SERIALIZER_ENCODE_FAILED`.
 */
export function encodeUbjson(message: readonly unknown[], reserve: number): Uint8Array {
  // a getter that encodes while we encode would interleave two messages in one chunk
  if (encoding) throw encodeFailed(FORMAT, new Error("re-entrant ubjson encode"));
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

// The serializer's own calls go through module constants rather than the exported (or imported)
// bindings, which optimized code reloads and checks at every use (see "Module constants" in
// messages/validators.ts).
const encodeMessage = encodeUbjson;
const decodeMessage = decodeUbjson;

/**
 * The `ubjson` serializer (WebSocket subprotocol `wamp.2.ubjson`, RawSocket serializer id 4).
 * Writes UBJSON Draft 12 the way py-ubjson does; reads UBJSON Draft 12 and BJData. `Uint8Array`s
 * travel as strongly typed uint8 arrays (`[$U#n`), integers up to 2^53 as integer types.
 *
 * @example
 * ```ts
 * const bytes = ubjsonSerializer.encode([1, "realm1", { roles: { caller: {} } }]);
 * const [hello] = ubjsonSerializer.decode(bytes);
 * ```
 */
export const ubjsonSerializer: Serializer = Object.freeze({
  name: "ubjson",
  subprotocol: "wamp.2.ubjson",
  rawsocketId: 4,
  binary: true,
  batched: false,
  plainObjects: true,
  encode(message: readonly unknown[]): Uint8Array {
    return encodeMessage(message, 0);
  },
  decode(data: Uint8Array | string): unknown[][] {
    return [decodeMessage(data as Uint8Array)];
  },
} as const);
