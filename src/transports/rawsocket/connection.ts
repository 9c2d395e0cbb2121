/**
 * Binds one open RawSocket stream (a `net.Socket` or `tls.TLSSocket` whose opening handshake is
 * done) to a {@link TransportHandler}: frames in, decode, deliver; encode, frame out; PING/PONG and
 * optional keep-alive. Shared by the client and the server side.
 *
 * Spec: WAMP advanced profile, "RawSocket Transport" (`rfc/text/advanced/transport_rawsocket.md`),
 * sections "Serialization" and "Framing".
 */
import { randomBytes, randomInt } from "node:crypto";
import type { Socket } from "node:net";
import {
  type RawSocketFrame,
  type RawSocketFrameReader,
  RawSocketFrameType,
  RawSocketFrameWriter,
} from "../../codecs/rawsocket/index.js";
import { ProtocolError, TransportError, type WampError } from "../../errors.js";
import { protocolViolationAbort } from "../abort.js";
import type { CloseDetails, TransportDetails, TransportHandle, TransportHandler } from "../types.js";

/** Keep-alive settings of a RawSocket connection (both sides). */
export interface RawSocketKeepAliveOptions {
  /** Send a RawSocket PING this often (ms); 0 or undefined disables auto-ping. */
  autoPingInterval?: number;
  /** Drop the connection when no matching PONG arrives within this many ms of a PING (default: the interval). */
  autoPingTimeout?: number;
}

/** What {@link bindRawSocket} needs besides the socket and the handler. */
export interface RawSocketBinding {
  /** What the handle reports; `details.maxMessageSize` is the maximum we announced in our handshake. */
  readonly details: TransportDetails;
  /**
   * The reader that consumed the peer's handshake: its `maxLength` is what we announced, and it may
   * already hold frames that arrived in the same chunk as the handshake.
   */
  readonly reader: RawSocketFrameReader;
  /** The peer's announced maximum, 2^(9 + L) octets: we never send a longer payload. */
  readonly peerMaxLength: number;
  /** Auto-ping settings. */
  readonly keepAlive?: RawSocketKeepAliveOptions;
}

// Random PING payloads are 4 to 8 octets: enough to tell our PONGs from stray ones, cheap to echo.
const PING_PAYLOAD_MIN = 4;
const PING_PAYLOAD_MAX = 8;
// After an orderly end(), a peer that never closes its side is dropped after this long.
const CLOSE_TIMEOUT = 5_000;

/**
 * Wire an open RawSocket stream to `handler` and return the send handle. `handler.onOpen` is called
 * before this returns, then any frames already buffered in the reader are delivered;
 * `handler.onClose` is called exactly once, when the socket is gone.
 *
 * Failure modes, reported through `onClose` (RawSocket has no close codes, so `code` is undefined):
 * - a bad frame (reserved bits or type, a payload longer than we announced) or an undecodable
 *   payload destroys the socket: `{ clean: false, error: ProtocolError }`;
 * - `send`/`sendEncoded` of a payload longer than the peer announced never reaches the wire: the
 *   connection is ended with `TransportError` `TRANSPORT_MESSAGE_TOO_LARGE` (spec "Serialization"
 *   leaves this to the implementation; RawSocket cannot skip a frame without breaking the session);
 * - no PONG to an auto-ping in time destroys the socket with `TRANSPORT_PING_TIMEOUT`.
 *
 * `close()` ends the socket after what was already written (RawSocket has no close codes, so its
 * `code` argument is ignored); `abort()` destroys it at once and reports `clean: false`.
 *
 * @example
 * ```ts
 * const handle = bindRawSocket(socket, handler, {
 *   details, reader, peerMaxLength: reply.maxLength, keepAlive: { autoPingInterval: 30_000 },
 * });
 * handle.send([1, "realm1", { roles: { caller: {} } }]);
 * ```
 */
