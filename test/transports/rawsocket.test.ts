/**
 * WAMP-over-RawSocket end to end: `openRawSocket` against `listen()` over TCP (IPv4, IPv6), Unix
 * sockets and TLS, plus the client's handling of refusals, bad replies, timeouts and aborts.
 */
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SerializerName } from "../../src/codecs/serializer.js";
import { ConfigError } from "../../src/errors.js";
import { type Listener, type ListenerOptions, listen } from "../../src/transports/listen.js";
import {
  openRawSocket,
  parseRawSocketUrl,
  type RawSocketClientOptions,
} from "../../src/transports/rawsocket/client.js";
import type { TransportHandle } from "../../src/transports/types.js";
import { openWebSocket } from "../../src/transports/websocket/client.js";
import {
  closeFakeRouter,
  echoFactory,
  fakeRouter,
  frameHex,
  Recorder,
  tlsCert,
  tlsKey,
} from "./rawsocketHelpers.js";

const SERIALIZERS: SerializerName[] = ["json", "msgpack", "cbor", "ubjson"];
const CALL = [
  48,
  7,
  { receive_progress: true },
  "com.example.echo",
  [1, "two", true, null, 3.5],
  { k: [1, 2] },
];

const ipv6 = await new Promise<boolean>((resolve) => {
  const probe = createServer();
  probe.once("error", () => resolve(false));
  probe.listen(0, "::1", () => probe.close(() => resolve(true)));
});

let listeners: Listener[] = [];
let handles: TransportHandle[] = [];
let routers: Array<Parameters<typeof closeFakeRouter>[0]> = [];
let unixCounter = 0;

afterEach(async () => {
  for (const handle of handles) handle.abort();
  await Promise.all(listeners.map((l) => l.close()));
  await Promise.all(routers.map((r) => closeFakeRouter(r)));
  listeners = [];
  handles = [];
  routers = [];
});

const unixPath = () => join(tmpdir(), `xwamp-rs-${process.pid}-${++unixCounter}.sock`);

async function start(options: Partial<ListenerOptions> = {}) {
  const factory = echoFactory();
  const listener = await listen({ type: "rawsocket", port: 0, ...options } as ListenerOptions, factory);
  listeners.push(listener);
  return { listener, handlers: factory.handlers };
}

async function open(options: RawSocketClientOptions, handler = new Recorder()) {
  const handle = await openRawSocket(options, handler);
  handles.push(handle);
  return { handle, handler };
}

type Failure = Error & { code?: string; cause?: { code?: string; errorCode?: number } };

async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    const handle = await promise;
    handles.push(handle as TransportHandle);
  } catch (err) {
    return err as Failure;
  }
  throw new Error("expected a failure");
}

interface Variant {
  name: string;
  skip?: boolean;
  listener: () => Partial<ListenerOptions>;
  client: (listener: Listener) => RawSocketClientOptions;
  peer: RegExp;
  secure: boolean;
}

const variants: Variant[] = [
  {
    name: "TCP (IPv4)",
    listener: () => ({}),
    client: (l) => ({ url: l.url }),
    peer: /^tcp4:127\.0\.0\.1:\d+$/,
    secure: false,
  },
  {
    name: "TCP (IPv6)",
    skip: !ipv6,
    listener: () => ({ host: "::1" }),
    client: (l) => ({ url: l.url }),
    peer: /^tcp6:\[::1\]:\d+$/,
    secure: false,
  },
  {
    name: "Unix socket",
    listener: () => ({ port: undefined, unix: unixPath() }),
    client: (l) => ({ url: l.url }),
    peer: /^unix:\//,
    secure: false,
  },
  {
    name: "TLS over TCP",
    listener: () => ({ tls: { cert: tlsCert, key: tlsKey } }),
    client: (l) => ({ url: l.url, tls: { ca: tlsCert } }),
    peer: /^tcp4:127\.0\.0\.1:\d+$/,
    secure: true,
  },
  {
    name: "TLS over a Unix socket",
    listener: () => ({ port: undefined, unix: unixPath(), tls: { cert: tlsCert, key: tlsKey } }),
    client: (l) => ({ url: l.url, tls: { ca: tlsCert, servername: "localhost" } }),
    peer: /^unix:\//,
    secure: true,
  },
];

