/**
 * WAMP-over-WebSocket end to end: `openWebSocket` against `listen({ type: "websocket" })` over TCP
 * (IPv4, IPv6), Unix sockets, TLS and an HTTP CONNECT proxy; subprotocol negotiation over every
 * serializer; keep-alive, handshake timeouts, aborts and closes from either side.
 */
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { WebSocketServer } from "ws";
import { getSerializer, serializerNames } from "../../src/codecs/index.js";
import type { SerializerName } from "../../src/codecs/serializer.js";
import { type Listener, type ListenerOptions, listen } from "../../src/transports/listen.js";
import type { TransportHandle } from "../../src/transports/types.js";
import { openWebSocket, type WebSocketClientOptions } from "../../src/transports/websocket/client.js";
import { closeFakeRouter, echoFactory, fakeRouter, Recorder, tlsCert, tlsKey } from "./rawsocketHelpers.js";
import { RawWsClient, sleep, startProxy, type TestProxy, within } from "./websocketHelpers.js";

const CALL = [
  48,
  7,
  { receive_progress: true },
  "com.example.echo",
  [1, "two", true, null, 3.5, 2 ** 53, -(2 ** 53)],
  { k: [1, 2], big: 2 ** 53 },
];

const ipv6 = await new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once("error", () => resolve(false));
  probe.listen(0, "::1", () => probe.close(() => resolve(true)));
});

let listeners: Listener[] = [];
let handles: TransportHandle[] = [];
let raws: RawWsClient[] = [];
let routers: Array<Parameters<typeof closeFakeRouter>[0]> = [];
let proxies: TestProxy[] = [];
let cleanups: Array<() => Promise<void>> = [];
let unixCounter = 0;

afterEach(async () => {
  for (const handle of handles) handle.abort();
  for (const raw of raws) raw.terminate();
  await Promise.all(listeners.map((l) => l.close()));
  await Promise.all(routers.map((r) => closeFakeRouter(r)));
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  listeners = [];
  handles = [];
  raws = [];
  routers = [];
  proxies = [];
  cleanups = [];
});

const unixPath = () => join(tmpdir(), `xwamp-ws-${process.pid}-${++unixCounter}.sock`);

async function start(options: Partial<ListenerOptions> = {}) {
  const factory = echoFactory();
  const listener = await listen({ type: "websocket", port: 0, ...options }, factory);
  listeners.push(listener);
  return { listener, handlers: factory.handlers };
}

async function open(options: WebSocketClientOptions, handler = new Recorder(), signal?: AbortSignal) {
  const handle = await openWebSocket(options, handler, signal);
  handles.push(handle);
  return { handle, handler };
}

async function rawOpen(url: string, protocols: string[], options: WebSocket.ClientOptions = {}) {
  const raw = await RawWsClient.open(url, protocols, options);
  raws.push(raw);
  return raw;
}

type Failure = Error & { code?: string };

async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    const handle = await promise;
    handles.push(handle as TransportHandle);
  } catch (err) {
    return err as Failure;
  }
  throw new Error("expected a failure");
}

