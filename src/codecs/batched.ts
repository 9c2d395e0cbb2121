/**
 * WAMP-over-Batched-WebSocket (advanced profile §"Message Batching"): several messages in one
 * WebSocket message. JSON appends a separator to each message; the binary formats prefix each with
 * its length as a 4-byte big-endian unsigned integer. A batch of zero messages is illegal.
 */
import { ProtocolError } from "../errors.js";
import { cborSerializer, decodeCbor, encodeCbor } from "./cbor.js";
import { decodeJsonText, encodeJsonText, jsonPayloadText, jsonSerializer } from "./json.js";
import { decodeMsgpack, encodeMsgpack, msgpackSerializer } from "./msgpack.js";
import type { Serializer, SerializerName } from "./serializer.js";
import { notBytes } from "./serializerErrors.js";
import { encodeUbjson, ubjsonSerializer } from "./ubjson.js";
import { decodeUbjson } from "./ubjsonDecoder.js";

// The JSON calls below go through module constants rather than imported bindings, which optimized
// code reloads and checks at every use (see "Module constants" in messages/validators.ts).
const encodeText = encodeJsonText;
const decodeText = decodeJsonText;
const payloadText = jsonPayloadText;

/**
 * A `.batched` serializer. `encode` frames one message as a batch of one (what a sender needs per
 * message); `encodeBatch` frames several in one payload.
 */
export interface BatchedSerializer extends Serializer {
  readonly batched: true;
  /** Encode `messages` (at least one) as one payload. Throws `SERIALIZER_EMPTY_BATCH` for none. */
  encodeBatch(messages: readonly (readonly unknown[])[]): Uint8Array | string;
}

/**
 * The JSON record separator. The spec's prose names `\30` and 0x1e; Autobahn|Python, the reference
 * implementation, writes Python's octal `'\30'`, i.e. 0x18. We write 0x18 and accept both.
 */
const JSON_SEPARATOR = "\x18";
const JSON_SEPARATOR_ALT = "\x1e";

/** Length prefix of each binary record: uint32, big-endian. */
const PREFIX = 4;

function emptyBatch(): ProtocolError {
  return new ProtocolError("SERIALIZER_EMPTY_BATCH", "a batch must carry at least one message");
}

function badBatch(reason: string): ProtocolError {
  return new ProtocolError("SERIALIZER_BAD_BATCH", `malformed batch: ${reason}`);
}

function nextSeparator(text: string, from: number): number {
  const a = text.indexOf(JSON_SEPARATOR, from);
  const b = text.indexOf(JSON_SEPARATOR_ALT, from);
  if (a === -1) return b;
  if (b === -1) return a;
  return Math.min(a, b);
}

function decodeJsonBatch(data: Uint8Array | string): unknown[][] {
  // A raw control character cannot occur inside JSON text (RFC 7159 §7), so every 0x18 / 0x1e is a
  // separator. The last message may omit its separator.
  const text = payloadText(data);
  if (text.length === 0) throw emptyBatch();
  const messages: unknown[][] = [];
  let from = 0;
  while (from < text.length) {
    let to = nextSeparator(text, from);
    if (to === -1) to = text.length;
    if (to === from) throw badBatch("empty record");
    messages.push(decodeText(text.slice(from, to)));
    from = to + 1;
  }
  return messages;
}

/**
 * The `json.batched` serializer (subprotocol `wamp.2.json.batched`; RawSocket never batches, its id is
 * JSON's 1). Each message is followed by 0x18; 0x18 and 0x1e are accepted.
 *
 * @example
 * ```ts
 * const text = jsonBatchedSerializer.encodeBatch([[70, 1, {}, 4], [70, 2, {}, 5]]);
 * jsonBatchedSerializer.decode(text); // [[70, 1, {}, 4], [70, 2, {}, 5]]
 * ```
 */
export const jsonBatchedSerializer: BatchedSerializer = Object.freeze({
  name: "json.batched",
  subprotocol: "wamp.2.json.batched",
  rawsocketId: 1,
  binary: false,
  batched: true,
  plainObjects: jsonSerializer.plainObjects,
  encode(message: readonly unknown[]): string {
    return encodeText(message) + JSON_SEPARATOR;
  },
  encodeBatch(messages: readonly (readonly unknown[])[]): string {
    if (messages.length === 0) throw emptyBatch();
    let text = "";
    for (const message of messages) text += encodeText(message) + JSON_SEPARATOR;
    return text;
  },
  decode: decodeJsonBatch,
} as const);