describe.each(variants)("RawSocket round trip over $name", (variant) => {
  it.skipIf(variant.skip === true).each(SERIALIZERS)("echoes messages with %s", async (serializer) => {
    const { listener, handlers } = await start(variant.listener());
    const { handle, handler } = await open({ ...variant.client(listener), serializer });
    expect(handler.handle).toBe(handle);
    expect(handle.details).toMatchObject({
      kind: "rawsocket",
      subprotocol: undefined,
      secure: variant.secure,
    });
    expect(handle.details.serializer.name).toBe(serializer);
    expect(handle.details.peer).toMatch(variant.peer);
    expect(handle.details.maxMessageSize).toBe(2 ** 24);

    handle.send(CALL);
    expect(await handler.message(1)).toEqual(CALL);
    const bytes = Uint8Array.of(0, 1, 2, 250, 255);
    handle.send([16, 8, {}, "com.example.topic", [bytes]]);
    const echoed = (await handler.message(2)) as [number, number, object, string, [Uint8Array]];
    expect(echoed.slice(0, 4)).toEqual([16, 8, {}, "com.example.topic"]);
    expect(Buffer.from(echoed[4][0]).toString("hex")).toBe("000102faff");

    const server = (await handlers[0].opened).details;
    expect(server.serializer.name).toBe(serializer);
    expect(server.secure).toBe(variant.secure);

    handle.close();
    expect(await handler.closed).toMatchObject({ clean: true, code: undefined });
    expect(await handlers[0].closed).toMatchObject({ clean: true, code: undefined });
    expect(handler.closeCount).toBe(1);
  });
});

