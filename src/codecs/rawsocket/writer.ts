/**
 * Header-only RawSocket writer: a frame goes out as its 4-octet header followed by the untouched
 * payload, two writes inside one cork, so a payload is never copied into a bigger buffer.
 *
 * Spec: WAMP advanced profile, "RawSocket Transport" (`rfc/text/advanced/transport_rawsocket.md`),
 * sections "Serialization" (a message must not exceed the peer's maximum) and "Framing".
 */
import {
  checkMaxLength,
  encodeFrameHeader,
  MAX_FRAME_LENGTH,
  RawSocketFrameTooLargeError,
  RawSocketFrameType,
} from "./frame.js";

const EMPTY = new Uint8Array(0);

/**
 * Where frames are written: a `net.Socket`, a `tls.TLSSocket`, or anything with `write`. `cork` and
 * `uncork` are used when present so the header and payload leave in one segment.
 */
export interface RawSocketSink {
  write(chunk: Uint8Array): unknown;
  cork?(): void;
  uncork?(): void;
}

/**
 * The 4-octet header to write before `payload`. Throws {@link RawSocketFrameTooLargeError} when the
 * payload exceeds `maxLength`, the peer's announced maximum (spec: "Serialization": such a message
 * "can not be sent"; default 2^24, the most any header can express).
 *
 * @example
 * ```ts
 * const header = frameHeaderFor(RawSocketFrameType.message, payload, peerMaxLength);
 * socket.cork(); socket.write(header); socket.write(payload); socket.uncork();
 * ```
 */
export function frameHeaderFor(
  type: RawSocketFrameType,
  payload: Uint8Array,
  maxLength = MAX_FRAME_LENGTH,
): Uint8Array {
  if (payload.length > maxLength) throw new RawSocketFrameTooLargeError(payload.length, maxLength);
  // A fresh header each time: the sink may hold on to it until the socket flushes.
  return encodeFrameHeader(type, payload.length);
}

/**
 * Write one frame to `sink`: the header, then the payload itself (not copied), corked together.
 * Throws before writing anything when the payload is too large (see {@link frameHeaderFor}).
 *
 * @example
 * ```ts
 * writeFrame(socket, RawSocketFrameType.message, serializer.encode(message) as Uint8Array, peerMax);
 * ```
 */
export function writeFrame(
  sink: RawSocketSink,
  type: RawSocketFrameType,
  payload: Uint8Array,
  maxLength = MAX_FRAME_LENGTH,
): void {
  const header = frameHeaderFor(type, payload, maxLength);
  sink.cork?.();
  sink.write(header);
  if (payload.length > 0) sink.write(payload);
  sink.uncork?.();
}

/** Options of {@link RawSocketFrameWriter}. */
export interface RawSocketFrameWriterOptions {
  /**
   * The peer's maximum payload, from its handshake (`reply.maxLength` on a client,
   * `request.maxLength` on a router); default 2^24.
   */
  maxLength?: number;
}

/**
 * A sink bound to the peer's maximum: what a RawSocket transport handle keeps after the handshake.
 * Payloads are `Uint8Array`; the transport encodes JSON strings to UTF-8 before calling it.
 *
 * @example
 * ```ts
 * const writer = new RawSocketFrameWriter(socket, { maxLength: reply.maxLength });
 * writer.writeMessage(payload);
 * writer.writePing(Uint8Array.of(1, 2, 3));
 * ```
 */
export class RawSocketFrameWriter {
  readonly #sink: RawSocketSink;
  readonly #maxLength: number;

  constructor(sink: RawSocketSink, options: RawSocketFrameWriterOptions = {}) {
    this.#sink = sink;
    this.#maxLength = checkMaxLength(options.maxLength ?? MAX_FRAME_LENGTH, "maxLength");
  }

  /** The peer's maximum payload, in octets. */
  get maxLength(): number {
    return this.#maxLength;
  }

  /** Write a regular WAMP message frame (type 0). */
  writeMessage(payload: Uint8Array): void {
    writeFrame(this.#sink, RawSocketFrameType.message, payload, this.#maxLength);
  }

  /** Write a PING (type 1) with an arbitrary payload, empty by default. */
  writePing(payload: Uint8Array = EMPTY): void {
    writeFrame(this.#sink, RawSocketFrameType.ping, payload, this.#maxLength);
  }

  /**
   * Answer a PING: a PONG (type 2) that echoes the PING's payload exactly (spec: "Framing": "the
   * PONG MUST echo back the payload of the PING exactly"). The payload is written as given, so when
   * it is a view of a received chunk, that chunk must not be reused before the socket flushes.
   */
  writePong(pingPayload: Uint8Array): void {
    writeFrame(this.#sink, RawSocketFrameType.pong, pingPayload, this.#maxLength);
  }
}