/** A raw `ws` server on 127.0.0.1 that accepts the first WAMP subprotocol offered. */
async function rawServer(options: WebSocket.ServerOptions = {}) {
  const server = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    handleProtocols: (protocols) => [...protocols][0] ?? false,
    ...options,
  });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  cleanups.push(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/ws` };
}

describe("WebSocket round trip per serializer", () => {
  it.each(serializerNames)("echoes messages, binary values and 2^53 with %s", async (name) => {
    const { listener, handlers } = await start();
    const { handle, handler } = await open({ url: listener.url, serializers: [name] });
    expect(handler.handle).toBe(handle);
    expect(handle.details).toMatchObject({
      kind: "websocket",
      subprotocol: `wamp.2.${name}`,
      secure: false,
      channelId: undefined,
      maxMessageSize: 16 * 1024 * 1024,
    });
    expect(handle.details.serializer).toBe(getSerializer(name));
    expect(handle.details.peer).toMatch(/^tcp4:127\.0\.0\.1:\d+$/);

    handle.send(CALL);
    expect(await handler.message(1)).toEqual(CALL);
    const bytes = Uint8Array.of(0, 1, 2, 250, 255);
    handle.send([16, 8, {}, "com.example.topic", [bytes], { bytes }]);
    const echoed = (await handler.message(2)) as [number, number, object, string, [Uint8Array], object];
    expect(echoed.slice(0, 4)).toEqual([16, 8, {}, "com.example.topic"]);
    expect(echoed[4][0]).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(echoed[4][0]).toString("hex")).toBe("000102faff");
    expect(Buffer.from((echoed[5] as { bytes: Uint8Array }).bytes).toString("hex")).toBe("000102faff");
    const server = await handlers[0].opened;
    expect(server.details).toMatchObject({ kind: "websocket", subprotocol: `wamp.2.${name}`, secure: false });
    expect(server.details.serializer).toBe(getSerializer(name));
    expect(server.details.peer).toMatch(/^tcp4:127\.0\.0\.1:\d+$/);
    expect(handlers[0].messages[0]).toEqual(CALL);
    const seen = handlers[0].messages[1] as [
      number,
      number,
      object,
      string,
      [Uint8Array],
      { bytes: Uint8Array },
    ];
    expect(seen[4][0]).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(seen[5].bytes).toString("hex")).toBe("000102faff");
  });

  it.skipIf(!ipv6)("works over IPv6 loopback", async () => {
    const { listener, handlers } = await start({ host: "::1" });
    expect(listener.url).toMatch(/^ws:\/\/\[::1\]:\d+\/ws$/);
    const { handle, handler } = await open({ url: listener.url, serializers: ["cbor"] });
    expect(handle.details.peer).toMatch(/^tcp6:\[::1\]:\d+$/);
    handle.send(CALL);
    expect(await handler.message(1)).toEqual(CALL);
    expect((await handlers[0].opened).details.peer).toMatch(/^tcp6:\[::1\]:\d+$/);
  });
});

describe("WebSocket subprotocol negotiation", () => {
  it.each([
    // [server preference, client offer (its preference), expected]
    [undefined, ["cbor", "msgpack", "json"], "json"],
    [["msgpack", "json"], ["json", "cbor", "msgpack"], "msgpack"],
    [["json", "msgpack"], ["cbor", "msgpack", "json"], "json"],
    [["cbor", "ubjson"], ["json", "ubjson", "cbor"], "cbor"],
    [undefined, ["cbor.batched", "ubjson"], "ubjson"],
    [["msgpack.batched", "msgpack"], ["msgpack", "msgpack.batched"], "msgpack.batched"],
    [["json.batched", "json"], ["cbor", "json.batched"], "json.batched"],
    [["ubjson.batched", "cbor.batched"], ["cbor.batched", "ubjson.batched"], "ubjson.batched"],
    [["json"], ["ubjson", "json"], "json"],
  ] as Array<[SerializerName[] | undefined, SerializerName[], SerializerName]>)(
    "server %j, client offers %j: %s",
    async (serverOrder, offer, expected) => {
      const { listener, handlers } = await start(
        serverOrder === undefined ? {} : { serializers: serverOrder },
      );
      const { handle, handler } = await open({ url: listener.url, serializers: offer });
      expect(handle.details.subprotocol).toBe(`wamp.2.${expected}`);
      expect(handle.details.serializer.name).toBe(expected);
      const server = await handlers[0].opened;
      expect(server.details.subprotocol).toBe(`wamp.2.${expected}`);
      // The offer went out in the client's order of preference.
      expect(server.details.httpHeaders?.["sec-websocket-protocol"]).toBe(
        offer.map((name) => `wamp.2.${name}`).join(","),
      );
      handle.send([1, "realm1", {}]);
      expect(await handler.message(1)).toEqual([1, "realm1", {}]);
    },
  );

  it("offers the default list (cbor, msgpack, ubjson, json) when none is configured", async () => {
    const { listener, handlers } = await start({ serializers: ["ubjson", "cbor", "json"] });
    const { handle } = await open({ url: listener.url });
    expect(handle.details.subprotocol).toBe("wamp.2.ubjson");
    const server = await handlers[0].opened;
    expect(server.details.httpHeaders?.["sec-websocket-protocol"]).toBe(
      "wamp.2.cbor,wamp.2.msgpack,wamp.2.ubjson,wamp.2.json",
    );
  });

  it("refuses a client with no common subprotocol and keeps serving others", async () => {
    const { listener, handlers } = await start({ serializers: ["json", "json.batched"] });
    const err = await failure(
      openWebSocket({ url: listener.url, serializers: ["msgpack", "cbor"] }, new Recorder()),
    );
    expect(err.code).toBe("TRANSPORT_HANDSHAKE_FAILED");
    expect(await RawWsClient.refusal(listener.url, ["wamp.2.msgpack", "wamp.2.cbor"])).toBe(400);
    expect(handlers).toHaveLength(0);
    const { handle, handler } = await open({ url: listener.url, serializers: ["msgpack", "json"] });
    expect(handle.details.subprotocol).toBe("wamp.2.json");
    handle.send([1, "still serving", {}]);
    expect(await handler.message(1)).toEqual([1, "still serving", {}]);
  });

  it.each([
    ["chooses none", () => false as const],
    ["chooses one that was not offered", () => "wamp.2.msgpack"],
    ["chooses a non-WAMP one", () => "mqtt"],
  ])("fails with TRANSPORT_NO_SUBPROTOCOL when a server accepts but %s", async (_name, choose) => {
    const { url } = await rawServer({ handleProtocols: choose });
    const err = await failure(openWebSocket({ url, serializers: ["json", "cbor"] }, new Recorder()));
    expect(err.code).toBe("TRANSPORT_NO_SUBPROTOCOL");
  });
});

describe("WebSocket over TLS", () => {
  it("round trips over wss:// with secure details on both sides", async () => {
    const { listener, handlers } = await start({ tls: { cert: tlsCert, key: tlsKey } });
    expect(listener.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
    const { handle, handler } = await open({
      url: listener.url,
      serializers: ["msgpack"],
      tls: { ca: tlsCert },
    });
    expect(handle.details.secure).toBe(true);
    handle.send(CALL);
    expect(await handler.message(1)).toEqual(CALL);
    const server = await handlers[0].opened;
    expect(server.details.secure).toBe(true);
    expect(server.details.peer).toMatch(/^tcp4:127\.0\.0\.1:\d+$/);
  });

  it("fails with TRANSPORT_CONNECT_FAILED on an untrusted certificate", async () => {
    const { listener, handlers } = await start({ tls: { cert: tlsCert, key: tlsKey } });
    const err = await failure(openWebSocket({ url: listener.url }, new Recorder()));
    expect(err.code).toBe("TRANSPORT_CONNECT_FAILED");
    expect(handlers).toHaveLength(0);
  });

  it("connects to an untrusted certificate with rejectUnauthorized: false", async () => {
    const { listener } = await start({ tls: { cert: tlsCert, key: tlsKey } });
    const { handle } = await open({ url: listener.url, tls: { rejectUnauthorized: false } });
    expect(handle.details.secure).toBe(true);
  });

  it("exposes the same tls-unique channel id (32 bytes: SHA-256 of it) on both sides over TLS 1.2", async () => {
    const { listener, handlers } = await start({
      tls: { cert: tlsCert, key: tlsKey, maxVersion: "TLSv1.2" },
    });
    const { handle } = await open({ url: listener.url, tls: { ca: tlsCert } });
    const server = await handlers[0].opened;
    const client = handle.details.channelId;
    expect(client).toBeInstanceOf(Uint8Array);
    expect(client).toHaveLength(32);
    expect(server.details.channelId).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(server.details.channelId!).equals(Buffer.from(client!))).toBe(true);
  });

  it("has no channel id over TLS 1.3", async () => {
    const { listener, handlers } = await start({
      tls: { cert: tlsCert, key: tlsKey, minVersion: "TLSv1.3" },
    });
    const { handle } = await open({ url: listener.url, tls: { ca: tlsCert } });
    expect(handle.details.secure).toBe(true);
    expect(handle.details.channelId).toBeUndefined();
    expect((await handlers[0].opened).details.channelId).toBeUndefined();
  });
});

describe("WebSocket through an HTTP CONNECT proxy", () => {
  async function proxy(options: Parameters<typeof startProxy>[0] = {}) {
    const p = await startProxy(options);
    proxies.push(p);
    return p;
  }

  it("tunnels ws://", async () => {
    const { listener, handlers } = await start();
    const p = await proxy();
    const { handle, handler } = await open({ url: listener.url, proxy: { host: "127.0.0.1", port: p.port } });
    expect(p.targets).toEqual([`127.0.0.1:${listener.port}`]);
    handle.send(CALL);
    expect(await handler.message(1)).toEqual(CALL);
    expect(handlers).toHaveLength(1);
  });

  it("tunnels wss:// (TLS end to end through the tunnel)", async () => {
    const { listener, handlers } = await start({ tls: { cert: tlsCert, key: tlsKey } });
    const p = await proxy();
    // Node warns (DEP0123) when a client sends an IP address as SNI server name (RFC 6066 §3 forbids it).
    const warnings: Array<Error & { code?: string }> = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    cleanups.push(async () => {
      process.off("warning", onWarning);
    });
    const { handle, handler } = await open({
      url: listener.url,
      proxy: { host: "127.0.0.1", port: p.port },
      tls: { ca: tlsCert },
    });
    expect(p.targets).toEqual([`127.0.0.1:${listener.port}`]);
    expect(handle.details.secure).toBe(true);
    handle.send(CALL);
    expect(await handler.message(1)).toEqual(CALL);
    expect((await handlers[0].opened).details.secure).toBe(true);
    await sleep(10); // warnings are emitted on the next tick
    expect(warnings.map((w) => w.code)).not.toContain("DEP0123");
  });

  it("verifies the router's certificate through the tunnel", async () => {
    const { listener } = await start({ tls: { cert: tlsCert, key: tlsKey } });
    const p = await proxy();
    const err = await failure(
      openWebSocket({ url: listener.url, proxy: { host: "127.0.0.1", port: p.port } }, new Recorder()),
    );
    expect(err.code).toBe("TRANSPORT_CONNECT_FAILED");
  });

  it("fails with TRANSPORT_PROXY_FAILED when the proxy refuses (403)", async () => {
    const { listener, handlers } = await start();
    const p = await proxy({ refuse: 403 });
    const err = await failure(
      openWebSocket({ url: listener.url, proxy: { host: "127.0.0.1", port: p.port } }, new Recorder()),
    );
    expect(err.code).toBe("TRANSPORT_PROXY_FAILED");
    expect(p.targets).toEqual([`127.0.0.1:${listener.port}`]);
    expect(handlers).toHaveLength(0);
  });

  it("fails with TRANSPORT_PROXY_FAILED when no proxy listens", async () => {
    const { listener } = await start();
    const p = await startProxy();
    await p.close();
    const err = await failure(
      openWebSocket({ url: listener.url, proxy: { host: "127.0.0.1", port: p.port } }, new Recorder()),
    );
    expect(err.code).toBe("TRANSPORT_PROXY_FAILED");
  });

  it("rejects with TRANSPORT_CLOSED when aborted while the proxy has not answered", async () => {
    const { listener } = await start();
    const p = await proxy({ hang: true });
    const controller = new AbortController();
    const attempt = openWebSocket(
      { url: listener.url, proxy: { host: "127.0.0.1", port: p.port } },
      new Recorder(),
      controller.signal,
    );
    while (p.targets.length === 0) await sleep(5);
    controller.abort();
    expect((await failure(attempt)).code).toBe("TRANSPORT_CLOSED");
  });
});

describe("WebSocket on a universal listener", () => {
  it("serves ws:// next to RawSocket on one port", async () => {
    const { listener, handlers } = await start({ type: "universal" });
    const { handle, handler } = await open({
      url: `ws://127.0.0.1:${listener.port}/ws`,
      serializers: ["json"],
    });
    handle.send(CALL);
    expect(await handler.message(1)).toEqual(CALL);
    expect((await handlers[0].opened).details.kind).toBe("websocket");
  });

  it("serves wss:// when the universal listener runs TLS", async () => {
    const { listener, handlers } = await start({ type: "universal", tls: { cert: tlsCert, key: tlsKey } });
    const { handle, handler } = await open({
      url: `wss://127.0.0.1:${listener.port}/ws`,
      serializers: ["msgpack"],
      tls: { ca: tlsCert },
    });
    expect(handle.details.secure).toBe(true);
    handle.send(CALL);
    expect(await handler.message(1)).toEqual(CALL);
    expect((await handlers[0].opened).details.secure).toBe(true);
  });
});

