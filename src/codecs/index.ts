/**
 * The WAMP serializers (bytes ⇄ lists) and how to find one by configuration name, WebSocket
 * subprotocol or RawSocket serializer id. Every serializer is a stateless singleton: compare them
 * with `===`.
 */
import { ConfigError } from "../errors.js";
import {
  type BatchedSerializer,
  cborBatchedSerializer,
  jsonBatchedSerializer,
  msgpackBatchedSerializer,
  ubjsonBatchedSerializer,
} from "./batched.js";
import { cborSerializer } from "./cbor.js";
import { jsonSerializer } from "./json.js";
import { msgpackSerializer } from "./msgpack.js";
import type { RawSocketSerializerId, Serializer, SerializerName } from "./serializer.js";
import { ubjsonSerializer } from "./ubjson.js";

export type { BatchedSerializer } from "./batched.js";
export {
  cborBatchedSerializer,
  jsonBatchedSerializer,
  msgpackBatchedSerializer,
  ubjsonBatchedSerializer,
} from "./batched.js";
export { cborSerializer } from "./cbor.js";
export { jsonSerializer } from "./json.js";
export { msgpackSerializer } from "./msgpack.js";
export type { RawSocketSerializerId, Serializer, SerializerName } from "./serializer.js";
export { ubjsonSerializer } from "./ubjson.js";

const byName: Readonly<Record<SerializerName, Serializer>> = Object.freeze({
  json: jsonSerializer,
  msgpack: msgpackSerializer,
  cbor: cborSerializer,
  ubjson: ubjsonSerializer,
  "json.batched": jsonBatchedSerializer,
  "msgpack.batched": msgpackBatchedSerializer,
  "cbor.batched": cborBatchedSerializer,
  "ubjson.batched": ubjsonBatchedSerializer,
});

/**
 * Every serializer name, unbatched first, in a sensible order of preference for offering them.
 *
 * @example
 * ```ts
 * serializerNames.includes("cbor"); // true
 * ```
 */
export const serializerNames: readonly SerializerName[] = Object.freeze([
  "json",
  "msgpack",
  "cbor",
  "ubjson",
  "json.batched",
  "msgpack.batched",
  "cbor.batched",
  "ubjson.batched",
] as const);

/**
 * The serializer for a configuration name. Throws `ConfigError` for an unknown name.
 *
 * @example
 * ```ts
 * const serializer = getSerializer("msgpack");
 * const bytes = serializer.encode([1, "realm1", {}]);
 * ```
 */
export function getSerializer(name: SerializerName): Serializer {
  const serializer = Object.hasOwn(byName, name) ? byName[name] : undefined;
  if (serializer === undefined) throw new ConfigError(`unknown serializer "${String(name)}"`, "serializer");
  return serializer;
}

/**
 * The serializer negotiated as a WebSocket subprotocol (`wamp.2.<name>`), or `undefined` when the
 * subprotocol is not a WAMP one we speak.
 *
 * @example
 * ```ts
 * serializerForSubprotocol("wamp.2.cbor.batched") === cborBatchedSerializer; // true
 * serializerForSubprotocol("mqtt"); // undefined
 * ```
 */
export function serializerForSubprotocol(subprotocol: string): Serializer | undefined {
  if (!subprotocol.startsWith("wamp.2.")) return undefined;
  const name = subprotocol.slice("wamp.2.".length);
  return Object.hasOwn(byName, name) ? byName[name as SerializerName] : undefined;
}

const byRawSocketId: Readonly<Partial<Record<number, Serializer>>> = Object.freeze({
  1: jsonSerializer,
  2: msgpackSerializer,
  3: cborSerializer,
  4: ubjsonSerializer,
});

/**
 * The (unbatched: RawSocket frames one message each) serializer for a RawSocket serializer id
 * (advanced profile §"RawSocket Transport": 1 JSON, 2 MessagePack, 3 CBOR, 4 UBJSON), or `undefined`
 * for one we do not speak (5, FlatBuffers, among them).
 *
 * @example
 * ```ts
 * serializerForRawSocketId(2) === msgpackSerializer; // true
 * ```
 */
export function serializerForRawSocketId(id: RawSocketSerializerId | number): Serializer | undefined {
  return byRawSocketId[id];
}

/**
 * True for the `.batched` serializers, which also offer `encodeBatch`.
 *
 * @example
 * ```ts
 * const serializer = getSerializer("json.batched");
 * if (isBatchedSerializer(serializer)) serializer.encodeBatch([[6, {}, "wamp.close.normal"]]);
 * ```
 */
export function isBatchedSerializer(serializer: Serializer): serializer is BatchedSerializer {
  return serializer.batched;
}
