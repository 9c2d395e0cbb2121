/**
 * The WAMP-over-WebSocket server side seen from raw peers: a plain `ws` client (frame types, close
 * codes, HTTP statuses, batched frames written by hand), raw TCP sockets for the opening handshake
 * timeout, and `openWebSocket` where the client's view matters. Spec: basic profile "WebSocket
 * Transport", advanced profile "Message Batching"; RFC 6455 §7.4.1 for the close codes.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { getSerializer } from "../../src/codecs/index.js";
import type { SerializerName } from "../../src/codecs/serializer.js";
import { ProtocolError } from "../../src/errors.js";
import { type Listener, type ListenerOptions, listen } from "../../src/transports/listen.js";
import type { TransportHandle } from "../../src/transports/types.js";
import { openWebSocket, type WebSocketClientOptions } from "../../src/transports/websocket/client.js";
import { echoFactory, Recorder, tlsCert, tlsKey } from "./rawsocketHelpers.js";
import { lengthPrefixed, plainGet, RawWsClient, sleep, within } from "./websocketHelpers.js";

let listeners: Listener[] = [];
let handles: TransportHandle[] = [];
let raws: RawWsClient[] = [];
let sockets: Socket[] = [];

afterEach(async () => {
  for (const handle of handles) handle.abort();
  for (const raw of raws) raw.terminate();
  for (const socket of sockets) socket.destroy();
  await Promise.all(listeners.map((l) => l.close()));
  listeners = [];
  handles = [];
  raws = [];
  sockets = [];
});

async function start(options: Partial<ListenerOptions> = {}) {
  const factory = echoFactory();
  const listener = await listen({ type: "websocket", port: 0, ...options }, factory);
  listeners.push(listener);
  return { listener, handlers: factory.handlers };
}

async function open(options: WebSocketClientOptions, handler = new Recorder()) {
  const handle = await openWebSocket(options, handler);
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

const withPath = (url: string, path: string) => url.replace(/\/ws$/, path);

describe("WebSocket frame types", () => {
  it.each([
    ["json", false],
    ["json.batched", false],
    ["msgpack", true],
    ["cbor", true],
    ["ubjson", true],
    ["msgpack.batched", true],
    ["cbor.batched", true],
    ["ubjson.batched", true],
  ] as Array<[SerializerName, boolean]>)("%s travels in binary frames: %s", async (name, binary) => {
    const serializer = getSerializer(name);
    const { listener, handlers } = await start();
    const raw = await rawOpen(listener.url, [serializer.subprotocol]);
    expect(raw.ws.protocol).toBe(serializer.subprotocol);
    const message = [1, "realm1", { n: 2 ** 53 }];
    raw.send(serializer.encode(message), binary);
    expect(await handlers[0].message(1)).toEqual(message);
    const frame = await raw.frame(1);
    expect(frame.isBinary).toBe(binary);
    expect(serializer.decode(binary ? frame.data : frame.data.toString("utf8"))).toEqual([message]);
    (await handlers[0].opened).sendEncoded(serializer.encode([2, 1, {}]));
    expect((await raw.frame(2)).isBinary).toBe(binary);
  });

  it("accepts JSON that arrives in a binary frame", async () => {
    const { listener, handlers } = await start();
    const raw = await rawOpen(listener.url, ["wamp.2.json"]);
    raw.send(Buffer.from('[1,"ré",{}]'), true);
    expect(await handlers[0].message(1)).toEqual([1, "ré", {}]);
    expect((await raw.frame(1)).isBinary).toBe(false);
  });
});

describe("WebSocket batched frames", () => {
  const three = [
    [1, "realm1", {}],
    [16, 2, {}, "com.example.topic", ["a"]],
    [48, 3, {}, "com.example.proc", [1, 2]],
  ];

  it.each([
    ["0x18 after every record", `${three.map((m) => JSON.stringify(m)).join("\x18")}\x18`],
    ["0x18 between records, none at the end", three.map((m) => JSON.stringify(m)).join("\x18")],
    ["0x1e after every record", `${three.map((m) => JSON.stringify(m)).join("\x1e")}\x1e`],
  ])("json.batched: one frame with %s gives 3 messages in order", async (_name, payload) => {
    const { listener, handlers } = await start();
    const raw = await rawOpen(listener.url, ["wamp.2.json.batched"]);
    raw.send(payload);
    await handlers[0].message(3);
    expect(handlers[0].messages).toEqual(three);
    // The echo goes out one message per frame, each followed by 0x18.
    for (let i = 1; i <= 3; i++) {
      const frame = await raw.frame(i);
      expect(frame.isBinary).toBe(false);
      expect(frame.data.toString("utf8")).toBe(`${JSON.stringify(three[i - 1])}\x18`);
    }
  });

  it.each(["msgpack", "cbor", "ubjson"] as const)(
    "%s.batched: one frame with 3 length-prefixed records gives 3 messages in order",
    async (base) => {
      const single = getSerializer(base);
      const { listener, handlers } = await start();
      const raw = await rawOpen(listener.url, [`wamp.2.${base}.batched`]);
      raw.send(lengthPrefixed(three.map((m) => single.encode(m) as Uint8Array)));
      await handlers[0].message(3);
      expect(handlers[0].messages).toEqual(three);
      expect(handlers[0].closeDetails).toBeUndefined();
      for (let i = 1; i <= 3; i++) {
        const frame = await raw.frame(i);
        expect(frame.isBinary).toBe(true);
        const expected = single.encode(three[i - 1]) as Uint8Array;
        expect(frame.data.readUInt32BE(0)).toBe(expected.length);
        expect(single.decode(frame.data.subarray(4))).toEqual([three[i - 1]]);
      }
    },
  );
});

describe("WebSocket handshake refusals", () => {
  it("refuses with 400 when no WAMP subprotocol is in common", async () => {
    const { listener, handlers } = await start({ serializers: ["cbor"] });
    expect(await RawWsClient.refusal(listener.url, ["wamp.2.json", "wamp.2.msgpack"])).toBe(400);
    expect(await RawWsClient.refusal(listener.url, ["wamp.2.cbor.batched"])).toBe(400);
    expect(await RawWsClient.refusal(listener.url, ["mqtt"])).toBe(400);
    expect(handlers).toHaveLength(0);
    const raw = await rawOpen(listener.url, ["wamp.2.json", "wamp.2.cbor"]);
    expect(raw.ws.protocol).toBe("wamp.2.cbor");
  });

  it("refuses with 400 a client that offers no subprotocol at all", async () => {
    const { listener, handlers } = await start();
    expect(await RawWsClient.refusal(listener.url, [])).toBe(400);
    expect(handlers).toHaveLength(0);
  });

  it("refuses with 404 on a wrong path, and openWebSocket sees TRANSPORT_HANDSHAKE_FAILED", async () => {
    const { listener, handlers } = await start();
    expect(await RawWsClient.refusal(withPath(listener.url, "/other"), ["wamp.2.json"])).toBe(404);
    expect(await RawWsClient.refusal(withPath(listener.url, "/ws/"), ["wamp.2.json"])).toBe(404);
    const err = await failure(openWebSocket({ url: withPath(listener.url, "/nope") }, new Recorder()));
    expect(err.code).toBe("TRANSPORT_HANDSHAKE_FAILED");
    expect(handlers).toHaveLength(0);
  });

  it("serves a configured path, with a query string", async () => {
    const { listener } = await start({ path: "/wamp" });
    expect(listener.url).toMatch(/\/wamp$/);
    expect(await RawWsClient.refusal(listener.url.replace(/\/wamp$/, "/ws"), ["wamp.2.json"])).toBe(404);
    const { handle } = await open({ url: `${listener.url}?token=abc` });
    expect(handle.isOpen).toBe(true);
  });

  it("answers an upgrade request without Sec-WebSocket-Key with 400, and leaves no timer behind", async () => {
    const { listener, handlers } = await start();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    for (let i = 0; i < 3; i++) {
      const socket = netConnect({ host: "127.0.0.1", port: listener.port! });
      sockets.push(socket);
      socket.on("error", () => {});
      let reply = "";
      socket.on("data", (chunk: Buffer) => {
        reply += chunk.toString("latin1");
      });
      const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      socket.write(
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wamp.2.json\r\n\r\n",
      );
      await within(closed, "the server to close a bad upgrade");
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect(handlers).toHaveLength(0);
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it("answers a plain HTTP GET with 426 Upgrade Required", async () => {
    const { listener } = await start();
    const { status, headers } = await plainGet(listener.url.replace(/^ws:/, "http:"));
    expect(status).toBe(426);
    expect(headers.upgrade).toBe("websocket");
    // Still serving WebSocket clients.
    const raw = await rawOpen(listener.url, ["wamp.2.json"]);
    expect(raw.ws.protocol).toBe("wamp.2.json");
  });
});

describe("WebSocket allowedOrigins", () => {
  it("refuses a foreign Origin with 403 and accepts matching or absent ones", async () => {
    const { listener, handlers } = await start({ allowedOrigins: ["https://*.example.com"] });
    expect(await RawWsClient.refusal(listener.url, ["wamp.2.json"], { origin: "https://evil.com" })).toBe(
      403,
    );
    expect(
      await RawWsClient.refusal(listener.url, ["wamp.2.json"], { origin: "http://app.example.com" }),
    ).toBe(403);
    expect(await RawWsClient.refusal(listener.url, ["wamp.2.json"], { origin: "https://example.com" })).toBe(
      403,
    );
    expect(handlers).toHaveLength(0);

    const app = await rawOpen(listener.url, ["wamp.2.json"], { origin: "https://app.example.com" });
    expect(app.ws.protocol).toBe("wamp.2.json");
    expect((await handlers[0].opened).details.httpHeaders?.origin).toBe("https://app.example.com");
    const none = await rawOpen(listener.url, ["wamp.2.json"]);
    expect(none.ws.protocol).toBe("wamp.2.json");
    expect(handlers).toHaveLength(2);
  });

  it("lets openWebSocket send an Origin header", async () => {
    const { listener } = await start({ allowedOrigins: ["https://app.example.com"] });
    const err = await failure(
      openWebSocket({ url: listener.url, headers: { Origin: "https://evil.com" } }, new Recorder()),
    );
    expect(err.code).toBe("TRANSPORT_HANDSHAKE_FAILED");
    const { handle } = await open({ url: listener.url, headers: { Origin: "https://app.example.com" } });
    expect(handle.isOpen).toBe(true);
  });
});

describe("WebSocket trustXForwardedFor", () => {
  const xff = { "X-Forwarded-For": "203.0.113.9, 198.51.100.7" };

  it.each([
    [undefined, undefined],
    [0, undefined],
    [1, "198.51.100.7"],
    [2, "203.0.113.9"],
    [5, "203.0.113.9"],
  ])("with %s trusted proxies, forwardedFor is %s", async (trusted, expected) => {
    const { listener, handlers } = await start(trusted === undefined ? {} : { trustXForwardedFor: trusted });
    await open({ url: listener.url, headers: xff });
    const details = (await handlers[0].opened).details;
    expect(details.forwardedFor).toBe(expected);
    expect(details.peer).toMatch(/^tcp4:127\.0\.0\.1:\d+$/);
  });

  it("leaves forwardedFor undefined without the header", async () => {
    const { listener, handlers } = await start({ trustXForwardedFor: 1 });
    await open({ url: listener.url });
    expect((await handlers[0].opened).details.forwardedFor).toBeUndefined();
  });
});

describe("WebSocket maxConnections", () => {
  it("refuses the third client with 503 (TRANSPORT_REFUSED), and admits one after another leaves", async () => {
    const { listener, handlers } = await start({ maxConnections: 2 });
    const first = await open({ url: listener.url });
    await open({ url: listener.url });
    expect(listener.connections).toBe(2);
    const err = await failure(openWebSocket({ url: listener.url }, new Recorder()));
    expect(err.code).toBe("TRANSPORT_REFUSED");
    expect(await RawWsClient.refusal(listener.url, ["wamp.2.json"])).toBe(503);
    expect(handlers).toHaveLength(2);

    first.handle.close();
    await handlers[0].closed;
    expect(listener.connections).toBe(1);
    const third = await open({ url: listener.url });
    third.handle.send([1, "in", {}]);
    expect(await third.handler.message(1)).toEqual([1, "in", {}]);
    expect(listener.connections).toBe(2);
  });
});

describe("WebSocket maxMessageSize (server side)", () => {
  it("closes with 1009 and TRANSPORT_MESSAGE_TOO_LARGE when a client sends more", async () => {
    const { listener, handlers } = await start({ maxMessageSize: 1024 });
    const { handle, handler } = await open({ url: listener.url, serializers: ["json"] });
    expect((await handlers[0].opened).details.maxMessageSize).toBe(1024);
    handle.send([1, "x".repeat(900)]);
    expect(await handler.message(1)).toEqual([1, "x".repeat(900)]);
    handle.send([1, "x".repeat(2000)]);
    const server = await handlers[0].closed;
    expect(server.clean).toBe(false);
    expect(server.error?.code).toBe("TRANSPORT_MESSAGE_TOO_LARGE");
    const client = await handler.closed;
    expect(client.code).toBe(1009);
    expect(client.clean).toBe(false);
    expect(handlers[0].messages).toHaveLength(1);
  });

  it("closes a raw client with 1009", async () => {
    const { listener, handlers } = await start({ maxMessageSize: 100 });
    const raw = await rawOpen(listener.url, ["wamp.2.msgpack"]);
    raw.send(Buffer.alloc(101, 0x90));
    expect((await raw.closed).code).toBe(1009);
    expect((await handlers[0].closed).error?.code).toBe("TRANSPORT_MESSAGE_TOO_LARGE");
  });

  it("counts the inflated size under permessage-deflate", async () => {
    const { listener, handlers } = await start({ maxMessageSize: 1024, perMessageDeflate: true });
    const raw = await rawOpen(listener.url, ["wamp.2.json"], { perMessageDeflate: true });
    expect(raw.ws.extensions).toContain("permessage-deflate");
    raw.send(JSON.stringify([1, "x".repeat(5000)])); // compresses far below 1024 octets
    expect((await raw.closed).code).toBe(1009);
    expect((await handlers[0].closed).error?.code).toBe("TRANSPORT_MESSAGE_TOO_LARGE");
  });
});

describe("WebSocket undecodable payloads", () => {
  it.each([
    ["wamp.2.json", "not json", false],
    ["wamp.2.json", '{"not":"a list"}', false],
    ["wamp.2.json", Buffer.from([0xff, 0xfe, 0x5b]), true],
    ["wamp.2.msgpack", Buffer.from([0xc1, 0xc1, 0xc1, 0xc1]), true],
    ["wamp.2.msgpack", Buffer.from([0x81, 0xa1, 0x61, 0x01]), true], // a map, not a list
    ["wamp.2.cbor", Buffer.from([0xff, 0xff, 0xff]), true],
    ["wamp.2.ubjson", Buffer.from("zzzz"), true],
    ["wamp.2.json.batched", "[1]\x18\x18[2]", false],
    ["wamp.2.msgpack.batched", Buffer.from([0, 0, 0, 9, 0x91, 0x01]), true], // length beyond the frame
  ] as Array<[string, string | Buffer, boolean]>)(
    "%s: %j closes with 1007 and a ProtocolError",
    async (subprotocol, payload, binary) => {
      const { listener, handlers } = await start();
      const raw = await rawOpen(listener.url, [subprotocol]);
      raw.send(payload, binary);
      const closed = await handlers[0].closed;
      expect(closed.clean).toBe(false);
      expect(closed.error).toBeInstanceOf(ProtocolError);
      expect(closed.error?.code).toMatch(/^SERIALIZER_/);
      expect((await raw.closed).code).toBe(1007);
      expect(handlers[0].messages).toEqual([]);
    },
  );

  it("delivers the messages before a bad one, and none after", async () => {
    const { listener, handlers } = await start();
    const raw = await rawOpen(listener.url, ["wamp.2.json"]);
    raw.send("[1]");
    raw.send("[2");
    raw.send("[3]");
    expect((await handlers[0].closed).error?.code).toBe("SERIALIZER_DECODE_FAILED");
    expect(handlers[0].messages).toEqual([[1]]);
    expect((await raw.closed).code).toBe(1007);
  });

  it("a text frame that is not UTF-8 closes with 1007 and a ProtocolError", async () => {
    const { listener, handlers } = await start();
    const raw = await rawOpen(listener.url, ["wamp.2.json"]);
    raw.send(Buffer.from([0x5b, 0xff, 0x5d]), false);
    const closed = await handlers[0].closed;
    expect(closed.error).toBeInstanceOf(ProtocolError);
    expect(closed.error?.code).toBe("SERIALIZER_DECODE_FAILED");
    expect((await raw.closed).code).toBe(1007);
  });
});

describe("WebSocket opening handshake timeout (server)", () => {
  async function rawTcp(port: number, tls = false): Promise<{ socket: Socket; closed: Promise<void> }> {
    const socket = tls
      ? tlsConnect({ host: "127.0.0.1", port, ca: tlsCert })
      : netConnect({ host: "127.0.0.1", port });
    sockets.push(socket);
    socket.on("error", () => {});
    socket.resume();
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    await new Promise<void>((resolve) => socket.once(tls ? "secureConnect" : "connect", () => resolve()));
    return { socket, closed };
  }

  it("drops a TCP connection that sends nothing", async () => {
    const { listener } = await start({ openHandshakeTimeout: 50 });
    const { closed } = await rawTcp(listener.port!);
    await within(closed, "the server to drop a silent connection");
    expect(listener.connections).toBe(0);
  });

  it("drops a connection that sends half an upgrade request", async () => {
    const { listener } = await start({ openHandshakeTimeout: 50 });
    const { socket, closed } = await rawTcp(listener.port!);
    socket.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
    await within(closed, "the server to drop a half-sent request");
  });

  it("drops a TLS connection that completes TLS and sends nothing", async () => {
    const { listener } = await start({ openHandshakeTimeout: 50, tls: { cert: tlsCert, key: tlsKey } });
    const { closed } = await rawTcp(listener.port!, true);
    await within(closed, "the server to drop a silent TLS connection");
  });

  it("drops a TCP connection that never starts the TLS handshake", async () => {
    const { listener } = await start({ openHandshakeTimeout: 50, tls: { cert: tlsCert, key: tlsKey } });
    const { closed } = await rawTcp(listener.port!);
    await within(closed, "the server to drop a connection without a ClientHello");
  });

  it.each([
    ["plain", {}],
    ["TLS", { tls: { cert: tlsCert, key: tlsKey } }],
  ])("drops a silent connection to a %s universal listener", async (_name, extra) => {
    const { listener } = await start({ type: "universal", openHandshakeTimeout: 50, ...extra });
    const { closed } = await rawTcp(listener.port!, "tls" in extra);
    await within(closed, "the universal listener to drop a silent connection");
  });

  it("keeps connections that completed the handshake", async () => {
    const { listener, handlers } = await start({ openHandshakeTimeout: 50 });
    const { handle, handler } = await open({ url: listener.url });
    await sleep(150);
    handle.send([1, "still here", {}]);
    expect(await handler.message(1)).toEqual([1, "still here", {}]);
    expect(handlers[0].closeDetails).toBeUndefined();
  });
});

describe("WebSocket permessage-deflate", () => {
  const big = [1, "compressible ".repeat(2000), { list: Array.from({ length: 200 }, (_, i) => i) }];

  it("is negotiated when both sides enable it, and messages round-trip", async () => {
    const { listener, handlers } = await start({ perMessageDeflate: true });
    const raw = await rawOpen(listener.url, ["wamp.2.json"], { perMessageDeflate: true });
    expect(raw.ws.extensions).toMatch(/^permessage-deflate/);
    raw.send(JSON.stringify(big));
    expect(JSON.parse((await raw.frame(1)).data.toString())).toEqual(big);

    const { handle, handler } = await open({
      url: listener.url,
      perMessageDeflate: true,
      serializers: ["cbor"],
    });
    expect(String((await handlers[1].opened).details.httpHeaders?.["sec-websocket-extensions"])).toMatch(
      /permessage-deflate/,
    );
    handle.send(big);
    expect(await handler.message(1)).toEqual(big);
  });

  it("is off by default on the server", async () => {
    const { listener } = await start();
    const raw = await rawOpen(listener.url, ["wamp.2.json"], { perMessageDeflate: true });
    expect(raw.ws.extensions).toBe("");
    raw.send(JSON.stringify(big));
    expect(JSON.parse((await raw.frame(1)).data.toString())).toEqual(big);
  });

  it("is not offered by default by the client", async () => {
    const { listener, handlers } = await start({ perMessageDeflate: true });
    const { handle, handler } = await open({ url: listener.url });
    expect((await handlers[0].opened).details.httpHeaders?.["sec-websocket-extensions"]).toBeUndefined();
    handle.send(big);
    expect(await handler.message(1)).toEqual(big);
  });
});

describe("WebSocket server handle details", () => {
  it("carries the HTTP request headers, including the client's extra headers", async () => {
    const { listener, handlers } = await start();
    await open({ url: listener.url, headers: { "X-Request-Id": "42", Cookie: "cbtid=abc" } });
    const headers = (await handlers[0].opened).details.httpHeaders!;
    expect(headers["x-request-id"]).toBe("42");
    expect(headers.cookie).toBe("cbtid=abc");
    expect(headers.upgrade).toBe("websocket");
    expect(headers.host).toBe(`127.0.0.1:${listener.port}`);
  });
});
