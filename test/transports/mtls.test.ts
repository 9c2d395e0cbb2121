/**
 * Mutual TLS: a listener with `requestCert: true` and a CA accepts a client that presents a
 * certificate signed by that CA, and refuses one without a certificate (a TransportError, and the
 * server's handler never sees the connection). The fixture is a self-signed certificate, so it is
 * its own CA and also serves as the client certificate.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { TransportError } from "../../src/errors.js";
import { type Listener, listen } from "../../src/transports/listen.js";
import { openRawSocket } from "../../src/transports/rawsocket/client.js";
import type { TlsClientOptions } from "../../src/transports/tls.js";
import type { CloseDetails, TransportHandle, TransportHandler } from "../../src/transports/types.js";
import { openWebSocket } from "../../src/transports/websocket/client.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/tls/${name}`, import.meta.url), "utf8");
const cert = fixture("cert.pem");
const key = fixture("key.pem");

/** Records what a transport delivers; optionally echoes every message back. */
class Recorder implements TransportHandler {
  handle: TransportHandle | undefined;
  readonly messages: unknown[][] = [];
  closed: CloseDetails | undefined;
  constructor(private readonly echo = false) {}
  onOpen(handle: TransportHandle): void {
    this.handle = handle;
  }
  onMessage(message: unknown[]): void {
    this.messages.push(message);
    if (this.echo) this.handle?.send(message);
  }
  onClose(details: CloseDetails): void {
    this.closed = details;
  }
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const listeners: Listener[] = [];
const handles: TransportHandle[] = [];

afterEach(async () => {
  for (const h of handles.splice(0)) h.abort();
  await Promise.all(listeners.splice(0).map((l) => l.close()));
});

type Kind = "websocket" | "rawsocket";

const open = (kind: Kind, url: string, tls: TlsClientOptions, handler: TransportHandler) =>
  kind === "websocket"
    ? openWebSocket({ url, serializers: ["json"], tls }, handler)
    : openRawSocket({ url, serializer: "json", tls }, handler);

type Version = "TLSv1.2" | "TLSv1.3";

/**
 * The refusal code observed for a client without a certificate. Under TLS 1.2 the server refuses
 * during the TLS handshake: TRANSPORT_CONNECT_FAILED on both. Under TLS 1.3 the client finishes its
 * side of the handshake before the server's "certificate required" alert arrives; the WebSocket
 * client still reports TRANSPORT_CONNECT_FAILED (no upgrade yet), the RawSocket client already
 * counts as connected and reports TRANSPORT_HANDSHAKE_FAILED.
 */
const REFUSAL: Record<Kind, Record<Version, string>> = {
  websocket: { "TLSv1.2": "TRANSPORT_CONNECT_FAILED", "TLSv1.3": "TRANSPORT_CONNECT_FAILED" },
  rawsocket: { "TLSv1.2": "TRANSPORT_CONNECT_FAILED", "TLSv1.3": "TRANSPORT_HANDSHAKE_FAILED" },
};

const CASES = (["websocket", "rawsocket"] as const).flatMap((kind) =>
  (["TLSv1.2", "TLSv1.3"] as const).map((version) => ({ kind, version })),
);

describe.each(CASES)("mutual TLS over $kind ($version)", ({ kind, version }) => {
  async function start() {
    const server: Recorder[] = [];
    const listener = await listen(
      {
        type: kind,
        port: 0,
        tls: { cert, key, ca: cert, requestCert: true, minVersion: version, maxVersion: version },
      },
      () => {
        const r = new Recorder(true);
        server.push(r);
        return r;
      },
    );
    listeners.push(listener);
    expect(listener.url.startsWith(kind === "websocket" ? "wss://127.0.0.1:" : "rss://127.0.0.1:")).toBe(
      true,
    );
    return { listener, server };
  }

  /** The error opening a connection with `tls` rejects with (fails the test if it opens). */
  async function refusal(url: string, tls: TlsClientOptions): Promise<TransportError> {
    let caught: unknown;
    try {
      handles.push(await open(kind, url, tls, new Recorder()));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TransportError);
    return caught as TransportError;
  }

  it("a client presenting a certificate the listener's CA signed connects", async () => {
    const { listener, server } = await start();
    const client = new Recorder();
    const handle = await open(kind, listener.url, { ca: cert, cert, key }, client);
    handles.push(handle);
    expect(handle.details.secure).toBe(true);
    handle.send(["hello", 1]);
    await until(() => client.messages.length === 1, "the echo");
    expect(client.messages).toEqual([["hello", 1]]);
    expect(server).toHaveLength(1);
    expect(server[0].handle?.details.secure).toBe(true);
  });

  it("a client without a certificate is refused with a TransportError; no handler sees it", async () => {
    const { listener, server } = await start();
    expect((await refusal(listener.url, { ca: cert })).code).toBe(REFUSAL[kind][version]);
    expect(server).toHaveLength(0);
    expect(listener.connections).toBe(0);

    // The listener still serves a client that does present its certificate.
    const handle = await open(kind, listener.url, { ca: cert, cert, key }, new Recorder());
    handles.push(handle);
    expect(handle.isOpen).toBe(true);
    expect(server).toHaveLength(1);
  });

  it("a client with a certificate but without its key presents none and is refused the same way", async () => {
    const { listener, server } = await start();
    expect((await refusal(listener.url, { ca: cert, cert })).code).toBe(REFUSAL[kind][version]);
    expect(server).toHaveLength(0);
  });
});
