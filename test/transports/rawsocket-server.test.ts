/**
 * The RawSocket server side at the byte level: a plain net.Socket writes exact octets and the test
 * asserts the exact octets that come back (spec: transport_rawsocket "Handshake", "Framing").
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Listener, type ListenerOptions, listen } from "../../src/transports/listen.js";
import { echoFactory, frameHex, RawPeer, type Recorder } from "./rawsocketHelpers.js";

const JSON_HELLO = '[1,"realm1",{}]';

let listeners: Listener[] = [];
let peers: RawPeer[] = [];

afterEach(async () => {
  for (const peer of peers) peer.destroy();
  await Promise.all(listeners.map((l) => l.close()));
  listeners = [];
  peers = [];
});

async function start(options: Partial<ListenerOptions> = {}) {
  const factory = echoFactory();
  const listener = await listen({ type: "rawsocket", port: 0, ...options }, factory);
  listeners.push(listener);
  return { listener, handlers: factory.handlers };
}

async function peerOf(listener: Listener): Promise<RawPeer> {
  const peer = await RawPeer.connect({ port: listener.port!, host: "127.0.0.1" });
  peers.push(peer);
  return peer;
}

/** Connect and complete a JSON handshake (client accepts 16 MiB); returns the peer and its server-side handler. */
async function handshaken(
  options: Partial<ListenerOptions> = {},
): Promise<{ peer: RawPeer; handler: Recorder }> {
  const { listener, handlers } = await start(options);
  const peer = await peerOf(listener);
  peer.write("7ff10000");
  await peer.read(4);
  return { peer, handler: handlers[0] };
}

