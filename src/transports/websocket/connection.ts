/**
 * Binds one open `ws` WebSocket to a {@link TransportHandler}: decode on the way in, encode on the way
 * out, keep-alive pings. Shared by the client and the server side.
 */
import type WebSocket from "ws";
import { ProtocolError, TransportError, type WampError } from "../../errors.js";
import { protocolViolationAbort } from "../abort.js";
import type { CloseDetails, TransportDetails, TransportHandle, TransportHandler } from "../types.js";

/** WebSocket close codes (RFC 6455 §7.4.1) used by xwamp. */
export const WsCloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  abnormal: 1006,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
} as const;

export interface KeepAliveOptions {
  /** Send a WebSocket PING this often (ms); 0 or undefined disables auto-ping. */
  autoPingInterval?: number;
  /** Close the connection when no PONG arrives within this many ms after a PING (default: the interval). */
  autoPingTimeout?: number;
}

/**
 * Wire `ws` to `handler` and return the send handle. `handler.onOpen` is called before this returns;
 * `handler.onClose` exactly once when the socket is gone.
 */
export function bindWebSocket(
  ws: WebSocket,
  details: TransportDetails,
  handler: TransportHandler,
  keepAlive: KeepAliveOptions = {},
): TransportHandle {
  const serializer = details.serializer;
  let open = true;
  let closeError: WampError | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let pongTimer: NodeJS.Timeout | undefined;

  const handle: TransportHandle = {
    details,
    send(message) {
      if (!open) return;
      ws.send(serializer.encode(message));
    },
    sendEncoded(payload) {
      if (!open) return;
      ws.send(payload);
    },
    close(code = WsCloseCode.normal, reason = "") {
      if (!open) return;
      open = false;
      ws.close(code, reason);
    },
    abort(reason) {
      if (closeError === undefined && reason !== undefined) {
        closeError = new TransportError("TRANSPORT_CLOSED", reason);
      }
      open = false;
      ws.terminate();
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get isOpen() {
      return open;
    },
  };

  const failWith = (error: WampError, code: number) => {
    if (closeError === undefined) closeError = error;
    open = false;
    if (error instanceof ProtocolError) ws.send(serializer.encode(protocolViolationAbort(error)));
    ws.close(code, error.code);
  };

  ws.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    if (!open) return;
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : data instanceof ArrayBuffer
        ? Buffer.from(data)
        : data;
    let messages: unknown[][];
    try {
      // JSON arrives in text frames; decoding straight from the bytes skips a string copy.
      messages = serializer.decode(serializer.binary || isBinary ? bytes : bytes.toString("utf8"));
    } catch (err) {
      failWith(
        err instanceof ProtocolError ? err : new ProtocolError("SERIALIZER_DECODE_FAILED", String(err)),
        WsCloseCode.invalidPayload,
      );
      return;
    }
    for (let i = 0; i < messages.length && open; i++) handler.onMessage(messages[i]);
  });

  const interval = keepAlive.autoPingInterval ?? 0;
  if (interval > 0) {
    const timeout = keepAlive.autoPingTimeout ?? interval;
    const schedulePing = () => {
      pingTimer = setTimeout(() => {
        if (!open) return;
        ws.ping();
        pongTimer = setTimeout(() => {
          closeError = new TransportError("TRANSPORT_PING_TIMEOUT", `no PONG within ${timeout} ms`);
          open = false;
          ws.terminate();
        }, timeout);
      }, interval);
    };
    ws.on("pong", () => {
      // An unsolicited PONG (RFC 6455 §5.5.3) must not start a second ping cycle: each would add one.
      if (pongTimer === undefined) return;
      clearTimeout(pongTimer);
      pongTimer = undefined;
      schedulePing();
    });
    schedulePing();
  }

  ws.on("error", (err: Error & { code?: string }) => {
    if (closeError === undefined) {
      closeError =
        err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
          ? new TransportError("TRANSPORT_MESSAGE_TOO_LARGE", err.message, { cause: err })
          : err.code === "WS_ERR_INVALID_UTF8"
            ? // A text frame that is not UTF-8: the same bad input as in a binary frame, which the JSON
              // serializer reports as SERIALIZER_DECODE_FAILED; `ws` has already closed with 1007.
              new ProtocolError("SERIALIZER_DECODE_FAILED", err.message, { cause: err })
            : new TransportError("TRANSPORT_CLOSED", err.message, { cause: err });
    }
  });

  ws.on("close", (code: number, reasonBuf: Buffer) => {
    open = false;
    clearTimeout(pingTimer);
    clearTimeout(pongTimer);
    const reason = reasonBuf.toString();
    const clean = closeError === undefined && (code === WsCloseCode.normal || code === WsCloseCode.goingAway);
    const closed: CloseDetails =
      closeError === undefined ? { clean, code, reason } : { clean, code, reason, error: closeError };
    handler.onClose(closed);
  });

  handler.onOpen(handle);
  return handle;
}