describe("WebSocket over a Unix socket", () => {
  it("listens on ws+unix: and openWebSocket connects with that URL", async () => {
    const path = unixPath();
    const { listener, handlers } = await start({ port: undefined, unix: path });
    expect(listener.url).toBe(`ws+unix:${path}:/ws`);
    expect(listener.port).toBeUndefined();
    const { handle, handler } = await open({ url: listener.url, serializers: ["json"] });
    expect(handle.details).toMatchObject({ kind: "websocket", peer: "unix", secure: false });
    handle.send(CALL);
    expect(await handler.message(1)).toEqual(CALL);
    expect((await handlers[0].opened).details.peer).toBe("unix");
  });

  it("serves a plain ws client on the ws+unix: URL", async () => {
    const { listener } = await start({ port: undefined, unix: unixPath(), path: "/wamp" });
    expect(listener.url).toMatch(/:\/wamp$/);
    const raw = await rawOpen(listener.url, ["wamp.2.json"]);
    expect(raw.ws.protocol).toBe("wamp.2.json");
    raw.send('[1,"realm1",{}]');
    expect((await raw.frame(1)).data.toString()).toBe('[1,"realm1",{}]');
  });
});

describe("WebSocket keep-alive", () => {
  it("drops a client that never answers the server's PINGs with TRANSPORT_PING_TIMEOUT", async () => {
    const { listener, handlers } = await start({ autoPingInterval: 50, autoPingTimeout: 50 });
    const raw = await rawOpen(listener.url, ["wamp.2.json"], { autoPong: false });
    const closed = await handlers[0].closed;
    expect(closed.clean).toBe(false);
    expect(closed.error?.code).toBe("TRANSPORT_PING_TIMEOUT");
    expect((await raw.closed).code).toBe(1006);
  });

  it("keeps a client that answers the server's PINGs across several intervals", async () => {
    const { listener, handlers } = await start({ autoPingInterval: 50, autoPingTimeout: 50 });
    const raw = await rawOpen(listener.url, ["wamp.2.json"]);
    let pings = 0;
    await new Promise<void>((resolve) =>
      raw.ws.on("ping", () => {
        if (++pings === 4) resolve();
      }),
    );
    raw.send('[1,"still here",{}]');
    expect((await raw.frame(1)).data.toString()).toBe('[1,"still here",{}]');
    expect(handlers[0].closeDetails).toBeUndefined();

    const { handle, handler } = await open({ url: listener.url });
    await sleep(300);
    handle.send([1, "still here", {}]);
    expect(await handler.message(1)).toEqual([1, "still here", {}]);
    expect(handler.closeDetails).toBeUndefined();
    expect(handlers[1].closeDetails).toBeUndefined();
  });

  it("does not multiply its PINGs when a client sends unsolicited PONGs", async () => {
    const { listener, handlers } = await start({ autoPingInterval: 200, autoPingTimeout: 2000 });
    const raw = await rawOpen(listener.url, ["wamp.2.json"], { autoPong: false });
    for (let i = 0; i < 10; i++) raw.ws.pong(); // allowed unsolicited (RFC 6455 §5.5.3)
    let pings = 0;
    raw.ws.on("ping", () => pings++);
    await new Promise<void>((resolve) => raw.ws.once("ping", () => resolve()));
    // A second PING can only come an interval after the PONG below; one ping cycle per connection.
    raw.send('[1,"sync",{}]');
    await raw.frame(1);
    await sleep(50);
    expect(pings).toBe(1);
    raw.ws.pong();
    await new Promise<void>((resolve) => raw.ws.once("ping", () => resolve()));
    await sleep(50);
    expect(pings).toBe(2);
    expect(handlers[0].closeDetails).toBeUndefined();
  });

  it("drops a server that never answers the client's PINGs with TRANSPORT_PING_TIMEOUT", async () => {
    const { server, url } = await rawServer({ autoPong: false });
    const serverSide = new Promise<WebSocket>((resolve) => server.once("connection", resolve));
    const { handler } = await open({ url, serializers: ["json"], autoPingInterval: 50, autoPingTimeout: 50 });
    const pinged = new Promise<void>((resolve) => {
      void serverSide.then((ws) => ws.once("ping", () => resolve()));
    });
    await pinged;
    const closed = await handler.closed;
    expect(closed.clean).toBe(false);
    expect(closed.error?.code).toBe("TRANSPORT_PING_TIMEOUT");
  });

  it("keeps a connection whose PINGs are answered, in both directions", async () => {
    const { listener, handlers } = await start({ autoPingInterval: 20, autoPingTimeout: 200 });
    const { handle, handler } = await open({ url: listener.url, autoPingInterval: 20, autoPingTimeout: 200 });
    await sleep(200);
    handle.send([1, "still here", {}]);
    expect(await handler.message(1)).toEqual([1, "still here", {}]);
    expect(handler.closeDetails).toBeUndefined();
    expect(handlers[0].closeDetails).toBeUndefined();
  });
});

