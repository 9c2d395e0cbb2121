/**
 * WAMP subprotocol negotiation (basic profile, "WebSocket Transport": `wamp.2.<serializer>`, and the
 * batched variants of transport_batched_websocket).
 */
import type { Serializer } from "../../codecs/serializer.js";

/** Split a `Sec-WebSocket-Protocol` header into its tokens. */
export function parseSubprotocolHeader(header: string | string[] | undefined): Set<string> {
  const tokens = new Set<string>();
  if (header === undefined) return tokens;
  for (const part of Array.isArray(header) ? header : [header]) {
    for (const token of part.split(",")) {
      const t = token.trim();
      if (t.length > 0) tokens.add(t);
    }
  }
  return tokens;
}

/** The server's choice: its most preferred serializer that the client offered, or undefined. */
export function pickSubprotocol(
  offeredByClient: Set<string>,
  serverPreference: readonly Serializer[],
): Serializer | undefined {
  for (const serializer of serverPreference) {
    if (offeredByClient.has(serializer.subprotocol)) return serializer;
  }
  return undefined;
}
