/**
 * Bad input against a live router (DESIGN.md "Testing › Bad input"; basic profile "Protocol
 * Errors"; transport_rawsocket "Handshake"/"Framing"): garbage, truncated and oversize frames over
 * RawSocket and WebSocket, wrong-type fields in every client message, messages out of order, and a
 * bounded fuzz loop. Every case also proves that a well-behaved session joined before the abuse
 * still gets a call and an event through afterwards (`Witness.check`), and that the abuser's
 * session is disposed.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { getSerializer, serializerForRawSocketId } from "../../src/codecs/index.js";
import type { Serializer, SerializerName } from "../../src/codecs/serializer.js";
import { createRouter, type Router } from "../../src/router/router.js";
import { openRawSocket } from "../../src/transports/rawsocket/client.js";
import { Fuzzer, ROUTER_TO_CLIENT, refusedByParser } from "./fuzzMessages.js";
import {
  ABORT,
  ByteSocket,
  deepJson,
  deepList,
  ERROR,
  expectAbort,
  expectViolation,
  GOODBYE,
  joinRaw,
  openRaw,
  PROTOCOL_VIOLATION,
  portOf,
  until,
  urlOf,
  type Via,
  Witness,
} from "./liveRouter.js";
import { type Msg, RawClient } from "./rawClient.js";
import { KINDS, type KindEnv, mutations } from "./wrongTypes.js";

const MAX_MESSAGE = 64 * 1024;
/** maxLengthToExponent(64 KiB): 2^(9 + 7) = 65536 (transport_rawsocket "Handshake"). */
const RS_LENGTH_EXPONENT = 7;

let router: Router;
let witness: Witness;
/** Sessions the witness holds open (the abusers' sessions must all be gone after each test). */
const WITNESS_SESSIONS = 2;
const clients: RawClient[] = [];
const sockets: Array<ByteSocket | WebSocket> = [];

beforeAll(async () => {
  router = await createRouter({
    realms: ["realm1"],
    listeners: [
      { type: "websocket", port: 0, maxMessageSize: MAX_MESSAGE },
      { type: "rawsocket", port: 0, maxMessageSize: MAX_MESSAGE },
    ],
  });
  witness = await Witness.create(router);
});

afterEach(async () => {
  for (const c of clients.splice(0)) if (c.closed === undefined) c.handle.abort();
  for (const s of sockets.splice(0)) s instanceof ByteSocket ? s.destroy() : s.terminate();
  await until(() => router.sessionCount === WITNESS_SESSIONS, "every abuser's session is disposed");
});

afterAll(async () => {
  witness?.close();
  await router?.close();
});

/** Open a raw peer to the shared router and remember it for cleanup. */
async function open(via: Via = "websocket", serializer: SerializerName = "json"): Promise<RawClient> {
  const c = await openRaw(router, via, serializer);
  clients.push(c);
  return c;
}

async function join(via: Via = "websocket", serializer: SerializerName = "json"): Promise<RawClient> {
  const c = await open(via, serializer);
  await c.join();
  return c;
}

function bytes(port: number): Promise<ByteSocket> {
  return ByteSocket.open(port).then((s) => {
    sockets.push(s);
    return s;
  });
}

/** A raw `ws` client speaking `subprotocol`; resolves once open. */
function rawWs(subprotocol: string): Promise<WebSocket> {
  const ws = new WebSocket(urlOf(router, "websocket"), subprotocol);
  sockets.push(ws);
  ws.on("error", () => {});
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", () => reject(new Error("upgrade refused")));
  });
}