describe("WebSocket opening handshake timeout (client)", () => {
  it("fails with TRANSPORT_TIMEOUT when the server accepts TCP and never answers", async () => {
    const router = await fakeRouter(() => {});
    routers.push(router);
    const err = await failure(
      openWebSocket({ url: `ws://127.0.0.1:${router.port}/ws`, openHandshakeTimeout: 50 }, new Recorder()),
    );
    expect(err.code).toBe("TRANSPORT_TIMEOUT");
  });

  it("fails with TRANSPORT_TIMEOUT when a TLS server never answers the ClientHello", async () => {
    const router = await fakeRouter(() => {});
    routers.push(router);
    const err = await failure(
      openWebSocket({ url: `wss://127.0.0.1:${router.port}/ws`, openHandshakeTimeout: 50 }, new Recorder()),
    );
    expect(err.code).toBe("TRANSPORT_TIMEOUT");
  });

  it("fails with TRANSPORT_CONNECT_FAILED when nothing listens", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await failure(openWebSocket({ url: `ws://127.0.0.1:${port}/ws` }, new Recorder()));
    expect(err.code).toBe("TRANSPORT_CONNECT_FAILED");
  });

  it("fails with TRANSPORT_CONNECT_FAILED for a URL that is not a WebSocket URL", async () => {
    for (const url of ["http://127.0.0.1:1/ws", "rs://127.0.0.1:1", "wss+unix:/tmp/x.sock:/ws"]) {
      const err = await failure(openWebSocket({ url }, new Recorder()));
      expect(err.code).toBe("TRANSPORT_CONNECT_FAILED");
    }
  });
});