describe("RawSocket client", () => {
  it("exposes the same tls-unique channel id on both sides over TLS 1.2", async () => {
    const { listener, handlers } = await start({
      tls: { cert: tlsCert, key: tlsKey, maxVersion: "TLSv1.2" },
    });
    const { handle } = await open({ url: listener.url, tls: { ca: tlsCert } });
    const server = await handlers[0].opened;
    expect(handle.details.channelId).toBeInstanceOf(Uint8Array);
    expect(handle.details.channelId!.length).toBeGreaterThan(0);
    expect(Buffer.from(server.details.channelId!).equals(Buffer.from(handle.details.channelId!))).toBe(true);
  });

  it("connects to an endpoint object, which wins over the url", async () => {
    const { listener } = await start();
    const { handle } = await open({
      url: "rs://127.0.0.1:1",
      endpoint: { type: "tcp", host: "127.0.0.1", port: listener.port! },
    });
    expect(handle.isOpen).toBe(true);
  });

  it("connects with an endpoint object using TLS", async () => {
    const { listener } = await start({ tls: { cert: tlsCert, key: tlsKey } });
    const { handle } = await open({
      endpoint: { type: "tcp", host: "127.0.0.1", port: listener.port!, tls: { ca: tlsCert } },
    });
    expect(handle.details.secure).toBe(true);
  });

  it.each([
    [{}, "msgpack"],
    [{ serializers: ["cbor.batched", "ubjson", "json"] }, "ubjson"],
    [{ serializers: ["cbor.batched"] }, "cbor"],
    [{ serializer: "json.batched" }, "json"],
    [{ serializer: "cbor", serializers: ["json"] }, "cbor"],
  ] as Array<[Partial<RawSocketClientOptions>, SerializerName]>)(
    "requests the right serializer (%j)",
    async (options, expected) => {
      const { listener } = await start();
      const { handle } = await open({ url: listener.url, ...options });
      expect(handle.details.serializer.name).toBe(expected);
    },
  );

  it("delivers frames the router sends together with its handshake reply", async () => {
    const router = await fakeRouter((socket) => {
      socket.once("data", () => socket.write(Buffer.from(`7ff10000${frameHex("[2,1,{}]")}`, "hex")));
    });
    routers.push(router);
    const { handler } = await open({ url: `rs://127.0.0.1:${router.port}`, serializer: "json" });
    expect(await handler.message(1)).toEqual([2, 1, {}]);
  });

  it("sees an unsupported serializer as TRANSPORT_HANDSHAKE_FAILED with error 1", async () => {
    const { listener } = await start({ serializers: ["json"] });
    const err = await failure(openRawSocket({ url: listener.url, serializer: "msgpack" }, new Recorder()));
    expect(err.code).toBe("TRANSPORT_HANDSHAKE_FAILED");
    expect(err.cause?.code).toBe("RAWSOCKET_HANDSHAKE_REFUSED");
    expect(err.cause?.errorCode).toBe(1);
  });

  it("sees the connection limit as TRANSPORT_REFUSED with error 4", async () => {
    const { listener } = await start({ maxConnections: 1 });
    await open({ url: listener.url });
    const err = await failure(openRawSocket({ url: listener.url }, new Recorder()));
    expect(err.code).toBe("TRANSPORT_REFUSED");
    expect(err.cause?.errorCode).toBe(4);
  });

  it.each([
    ["a reply echoing another serializer", "7ff10000", "RAWSOCKET_BAD_HANDSHAKE"],
    ["a reply with a bad magic octet", "48545450", "RAWSOCKET_BAD_MAGIC"],
    ["error reply 2", "7f200000", "RAWSOCKET_HANDSHAKE_REFUSED"],
  ])("fails on %s", async (_name, reply, causeCode) => {
    const router = await fakeRouter((socket) =>
      socket.once("data", () => socket.write(Buffer.from(reply, "hex"))),
    );
    routers.push(router);
    const err = await failure(
      openRawSocket({ url: `rs://127.0.0.1:${router.port}`, serializer: "msgpack" }, new Recorder()),
    );
    expect(err.code).toBe("TRANSPORT_HANDSHAKE_FAILED");
    expect(err.cause?.code).toBe(causeCode);
  });

  it("fails when the router closes before replying", async () => {
    const router = await fakeRouter((socket) => socket.once("data", () => socket.end()));
    routers.push(router);
    const err = await failure(openRawSocket({ url: `rs://127.0.0.1:${router.port}` }, new Recorder()));
    expect(err.code).toBe("TRANSPORT_HANDSHAKE_FAILED");
  });

  it("times out when the router never replies", async () => {
    const router = await fakeRouter(() => {});
    routers.push(router);
    const err = await failure(
      openRawSocket({ url: `rs://127.0.0.1:${router.port}`, openHandshakeTimeout: 50 }, new Recorder()),
    );
    expect(err.code).toBe("TRANSPORT_TIMEOUT");
  });

  it("times out when the connect (TLS handshake included) takes longer than the endpoint timeout", async () => {
    const router = await fakeRouter(() => {});
    routers.push(router);
    const err = await failure(
      openRawSocket(
        { endpoint: { type: "tcp", host: "127.0.0.1", port: router.port, timeout: 50, tls: true } },
        new Recorder(),
      ),
    );
    expect(err.code).toBe("TRANSPORT_TIMEOUT");
  });

  it("fails with TRANSPORT_CONNECT_FAILED when nothing listens", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await failure(openRawSocket({ url: `rs://127.0.0.1:${port}` }, new Recorder()));
    expect(err.code).toBe("TRANSPORT_CONNECT_FAILED");
    const missing = await failure(openRawSocket({ url: `rs://unix:${unixPath()}` }, new Recorder()));
    expect(missing.code).toBe("TRANSPORT_CONNECT_FAILED");
  });

  it("fails with TRANSPORT_CONNECT_FAILED on an untrusted certificate", async () => {
    const { listener } = await start({ tls: { cert: tlsCert, key: tlsKey } });
    const err = await failure(openRawSocket({ url: listener.url }, new Recorder()));
    expect(err.code).toBe("TRANSPORT_CONNECT_FAILED");
  });

  it("aborts the attempt when the signal fires", async () => {
    const router = await fakeRouter(() => {});
    routers.push(router);
    const controller = new AbortController();
    const attempt = openRawSocket(
      { url: `rs://127.0.0.1:${router.port}` },
      new Recorder(),
      controller.signal,
    );
    setTimeout(() => controller.abort(), 20);
    expect((await failure(attempt)).code).toBe("TRANSPORT_CLOSED");
    const aborted = await failure(
      openRawSocket({ url: `rs://127.0.0.1:${router.port}` }, new Recorder(), AbortSignal.abort()),
    );
    expect(aborted.code).toBe("TRANSPORT_CLOSED");
  });

  it("rejects options that name no RawSocket endpoint with a ConfigError", async () => {
    for (const options of [{}, { url: "ws://127.0.0.1:8080/ws" }, { url: "rs://127.0.0.1" }]) {
      const err = await failure(openRawSocket(options, new Recorder()));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.code).toBe("CONFIG_INVALID");
    }
  });
});

describe("parseRawSocketUrl", () => {
  it.each([
    ["rs://127.0.0.1:8081", { type: "tcp", host: "127.0.0.1", port: 8081, tls: false }],
    ["rss://example.com:443", { type: "tcp", host: "example.com", port: 443, tls: true }],
    ["rs://[::1]:8081", { type: "tcp", host: "::1", port: 8081, tls: false }],
    ["RS://Example.com:1/", { type: "tcp", host: "example.com", port: 1, tls: false }],
    ["rs://unix:/run/wamp.sock", { type: "unix", path: "/run/wamp.sock", tls: false }],
    ["rss://unix:relative.sock", { type: "unix", path: "relative.sock", tls: true }],
  ])("parses %s", (url, expected) => {
    expect(parseRawSocketUrl(url)).toEqual(expected);
  });

  it.each(["ws://host:1", "rs://host", "rs://unix:", "rs://host:1/path", "rs://host:1?x=1", "rs://"])(
    "rejects %s",
    (url) => {
      expect(() => parseRawSocketUrl(url)).toThrow(ConfigError);
    },
  );
});

