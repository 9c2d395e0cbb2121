/**
 * WAMP-over-WebSocket, server side: the counterpart of Autobahn's `WampWebSocketServerFactory`. An
 * acceptor takes HTTP upgrade requests, negotiates the WAMP subprotocol, enforces origin, connection
 * and size limits, and binds each accepted socket to a handler made by the factory.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import { WebSocketServer } from "ws";
import { getSerializer, serializerNames } from "../../codecs/index.js";
import type { SerializerName } from "../../codecs/serializer.js";
import { channelIdOf } from "../tls.js";
import type { TransportHandlerFactory } from "../types.js";
import { bindWebSocket, type KeepAliveOptions } from "./connection.js";
import { parseSubprotocolHeader, pickSubprotocol } from "./subprotocol.js";

/** Options of a WAMP-over-WebSocket server endpoint. */
export interface WebSocketAcceptorOptions extends KeepAliveOptions {
  /** URL path that accepts upgrades (default `/ws`). */
  path?: string;
  /** Serializers offered, in the server's order of preference (default: all, unbatched first). */
  serializers?: readonly SerializerName[];
  /** Largest message accepted, in bytes (default 16 MiB); bigger ones close the connection with 1009. */
  maxMessageSize?: number;
  /** Close a connection that has not completed the opening handshake within this many ms (default 10000). */
  openHandshakeTimeout?: number;
  /** Offer permessage-deflate (default false). */
  perMessageDeflate?: boolean;
  /**
   * Allowed `Origin` values; `*` matches any run of characters (e.g. `https://*.example.com`).
   * Undefined allows every origin; requests without an Origin header (non-browsers) are always allowed.
   */
  allowedOrigins?: readonly string[];
  /**
   * How many reverse proxies in front of this server to trust: the client address is taken that many
   * hops back from the end of `X-Forwarded-For` (Autobahn's `trustXForwardedFor`). Default 0: ignore the header.
   */
  trustXForwardedFor?: number;
  /** Refuse new connections with HTTP 503 beyond this many open ones (default unlimited). */
  maxConnections?: number;
}

/** Handles HTTP upgrades for one WAMP endpoint; used by the listeners in `../listen.ts`. */
export interface WebSocketAcceptor {
  /** Handle an HTTP upgrade request (the `upgrade` event of an http.Server). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Number of open WebSocket connections. */
  readonly connections: number;
  /** Close every open connection with the given code (default 1001 going away). */
  closeAll(code?: number, reason?: string): void;
}

const DEFAULT_MAX_MESSAGE = 16 * 1024 * 1024;

/** Create an acceptor bound to a handler factory. */
export function createWebSocketAcceptor(
  options: WebSocketAcceptorOptions,
  factory: TransportHandlerFactory,
): WebSocketAcceptor {
  const path = options.path ?? "/ws";
  const offered = (options.serializers ?? serializerNames).map((name) => getSerializer(name));
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE;
  const originPatterns = options.allowedOrigins?.map(originPattern);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageSize,
    perMessageDeflate: options.perMessageDeflate ?? false,
    // The subprotocol was chosen (or the request refused) before handleUpgrade is called.
    handleProtocols: (_protocols, req) =>
      (req as IncomingMessage & { wampSubprotocol?: string }).wampSubprotocol ?? false,
  });
  const open = new Set<import("ws").WebSocket>();
  const handshakeTimeout = options.openHandshakeTimeout ?? 10_000;

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`,
    );
  };

  return {
    get connections() {
      return open.size;
    },
    closeAll(code = 1001, reason = "") {
      for (const ws of open) ws.close(code, reason);
    },
    handleUpgrade(req, socket, head) {
      const url = req.url ?? "/";
      const reqPath = url.split("?", 1)[0];
      if (reqPath !== path) return refuse(socket, 404, "Not Found");
      const origin = req.headers.origin;
      if (
        originPatterns !== undefined &&
        origin !== undefined &&
        !originPatterns.some((re) => re.test(origin))
      ) {
        return refuse(socket, 403, "Forbidden");
      }
      if (options.maxConnections !== undefined && open.size >= options.maxConnections) {
        return refuse(socket, 503, "Service Unavailable");
      }
      const chosen = pickSubprotocol(parseSubprotocolHeader(req.headers["sec-websocket-protocol"]), offered);
      if (chosen === undefined) return refuse(socket, 400, "Bad Request: no common WAMP subprotocol");
      (req as IncomingMessage & { wampSubprotocol?: string }).wampSubprotocol = chosen.subprotocol;

      const timer = setTimeout(() => socket.destroy(), handshakeTimeout);
      // `ws` may refuse the upgrade itself (bad key or version) without calling back.
      socket.once("close", () => clearTimeout(timer));
      wss.handleUpgrade(req, socket, head, (ws) => {
        clearTimeout(timer);
        open.add(ws);
        ws.once("close", () => open.delete(ws));
        const raw = socket as Duplex & {
          remoteAddress?: string;
          remotePort?: number;
          remoteFamily?: string;
          encrypted?: boolean;
        };
        const forwardedFor = clientFromForwardedFor(
          req.headers["x-forwarded-for"],
          options.trustXForwardedFor ?? 0,
        );
        const secure = raw.encrypted === true;
        bindWebSocket(
          ws,
          {
            kind: "websocket",
            peer: describePeer(raw),
            serializer: chosen,
            subprotocol: chosen.subprotocol,
            secure,
            channelId: secure ? channelIdOf(socket as TLSSocket, "server") : undefined,
            maxMessageSize,
            httpHeaders: req.headers,
            ...(forwardedFor === undefined ? {} : { forwardedFor }),
          },
          factory(),
          options,
        );
      });
    },
  };
}

/** `tcp4:127.0.0.1:5000`, `tcp6:[::1]:5000`, or `unix` for sockets without an address. */
export function describePeer(socket: {
  remoteAddress?: string;
  remotePort?: number;
  remoteFamily?: string;
}): string {
  if (socket.remoteAddress === undefined) return "unix";
  return socket.remoteFamily === "IPv6"
    ? `tcp6:[${socket.remoteAddress}]:${socket.remotePort}`
    : `tcp4:${socket.remoteAddress}:${socket.remotePort}`;
}

function originPattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

/**
 * The client address seen `trusted` proxies back: with one trusted proxy, the last X-Forwarded-For
 * entry was appended by it and names the client.
 */
function clientFromForwardedFor(header: string | string[] | undefined, trusted: number): string | undefined {
  if (trusted <= 0 || header === undefined) return undefined;
  const hops = (Array.isArray(header) ? header.join(",") : header)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (hops.length === 0) return undefined;
  return hops[Math.max(0, hops.length - trusted)];
}
