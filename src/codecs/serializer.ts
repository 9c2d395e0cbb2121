/**
 * The serializer contract shared by every codec (bytes ⇄ lists). Validation of the lists into typed
 * messages is the message model's job (`./messages`), not the serializer's.
 */

/** Serializer names, as used in configuration; the WebSocket subprotocol is `wamp.2.<name>`. */
export type SerializerName =
  | "json"
  | "msgpack"
  | "cbor"
  | "ubjson"
  | "json.batched"
  | "msgpack.batched"
  | "cbor.batched"
  | "ubjson.batched";

/** RawSocket serializer ids (transport_rawsocket: 1 JSON, 2 MsgPack, 3 CBOR, 4 UBJSON, 5 FlatBuffers). */
export type RawSocketSerializerId = 1 | 2 | 3 | 4 | 5;

export interface Serializer {
  /** Configuration name, e.g. `"msgpack.batched"`. */
  readonly name: SerializerName;
  /** WebSocket subprotocol, e.g. `"wamp.2.msgpack.batched"`. */
  readonly subprotocol: string;
  /** RawSocket serializer id (batched variants share their base's id; RawSocket never batches). */
  readonly rawsocketId: RawSocketSerializerId;
  /** True when payloads are bytes (WebSocket binary frames); false for JSON (text frames). */
  readonly binary: boolean;
  /** True for the `.batched` variants. */
  readonly batched: boolean;
  /**
   * True when the decoder builds nothing but plain objects, lists, strings, numbers, booleans, null
   * and `Uint8Array`s (json and ubjson): pass it on as `parseMessage`'s `plainObjects` option.
   * False for msgpack and cbor, whose extensions and tags decode to other objects.
   */
  readonly plainObjects: boolean;
  /** Encode one WAMP message (a list). JSON gives a string, the others bytes. */
  encode(message: readonly unknown[]): Uint8Array | string;
  /**
   * Decode one transport payload into its messages (one for unbatched, one or more for batched).
   * Throws `ProtocolError` (and nothing else) on malformed input.
   */
  decode(data: Uint8Array | string): unknown[][];
}