describe("RawSocket connection", () => {
  it("closes instead of sending a message longer than the router's maximum", async () => {
    const { listener } = await start({ maxMessageSize: 512 });
    const { handle, handler } = await open({ url: listener.url, serializer: "json" });
    handle.send([1, "x".repeat(600)]);
    expect(handle.isOpen).toBe(false);
    const closed = await handler.closed;
    expect(closed.clean).toBe(false);
    expect(closed.error?.code).toBe("TRANSPORT_MESSAGE_TOO_LARGE");
  });

  it("closes instead of sending a message longer than the client's maximum (router side)", async () => {
    const { listener, handlers } = await start();
    const { handle, handler } = await open({ url: listener.url, serializer: "msgpack", maxMessageSize: 512 });
    handle.send([1, "x".repeat(400)]);
    expect(await handler.message(1)).toEqual([1, "x".repeat(400)]);
    handle.send([1, "x".repeat(600)]); // the client may send it; the echo may not
    const closed = await handlers[0].closed;
    expect(closed.error?.code).toBe("TRANSPORT_MESSAGE_TOO_LARGE");
    await handler.closed;
    expect(handler.messages).toHaveLength(1);
  });

  it("sendEncoded writes pre-encoded payloads (JSON strings as UTF-8)", async () => {
    const { listener } = await start();
    const { handle, handler } = await open({ url: listener.url, serializer: "json" });
    handle.sendEncoded('[1,"ré",{}]');
    expect(await handler.message(1)).toEqual([1, "ré", {}]);
  });

  it("abort reports an unclean close with the reason", async () => {
    const { listener, handlers } = await start();
    const { handle, handler } = await open({ url: listener.url });
    handle.abort("going");
    const closed = await handler.closed;
    expect(closed.clean).toBe(false);
    expect(closed.error?.code).toBe("TRANSPORT_CLOSED");
    await handlers[0].closed;
    expect(handler.closeCount).toBe(1);
  });

  it("reports the listener shutting down to the client", async () => {
    const { listener } = await start();
    const { handler } = await open({ url: listener.url });
    await listener.close();
    listeners = [];
    expect((await handler.closed).error).toBeUndefined();
  });

  it("drops a router that never answers the client's PINGs", async () => {
    const router = await fakeRouter((socket) =>
      socket.once("data", () => socket.write(Buffer.from("7ff20000", "hex"))),
    );
    routers.push(router);
    const { handler } = await open({
      url: `rs://127.0.0.1:${router.port}`,
      autoPingInterval: 30,
      autoPingTimeout: 30,
    });
    expect((await handler.closed).error?.code).toBe("TRANSPORT_PING_TIMEOUT");
  });

  it("keeps a connection whose PINGs are answered, in both directions", async () => {
    const { listener, handlers } = await start({ autoPingInterval: 20, autoPingTimeout: 500 });
    const { handle, handler } = await open({ url: listener.url, autoPingInterval: 20, autoPingTimeout: 500 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    handle.send([1, "still here", {}]);
    expect(await handler.message(1)).toEqual([1, "still here", {}]);
    expect(handler.closeDetails).toBeUndefined();
    expect(handlers[0].closeDetails).toBeUndefined();
  });
});

describe("universal listener", () => {
  it("serves a RawSocket client and a WebSocket client on one port", async () => {
    const factory = echoFactory();
    const listener = await listen({ type: "universal", port: 0 }, factory);
    listeners.push(listener);
    const rs = await open({ url: `rs://127.0.0.1:${listener.port}`, serializer: "cbor" });
    const wsHandler = new Recorder();
    const ws = await openWebSocket(
      { url: `ws://127.0.0.1:${listener.port}/ws`, serializers: ["json"] },
      wsHandler,
    );
    handles.push(ws);
    expect(rs.handle.details.kind).toBe("rawsocket");
    expect(ws.details.kind).toBe("websocket");
    rs.handle.send([1, "rawsocket", {}]);
    ws.send([1, "websocket", {}]);
    expect(await rs.handler.message(1)).toEqual([1, "rawsocket", {}]);
    expect(await wsHandler.message(1)).toEqual([1, "websocket", {}]);
    expect(listener.connections).toBe(2);
  });
});