export function bindRawSocket(
  socket: Socket,
  handler: TransportHandler,
  binding: RawSocketBinding,
): TransportHandle {
  const { details, reader, peerMaxLength } = binding;
  const serializer = details.serializer;
  const writer = new RawSocketFrameWriter(socket, { maxLength: peerMaxLength });
  let open = true;
  let closed = false;
  let aborted = false;
  let closeError: WampError | undefined;
  let closeReason = "";
  let pingTimer: NodeJS.Timeout | undefined;
  let pongTimer: NodeJS.Timeout | undefined;
  let closeTimer: NodeJS.Timeout | undefined;
  let pendingPing: Buffer | undefined;

  const endGracefully = () => {
    open = false;
    socket.end();
    closeTimer ??= setTimeout(() => socket.destroy(), CLOSE_TIMEOUT);
    closeTimer.unref();
  };

  const destroyWith = (error: WampError) => {
    if (closeError === undefined) closeError = error;
    open = false;
    socket.destroy();
  };

  const writePayload = (payload: Uint8Array | string) => {
    const bytes = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
    if (bytes.length > peerMaxLength) {
      if (closeError === undefined) {
        closeError = new TransportError(
          "TRANSPORT_MESSAGE_TOO_LARGE",
          `message of ${bytes.length} octets exceeds the peer's maximum of ${peerMaxLength}`,
        );
      }
      endGracefully();
      return;
    }
    writer.writeMessage(bytes);
  };

  const handle: TransportHandle = {
    details,
    send(message) {
      if (!open) return;
      writePayload(serializer.encode(message));
    },
    sendEncoded(payload) {
      if (!open) return;
      writePayload(payload);
    },
    close(_code, reason) {
      if (!open) return;
      if (reason !== undefined) closeReason = reason;
      endGracefully();
    },
    abort(reason) {
      if (closed) return;
      if (closeError === undefined && reason !== undefined) {
        closeError = new TransportError("TRANSPORT_CLOSED", reason);
      }
      aborted = true;
      open = false;
      socket.destroy();
    },
    get bufferedAmount() {
      return socket.writableLength;
    },
    get isOpen() {
      return open;
    },
  };

  const onFrame = (frame: RawSocketFrame) => {
    switch (frame.type) {
      case RawSocketFrameType.message: {
        let messages: unknown[][];
        try {
          messages = serializer.decode(frame.payload);
        } catch (err) {
          // The framing is intact, so the peer can still be told why before the socket ends.
          const error =
            err instanceof ProtocolError ? err : new ProtocolError("SERIALIZER_DECODE_FAILED", String(err));
          if (closeError === undefined) closeError = error;
          writePayload(serializer.encode(protocolViolationAbort(error)));
          endGracefully();
          return;
        }
        for (let i = 0; i < messages.length && open; i++) handler.onMessage(messages[i]);
        return;
      }
      case RawSocketFrameType.ping:
        // "exactly one PONG immediately" (spec "Framing"). The payload is a view of a received chunk;
        // copy it so the echo cannot change if that memory is ever reused before the write flushes.
        writer.writePong(frame.payload.slice());
        return;
      case RawSocketFrameType.pong:
        if (pendingPing?.equals(frame.payload)) {
          pendingPing = undefined;
          clearTimeout(pongTimer);
          schedulePing();
        }
        return;
    }
  };

  const drain = () => {
    while (open) {
      let frame: RawSocketFrame | undefined;
      try {
        frame = reader.next();
      } catch (err) {
        destroyWith(err as ProtocolError);
        return;
      }
      if (frame === undefined) return;
      onFrame(frame);
    }
  };

  const interval = binding.keepAlive?.autoPingInterval ?? 0;
  const pingTimeout = binding.keepAlive?.autoPingTimeout ?? interval;
  const schedulePing = () => {
    if (interval <= 0 || !open) return;
    pingTimer = setTimeout(() => {
      if (!open) return;
      const payload = randomBytes(randomInt(PING_PAYLOAD_MIN, PING_PAYLOAD_MAX + 1));
      pendingPing = payload;
      writer.writePing(payload);
      pongTimer = setTimeout(() => {
        destroyWith(new TransportError("TRANSPORT_PING_TIMEOUT", `no PONG within ${pingTimeout} ms`));
      }, pingTimeout);
    }, interval);
  };

  socket.on("data", (chunk: Buffer) => {
    if (!open) return;
    try {
      reader.push(chunk);
    } catch (err) {
      destroyWith(err as ProtocolError);
      return;
    }
    drain();
  });

  // The peer ended its side: with allowHalfOpen off, Node ends ours too and "close" follows.
  socket.on("end", () => {
    open = false;
  });

  socket.on("error", (err: Error) => {
    if (closeError === undefined)
      closeError = new TransportError("TRANSPORT_CLOSED", err.message, { cause: err });
  });

  socket.once("close", () => {
    open = false;
    closed = true;
    clearTimeout(pingTimer);
    clearTimeout(pongTimer);
    clearTimeout(closeTimer);
    const clean = closeError === undefined && !aborted;
    const reason = closeError?.message ?? closeReason;
    const details: CloseDetails =
      closeError === undefined
        ? { clean, code: undefined, reason }
        : { clean, code: undefined, reason, error: closeError };
    handler.onClose(details);
  });

  handler.onOpen(handle);
  schedulePing();
  // Frames that arrived together with the handshake.
  drain();
  return handle;
}
