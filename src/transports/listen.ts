/**
 * Listeners: bind a TCP port, a Unix socket path, or either with TLS, and hand accepted connections
 * to a WebSocket acceptor, a RawSocket acceptor, or both on one port (`universal`: a first octet of
 * 0x7F is RawSocket, anything else is HTTP; transport_rawsocket "Handshake").
 */

import { unlink } from "node:fs/promises";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createServer as createTlsServer } from "node:tls";
import { RAWSOCKET_MAGIC } from "../codecs/rawsocket/index.js";
import { ConfigError } from "../errors.js";
import {
  createRawSocketAcceptor,
  type RawSocketAcceptor,
  type RawSocketAcceptorOptions,
} from "./rawsocket/server.js";
import type { TlsServerOptions } from "./tls.js";
import type { TransportHandlerFactory } from "./types.js";
import {
  createWebSocketAcceptor,
  type WebSocketAcceptor,
  type WebSocketAcceptorOptions,
} from "./websocket/server.js";

/** One listening endpoint. */
export interface ListenerOptions extends WebSocketAcceptorOptions, RawSocketAcceptorOptions {
  /** `websocket`, `rawsocket`, or `universal` (both on one port). */
  type: "websocket" | "rawsocket" | "universal";
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** TCP port (0 picks a free one). */
  port?: number;
  /** Unix socket path (instead of host/port). */
  unix?: string;
  /** Serve over TLS. */
  tls?: TlsServerOptions;
}

/** A running listener. */
export interface Listener {
  readonly type: ListenerOptions["type"];
  /** `ws://127.0.0.1:8080/ws`, `rs://127.0.0.1:8081`, `rs://unix:/tmp/x.sock`, ... */
  readonly url: string;
  /** The bound port (TCP) or undefined (Unix). */
  readonly port: number | undefined;
  /** Open connections on this listener. */
  readonly connections: number;
  /** Stop accepting new connections; open ones stay (e.g. to finish a GOODBYE exchange). */
  stopAccepting(): void;
  /** Stop accepting, close every connection, release the port or socket path. */
  close(): Promise<void>;
}

/**
 * Start a listener that gives every accepted connection a handler from `factory`.
 *
 * @example
 * ```ts
 * const listener = await listen({ type: "websocket", port: 8080 }, () => myHandler());
 * console.log(listener.url); // ws://127.0.0.1:8080/ws
 * ```
 */
export async function listen(options: ListenerOptions, factory: TransportHandlerFactory): Promise<Listener> {
  const { type } = options;
  if (type !== "websocket" && type !== "rawsocket" && type !== "universal") {
    throw new ConfigError(
      `listener type must be websocket, rawsocket or universal (got ${String(type)})`,
      "type",
    );
  }
  const ws: WebSocketAcceptor | undefined =
    type === "rawsocket" ? undefined : createWebSocketAcceptor(options, factory);
  const rs: RawSocketAcceptor | undefined =
    type === "websocket" ? undefined : createRawSocketAcceptor(options, factory);
  const sockets = new Set<Socket>();
  const secure = options.tls !== undefined;

  // A connection gets openHandshakeTimeout to complete its opening handshake (TLS, then the HTTP
  // upgrade or the RawSocket handshake). The acceptors time only what follows the upgrade request or
  // the first octet; without this, a client that connects and sends nothing, or half a request,
  // would stay until Node's headersTimeout (60 s).
  const handshakeTimeout = options.openHandshakeTimeout ?? 10_000;
  const deadlines = new WeakMap<Duplex, NodeJS.Timeout>();
  const armDeadline = (socket: Duplex) => {
    const timer = setTimeout(() => socket.destroy(), handshakeTimeout);
    deadlines.set(socket, timer);
    socket.once("close", () => clearTimeout(timer));
  };
  const disarmDeadline = (socket: Duplex) => clearTimeout(deadlines.get(socket));

  let http: HttpServer | undefined;
  if (ws !== undefined) {
    // A universal listener terminates TLS in its outer server; its HTTP server sees plaintext.
    http =
      secure && type === "websocket"
        ? createHttpsServer({ ...tlsOptions(options.tls!), handshakeTimeout })
        : createHttpServer();
    http.on("upgrade", (req, socket, head) => {
      disarmDeadline(socket);
      ws.handleUpgrade(req, socket, head);
    });
    http.on("request", (_req, res) => {
      res.writeHead(426, { "content-type": "text/plain", upgrade: "websocket" });
      res.end("This is a WAMP-over-WebSocket endpoint.\n");
    });
    http.on("clientError", (_err, socket) => socket.destroy());
  }

  // The outer server: plain TCP/Unix (or TLS) sockets; HTTP only sees what we pass on.
  let server: NetServer;
  if (type === "websocket") {
    server = http!;
  } else {
    const onSocket = (socket: Socket) => {
      // WAMP messages are small and often sent in bursts (progressive results, events): without this,
      // Nagle holds each next frame until the peer's delayed ACK, ~40 ms. (No-op on Unix sockets.)
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      if (type === "rawsocket") return rs!.accept(socket);
      armDeadline(socket);
      socket.once("readable", () => {
        const head: Buffer | null = socket.read(1);
        if (head === null) return;
        socket.unshift(head);
        if (head[0] === RAWSOCKET_MAGIC) {
          disarmDeadline(socket);
          rs!.accept(socket);
        } else http!.emit("connection", socket);
      });
    };
    server = secure
      ? createTlsServer({ ...tlsOptions(options.tls!), handshakeTimeout }, onSocket)
      : createNetServer({ pauseOnConnect: false }, onSocket);
  }
  if (type === "websocket") {
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      if (!secure) armDeadline(socket);
    });
    // Over TLS the HTTP server sees the TLS socket (the TLS handshake has its own handshakeTimeout).
    if (secure) server.on("secureConnection", armDeadline);
  }

  if (options.unix !== undefined) await unlink(options.unix).catch(() => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (options.unix !== undefined) server.listen(options.unix, () => resolve());
    else server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  server.removeAllListeners("error");
  server.on("error", () => {});

  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : undefined;
  const host = options.host ?? "127.0.0.1";
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const path = options.path ?? "/ws";
  const url =
    type === "rawsocket"
      ? options.unix !== undefined
        ? `${secure ? "rss" : "rs"}://unix:${options.unix}`
        : `${secure ? "rss" : "rs"}://${hostPart}:${port}`
      : options.unix !== undefined
        ? `${secure ? "wss" : "ws"}+unix:${options.unix}:${path}`
        : `${secure ? "wss" : "ws"}://${hostPart}:${port}${path}`;

  let accepting = true;
  let serverClosed: Promise<void> = Promise.resolve();
  const stopAccepting = () => {
    if (!accepting) return;
    accepting = false;
    serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    type,
    url,
    port,
    get connections() {
      return (ws?.connections ?? 0) + (rs?.connections ?? 0);
    },
    stopAccepting,
    async close() {
      stopAccepting();
      ws?.closeAll(1001, "server shutting down");
      rs?.closeAll();
      // Give orderly closes a moment, then drop whatever is left.
      await new Promise((r) => setTimeout(r, 50));
      for (const socket of sockets) socket.destroy();
      if (http !== undefined && http !== server) http.close();
      await serverClosed;
      if (options.unix !== undefined) await unlink(options.unix).catch(() => {});
    },
  };
}

function tlsOptions(tls: TlsServerOptions) {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: tls.requestCert ?? false,
    rejectUnauthorized: tls.requestCert ?? false,
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
  };
}