describe("WebSocket connection attempt aborted", () => {
  it("rejects with TRANSPORT_CLOSED mid-connect and leaves no open socket", async () => {
    const router = await fakeRouter(() => {});
    routers.push(router);
    const connected = new Promise<import("node:net").Socket>((resolve) =>
      router.server.once("connection", resolve),
    );
    const controller = new AbortController();
    const handler = new Recorder();
    const attempt = openWebSocket({ url: `ws://127.0.0.1:${router.port}/ws` }, handler, controller.signal);
    const serverSide = await connected;
    const gone = new Promise<void>((resolve) => serverSide.once("close", () => resolve()));
    controller.abort();
    expect((await failure(attempt)).code).toBe("TRANSPORT_CLOSED");
    await within(gone, "the aborted client's socket to close");
    expect(router.sockets.size).toBe(0);
    expect(handler.handle).toBeUndefined();
    expect(handler.closeCount).toBe(0);
  });

  it("rejects with TRANSPORT_CLOSED for a signal aborted beforehand", async () => {
    const { listener, handlers } = await start();
    const handler = new Recorder();
    const err = await failure(openWebSocket({ url: listener.url }, handler, AbortSignal.abort()));
    expect(err.code).toBe("TRANSPORT_CLOSED");
    expect(handler.handle).toBeUndefined();
    await sleep(50);
    expect(handlers).toHaveLength(0);
  });
});

