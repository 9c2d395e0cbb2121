/**
 * Serializer selection for RawSocket. RawSocket never batches (spec "Framing": one message per
 * frame), so a `.batched` name stands for its base serializer here: the listener and component
 * configuration share one `serializers` list with WebSocket, where batching is a framing detail.
 */
import { getSerializer, serializerForRawSocketId } from "../../codecs/index.js";
import type { Serializer, SerializerName } from "../../codecs/serializer.js";

/** The unbatched serializer for `name` (`"cbor.batched"` gives the `cbor` serializer). */
export function unbatchedSerializer(name: SerializerName): Serializer {
  // getSerializer validates the name; batched variants share their base's RawSocket id.
  return serializerForRawSocketId(getSerializer(name).rawsocketId)!;
}

/**
 * Serializers by RawSocket id (spec "Handshake: Client-to-Router Request": 1 JSON, 2 MessagePack,
 * 3 CBOR, 4 UBJSON), from a configured list; batched names count as their base, duplicates once.
 */
export function serializersById(names: readonly SerializerName[]): Map<number, Serializer> {
  const byId = new Map<number, Serializer>();
  for (const name of names) {
    const serializer = unbatchedSerializer(name);
    if (!byId.has(serializer.rawsocketId)) byId.set(serializer.rawsocketId, serializer);
  }
  return byId;
}
