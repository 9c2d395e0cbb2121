/**
 * What the broker and dealer need from a router session: its id, its identity for disclosure, and a
 * way to send. Kept minimal so the routing cores can be tested without sockets.
 */
import type { Serializer } from "../codecs/serializer.js";

export interface RoutedPeer {
  /** WAMP session id (global scope, random). */
  readonly id: number;
  readonly authid: string;
  readonly authrole: string;
  /** The connection's serializer: fan-out encodes once per serializer. */
  readonly serializer: Serializer;
  /** Send one message (encoded with {@link serializer}). */
  send(message: readonly unknown[]): void;
  /** Send a payload already encoded with {@link serializer}. */
  sendEncoded(payload: Uint8Array | string): void;
  /** Roles/features the peer announced in HELLO (`roles.subscriber.features`, ...). */
  readonly roles: Readonly<Record<string, { features?: Record<string, unknown> } | undefined>>;
}

/** True when `peer` announced `feature` for `role` in its HELLO. */
export function peerHasFeature(peer: RoutedPeer, role: string, feature: string): boolean {
  return peer.roles[role]?.features?.[feature] === true;
}
