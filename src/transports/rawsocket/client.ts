/**
 * WAMP-over-RawSocket, client side (Autobahn's `WampRawSocketClientFactory`): connects over TCP, a
 * Unix socket, or either with TLS, sends the 4-octet handshake request and checks the router's reply.
 *
 * Spec: WAMP advanced profile, "RawSocket Transport" (`rfc/text/advanced/transport_rawsocket.md`),
 * sections "Handshake: Client-to-Router Request" and "Handshake: Router-to-Client Reply".
 */
import { isIP, connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import {
  decodeHandshakeReply,
  encodeHandshakeRequest,
  exponentToMaxLength,
  MAX_FRAME_LENGTH,
  maxLengthToExponent,
  RawSocketFrameReader,
  RawSocketHandshakeErrorCode,
  RawSocketHandshakeRefusedError,
  type RawSocketHandshakeReply,
} from "../../codecs/rawsocket/index.js";
import type { Serializer, SerializerName } from "../../codecs/serializer.js";
import { ConfigError, ProtocolError, TransportError, type TransportErrorCode } from "../../errors.js";
import { channelIdOf, type TlsClientOptions } from "../tls.js";
import type { TransportHandle, TransportHandler } from "../types.js";
import { describePeer } from "../websocket/server.js";
import { bindRawSocket, type RawSocketKeepAliveOptions } from "./connection.js";
import { unbatchedSerializer } from "./serializers.js";

/**
 * The serializer a RawSocket client requests when none is configured: MessagePack, the binary
 * serializer every RawSocket router we target (Crossbar.io, nexus, Bondy) accepts. RawSocket cannot
 * negotiate (the client names one serializer and the router accepts or refuses it), so the default
 * favours reach over CBOR, which Autobahn prefers.
 *
 * @example
 * ```ts
 * await openRawSocket({ url: "rs://127.0.0.1:8081", serializer: DEFAULT_RAWSOCKET_SERIALIZER }, handler);
 * ```
 */
export const DEFAULT_RAWSOCKET_SERIALIZER: SerializerName = "msgpack";

/**
 * Where a RawSocket client connects: TCP (optionally TLS) or a Unix socket (optionally TLS, as a
 * listener with `unix` and `tls` serves). `timeout` bounds the connect, TLS handshake included (ms,
 * default 10000). `tls: true` uses {@link RawSocketClientOptions.tls} (or Node's defaults).
 */
export type RawSocketEndpoint =
  | { type: "tcp"; host: string; port: number; timeout?: number; tls?: boolean | TlsClientOptions }
  | { type: "unix"; path: string; timeout?: number; tls?: boolean | TlsClientOptions };

/** Options of {@link openRawSocket}. Give `url` or `endpoint`; `endpoint` wins when both are set. */
export interface RawSocketClientOptions extends RawSocketKeepAliveOptions {
  /** `rs://host:port`, `rss://host:port` (TLS), `rs://[::1]:port`, `rs://unix:/path/to.sock`. */
  url?: string;
  /** The endpoint as an object (Autobahn's `endpoint` transport option). */
  endpoint?: RawSocketEndpoint;
  /** The serializer to request (a `.batched` name requests its base; default {@link DEFAULT_RAWSOCKET_SERIALIZER}). */
  serializer?: SerializerName;
  /**
   * Used when `serializer` is not set: the first unbatched entry is requested (or the base of the
   * first entry when all are batched). RawSocket requests exactly one serializer.
   */
  serializers?: readonly SerializerName[];
  /**
   * Largest message accepted from the router, in bytes (default 16 MiB). We announce the smallest
   * 2^(9 + L) ≥ this value (512 octets … 16 MiB) and fail the connection on a longer frame.
   */
  maxMessageSize?: number;
  /** Give up when the router's 4-octet reply takes longer than this after connecting (ms, default 10000). */
  openHandshakeTimeout?: number;
  /** TLS settings for `rss://` and `tls: true` endpoints. */
  tls?: TlsClientOptions;
}

const DEFAULT_TIMEOUT = 10_000;

/**
 * Parse a RawSocket URL into an endpoint: `rs://host:port`, `rss://host:port` (TLS),
 * `rs://[::1]:port`, `rs://unix:/path/to.sock` (and `rss://unix:...`). The port is required
 * (RawSocket has no well-known port). Throws `ConfigError` on anything else.
 *
 * @example
 * ```ts
 * parseRawSocketUrl("rss://example.com:443"); // { type: "tcp", host: "example.com", port: 443, tls: true }
 * parseRawSocketUrl("rs://unix:/run/wamp.sock"); // { type: "unix", path: "/run/wamp.sock", tls: false }
 * ```
 */
export function parseRawSocketUrl(url: string): RawSocketEndpoint & { tls: boolean } {
  const match = /^(rss?):\/\/(.*)$/i.exec(url);
  if (match === null) throw new ConfigError(`not a RawSocket URL (rs:// or rss://): ${url}`, "url");
  const tls = match[1].toLowerCase() === "rss";
  const rest = match[2];
  if (rest.toLowerCase().startsWith("unix:")) {
    const path = rest.slice("unix:".length);
    if (path.length === 0) throw new ConfigError(`RawSocket URL names no socket path: ${url}`, "url");
    return { type: "unix", path, tls };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new ConfigError(`malformed RawSocket URL ${url}: ${(err as Error).message}`, "url");
  }
  if ((parsed.pathname !== "" && parsed.pathname !== "/") || parsed.search !== "" || parsed.hash !== "") {
    throw new ConfigError(`a RawSocket URL has no path, query or fragment: ${url}`, "url");
  }
  if (parsed.hostname === "" || parsed.port === "") {
    throw new ConfigError(`a RawSocket URL needs a host and a port: ${url}`, "url");
  }
  return {
    type: "tcp",
    host: parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase(),
    port: Number(parsed.port),
    tls,
  };
}

/**
 * Open a WAMP-over-RawSocket connection. Resolves with the handle once the router accepted the
 * handshake (after `handler.onOpen`). Rejects with `ConfigError` for bad options, otherwise with a
 * {@link TransportError}:
 * - `TRANSPORT_CONNECT_FAILED`: the TCP/Unix/TLS connection failed (refused, no such path, bad
 *   certificate; `cause` is Node's error);
 * - `TRANSPORT_TIMEOUT`: the connect or the router's reply took too long;
 * - `TRANSPORT_REFUSED`: error reply 4, "maximum connection count reached" (worth retrying later);
 * - `TRANSPORT_HANDSHAKE_FAILED`: any other error reply (`cause` is a
 *   `RawSocketHandshakeRefusedError` with the reply's `errorCode`), a reply echoing another
 *   serializer, a malformed reply, or the connection closing before the reply;
 * - `TRANSPORT_CLOSED`: `signal` aborted the attempt.
 *
 * @example
 * ```ts
 * const handle = await openRawSocket({ url: "rs://127.0.0.1:8081", serializer: "cbor" }, handler);
 * handle.send([1, "realm1", { roles: { caller: {} } }]);
 * ```
 */
export async function openRawSocket(
  options: RawSocketClientOptions,
  handler: TransportHandler,
  signal?: AbortSignal,
): Promise<TransportHandle> {
  const { endpoint, tls } = resolveEndpoint(options);
  const serializer = chooseSerializer(options);
  const lengthExponent = maxLengthToExponent(options.maxMessageSize ?? MAX_FRAME_LENGTH);
  const maxLength = exponentToMaxLength(lengthExponent);
  const connectTimeout = endpoint.timeout ?? DEFAULT_TIMEOUT;
  const handshakeTimeout = options.openHandshakeTimeout ?? DEFAULT_TIMEOUT;
  if (signal?.aborted) throw new TransportError("TRANSPORT_CLOSED", "connection attempt aborted");

  return new Promise<TransportHandle>((resolve, reject) => {
    const socket = connectSocket(endpoint, tls);
    const reader = new RawSocketFrameReader({ maxLength, handshake: true });
    let connected = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    const fail = (code: TransportErrorCode, message: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      // Late errors of a socket we dropped must not become unhandled "error" events.
      socket.on("error", () => {});
      socket.destroy();
      reject(new TransportError(code, message, cause === undefined ? undefined : { cause }));
    };
    const onAbort = () => fail("TRANSPORT_CLOSED", "connection attempt aborted");
    const onError = (err: Error) =>
      fail(connected ? "TRANSPORT_HANDSHAKE_FAILED" : "TRANSPORT_CONNECT_FAILED", err.message, err);
    const onClose = () =>
      fail(
        connected ? "TRANSPORT_HANDSHAKE_FAILED" : "TRANSPORT_CONNECT_FAILED",
        "connection closed before the RawSocket handshake reply",
      );
    const onConnected = () => {
      if (settled) return;
      connected = true;
      clearTimeout(timer);
      timer = setTimeout(
        () => fail("TRANSPORT_TIMEOUT", `no RawSocket handshake reply within ${handshakeTimeout} ms`),
        handshakeTimeout,
      );
      socket.write(encodeHandshakeRequest(serializer.rawsocketId, lengthExponent));
    };
    const onData = (chunk: Buffer) => {
      let bytes: Uint8Array | undefined;
      let reply: RawSocketHandshakeReply;
      try {
        reader.push(chunk);
        bytes = reader.readHandshake();
        if (bytes === undefined) return;
        reply = decodeHandshakeReply(bytes);
      } catch (err) {
        return fail("TRANSPORT_HANDSHAKE_FAILED", "malformed RawSocket handshake reply", err);
      }
      if (reply.kind === "error") {
        const refused = new RawSocketHandshakeRefusedError(reply.errorCode);
        const code =
          reply.errorCode === RawSocketHandshakeErrorCode.maxConnectionCountReached
            ? "TRANSPORT_REFUSED"
            : "TRANSPORT_HANDSHAKE_FAILED";
        return fail(code, refused.message, refused);
      }
      if (reply.serializerId !== serializer.rawsocketId) {
        // Spec "Handshake: Router-to-Client Reply": "verify the serializer is the one we requested!
        // if not, fail the connection!"
        const mismatch = new ProtocolError(
          "RAWSOCKET_BAD_HANDSHAKE",
          `router accepted serializer ${reply.serializerId}, we requested ${serializer.rawsocketId}`,
          { field: "serializer" },
        );
        return fail("TRANSPORT_HANDSHAKE_FAILED", mismatch.message, mismatch);
      }
      settled = true;
      cleanup();
      const secure = tls !== undefined;
      resolve(
        bindRawSocket(socket, handler, {
          details: {
            kind: "rawsocket",
            peer: endpoint.type === "unix" ? `unix:${endpoint.path}` : describePeer(socket),
            serializer,
            subprotocol: undefined,
            secure,
            channelId: secure ? channelIdOf(socket as TLSSocket, "client") : undefined,
            maxMessageSize: maxLength,
          },
          reader,
          peerMaxLength: reply.maxLength,
          keepAlive: { autoPingInterval: options.autoPingInterval, autoPingTimeout: options.autoPingTimeout },
        }),
      );
    };

    timer = setTimeout(
      () => fail("TRANSPORT_TIMEOUT", `could not connect within ${connectTimeout} ms`),
      connectTimeout,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once(tls === undefined ? "connect" : "secureConnect", onConnected);
    socket.on("data", onData);
    socket.on("error", onError);
    socket.on("close", onClose);
  });
}

function resolveEndpoint(options: RawSocketClientOptions): {
  endpoint: RawSocketEndpoint;
  tls: TlsClientOptions | undefined;
} {
  const endpoint =
    options.endpoint ?? (options.url === undefined ? undefined : parseRawSocketUrl(options.url));
  if (endpoint === undefined)
    throw new ConfigError("a RawSocket transport needs a url or an endpoint", "url");
  if (endpoint.type !== "tcp" && endpoint.type !== "unix") {
    // Reachable from untyped configuration (JSON, JavaScript callers).
    const type: unknown = (endpoint as { type?: unknown }).type;
    throw new ConfigError(`RawSocket endpoint type must be tcp or unix (got ${String(type)})`, "endpoint");
  }
  const tls =
    endpoint.tls === true
      ? (options.tls ?? {})
      : endpoint.tls === false || endpoint.tls === undefined
        ? undefined
        : endpoint.tls;
  return { endpoint, tls };
}

function chooseSerializer(options: RawSocketClientOptions): Serializer {
  if (options.serializer !== undefined) return unbatchedSerializer(options.serializer);
  const list = options.serializers;
  if (list !== undefined && list.length > 0) {
    return unbatchedSerializer(list.find((name) => !name.endsWith(".batched")) ?? list[0]);
  }
  return unbatchedSerializer(DEFAULT_RAWSOCKET_SERIALIZER);
}

function connectSocket(endpoint: RawSocketEndpoint, tls: TlsClientOptions | undefined): Socket {
  // No Nagle delay: WAMP messages are small and often sent back to back (progressive results).
  const target =
    endpoint.type === "unix"
      ? { path: endpoint.path }
      : { host: endpoint.host, port: endpoint.port, noDelay: true };
  if (tls === undefined) return netConnect(target);
  // SNI carries host names only (RFC 6066 §3); Node warns when given an IP address.
  const servername =
    tls.servername ?? (endpoint.type === "tcp" && isIP(endpoint.host) === 0 ? endpoint.host : undefined);
  return tlsConnect({
    ...target,
    servername,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
  });
}
