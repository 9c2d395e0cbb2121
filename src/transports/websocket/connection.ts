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

/** The connection a `ws` socket is bound to (set by {@link bindWebSocket}). */
const CONNECTION = Symbol("xwamp.connection");
type BoundSocket = WebSocket & { [CONNECTION]: WebSocketConnection };

/**
 * Wire `ws` to `handler` and return the send handle. `handler.onOpen` is called before this returns;
 * `handler.onClose` exactly once when the socket is gone.
 *
 * The socket's listeners are module-level functions that find the connection on the socket, so an
 * idle connection carries no closures of its own (servers and clients may hold many thousands).
 */
export function bindWebSocket(
  ws: WebSocket,
  details: TransportDetails,
  handler: TransportHandler,
  keepAlive: KeepAliveOptions = {},
): TransportHandle {
  const connection = new WebSocketConnection(ws, details, handler, keepAlive.autoPingInterval ?? 0);
  (ws as BoundSocket)[CONNECTION] = connection;
  ws.on("message", onSocketMessage);
  ws.on("error", onSocketError);
  ws.on("close", onSocketClose);
  if (connection.pingInterval > 0) {
    connection.pongTimeout = keepAlive.autoPingTimeout ?? connection.pingInterval;
    ws.on("pong", onSocketPong);
    connection.schedulePing();
  }
  handler.onOpen(connection);
  return connection;
}

function onSocketMessage(this: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  (this as BoundSocket)[CONNECTION].receive(data, isBinary);
}
function onSocketError(this: WebSocket, err: Error & { code?: string }): void {
  (this as BoundSocket)[CONNECTION].error(err);
}
function onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
  (this as BoundSocket)[CONNECTION].closed(code, reason);
}
function onSocketPong(this: WebSocket): void {
  (this as BoundSocket)[CONNECTION].pong();
}
function onPingDue(connection: WebSocketConnection): void {
  connection.ping();
}
function onPongOverdue(connection: WebSocketConnection): void {
  connection.pongOverdue();
}

class WebSocketConnection implements TransportHandle {
  private open = true;
  private closeError: WampError | undefined = undefined;
  private pingTimer: NodeJS.Timeout | undefined = undefined;
  private pongTimer: NodeJS.Timeout | undefined = undefined;
  pongTimeout = 0;

  constructor(
    private readonly ws: WebSocket,
    readonly details: TransportDetails,
    private readonly handler: TransportHandler,
    readonly pingInterval: number,
  ) {}

  send(message: readonly unknown[]): void {
    if (!this.open) return;
    this.ws.send(this.details.serializer.encode(message as unknown[]));
  }

  sendEncoded(payload: Uint8Array | string): void {
    if (!this.open) return;
    this.ws.send(payload);
  }

  close(code: number = WsCloseCode.normal, reason = ""): void {
    if (!this.open) return;
    this.open = false;
    this.ws.close(code, reason);
  }

  abort(reason?: string): void {
    if (this.closeError === undefined && reason !== undefined) {
      this.closeError = new TransportError("TRANSPORT_CLOSED", reason);
    }
    this.open = false;
    this.ws.terminate();
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** What JSON.stringify shows (e.g. of an actor snapshot holding it): never the socket. */
  toJSON(): { details: TransportDetails; isOpen: boolean } {
    return { details: this.details, isOpen: this.open };
  }

  receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (!this.open) return;
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : data instanceof ArrayBuffer
        ? Buffer.from(data)
        : data;
    const serializer = this.details.serializer;
    let messages: unknown[][];
    try {
      // JSON arrives in text frames; decoding straight from the bytes skips a string copy.
      messages = serializer.decode(serializer.binary || isBinary ? bytes : bytes.toString("utf8"));
    } catch (err) {
      this.failWith(
        err instanceof ProtocolError ? err : new ProtocolError("SERIALIZER_DECODE_FAILED", String(err)),
        WsCloseCode.invalidPayload,
      );
      return;
    }
    for (let i = 0; i < messages.length && this.open; i++) this.handler.onMessage(messages[i]);
  }

  error(err: Error & { code?: string }): void {
    if (this.closeError !== undefined) return;
    this.closeError =
      err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
        ? new TransportError("TRANSPORT_MESSAGE_TOO_LARGE", err.message, { cause: err })
        : err.code === "WS_ERR_INVALID_UTF8"
          ? // A text frame that is not UTF-8: the same bad input as in a binary frame, which the JSON
            // serializer reports as SERIALIZER_DECODE_FAILED; `ws` has already closed with 1007.
            new ProtocolError("SERIALIZER_DECODE_FAILED", err.message, { cause: err })
          : new TransportError("TRANSPORT_CLOSED", err.message, { cause: err });
  }

  closed(code: number, reasonBuf: Buffer): void {
    this.open = false;
    clearTimeout(this.pingTimer);
    clearTimeout(this.pongTimer);
    const reason = reasonBuf.toString();
    const closeError = this.closeError;
    const clean = closeError === undefined && (code === WsCloseCode.normal || code === WsCloseCode.goingAway);
    const closed: CloseDetails =
      closeError === undefined ? { clean, code, reason } : { clean, code, reason, error: closeError };
    this.handler.onClose(closed);
  }

  schedulePing(): void {
    this.pingTimer = setTimeout(onPingDue, this.pingInterval, this);
  }

  ping(): void {
    if (!this.open) return;
    this.ws.ping();
    this.pongTimer = setTimeout(onPongOverdue, this.pongTimeout, this);
  }

  pong(): void {
    // An unsolicited PONG (RFC 6455 §5.5.3) must not start a second ping cycle: each would add one.
    if (this.pongTimer === undefined) return;
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
    this.schedulePing();
  }

  pongOverdue(): void {
    this.closeError = new TransportError("TRANSPORT_PING_TIMEOUT", `no PONG within ${this.pongTimeout} ms`);
    this.open = false;
    this.ws.terminate();
  }

  private failWith(error: WampError, code: number): void {
    if (this.closeError === undefined) this.closeError = error;
    this.open = false;
    if (error instanceof ProtocolError)
      this.ws.send(this.details.serializer.encode(protocolViolationAbort(error)));
    this.ws.close(code, error.code);
  }
}
