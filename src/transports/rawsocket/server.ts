/**
 * WAMP-over-RawSocket, server side: the counterpart of Autobahn's `WampRawSocketServerFactory`. An
 * acceptor reads the client's 4-octet handshake request from an accepted TCP, Unix or TLS socket,
 * answers it (accept, or an error reply), and binds the socket to a handler made by the factory.
 *
 * Spec: WAMP advanced profile, "RawSocket Transport" (`rfc/text/advanced/transport_rawsocket.md`),
 * section "Handshake: Router-to-Client Reply".
 */
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { serializerNames } from "../../codecs/index.js";
import {
  decodeHandshakeRequest,
  encodeHandshakeAccept,
  encodeHandshakeError,
  exponentToMaxLength,
  handshakeErrorCodeFor,
  MAX_FRAME_LENGTH,
  maxLengthToExponent,
  RawSocketFrameReader,
  RawSocketHandshakeErrorCode,
  type RawSocketHandshakeRequest,
} from "../../codecs/rawsocket/index.js";
import type { SerializerName } from "../../codecs/serializer.js";
import { channelIdOf } from "../tls.js";
import type { TransportHandle, TransportHandler, TransportHandlerFactory } from "../types.js";
import { describePeer } from "../websocket/server.js";
import { bindRawSocket, type RawSocketKeepAliveOptions } from "./connection.js";
import { serializersById } from "./serializers.js";

/**
 * Options of a WAMP-over-RawSocket server endpoint. The names and types match
 * `WebSocketAcceptorOptions` where they overlap, so one listener configuration serves both.
 */
export interface RawSocketAcceptorOptions extends RawSocketKeepAliveOptions {
  /**
   * Serializers accepted (default: all). RawSocket never batches, so a `.batched` name accepts its
   * base serializer (`"cbor.batched"` accepts CBOR, RawSocket id 3). A client asking for any other
   * serializer gets error reply 1, "serializer unsupported".
   */
  serializers?: readonly SerializerName[];
  /**
   * Largest message accepted, in bytes (default 16 MiB, the RawSocket maximum). We announce the
   * smallest power of two 2^(9 + L) ≥ this value, clamped to 512 octets … 16 MiB, and enforce what
   * we announced: a longer frame closes the connection.
   */
  maxMessageSize?: number;
  /** Refuse new connections with error reply 4 beyond this many open ones (default unlimited). */
  maxConnections?: number;
  /** Destroy a socket that has not sent its 4-octet handshake within this many ms (default 10000). */
  openHandshakeTimeout?: number;
}

/** Accepts RawSocket connections for one endpoint; used by the listeners in `../listen.ts`. */
export interface RawSocketAcceptor {
  /**
   * Take over a freshly accepted socket (plain or TLS) and run the RawSocket handshake on it. The
   * socket may already have unread data (a universal listener peeks at the first octet and
   * unshifts it).
   */
  accept(socket: Socket): void;
  /** Number of open RawSocket connections (handshake complete, not yet closed). */
  readonly connections: number;
  /** End every open connection in an orderly way; drop sockets still in the handshake. */
  closeAll(): void;
}

const DEFAULT_MAX_MESSAGE = MAX_FRAME_LENGTH;
const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;
// After an error reply, a client that never closes its side is dropped after this long.
const REFUSE_LINGER = 2_000;

/**
 * Create a RawSocket acceptor bound to a handler factory.
 *
 * @example
 * ```ts
 * const acceptor = createRawSocketAcceptor({ serializers: ["msgpack", "json"] }, () => router.handler());
 * net.createServer((socket) => acceptor.accept(socket)).listen(8081);
 * ```
 */
export function createRawSocketAcceptor(
  options: RawSocketAcceptorOptions,
  factory: TransportHandlerFactory,
): RawSocketAcceptor {
  const byId = serializersById(options.serializers ?? serializerNames);
  const lengthExponent = maxLengthToExponent(options.maxMessageSize ?? DEFAULT_MAX_MESSAGE);
  const maxLength = exponentToMaxLength(lengthExponent);
  const handshakeTimeout = options.openHandshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  const keepAlive: RawSocketKeepAliveOptions = {
    autoPingInterval: options.autoPingInterval,
    autoPingTimeout: options.autoPingTimeout,
  };
  const open = new Map<Socket, TransportHandle>();
  const pending = new Set<Socket>();

  const refuse = (socket: Socket, errorCode: number) => {
    socket.end(encodeHandshakeError(errorCode));
    // Keep reading (and dropping) so the client's FIN is seen and the socket closes.
    socket.resume();
    setTimeout(() => socket.destroy(), REFUSE_LINGER).unref();
  };

  const complete = (socket: Socket, reader: RawSocketFrameReader, request: RawSocketHandshakeRequest) => {
    const serializer = byId.get(request.serializerId);
    if (serializer === undefined) {
      return refuse(socket, RawSocketHandshakeErrorCode.serializerUnsupported);
    }
    if (options.maxConnections !== undefined && open.size >= options.maxConnections) {
      return refuse(socket, RawSocketHandshakeErrorCode.maxConnectionCountReached);
    }
    let handler: TransportHandler;
    try {
      handler = factory();
    } catch {
      socket.destroy();
      return;
    }
    socket.write(encodeHandshakeAccept(request.serializerId, lengthExponent));
    const secure = (socket as TLSSocket).encrypted === true;
    const handle = bindRawSocket(socket, handler, {
      details: {
        kind: "rawsocket",
        peer: describePeer(socket),
        serializer,
        subprotocol: undefined,
        secure,
        channelId: secure ? channelIdOf(socket as TLSSocket, "server") : undefined,
        maxMessageSize: maxLength,
      },
      reader,
      peerMaxLength: request.maxLength,
      keepAlive,
    });
    // "close" is always emitted asynchronously, so registering after the bind misses nothing.
    open.set(socket, handle);
    socket.once("close", () => open.delete(socket));
  };

  return {
    get connections() {
      return open.size;
    },
    closeAll() {
      for (const handle of open.values()) handle.close();
      for (const socket of pending) socket.destroy();
    },
    accept(socket) {
      const reader = new RawSocketFrameReader({ maxLength, handshake: true });
      pending.add(socket);
      const timer = setTimeout(() => socket.destroy(), handshakeTimeout);
      const done = () => {
        clearTimeout(timer);
        pending.delete(socket);
        socket.off("data", onData);
        socket.off("close", done);
      };
      const onData = (chunk: Buffer) => {
        let bytes: Uint8Array | undefined;
        try {
          reader.push(chunk);
          bytes = reader.readHandshake();
        } catch {
          // Bad magic: not a RawSocket client, and no reply format exists for it (spec "Handshake:
          // Router-to-Client Reply": "the Router MUST fail the connection").
          done();
          socket.destroy();
          return;
        }
        if (bytes === undefined) return;
        done();
        let request: RawSocketHandshakeRequest;
        try {
          request = decodeHandshakeRequest(bytes);
        } catch (err) {
          const errorCode = handshakeErrorCodeFor(err);
          if (errorCode === undefined) socket.destroy();
          else refuse(socket, errorCode);
          return;
        }
        complete(socket, reader, request);
      };
      // Stays for the socket's life: an error only means it is going away (and an unhandled "error"
      // event would crash the process); the bound connection records its own.
      socket.on("error", () => socket.destroy());
      socket.on("data", onData);
      socket.once("close", done);
    },
  };
}
