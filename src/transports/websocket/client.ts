/**
 * WAMP-over-WebSocket, client side (Autobahn's `WampWebSocketClientFactory`): opens a `ws`
 * connection offering the configured subprotocols in preference order, optionally through an HTTP
 * CONNECT proxy and over TLS.
 */
import { isIP, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import WebSocket from "ws";
import { getSerializer, serializerForSubprotocol } from "../../codecs/index.js";
import type { SerializerName } from "../../codecs/serializer.js";
import { TransportError } from "../../errors.js";
import { openProxyTunnel, type ProxyOptions } from "../proxy.js";
import { channelIdOf, type TlsClientOptions } from "../tls.js";
import type { TransportHandle, TransportHandler } from "../types.js";
import { bindWebSocket, type KeepAliveOptions } from "./connection.js";
import { describePeer } from "./server.js";

/** Serializers a client offers when none are configured, most preferred first. */
export const DEFAULT_CLIENT_SERIALIZERS: readonly SerializerName[] = ["cbor", "msgpack", "ubjson", "json"];

export interface WebSocketClientOptions extends KeepAliveOptions {
  /** `ws://host:port/path`, `wss://...`, or `ws+unix:/path/to.sock:/path` (a Unix socket). */
  url: string;
  /** Serializers to offer, most preferred first. */
  serializers?: readonly SerializerName[];
  /** Largest message accepted from the router, in bytes (default 16 MiB). */
  maxMessageSize?: number;
  /** Give up when the opening handshake takes longer than this (ms, default 10000). */
  openHandshakeTimeout?: number;
  /** Offer permessage-deflate (default false). */
  perMessageDeflate?: boolean;
  /** Extra HTTP headers for the opening handshake. */
  headers?: Record<string, string>;
  /** Tunnel through an HTTP proxy with CONNECT. */
  proxy?: ProxyOptions;
  /** TLS options for `wss://` (CA, client certificate and key, verification). */
  tls?: TlsClientOptions;
}

/**
 * Open a WAMP WebSocket connection. Resolves with the handle once the handshake is complete (after
 * `handler.onOpen`), rejects with a {@link TransportError} when it cannot be opened.
 *
 * @example
 * ```ts
 * const handle = await openWebSocket({ url: "ws://127.0.0.1:8080/ws", serializers: ["msgpack"] }, handler);
 * handle.send([1, "realm1", { roles: { caller: {} } }]);
 * ```
 */
export async function openWebSocket(
  options: WebSocketClientOptions,
  handler: TransportHandler,
  signal?: AbortSignal,
): Promise<TransportHandle> {
  const url = new URL(options.url);
  // ws+unix: is what listen() reports for a Unix socket listener, and `ws` connects to it natively.
  if (url.protocol !== "ws:" && url.protocol !== "wss:" && url.protocol !== "ws+unix:") {
    throw new TransportError("TRANSPORT_CONNECT_FAILED", `not a WebSocket URL: ${options.url}`);
  }
  const secure = url.protocol === "wss:";
  const offered = (options.serializers ?? DEFAULT_CLIENT_SERIALIZERS).map((name) => getSerializer(name));
  const maxMessageSize = options.maxMessageSize ?? 16 * 1024 * 1024;
  const port = Number(url.port || (secure ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, "");

  let tunnel: Socket | undefined;
  if (options.proxy !== undefined) tunnel = await openProxyTunnel(options.proxy, host, port, signal);

  const handshakeTimeout = options.openHandshakeTimeout ?? 10_000;

  return new Promise<TransportHandle>((resolve, reject) => {
    let settled = false;
    // Our own timer rather than `ws`'s handshakeTimeout, which arms the socket's idle timeout and
    // leaves a timer object on every open connection.
    const timer = setTimeout(() => {
      fail(
        new TransportError("TRANSPORT_TIMEOUT", `opening handshake took longer than ${handshakeTimeout} ms`),
      );
    }, handshakeTimeout);
    const ws = new WebSocket(
      options.url,
      offered.map((s) => s.subprotocol),
      {
        maxPayload: maxMessageSize,
        perMessageDeflate: options.perMessageDeflate ?? false,
        headers: options.headers,
        ...(secure ? { ca: options.tls?.ca, cert: options.tls?.cert, key: options.tls?.key } : {}),
        ...(secure && options.tls?.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
        ...(tunnel === undefined
          ? {}
          : {
              createConnection: () =>
                secure
                  ? tlsConnect({
                      socket: tunnel,
                      host,
                      // SNI never carries an IP address (RFC 6066 §3); `host` still drives the identity check.
                      servername: options.tls?.servername ?? (isIP(host) === 0 ? host : undefined),
                      ca: options.tls?.ca,
                      cert: options.tls?.cert,
                      key: options.tls?.key,
                      rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
                    })
                  : (tunnel as Socket),
            }),
      },
    );

    const fail = (error: TransportError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      ws.removeAllListeners();
      ws.on("error", () => {});
      ws.terminate();
      reject(error);
    };
    const onAbort = () => fail(new TransportError("TRANSPORT_CLOSED", "connection attempt aborted"));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });

    ws.once("unexpected-response", (_req, res) => {
      fail(
        new TransportError(
          res.statusCode === 503 ? "TRANSPORT_REFUSED" : "TRANSPORT_HANDSHAKE_FAILED",
          `WebSocket handshake refused: HTTP ${res.statusCode}`,
        ),
      );
    });
    ws.once("error", (err: Error & { code?: string }) => {
      // `ws` gives these handshake errors no code: "Server sent no subprotocol", "Server sent an
      // invalid subprotocol".
      const code = /subprotocol/i.test(err.message) ? "TRANSPORT_NO_SUBPROTOCOL" : "TRANSPORT_CONNECT_FAILED";
      fail(new TransportError(code, err.message, { cause: err }));
    });
    ws.once("open", () => {
      if (settled) return;
      const serializer = serializerForSubprotocol(ws.protocol);
      if (serializer === undefined || !offered.includes(serializer)) {
        return fail(
          new TransportError(
            "TRANSPORT_NO_SUBPROTOCOL",
            `router chose no offered subprotocol (got "${ws.protocol}")`,
          ),
        );
      }
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      // Nothing of the handshake stays attached to an open connection.
      ws.removeAllListeners("error");
      ws.removeAllListeners("unexpected-response");
      const socket = (ws as unknown as { _socket: Socket })._socket;
      const handle = bindWebSocket(
        ws,
        {
          kind: "websocket",
          peer: describePeer(socket),
          serializer,
          subprotocol: ws.protocol,
          secure,
          channelId: secure ? channelIdOf(socket as TLSSocket, "client") : undefined,
          maxMessageSize,
        },
        handler,
        options,
      );
      resolve(handle);
    });
  });
}
