/**
 * The plain (machine-free) transport contract. A transport hands its owner a {@link TransportHandle}
 * to send on, and delivers decoded messages to a {@link TransportHandler}. Frames never pass through
 * an XState machine: only lifecycle events (opened / closed / failed) do, via the actor wrappers in
 * `./actors.ts`.
 */

import type { Serializer } from "../codecs/serializer.js";
import type { WampError } from "../errors.js";

export type TransportKind = "websocket" | "rawsocket" | "memory";

/** What is known about an open transport. */
export interface TransportDetails {
  readonly kind: TransportKind;
  /** Peer description, e.g. `tcp4:127.0.0.1:53422`, `unix:/tmp/x.sock`, `memory`. */
  readonly peer: string;
  /** The negotiated serializer. */
  readonly serializer: Serializer;
  /** The negotiated WebSocket subprotocol (`wamp.2.json`, ...); undefined for RawSocket/memory. */
  readonly subprotocol: string | undefined;
  /** True when the connection runs over TLS. */
  readonly secure: boolean;
  /** TLS `tls-unique` channel binding data (the first Finished message), where the connection has one. */
  readonly channelId: Uint8Array | undefined;
  /** The negotiated maximum message size we accept, in bytes. */
  readonly maxMessageSize: number;
  /** WebSocket only: the HTTP request headers of the opening handshake (server side). */
  readonly httpHeaders?: Readonly<Record<string, string | string[] | undefined>>;
  /** Client address after trusted-proxy processing (X-Forwarded-For), where different from `peer`. */
  readonly forwardedFor?: string;
}

/** How a transport ended. */
export interface CloseDetails {
  /** True when both sides closed in an orderly fashion. */
  readonly clean: boolean;
  /** WebSocket close code (1000, 1006, ...), or undefined for RawSocket / memory. */
  readonly code: number | undefined;
  /** A human-readable reason. */
  readonly reason: string;
  /** The error that caused the close, if any (a ProtocolError for bad input, a TransportError otherwise). */
  readonly error?: WampError;
}

/** The send side of an open transport. Plain functions: no machine in between. */
export interface TransportHandle {
  readonly details: TransportDetails;
  /** Encode `message` with the negotiated serializer and send it. */
  send(message: readonly unknown[]): void;
  /**
   * Send a payload already encoded with {@link TransportDetails.serializer} (the router encodes an
   * EVENT once per serializer and fans the bytes out).
   */
  sendEncoded(payload: Uint8Array | string): void;
  /** Close in an orderly way (WebSocket close handshake 1000 / socket end). */
  close(code?: number, reason?: string): void;
  /** Drop the connection at once. */
  abort(reason?: string): void;
  /** Bytes queued in the socket, for back-pressure decisions. */
  readonly bufferedAmount: number;
  /** True until the transport is closed. */
  readonly isOpen: boolean;
}

/** Receives what a transport delivers. The router and the client session each implement it. */
export interface TransportHandler {
  /** The transport is open; `handle` may be used from now on. */
  onOpen(handle: TransportHandle): void;
  /** One decoded WAMP message (a list, not yet validated by the message model). */
  onMessage(message: unknown[]): void;
  /** The transport is closed; called exactly once after `onOpen`. */
  onClose(details: CloseDetails): void;
}

/** Creates a handler per accepted connection (the seed's server factory idea). */
export type TransportHandlerFactory = () => TransportHandler;