describe("RawSocket server handshake", () => {
  it("echoes the serializer and announces its own maximum length (L=15 by default)", async () => {
    const { listener } = await start();
    for (const [request, reply] of [
      ["7f010000", "7ff10000"], // JSON, client accepts 512 octets
      ["7ff20000", "7ff20000"], // MessagePack
      ["7f530000", "7ff30000"], // CBOR
      ["7f040000", "7ff40000"], // UBJSON
    ]) {
      const peer = await peerOf(listener);
      peer.write(request);
      expect(await peer.read(4)).toBe(reply);
    }
  });

  it("announces the exponent of maxMessageSize, rounded up to a power of two", async () => {
    const { listener } = await start({ maxMessageSize: 65_536 });
    const a = await peerOf(listener);
    a.write("7ff20000");
    expect(await a.read(4)).toBe("7f720000");
    const { listener: other } = await start({ maxMessageSize: 1000 });
    const b = await peerOf(other);
    b.write("7ff20000");
    expect(await b.read(4)).toBe("7f120000");
  });

  it("answers an unsupported serializer with error 1 and closes", async () => {
    const { listener } = await start({ serializers: ["json"] });
    for (const request of ["7ff20000", "7ff50000", "7ff00000", "7ff90000"]) {
      const peer = await peerOf(listener);
      peer.write(request);
      expect(await peer.read(4)).toBe("7f100000");
      expect(await peer.rest()).toBe("");
    }
  });

  it("accepts the base serializer of a batched name", async () => {
    const { listener } = await start({ serializers: ["cbor.batched"] });
    const peer = await peerOf(listener);
    peer.write("7ff30000");
    expect(await peer.read(4)).toBe("7ff30000");
  });

  it("answers reserved bits in the request with error 3 and closes", async () => {
    const { listener } = await start();
    for (const request of ["7ff20001", "7ff28000"]) {
      const peer = await peerOf(listener);
      peer.write(request);
      expect(await peer.read(4)).toBe("7f300000");
      expect(await peer.rest()).toBe("");
    }
  });

  it("answers with error 4 beyond maxConnections, and accepts again once a connection closed", async () => {
    const { listener } = await start({ maxConnections: 1 });
    const first = await peerOf(listener);
    first.write("7ff20000");
    expect(await first.read(4)).toBe("7ff20000");
    const second = await peerOf(listener);
    second.write("7ff20000");
    expect(await second.read(4)).toBe("7f400000");
    expect(await second.rest()).toBe("");
    first.destroy();
    await first.closed;
    await expect.poll(() => listener.connections).toBe(0);
    const third = await peerOf(listener);
    third.write("7ff20000");
    expect(await third.read(4)).toBe("7ff20000");
  });

  it("closes a connection with a bad magic octet without replying", async () => {
    const { listener, handlers } = await start();
    for (const request of ["00f20000", Buffer.from("GET / HTTP/1.1\r\n\r\n").toString("hex")]) {
      const peer = await peerOf(listener);
      peer.write(request);
      expect(await peer.rest()).toBe("");
    }
    expect(handlers).toHaveLength(0);
  });

  it("drops a socket that does not complete the handshake within openHandshakeTimeout", async () => {
    const { listener, handlers } = await start({ openHandshakeTimeout: 50 });
    const peer = await peerOf(listener);
    peer.write("7ff2");
    expect(await peer.rest()).toBe("");
    expect(handlers).toHaveLength(0);
  });

  it("handles a handshake and frames written one octet at a time", async () => {
    const { listener } = await start();
    const peer = await peerOf(listener);
    const bytes = Buffer.from(`7ff10000${frameHex(JSON_HELLO)}${frameHex('[6,{},"x"]')}`, "hex");
    await peer.writeByteByByte(bytes);
    expect(await peer.read(4)).toBe("7ff10000");
    expect(await peer.read(4 + JSON_HELLO.length)).toBe(frameHex(JSON_HELLO));
    expect(await peer.read(14)).toBe(frameHex('[6,{},"x"]'));
  });

  it("handles a handshake and the first frames arriving in one chunk", async () => {
    const { listener, handlers } = await start();
    const peer = await peerOf(listener);
    peer.write(`7ff10000${frameHex(JSON_HELLO)}${frameHex('[6,{},"x"]')}`);
    expect(await peer.read(4)).toBe("7ff10000");
    expect(await peer.read(4 + JSON_HELLO.length)).toBe(frameHex(JSON_HELLO));
    expect(await peer.read(14)).toBe(frameHex('[6,{},"x"]'));
    expect(handlers[0].messages).toEqual([
      [1, "realm1", {}],
      [6, {}, "x"],
    ]);
  });

  it("reports the connection details to the handler", async () => {
    const { peer, handler } = await handshaken({ maxMessageSize: 4096 });
    const { details } = await handler.opened;
    expect(details.kind).toBe("rawsocket");
    expect(details.serializer.name).toBe("json");
    expect(details.subprotocol).toBeUndefined();
    expect(details.secure).toBe(false);
    expect(details.channelId).toBeUndefined();
    expect(details.maxMessageSize).toBe(4096);
    expect(details.peer).toBe(`tcp4:127.0.0.1:${peer.socket.localPort}`);
  });
});