describe("WebSocket close", () => {
  it("a clean close by the client is clean (1000) on both sides", async () => {
    const { listener, handlers } = await start();
    const { handle, handler } = await open({ url: listener.url });
    await handlers[0].opened;
    handle.close();
    expect(handle.isOpen).toBe(false);
    expect(await handler.closed).toMatchObject({ clean: true, code: 1000 });
    expect(await handlers[0].closed).toMatchObject({ clean: true, code: 1000 });
    expect((await handler.closed).error).toBeUndefined();
    expect((await handlers[0].closed).error).toBeUndefined();
    expect(handler.closeCount).toBe(1);
    expect(handlers[0].closeCount).toBe(1);
  });

  it("a clean close by the server is clean (1000) on both sides, with the reason", async () => {
    const { listener, handlers } = await start();
    const { handler } = await open({ url: listener.url });
    const server = await handlers[0].opened;
    server.close(1000, "bye");
    expect(await handlers[0].closed).toMatchObject({ clean: true, code: 1000 });
    expect(await handler.closed).toMatchObject({ clean: true, code: 1000, reason: "bye" });
  });

  it("abort() by the client is seen as unclean (1006) by the server", async () => {
    const { listener, handlers } = await start();
    const { handle, handler } = await open({ url: listener.url });
    await handlers[0].opened;
    handle.abort();
    expect(await handlers[0].closed).toMatchObject({ clean: false, code: 1006 });
    expect((await handler.closed).clean).toBe(false);
    expect(handler.closeCount).toBe(1);
  });

  it("abort() by the server is seen as unclean (1006) by the client", async () => {
    const { listener, handlers } = await start();
    const { handler } = await open({ url: listener.url });
    (await handlers[0].opened).abort("enough");
    expect(await handler.closed).toMatchObject({ clean: false, code: 1006 });
    expect((await handlers[0].closed).error?.code).toBe("TRANSPORT_CLOSED");
  });

  it("nothing is sent after close, and close is idempotent", async () => {
    const { listener, handlers } = await start();
    const { handle, handler } = await open({ url: listener.url });
    await handlers[0].opened;
    handle.close();
    handle.close();
    handle.send([1, "late", {}]);
    await handler.closed;
    await handlers[0].closed;
    expect(handlers[0].messages).toEqual([]);
    expect(handler.closeCount).toBe(1);
  });

  it("closing the listener closes its connections with 1001 (going away)", async () => {
    const { listener } = await start();
    const { handler } = await open({ url: listener.url });
    await listener.close();
    listeners = [];
    expect(await handler.closed).toMatchObject({ clean: true, code: 1001 });
  });
});

