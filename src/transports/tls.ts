/** TLS helpers shared by the WebSocket and RawSocket transports. */
import { createHash } from "node:crypto";
import type { TLSSocket } from "node:tls";

/**
 * The `tls-unique` channel id: SHA-256 of the first Finished message of the handshake (RFC 5929
 * §3), i.e. the client's, giving the 32 bytes WAMP-Cryptosign XORs with its challenge (hashed as
 * Autobahn does). TLS 1.3 has no tls-unique (RFC 8446 §C.5), so undefined there.
 */
export function channelIdOf(socket: TLSSocket, side: "client" | "server"): Uint8Array | undefined {
  if (typeof socket.getProtocol !== "function") return undefined;
  const protocol = socket.getProtocol();
  if (protocol === null || protocol === "TLSv1.3") return undefined;
  const finished = side === "client" ? socket.getFinished() : socket.getPeerFinished();
  return finished === undefined ? undefined : new Uint8Array(createHash("sha256").update(finished).digest());
}

/** TLS settings of a client (`wss://`, `rss://`). PEM strings or buffers. */
export interface TlsClientOptions {
  /** Trusted CA certificates (default: Node's bundled roots). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate, for routers that authenticate TLS clients. */
  cert?: string | Buffer;
  /** Client private key. */
  key?: string | Buffer;
  /** Verify the router's certificate (default true). */
  rejectUnauthorized?: boolean;
  /** SNI server name (default: the URL host). */
  servername?: string;
}

/** TLS settings of a listener. */
export interface TlsServerOptions {
  cert: string | Buffer;
  key: string | Buffer;
  /** CAs for verifying client certificates. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Ask clients for a certificate (default false). */
  requestCert?: boolean;
  /** Lowest TLS version accepted (default Node's). `TLSv1.2` keeps `tls-unique` channel binding available. */
  minVersion?: "TLSv1.2" | "TLSv1.3";
  maxVersion?: "TLSv1.2" | "TLSv1.3";
}
