/**
 * One behaviour suite over every transport × serializer against a live router: handshake, RPC,
 * PubSub, errors, clean and unclean close.
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializerNames } from "../../src/codecs/index.js";
import type { SerializerName } from "../../src/codecs/serializer.js";
import { createRouter, type Router } from "../../src/router/router.js";
import { normalize } from "../codecs/messageArbitraries.js";
import { connectRaw, type RawClient, type TransportUnderTest, transportsFor } from "./rawClient.js";

const fixtures = join(import.meta.dirname, "../fixtures/tls");
const cert = readFileSync(join(fixtures, "cert.pem"), "utf8");
const key = readFileSync(join(fixtures, "key.pem"), "utf8");
const unixPath = join(tmpdir(), `xwamp-behaviour-${process.pid}.sock`);

let router: Router;
let transports: TransportUnderTest[];

beforeAll(async () => {
  router = await createRouter({
    realms: ["realm1"],
    listeners: [
      { type: "websocket", port: 0 },
      { type: "websocket", port: 0, tls: { cert, key } },
      { type: "rawsocket", port: 0 },
      { type: "rawsocket", unix: unixPath },
      { type: "rawsocket", port: 0, tls: { cert, key } },
    ],
  });
  const [ws, wss, rs, unix, rss] = router.listeners.map((l) => l.url);
  transports = transportsFor({ ws, wss, rs, unix, rss, ca: cert, factory: router.handlerFactory });
});

afterAll(async () => {
  await router.close();
});

const UNBATCHED = ["json", "msgpack", "cbor", "ubjson"] as const;
const cases: Array<[string, SerializerName]> = [];
for (const t of ["websocket", "websocket-tls", "memory"]) for (const s of serializerNames) cases.push([t, s]);
for (const t of ["rawsocket-tcp", "rawsocket-unix", "rawsocket-tls"])
  for (const s of UNBATCHED) cases.push([t, s]);

const ERROR = 8;

describe.each(cases)("%s with %s", (transportName, serializer) => {
  const connect = async (): Promise<RawClient> => {
    const t = transports.find((x) => x.name === transportName)!;
    const c = await connectRaw(t, serializer);
    await c.join();
    return c;
  };

  it("joins: WELCOME announces broker and dealer with their features", async () => {
    const c = await connect();
    const details = c.welcome![2] as {
      roles: Record<string, { features: Record<string, boolean> }>;
      realm: string;
    };
    expect(c.sessionId).toBeGreaterThanOrEqual(1);
    expect(c.sessionId).toBeLessThanOrEqual(2 ** 53);
    expect(details.roles.broker.features.publisher_exclusion).toBe(true);
    expect(details.roles.dealer.features.progressive_call_results).toBe(true);
    expect(details.realm).toBe("realm1");
    c.handle.close();
  });

  it("routes a call with args, kwargs and binary to the callee and the result back", async () => {
    const callee = await connect();
    const caller = await connect();
    const procedure = `com.example.echo.${transportName}.${serializer}`.replace(/-/g, "_");
    const reg = callee.request();
    callee.send([64, reg, {}, procedure]);
    const registered = await callee.expect(65, reg);
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const call = caller.request();
    caller.send([48, call, {}, procedure, [1, "zwei", bytes, 2 ** 53], { k: "ü€𝄞" }]);
    const inv = await callee.expect(68);
    expect(inv[2]).toBe(registered[2]);
    expect(normalize(inv[4])).toEqual(normalize([1, "zwei", bytes, 2 ** 53]));
    callee.send([70, inv[1], {}, inv[4], inv[5]]);
    const result = await caller.expect(50, call);
    expect(normalize(result[3])).toEqual(normalize([1, "zwei", bytes, 2 ** 53]));
    expect(result[4]).toEqual({ k: "ü€𝄞" });
    callee.handle.close();
    caller.handle.close();
  });

  it("relays a callee's ERROR with its URI, args and kwargs; unknown procedures get no_such_procedure", async () => {
    const callee = await connect();
    const caller = await connect();
    const procedure = `com.example.fail.${transportName}.${serializer}`.replace(/-/g, "_");
    const reg = callee.request();
    callee.send([64, reg, {}, procedure]);
    await callee.expect(65, reg);
    const call = caller.request();
    caller.send([48, call, {}, procedure, []]);
    const inv = await callee.expect(68);
    callee.send([ERROR, 68, inv[1], {}, "com.example.error.bad", ["reason"], { code: 7 }]);
    const err = await caller.expect(ERROR, call);
    expect(err.slice(0, 3)).toEqual([ERROR, 48, call]);
    expect(err[4]).toBe("com.example.error.bad");
    expect(err[5]).toEqual(["reason"]);
    expect(err[6]).toEqual({ code: 7 });

    const missing = caller.request();
    caller.send([48, missing, {}, "com.example.nobody_home", []]);
    const err2 = await caller.expect(ERROR, missing);
    expect(err2[4]).toBe("wamp.error.no_such_procedure");
    callee.handle.close();
    caller.handle.close();
  });

  it("publishes to subscribers, acknowledges, and excludes the publisher by default", async () => {
    const sub = await connect();
    const pub = await connect();
    const topic = `com.example.topic.${transportName}.${serializer}`.replace(/-/g, "_");
    const s1 = sub.request();
    sub.send([32, s1, {}, topic]);
    const subscribed = await sub.expect(33, s1);
    const s2 = pub.request();
    pub.send([32, s2, {}, topic]);
    const pubSubscribed = await pub.expect(33, s2);
    expect(pubSubscribed[2]).toBe(subscribed[2]); // one subscription id per topic, shared
    const p = pub.request();
    pub.send([16, p, { acknowledge: true }, topic, ["hello"], { n: 1 }]);
    const published = await pub.expect(17, p);
    const event = await sub.expect(36);
    expect(event[1]).toBe(subscribed[2]);
    expect(event[2]).toBe(published[2]);
    expect(event[4]).toEqual(["hello"]);
    expect(event[5]).toEqual({ n: 1 });
    // The publisher's own subscription got nothing (exclude_me defaults to true) ...
    const p2 = pub.request();
    pub.send([16, p2, { exclude_me: false, acknowledge: true }, topic, ["again"]]);
    await pub.expect(17, p2);
    // ... unless it asks: then it receives its own event.
    const own = await pub.expect(36);
    expect(own[4]).toEqual(["again"]);
    expect(pub.received.filter((m) => m[0] === 36)).toEqual([]);
    sub.handle.close();
    pub.handle.close();
  });

  it("closes cleanly: GOODBYE is answered with wamp.close.goodbye_and_out", async () => {
    const c = await connect();
    c.send([6, {}, "wamp.close.close_realm"]);
    const bye = await c.expect(6);
    expect(bye[2]).toBe("wamp.close.goodbye_and_out");
    const closed = await c.waitClosed();
    expect(closed.error).toBeUndefined();
  });

  it("fails a pending call with wamp.error.canceled when the callee's connection drops", async () => {
    const callee = await connect();
    const caller = await connect();
    const procedure = `com.example.slow.${transportName}.${serializer}`.replace(/-/g, "_");
    const reg = callee.request();
    callee.send([64, reg, {}, procedure]);
    await callee.expect(65, reg);
    const call = caller.request();
    caller.send([48, call, {}, procedure, []]);
    await callee.expect(68);
    callee.handle.abort();
    const err = await caller.expect(ERROR, call);
    expect(err[4]).toBe("wamp.error.canceled");
    // The registration went with the callee.
    const again = caller.request();
    caller.send([48, again, {}, procedure, []]);
    expect((await caller.expect(ERROR, again))[4]).toBe("wamp.error.no_such_procedure");
    caller.handle.close();
  });
});
