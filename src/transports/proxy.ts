/** HTTP CONNECT tunnelling for clients behind a proxy (RFC 9110 §9.3.6). */
import { request } from "node:http";
import type { Socket } from "node:net";
import { TransportError } from "../errors.js";

export interface ProxyOptions {
  host: string;
  port: number;
  /** Extra headers for the CONNECT request, e.g. `Proxy-Authorization`. */
  headers?: Record<string, string>;
}

/** Ask the proxy for a tunnel to `host:port`; resolves with the raw socket once it answers 2xx. */
export function openProxyTunnel(
  proxy: ProxyOptions,
  host: string,
  port: number,
  signal?: AbortSignal,
): Promise<Socket> {
  const target = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const req = request({
      host: proxy.host,
      port: proxy.port,
      method: "CONNECT",
      path: target,
      headers: { host: target, ...proxy.headers },
      signal,
    });
    req.once("connect", (res, socket) => {
      if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
        resolve(socket);
      } else {
        socket.destroy();
        reject(
          new TransportError(
            "TRANSPORT_PROXY_FAILED",
            `proxy refused CONNECT ${target}: HTTP ${res.statusCode}`,
          ),
        );
      }
    });
    req.once("error", (err) => {
      // Aborted by the caller: the same code as an aborted attempt without a proxy.
      const code = signal?.aborted ? "TRANSPORT_CLOSED" : "TRANSPORT_PROXY_FAILED";
      reject(new TransportError(code, `proxy ${proxy.host}:${proxy.port}: ${err.message}`, { cause: err }));
    });
    req.end();
  });
}