/** Bytes ⇄ one message, with room reserved in front of the encoding for the length prefix. */
interface BinaryCodec {
  readonly format: string;
  /** `Serializer.plainObjects` of the unbatched serializer. */
  readonly plainObjects: boolean;
  encode(message: readonly unknown[], reserve: number): Uint8Array;
  decode(data: Uint8Array): unknown[];
}

function writePrefix(bytes: Uint8Array, at: number, length: number): void {
  bytes[at] = length >>> 24;
  bytes[at + 1] = length >>> 16;
  bytes[at + 2] = length >>> 8;
  bytes[at + 3] = length;
}

function binaryBatched(name: SerializerName, rawsocketId: 2 | 3 | 4, codec: BinaryCodec): BatchedSerializer {
  const encodeOne = (message: readonly unknown[]): Uint8Array => {
    const bytes = codec.encode(message, PREFIX);
    writePrefix(bytes, 0, bytes.length - PREFIX);
    return bytes;
  };
  return Object.freeze({
    name,
    subprotocol: `wamp.2.${name}`,
    rawsocketId,
    binary: true,
    batched: true,
    plainObjects: codec.plainObjects,
    encode: encodeOne,
    encodeBatch(messages: readonly (readonly unknown[])[]): Uint8Array {
      if (messages.length === 0) throw emptyBatch();
      if (messages.length === 1) return encodeOne(messages[0]);
      const records = messages.map(encodeOne);
      let total = 0;
      for (const record of records) total += record.length;
      const batch = Buffer.allocUnsafe(total);
      let at = 0;
      for (const record of records) {
        batch.set(record, at);
        at += record.length;
      }
      return batch;
    },
    decode(data: Uint8Array | string): unknown[][] {
      if (!(data instanceof Uint8Array)) throw notBytes(codec.format);
      const end = data.length;
      if (end === 0) throw emptyBatch();
      const messages: unknown[][] = [];
      let at = 0;
      while (at < end) {
        if (end - at < PREFIX) throw badBatch("truncated length prefix");
        const length = ((data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]) >>> 0;
        at += PREFIX;
        if (length === 0) throw badBatch("empty record");
        if (length > end - at) throw badBatch("record longer than the payload");
        messages.push(codec.decode(data.subarray(at, at + length)));
        at += length;
      }
      return messages;
    },
  } as const);
}

/**
 * The `msgpack.batched` serializer (subprotocol `wamp.2.msgpack.batched`): each message prefixed by
 * its length (uint32, big-endian).
 *
 * @example
 * ```ts
 * const bytes = msgpackBatchedSerializer.encode([70, 1, {}, 4]); // 00 00 00 05 94 46 01 80 04
 * msgpackBatchedSerializer.decode(bytes); // [[70, 1, {}, 4]]
 * ```
 */
export const msgpackBatchedSerializer = binaryBatched("msgpack.batched", 2, {
  format: "msgpack",
  plainObjects: msgpackSerializer.plainObjects,
  encode: encodeMsgpack,
  decode: decodeMsgpack,
});

/**
 * The `cbor.batched` serializer (subprotocol `wamp.2.cbor.batched`): each message prefixed by its
 * length (uint32, big-endian).
 *
 * @example
 * ```ts
 * const bytes = cborBatchedSerializer.encodeBatch([[70, 1, {}, 4], [70, 2, {}, 5]]);
 * cborBatchedSerializer.decode(bytes).length; // 2
 * ```
 */
export const cborBatchedSerializer = binaryBatched("cbor.batched", 3, {
  format: "cbor",
  plainObjects: cborSerializer.plainObjects,
  encode: encodeCbor,
  decode: decodeCbor,
});

/**
 * The `ubjson.batched` serializer (subprotocol `wamp.2.ubjson.batched`): each message prefixed by its
 * length (uint32, big-endian), like the other binary formats.
 *
 * @example
 * ```ts
 * const bytes = ubjsonBatchedSerializer.encode([70, 1, {}, 4]);
 * ubjsonBatchedSerializer.decode(bytes); // [[70, 1, {}, 4]]
 * ```
 */
export const ubjsonBatchedSerializer = binaryBatched("ubjson.batched", 4, {
  format: "ubjson",
  plainObjects: ubjsonSerializer.plainObjects,
  encode: encodeUbjson,
  decode: decodeUbjson,
});