/** The close code the server sent (bounded wait). */
function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out waiting for the WebSocket close")), 5000);
    ws.once("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** A RawSocket connection past the handshake: returns the socket and the router's reply. */
async function rawSocketAfterHandshake(serializerId: number): Promise<{ socket: ByteSocket; reply: Buffer }> {
  const socket = await bytes(portOf(router, "rawsocket"));
  socket.write(Buffer.from([0x7f, 0xf0 | serializerId, 0, 0]));
  const reply = (await socket.bytes(4)).subarray(0, 4);
  return { socket, reply };
}

function frameHeader(type: number, length: number): Buffer {
  return Buffer.from([type, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff]);
}

const sessionsNow = () => router.sessionCount;

describe("garbage before the handshake", () => {
  it("RawSocket: an HTTP request to the RawSocket port is dropped without a reply", async () => {
    const s = await bytes(portOf(router, "rawsocket"));
    s.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    await s.waitClosed();
    expect(s.received.length).toBe(0);
    await witness.check();
  });

  it.each([1, 2, 3, 4, 5])("RawSocket: random bytes (#%i) are dropped without a reply", async () => {
    const s = await bytes(portOf(router, "rawsocket"));
    const garbage = randomBytes(64);
    if (garbage[0] === 0x7f) garbage[0] = 0x00;
    s.write(garbage);
    await s.waitClosed();
    expect(s.received.length).toBe(0);
    await witness.check();
  });

  it("RawSocket: an unsupported serializer id gets error reply 1, then the connection closes", async () => {
    const s = await bytes(portOf(router, "rawsocket"));
    s.write(Buffer.from([0x7f, 0xf9, 0, 0]));
    await s.waitClosed();
    expect([...s.received]).toEqual([0x7f, 1 << 4, 0, 0]);
    await witness.check();
  });

  it("RawSocket: reserved handshake octets get error reply 3, then the connection closes", async () => {
    const s = await bytes(portOf(router, "rawsocket"));
    s.write(Buffer.from([0x7f, 0xf1, 0, 1]));
    await s.waitClosed();
    expect([...s.received]).toEqual([0x7f, 3 << 4, 0, 0]);
    await witness.check();
  });

  it("RawSocket: a truncated handshake followed by end is closed", async () => {
    const s = await bytes(portOf(router, "rawsocket"));
    s.write(Buffer.from([0x7f, 0xf1]));
    s.socket.end();
    await s.waitClosed();
    expect(s.received.length).toBe(0);
    await witness.check();
  });

  it.each([1, 2, 3])("WebSocket: random bytes (#%i) to the HTTP port are refused or dropped", async () => {
    const s = await bytes(portOf(router, "websocket"));
    s.write(randomBytes(256));
    await s.waitClosed();
    const text = s.received.toString("latin1");
    if (text.length > 0) expect(text).toMatch(/^HTTP\/1\.1 4\d\d /);
    await witness.check();
  });

  it("WebSocket: an upgrade without a common WAMP subprotocol is refused with 400", async () => {
    const ws = new WebSocket(urlOf(router, "websocket"), "wamp.2.nonsense");
    sockets.push(ws);
    ws.on("error", () => {});
    const status = await new Promise<number>((resolve) => {
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(status).toBe(400);
    await witness.check();
  });
});

describe("garbage after the handshake", () => {
  it("RawSocket: the handshake reply announces the configured maximum", async () => {
    const { reply } = await rawSocketAfterHandshake(1);
    expect([...reply]).toEqual([0x7f, (RS_LENGTH_EXPONENT << 4) | 1, 0, 0]);
    await witness.check();
  });

  it.each([
    ["JSON", 1, Buffer.from("not json")],
    ["JSON (invalid UTF-8)", 1, Buffer.from([0x5b, 0xff, 0xfe, 0x5d])],
    ["JSON (not a list)", 1, Buffer.from('{"a":1}')],
    ["MessagePack", 2, Buffer.from([0xc1, 0xc1, 0xc1])],
    ["CBOR", 3, Buffer.from([0xff, 0xff, 0xff])],
    ["UBJSON", 4, Buffer.from([0x00, 0x01, 0x02])],
  ])(
    "RawSocket %s: an undecodable payload gets ABORT protocol_violation, then the connection closes",
    async (_name, id, payload) => {
      const { socket } = await rawSocketAfterHandshake(id);
      socket.write(Buffer.concat([frameHeader(0, payload.length), payload]));
      await socket.waitClosed();
      // After the 4-octet handshake reply: exactly one WAMP message frame, the ABORT.
      const rest = socket.received.subarray(4);
      expect(rest[0]).toBe(0);
      const length = rest.readUIntBE(1, 3);
      expect(rest.length).toBe(4 + length);
      const [abort] = getSerializer(serializerForRawSocketId(id as 1 | 2 | 3 | 4)!.name).decode(
        rest.subarray(4),
      );
      expect(abort[0]).toBe(3);
      expect(abort[2]).toBe("wamp.error.protocol_violation");
      await witness.check();
    },
  );

  it.each([3, 7])("RawSocket: a frame of reserved type %i closes the connection", async (type) => {
    const { socket } = await rawSocketAfterHandshake(1);
    socket.write(Buffer.concat([frameHeader(type, 2), Buffer.from("[]")]));
    await socket.waitClosed();
    await witness.check();
  });

  it("RawSocket: a frame header with reserved bits closes the connection", async () => {
    const { socket } = await rawSocketAfterHandshake(1);
    socket.write(Buffer.concat([frameHeader(0x10, 2), Buffer.from("[]")]));
    await socket.waitClosed();
    await witness.check();
  });

  it("RawSocket: a PING is answered with a PONG echoing its payload, then WAMP still works", async () => {
    const { socket } = await rawSocketAfterHandshake(1);
    socket.write(Buffer.concat([frameHeader(1, 3), Buffer.from("abc")]));
    const got = await socket.bytes(4 + 4 + 3);
    expect([...got.subarray(4, 11)]).toEqual([2, 0, 0, 3, 0x61, 0x62, 0x63]);
    socket.destroy();
    await witness.check();
  });

  it.each([
    ["wamp.2.json", "not json", 1007],
    ["wamp.2.json", '{"not":"a list"}', 1007],
    ["wamp.2.json", "42", 1007],
    ["wamp.2.msgpack", Buffer.from([0xc1, 0xc1, 0xc1, 0xc1]), 1007],
    ["wamp.2.cbor", Buffer.from([0xff, 0xfe]), 1007],
    ["wamp.2.ubjson", Buffer.from([0x00, 0xff]), 1007],
    ["wamp.2.json.batched", "not json\x1e", 1007],
  ])("WebSocket %s: an undecodable message %j closes with %i", async (subprotocol, payload, code) => {
    const ws = await rawWs(subprotocol);
    const closed = closeCode(ws);
    ws.send(payload, { binary: typeof payload !== "string" });
    expect(await closed).toBe(code);
    await witness.check();
  });

  it("WebSocket: binary garbage under wamp.2.msgpack after a successful join closes with 1007", async () => {
    const ws = await rawWs("wamp.2.msgpack");
    const msgpack = getSerializer("msgpack");
    const welcome = new Promise<unknown[]>((resolve) =>
      ws.once("message", (data) => resolve(msgpack.decode(data as Buffer)[0])),
    );
    ws.send(msgpack.encode([1, "realm1", { roles: { caller: {} } }]));
    expect((await welcome)[0]).toBe(2);
    const closed = closeCode(ws);
    ws.send(Buffer.from([0xc1, 0x00, 0xff]));
    expect(await closed).toBe(1007);
    await witness.check();
  });
});

describe("truncated frames", () => {
  it("RawSocket: a header announcing 100 octets, 10 octets, then end: closed, no crash", async () => {
    const { socket } = await rawSocketAfterHandshake(1);
    socket.write(Buffer.concat([frameHeader(0, 100), Buffer.from('[1,"realm1')]));
    socket.socket.end();
    await socket.waitClosed();
    await witness.check();
  });

  it("RawSocket: half a frame header, then end: closed", async () => {
    const { socket } = await rawSocketAfterHandshake(2);
    socket.write(Buffer.from([0, 0]));
    socket.socket.end();
    await socket.waitClosed();
    await witness.check();
  });

  it("WebSocket: half a frame over a raw TCP upgrade, then end: closed, no crash", async () => {
    const before = sessionsNow();
    const s = await bytes(portOf(router, "websocket"));
    s.write(
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n",
    );
    await until(() => s.received.includes("\r\n\r\n") || s.closed, "the upgrade response arrived");
    expect(s.received.toString("latin1")).toMatch(/^HTTP\/1\.1 101 /);
    await until(() => sessionsNow() === before + 1, "the session opened");
    // FIN + text, masked, 100 octets announced; mask key; then only 10 octets of payload.
    s.write(Buffer.concat([Buffer.from([0x81, 0x80 | 100, 1, 2, 3, 4]), randomBytes(10)]));
    s.socket.end();
    await s.waitClosed();
    await until(() => sessionsNow() === before, "the half-open session is disposed");
    await witness.check();
  });
});

describe("frames over the limit", () => {
  it("RawSocket: a header announcing more than the negotiated maximum closes the connection", async () => {
    const { socket } = await rawSocketAfterHandshake(1);
    socket.write(frameHeader(0, MAX_MESSAGE + 1));
    await socket.waitClosed();
    await witness.check();
  });

  it("RawSocket: a header with the 2^24 extension bit and a length closes the connection", async () => {
    const { socket } = await rawSocketAfterHandshake(2);
    socket.write(Buffer.from([0x08, 0, 0, 1]));
    await socket.waitClosed();
    await witness.check();
  });

  it("RawSocket: a message of exactly the maximum is still accepted", async () => {
    const { socket } = await rawSocketAfterHandshake(1);
    const hello = JSON.stringify([1, "realm1", { roles: { caller: {} }, pad: "" }]);
    const padded = Buffer.from(
      hello.replace('"pad":""', `"pad":"${"x".repeat(MAX_MESSAGE - hello.length)}"`),
    );
    expect(padded.length).toBe(MAX_MESSAGE);
    socket.write(Buffer.concat([frameHeader(0, padded.length), padded]));
    const head = await socket.bytes(4 + 4);
    const length = head.readUIntBE(5, 3);
    const got = await socket.bytes(4 + 4 + length);
    expect(JSON.parse(got.subarray(8, 8 + length).toString())[0]).toBe(2); // WELCOME
    socket.destroy();
    await witness.check();
  });

  it("RawSocket: an EVENT over the client's announced maximum is not sent; that connection ends", async () => {
    const small = new RawClient();
    clients.push(small);
    await openRawSocket(
      { url: urlOf(router, "rawsocket"), serializer: "msgpack", maxMessageSize: 512 },
      small,
    );
    await small.join();
    const r = small.request();
    small.send([32, r, {}, "test.limit.small"]);
    await small.expect(33, r);
    const p = witness.prober.request();
    witness.prober.send([16, p, { acknowledge: true }, "test.limit.small", ["x".repeat(1000)]]);
    await witness.prober.expect(17, p);
    await small.waitClosed();
    expect(small.received.filter((m) => m[0] === 36)).toEqual([]);
    await witness.check();
  });

  it("WebSocket: a message over maxMessageSize closes with 1009", async () => {
    const ws = await rawWs("wamp.2.json");
    const closed = closeCode(ws);
    ws.send(JSON.stringify(["x".repeat(MAX_MESSAGE)]));
    expect(await closed).toBe(1009);
    await witness.check();
  });

  it("WebSocket: a binary message over maxMessageSize closes with 1009", async () => {
    const ws = await rawWs("wamp.2.msgpack");
    const closed = closeCode(ws);
    ws.send(randomBytes(MAX_MESSAGE + 1));
    expect(await closed).toBe(1009);
    await witness.check();
  });
});

const VIOLATORS: Array<[Via, SerializerName]> = [
  ["websocket", "json"],
  ["rawsocket", "msgpack"],
];

let uniqueCounter = 0;
const env = (): KindEnv => ({ helper: witness.prober, unique: () => String(++uniqueCounter) });

describe.each(VIOLATORS)("wrong-type fields over %s/%s", (via, serializer) => {
  it.each(KINDS.map((k) => [k.name, k] as const))(
    "%s: the unmutated message is accepted",
    async (_n, kind) => {
      const c = await open(via, serializer);
      if (kind.joined) await c.join();
      const e = env();
      const message = await kind.valid(c, e);
      c.send(message);
      if (kind.name === "AUTHENTICATE") await expectViolation(c);
      else await kind.accepted(c, e);
      expect(c.received.filter((m) => m[0] === ABORT && m[2] === PROTOCOL_VIOLATION)).toEqual([]);
      await witness.check();
    },
  );

  it.each(mutations().map((m) => [m.kind.name, m.label, m] as const))(
    "%s with %s → ABORT protocol_violation",
    async (_n, _l, mutation) => {
      const c = await open(via, serializer);
      if (mutation.kind.joined) await c.join();
      const valid = await mutation.kind.valid(c, env());
      c.send(mutation.mutate(valid));
      await expectViolation(c);
      await witness.check();
    },
  );
});

describe("messages out of order", () => {
  const beforeHello: Array<[string, Msg]> = [
    ["CALL", [48, 1, {}, "test.proc", []]],
    ["PUBLISH", [16, 1, {}, "test.topic", []]],
    ["SUBSCRIBE", [32, 1, {}, "test.topic"]],
    ["REGISTER", [64, 1, {}, "test.proc"]],
    ["UNSUBSCRIBE", [34, 1, 1]],
    ["UNREGISTER", [66, 1, 1]],
    ["CANCEL", [49, 1, {}]],
    ["YIELD", [70, 1, {}]],
    ["ERROR", [8, 68, 1, {}, "test.error"]],
    ["GOODBYE", [6, {}, "wamp.close.close_realm"]],
    ["AUTHENTICATE", [5, "signature", {}]],
  ];
  it.each(beforeHello)("%s before HELLO → protocol_violation", async (_name, message) => {
    const c = await open();
    c.send(message);
    await expectViolation(c);
    expect(c.received.filter((m) => m[0] === 2)).toEqual([]);
    await witness.check();
  });

  it("ABORT before HELLO closes the connection without a reply", async () => {
    const c = await open();
    c.send([ABORT, {}, "wamp.close.normal"]);
    await c.waitClosed();
    expect(c.received).toEqual([]);
    await witness.check();
  });

  it("a second HELLO after WELCOME → protocol_violation", async () => {
    const c = await join();
    c.send([1, "realm1", { roles: { caller: {} } }]);
    await expectViolation(c);
    await witness.check();
  });

  it("YIELD for an unknown invocation → protocol_violation", async () => {
    const c = await join();
    c.send([70, 12345, {}, ["x"]]);
    await expectViolation(c);
    await witness.check();
  });

  it("a second final YIELD for the same invocation → protocol_violation", async () => {
    const c = await join();
    const reg = c.request();
    c.send([64, reg, {}, "test.order.twice"]);
    await c.expect(65, reg);
    const call = witness.prober.request();
    witness.prober.send([48, call, {}, "test.order.twice", []]);
    const inv = await c.expect(68);
    c.send([70, inv[1], {}, ["first"]]);
    expect((await witness.prober.expect(50, call))[3]).toEqual(["first"]);
    c.send([70, inv[1], {}, ["second"]]);
    await expectViolation(c);
    await witness.check();
  });

  it("ERROR for an unknown INVOCATION → protocol_violation", async () => {
    const c = await join();
    c.send([ERROR, 68, 777, {}, "test.error.x"]);
    await expectViolation(c);
    await witness.check();
  });

  it.each([
    ["PUBLISH", 16],
    ["SUBSCRIBE", 32],
    ["UNSUBSCRIBE", 34],
    ["CALL", 48],
    ["REGISTER", 64],
    ["UNREGISTER", 66],
  ])(
    "ERROR whose request type is %s (clients answer only INVOCATIONs) → protocol_violation",
    async (_n, type) => {
      const c = await join();
      c.send([ERROR, type, 1, {}, "test.error.x"]);
      await expectViolation(c);
      await witness.check();
    },
  );

  const routerToClient: Array<[string, Msg]> = [
    ["WELCOME", [2, 1, { roles: { broker: {} } }]],
    ["CHALLENGE", [4, "ticket", {}]],
    ["PUBLISHED", [17, 1, 1]],
    ["SUBSCRIBED", [33, 1, 1]],
    ["UNSUBSCRIBED", [35, 1]],
    ["EVENT", [36, 1, 1, {}]],
    ["RESULT", [50, 1, {}]],
    ["REGISTERED", [65, 1, 1]],
    ["UNREGISTERED", [67, 1]],
    ["INVOCATION", [68, 1, 1, {}]],
    ["INTERRUPT", [69, 1, {}]],
  ];
  it.each(routerToClient)("%s sent by a client after WELCOME → protocol_violation", async (_n, message) => {
    const c = await join();
    c.send(message);
    await expectViolation(c);
    await witness.check();
  });

  it.each(routerToClient)("%s sent by a client before HELLO → protocol_violation", async (_n, message) => {
    const c = await open("rawsocket", "cbor");
    c.send(message);
    await expectViolation(c);
    await witness.check();
  });

  it.each([
    ["CALL with request 5 as the first request", [[48, 5, {}, "test.proc", []]]],
    ["PUBLISH with request 2 as the first request", [[16, 2, {}, "test.topic"]]],
    [
      "a repeated request id",
      [
        [32, 1, {}, "test.topic"],
        [32, 1, {}, "test.topic2"],
      ],
    ],
    [
      "a skipped request id",
      [
        [16, 1, {}, "test.topic"],
        [64, 3, {}, "test.proc.skip"],
      ],
    ],
  ] as Array<[string, Msg[]]>)("%s → protocol_violation", async (_n, messages) => {
    const c = await join();
    for (const m of messages) c.send(m);
    await expectViolation(c);
    await witness.check();
  });

  it.each([
    ["unknown message type 99", [99, 1, {}]],
    ["unknown message type 7", [7, {}]],
    ["message type as a string", ["48", 1, {}, "test.proc"]],
    ["empty list", []],
  ] as Array<[string, Msg]>)("%s → protocol_violation (before and after WELCOME)", async (_n, message) => {
    const early = await open();
    early.send(message);
    await expectViolation(early);
    const late = await join("rawsocket", "msgpack");
    late.send(message);
    await expectViolation(late);
    await witness.check();
  });

  it("messages after the violation are not processed", async () => {
    const c = await join();
    // The violation, then (in the next WebSocket message) a REGISTER that must never take effect.
    c.send([70, 999, {}]);
    c.send([64, 1, {}, "test.order.after_violation"]);
    await expectViolation(c);
    const probe = witness.prober.request();
    witness.prober.send([48, probe, {}, "test.order.after_violation", []]);
    expect((await witness.prober.expect(ERROR, probe))[4]).toBe("wamp.error.no_such_procedure");
    await witness.check();
  });
});

describe("HELLO", () => {
  it("for an unknown realm → ABORT wamp.error.no_such_realm", async () => {
    const c = await open();
    c.send([1, "no.such.realm", { roles: { caller: {} } }]);
    await expectAbort(c, "wamp.error.no_such_realm");
    await witness.check();
  });

  it("without roles → protocol_violation", async () => {
    const c = await open("rawsocket", "json");
    c.send([1, "realm1", { authid: "x" }]);
    await expectViolation(c);
    await witness.check();
  });

  it("with an empty roles dict → protocol_violation", async () => {
    const c = await open();
    c.send([1, "realm1", { roles: {} }]);
    await expectViolation(c);
    await witness.check();
  });
});

describe("no HELLO within helloTimeout", () => {
  let slow: Router;
  let slowWitness: Witness;
  beforeAll(async () => {
    slow = await createRouter({
      realms: ["realm1"],
      helloTimeout: 300,
      listeners: [
        { type: "websocket", port: 0 },
        { type: "rawsocket", port: 0 },
      ],
    });
    slowWitness = await Witness.create(slow);
  });
  afterAll(async () => {
    slowWitness?.close();
    await slow?.close();
  });

  it.each(["websocket", "rawsocket", "memory"] as const)("over %s: ABORT, then closed", async (via) => {
    const c = await openRaw(slow, via, "json");
    try {
      const abort = await c.next((m) => m[0] === ABORT);
      expect(abort[2]).toBe("wamp.error.timeout");
      await c.waitClosed();
    } finally {
      if (c.closed === undefined) c.handle.abort();
    }
    await slowWitness.check();
  });
});

describe("a violator's resources are disposed", () => {
  it("its registrations and subscriptions are gone after the ABORT", async () => {
    const realm = router.realm("realm1")!;
    const regsBefore = realm.dealer.registrationCount;
    const subsBefore = realm.broker.size;
    const c = await join("rawsocket", "cbor");
    const reg = c.request();
    c.send([64, reg, {}, "test.violator.proc"]);
    await c.expect(65, reg);
    const sub = c.request();
    c.send([32, sub, {}, "test.violator.topic"]);
    await c.expect(33, sub);
    expect(realm.dealer.registrationCount).toBe(regsBefore + 1);
    expect(realm.broker.size).toBe(subsBefore + 1);

    c.send([99]);
    await expectViolation(c);
    const call = witness.prober.request();
    witness.prober.send([48, call, {}, "test.violator.proc", []]);
    expect((await witness.prober.expect(ERROR, call))[4]).toBe("wamp.error.no_such_procedure");
    expect(realm.dealer.registrationCount).toBe(regsBefore);
    expect(realm.broker.size).toBe(subsBefore);
    await witness.check();
  });

  it("its pending call as a callee fails with wamp.error.canceled", async () => {
    const c = await join();
    const reg = c.request();
    c.send([64, reg, {}, "test.violator.slow"]);
    await c.expect(65, reg);
    const call = witness.prober.request();
    witness.prober.send([48, call, {}, "test.violator.slow", []]);
    await c.expect(68);
    c.send([]);
    await expectViolation(c);
    expect((await witness.prober.expect(ERROR, call))[4]).toBe("wamp.error.canceled");
    await witness.check();
  });
});

describe("payloads the router can decode but cannot re-encode for the receiver", () => {
  // A list nested deeper than a receiver's serializer can write (UBJSON stops at 1000 levels;
  // every encoder overflows its stack far below what JSON.parse accepts) must not crash the
  // router. The sender is aborted (basic profile "Protocol Errors": an error while encoding), the
  // receiver and the router carry on.
  it("CALL to a UBJSON callee with 1100-deep args: caller aborted, callee untouched", async () => {
    // The callee announces call canceling, so a phantom invocation would show as an INTERRUPT.
    const callee = await open("websocket", "ubjson");
    await callee.join("realm1", { roles: { callee: { features: { call_canceling: true } } } });
    const reg = callee.request();
    callee.send([64, reg, {}, "test.deep.proc"]);
    await callee.expect(65, reg);
    const caller = await join("websocket", "json");
    caller.send([48, caller.request(), {}, "test.deep.proc", [deepList(1100)]]);
    await expectViolation(caller);
    expect(callee.received.filter((m) => m[0] === 68 || m[0] === 69)).toEqual([]);
    // The callee still serves ordinary calls.
    const call = witness.prober.request();
    witness.prober.send([48, call, {}, "test.deep.proc", [1]]);
    const inv = await callee.expect(68);
    callee.send([70, inv[1], {}, ["fine"]]);
    expect((await witness.prober.expect(50, call))[3]).toEqual(["fine"]);
    await witness.check();
  });

  it("PUBLISH with 200000-deep args (JSON to JSON): publisher aborted, later events unaffected", async () => {
    const sub = await join("memory", "json");
    const s = sub.request();
    sub.send([32, s, {}, "test.deep.topic"]);
    const subscription = (await sub.expect(33, s))[2];
    const pub = await join("memory", "json");
    pub.handle.sendEncoded(`[16,${pub.request()},{},"test.deep.topic",[${deepJson(200_000)}]]`);
    await expectViolation(pub);
    // A later, ordinary publication reaches the subscriber exactly once.
    const p = witness.prober.request();
    witness.prober.send([16, p, { acknowledge: true }, "test.deep.topic", ["after"]]);
    const published = await witness.prober.expect(17, p);
    const event = await sub.next((m) => m[0] === 36 && m[2] === published[2]);
    expect(event[1]).toBe(subscription);
    expect(event[4]).toEqual(["after"]);
    const p2 = witness.prober.request();
    witness.prober.send([16, p2, { acknowledge: true }, "test.deep.other", ["elsewhere"]]);
    await witness.prober.expect(17, p2);
    await witness.check();
    expect(sub.received.filter((m) => m[0] === 36)).toEqual([]);
  });

  it("YIELD with a 1100-deep result to a UBJSON caller: callee aborted, caller gets canceled", async () => {
    const callee = await join("rawsocket", "json");
    const reg = callee.request();
    callee.send([64, reg, {}, "test.deep.result"]);
    await callee.expect(65, reg);
    const caller = await join("memory", "ubjson");
    const call = caller.request();
    caller.send([48, call, {}, "test.deep.result", []]);
    const inv = await callee.expect(68);
    callee.send([70, inv[1], {}, [deepList(1100)]]);
    await expectViolation(callee);
    expect((await caller.expect(ERROR, call))[4]).toBe("wamp.error.canceled");
    await witness.check();
  });

  it("ERROR with 1100-deep args to a UBJSON caller: callee aborted, caller gets canceled", async () => {
    const callee = await join("websocket", "json");
    const reg = callee.request();
    callee.send([64, reg, {}, "test.deep.error"]);
    await callee.expect(65, reg);
    const caller = await join("memory", "ubjson");
    const call = caller.request();
    caller.send([48, call, {}, "test.deep.error", []]);
    const inv = await callee.expect(68);
    callee.send([ERROR, 68, inv[1], {}, "test.error.deep", [deepList(1100)]]);
    await expectViolation(callee);
    expect((await caller.expect(ERROR, call))[4]).toBe("wamp.error.canceled");
    await witness.check();
  });
});

/** Message kinds carrying a new session-scope request id (basic profile "Protocol Errors"). */
const REQUEST_KINDS = new Set<unknown>([16, 32, 34, 48, 64, 66]);

function tryEncode(serializer: Serializer, message: unknown): Uint8Array | string | undefined {
  try {
    return serializer.encode(message as Msg);
  } catch {
    return undefined;
  }
}

describe("fuzz", () => {
  it("random and mutated messages on fresh sessions: no crash, every session ends, the witness works", async () => {
    const seed = Number(process.env.XWAMP_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const fuzz = new Fuzzer(seed);
    const serializers: SerializerName[] = ["json", "msgpack", "cbor", "ubjson"];
    const started = Date.now();
    let iterations = 0;
    let violations = 0;
    // Bounded by default; XWAMP_FUZZ_ITERATIONS / XWAMP_FUZZ_MS allow longer local hunts.
    const maxIterations = Number(process.env.XWAMP_FUZZ_ITERATIONS ?? 300);
    const maxMs = Number(process.env.XWAMP_FUZZ_MS ?? 5000);
    for (; iterations < maxIterations && Date.now() - started < maxMs; iterations++) {
      const where = `seed ${seed}, iteration ${iterations}`;
      const via: Via = iterations % 20 === 0 ? "websocket" : iterations % 20 === 10 ? "rawsocket" : "memory";
      const serializer = via === "websocket" ? "json" : fuzz.pick(serializers);
      const c = await open(via, serializer);
      const joined = fuzz.chance(0.6);
      if (joined) await c.join();
      const encodedMutation = via === "memory" && fuzz.chance(0.15);
      let first: unknown;
      if (encodedMutation) {
        const encoded = tryEncode(getSerializer(serializer), fuzz.message());
        if (encoded !== undefined) c.handle.sendEncoded(fuzz.mutateEncoded(encoded));
      } else {
        const count = 1 + (fuzz.chance(0.4) ? fuzz.int(6) : 0);
        for (let i = 0; i < count; i++) {
          const m = fuzz.message();
          // Mostly keep request ids sequential, so later messages reach the broker and dealer too.
          if (Array.isArray(m) && REQUEST_KINDS.has(m[0]) && m.length > 1 && fuzz.chance(0.8))
            m[1] = c.request();
          // Some generated values cannot be written by every serializer: skip those, locally.
          const encoded = tryEncode(c.handle.details.serializer, m);
          if (encoded === undefined) continue;
          if (i === 0) first = m;
          c.handle.sendEncoded(encoded);
        }
      }
      // Whatever happened, a GOODBYE now must end the session: as a violation, or answered.
      c.send([GOODBYE, {}, "wamp.close.close_realm"]);
      await c.waitClosed().catch(() => {
        throw new Error(`session not closed (${where}): ${JSON.stringify(c.received)}`);
      });
      const ending = c.received.find((m) => m[0] === ABORT || m[0] === GOODBYE);
      if (ending?.[0] === ABORT && ending[2] === PROTOCOL_VIOLATION) violations++;
      if (first !== undefined && Array.isArray(first)) {
        const code = first[0] as number;
        const mustViolate =
          refusedByParser(first) ||
          ROUTER_TO_CLIENT.has(code) ||
          (!joined && code !== 1 && code !== ABORT) ||
          (joined && code === 1);
        if (mustViolate) {
          expect(ending, `expected ABORT protocol_violation (${where}) for ${JSON.stringify(first)}`).toEqual(
            expect.arrayContaining([ABORT, PROTOCOL_VIOLATION]),
          );
        }
      }
      if (iterations % 50 === 49) await witness.check();
    }
    await witness.check();
    console.log(`fuzz seed ${seed}: ${iterations} sessions, ${violations} violations`);
    expect(iterations).toBeGreaterThan(0);
    expect(violations).toBeGreaterThan(0);
  });
});

it("the router survived everything: a fresh session joins and the witness still works", async () => {
  const c = await joinRaw(router, "rawsocket", "msgpack");
  clients.push(c);
  expect(c.sessionId).toBeGreaterThan(0);
  await witness.check();
});