describe("RawSocket server framing", () => {
  it("answers a PING with a PONG echoing the payload exactly", async () => {
    const { peer, handler } = await handshaken();
    peer.write("01000003aabbcc");
    expect(await peer.read(7)).toBe("02000003aabbcc");
    peer.write("01000000");
    expect(await peer.read(4)).toBe("02000000");
    expect(handler.messages).toEqual([]);
  });

  it("ignores an unsolicited PONG", async () => {
    const { peer, handler } = await handshaken();
    peer.write(`0200000201ff${frameHex(JSON_HELLO)}`);
    expect(await peer.read(4 + JSON_HELLO.length)).toBe(frameHex(JSON_HELLO));
    expect(handler.closeDetails).toBeUndefined();
  });

  it("closes when a frame header declares more than the announced maximum, before its payload", async () => {
    const { peer, handler } = await handshaken({ maxMessageSize: 1024 });
    peer.write("00000401"); // 1025 octets announced, none sent
    expect(await peer.rest()).toBe("");
    const closed = await handler.closed;
    expect(closed.clean).toBe(false);
    expect(closed.code).toBeUndefined();
    expect(closed.error?.code).toBe("RAWSOCKET_FRAME_TOO_LARGE");
  });

  it("accepts a frame of exactly the announced maximum", async () => {
    const { peer, handler } = await handshaken({ maxMessageSize: 512 });
    const text = JSON.stringify([1, "x".repeat(506)]);
    expect(text.length).toBe(512);
    peer.write(frameHex(text));
    expect(await handler.message(1)).toEqual([1, "x".repeat(506)]);
  });

  it.each([
    ["reserved bits", "f0000000", "RAWSOCKET_RESERVED_BITS"],
    ["a reserved frame type", "03000000", "RAWSOCKET_BAD_FRAME_TYPE"],
  ])(
    "drops the connection with a ProtocolError on %s (the framing can't be trusted: no reply)",
    async (_name, bytes, code) => {
      const { peer, handler } = await handshaken();
      peer.write(bytes);
      expect(await peer.rest()).toBe("");
      const closed = await handler.closed;
      expect(closed.clean).toBe(false);
      expect(closed.error?.name).toBe("ProtocolError");
      expect(closed.error?.code).toBe(code);
      expect(handler.closeCount).toBe(1);
    },
  );

  it.each([
    ["an undecodable payload", frameHex("not json"), "SERIALIZER_DECODE_FAILED"],
    ["a payload that is not a list", frameHex('{"a":1}'), "SERIALIZER_NOT_A_LIST"],
  ])("fails the connection with a ProtocolError on %s, after an ABORT", async (_name, bytes, code) => {
    const { peer, handler } = await handshaken();
    peer.write(bytes);
    // One JSON message frame: ABORT wamp.error.protocol_violation (basic profile "Protocol Errors").
    const rest = Buffer.from(await peer.rest(), "hex");
    expect(rest.readUInt32BE(0)).toBe(rest.length - 4);
    const abort = JSON.parse(rest.subarray(4).toString("utf8"));
    expect(abort[0]).toBe(3);
    expect(abort[2]).toBe("wamp.error.protocol_violation");
    const closed = await handler.closed;
    expect(closed.clean).toBe(false);
    expect(closed.error?.name).toBe("ProtocolError");
    expect(closed.error?.code).toBe(code);
    expect(handler.closeCount).toBe(1);
  });

  it("reports a peer's orderly end as a clean close", async () => {
    const { peer, handler } = await handshaken();
    peer.socket.end();
    const closed = await handler.closed;
    expect(closed).toMatchObject({ clean: true, code: undefined });
    expect(closed.error).toBeUndefined();
  });
});

describe("RawSocket server auto-ping", () => {
  it("drops a peer that never answers its PINGs", async () => {
    const { peer, handler } = await handshaken({ autoPingInterval: 50, autoPingTimeout: 50 });
    const header = await peer.read(4);
    expect(header.slice(0, 2)).toBe("01");
    const length = Number.parseInt(header.slice(2), 16);
    expect(length).toBeGreaterThanOrEqual(4);
    expect(length).toBeLessThanOrEqual(8);
    await peer.read(length);
    await peer.closed;
    const closed = await handler.closed;
    expect(closed.clean).toBe(false);
    expect(closed.error?.code).toBe("TRANSPORT_PING_TIMEOUT");
  });

  it("keeps a peer that answers every PING", async () => {
    const { peer, handler } = await handshaken({ autoPingInterval: 30, autoPingTimeout: 200 });
    for (let i = 0; i < 3; i++) {
      const header = await peer.read(4);
      expect(header.slice(0, 2)).toBe("01");
      const payload = await peer.read(Number.parseInt(header.slice(2), 16));
      peer.write(`02${header.slice(2)}${payload}`);
    }
    expect(handler.closeDetails).toBeUndefined();
    expect(handler.handle?.isOpen).toBe(true);
  });

  it("does not count a PONG with the wrong payload", async () => {
    const { peer, handler } = await handshaken({ autoPingInterval: 30, autoPingTimeout: 60 });
    const header = await peer.read(4);
    const payload = await peer.read(Number.parseInt(header.slice(2), 16));
    const wrong = payload.replace(/^../, (b) =>
      (Number.parseInt(b, 16) ^ 0xff).toString(16).padStart(2, "0"),
    );
    peer.write(`02${header.slice(2)}${wrong}`);
    expect((await handler.closed).error?.code).toBe("TRANSPORT_PING_TIMEOUT");
  });
});