describe("WebSocket message size limit (client side)", () => {
  it("closes with TRANSPORT_MESSAGE_TOO_LARGE when the server sends more than the client accepts", async () => {
    const { listener, handlers } = await start();
    const { handle, handler } = await open({
      url: listener.url,
      serializers: ["json"],
      maxMessageSize: 1024,
    });
    expect(handle.details.maxMessageSize).toBe(1024);
    handle.send([1, "x".repeat(900)]);
    expect(await handler.message(1)).toEqual([1, "x".repeat(900)]);
    handle.send([1, "x".repeat(2000)]); // the server accepts it; its echo is too big for the client
    const closed = await handler.closed;
    expect(closed.clean).toBe(false);
    expect(closed.error?.code).toBe("TRANSPORT_MESSAGE_TOO_LARGE");
    expect(handler.messages).toHaveLength(1);
    expect((await handlers[0].closed).code).toBe(1009);
  });
});

describe("WebSocket headers", () => {
  it("sends the client's extra headers to the server", async () => {
    const { listener, handlers } = await start();
    await open({ url: listener.url, headers: { "X-Custom": "yes", Authorization: "Bearer t0k" } });
    const headers = (await handlers[0].opened).details.httpHeaders;
    expect(headers?.["x-custom"]).toBe("yes");
    expect(headers?.authorization).toBe("Bearer t0k");
  });
});
