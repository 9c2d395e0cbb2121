/**
 * Router-level behaviour: realms (unknown → no_such_realm, autoCreateRealms), shutdown (GOODBYE
 * wamp.close.system_shutdown to every session, bounded by goodbyeTimeout), and configuration
 * validation (ConfigError names the offending key).
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { createRouter, type Router, type RouterConfig } from "../../src/router/router.js";
import { expectAbort, joinRaw, openRaw, until } from "./liveRouter.js";
import type { RawClient } from "./rawClient.js";

const GOODBYE = 6;
const routers: Router[] = [];
const clients: RawClient[] = [];

async function start(config: RouterConfig): Promise<Router> {
  const r = await createRouter(config);
  routers.push(r);
  return r;
}

afterEach(async () => {
  for (const c of clients.splice(0)) if (c.closed === undefined) c.handle.abort();
  await Promise.all(routers.splice(0).map((r) => r.close()));
});

describe("realms", () => {
  it("HELLO for an unknown realm → ABORT wamp.error.no_such_realm (in-memory and WebSocket)", async () => {
    const router = await start({ realms: ["realm1"], listeners: [{ type: "websocket", port: 0 }] });
    for (const via of ["memory", "websocket"] as const) {
      const c = await openRaw(router, via, "json");
      clients.push(c);
      c.send([1, "realm2", { roles: { caller: {} } }]);
      await expectAbort(c, "wamp.error.no_such_realm");
    }
    expect(router.realm("realm2")).toBeUndefined();
  });

  it("autoCreateRealms: the first HELLO creates the realm, and it routes", async () => {
    const router = await start({ realms: [], autoCreateRealms: true });
    expect(router.realm("brand.new")).toBeUndefined();
    const callee = await joinRaw(router, "memory", "msgpack", {}, "brand.new");
    clients.push(callee);
    expect(router.realm("brand.new")).toBeDefined();
    const r = callee.request();
    callee.send([64, r, {}, "com.auto.echo"]);
    await callee.expect(65, r);
    const caller = await joinRaw(router, "memory", "json", {}, "brand.new");
    clients.push(caller);
    const call = caller.request();
    caller.send([48, call, {}, "com.auto.echo", [1]]);
    const inv = await callee.expect(68);
    callee.send([70, inv[1], {}, [2]]);
    expect((await caller.expect(50, call))[3]).toEqual([2]);
    // Realms are separate routing domains: the procedure does not exist on realm1.
    const elsewhere = await joinRaw(router, "memory", "json", {}, "realm1");
    clients.push(elsewhere);
    const miss = elsewhere.request();
    elsewhere.send([48, miss, {}, "com.auto.echo", []]);
    expect((await elsewhere.expect(8, miss))[4]).toBe("wamp.error.no_such_procedure");
  });

  it("HELLO with an invalid realm URI is a protocol violation even with autoCreateRealms", async () => {
    const router = await start({ autoCreateRealms: true });
    const c = await openRaw(router, "memory", "json");
    clients.push(c);
    c.send([1, "not a realm", { roles: { caller: {} } }]);
    await expectAbort(c, "wamp.error.protocol_violation");
    expect(router.realm("not a realm")).toBeUndefined();
  });
});

describe("close()", () => {
  it("sends GOODBYE wamp.close.system_shutdown to every session and resolves once they answer", async () => {
    const router = await start({
      realms: ["realm1"],
      listeners: [
        { type: "websocket", port: 0 },
        { type: "rawsocket", port: 0 },
      ],
    });
    const sessions = [
      await joinRaw(router, "websocket", "json"),
      await joinRaw(router, "rawsocket", "msgpack"),
      await joinRaw(router, "memory", "cbor"),
    ];
    clients.push(...sessions);
    const pending = await openRaw(router, "websocket", "json"); // no HELLO yet: just closed
    clients.push(pending);
    expect(router.sessionCount).toBe(4);
    const byes = sessions.map(async (s) => {
      const bye = await s.expect(GOODBYE);
      s.send([GOODBYE, {}, "wamp.close.goodbye_and_out"]);
      return bye;
    });
    const closing = router.close();
    for (const bye of await Promise.all(byes)) expect(bye[2]).toBe("wamp.close.system_shutdown");
    await closing;
    for (const c of [...sessions, pending]) await c.waitClosed();
    expect(router.sessionCount).toBe(0);
    expect(pending.received.filter((m) => m[0] === GOODBYE)).toEqual([]);
    // Calling close() again is harmless and resolves.
    await router.close();
  });

  it("resolves even when a session never answers the GOODBYE (bounded by goodbyeTimeout)", async () => {
    const router = await start({
      realms: ["realm1"],
      goodbyeTimeout: 200,
      listeners: [{ type: "websocket", port: 0 }],
    });
    const silent = await joinRaw(router, "websocket", "json");
    clients.push(silent);
    await router.close();
    expect((await silent.expect(GOODBYE))[2]).toBe("wamp.close.system_shutdown");
    await silent.waitClosed();
    await until(() => router.sessionCount === 0, "the silent session is gone");
  });

  it("stops listening: new connections are refused after close()", async () => {
    const router = await start({ realms: ["realm1"], listeners: [{ type: "rawsocket", port: 0 }] });
    await router.close();
    await expect(openRaw(router, "rawsocket", "json")).rejects.toBeDefined();
  });
});

describe("configuration validation", () => {
  const key = async (config: unknown): Promise<string | undefined> => {
    try {
      const r = await createRouter(config as RouterConfig);
      routers.push(r);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe("CONFIG_INVALID");
      return (err as ConfigError).key;
    }
    throw new Error(`accepted: ${JSON.stringify(config)}`);
  };

  it.each([
    ["an unknown router key", { realmz: ["realm1"] }, "realmz"],
    ["a bad realm name", { realms: ["bad realm"] }, "realms[0].name"],
    ["a realm object without a name", { realms: [{}] }, "realms[0].name"],
    ["listeners not a list", { listeners: { type: "websocket" } }, "listeners"],
    ["a bad listener type", { listeners: [{ type: "carrier-pigeon" }] }, "listeners[0].type"],
    ["a missing listener type", { listeners: [{ port: 0 }] }, "listeners[0].type"],
    ["a negative port", { listeners: [{ type: "websocket", port: -1 }] }, "listeners[0].port"],
    ["a port above 65535", { listeners: [{ type: "websocket", port: 70000 }] }, "listeners[0].port"],
    ["a fractional port", { listeners: [{ type: "rawsocket", port: 1.5 }] }, "listeners[0].port"],
    ["a port as a string", { listeners: [{ type: "rawsocket", port: "8080" }] }, "listeners[0].port"],
    [
      "an unknown serializer",
      { listeners: [{ type: "websocket", serializers: ["xml"] }] },
      "listeners[0].serializers",
    ],
    [
      "an empty serializer list",
      { listeners: [{ type: "websocket", serializers: [] }] },
      "listeners[0].serializers",
    ],
    [
      "serializers not a list",
      { listeners: [{ type: "websocket", serializers: "json" }] },
      "listeners[0].serializers",
    ],
    ["an unknown listener key", { listeners: [{ type: "websocket", prot: 1 }] }, "listeners[0].prot"],
    [
      "the second listener's bad key",
      { listeners: [{ type: "websocket" }, { type: "rawsocket", maxMessageSize: -5 }] },
      "listeners[1].maxMessageSize",
    ],
    [
      "both port and unix",
      { listeners: [{ type: "rawsocket", port: 1, unix: "/tmp/x.sock" }] },
      "listeners[0].unix",
    ],
    ["a path without a slash", { listeners: [{ type: "websocket", path: "ws" }] }, "listeners[0].path"],
    ["tls without a key", { listeners: [{ type: "websocket", tls: { cert: "x" } }] }, "listeners[0].tls"],
    ["a negative helloTimeout", { helloTimeout: -1 }, "helloTimeout"],
    ["a zero goodbyeTimeout", { goodbyeTimeout: 0 }, "goodbyeTimeout"],
    ["autoCreateRealms not a boolean", { autoCreateRealms: "yes" }, "autoCreateRealms"],
    ["strictUris not a boolean", { strictUris: 1 }, "strictUris"],
  ])("%s → ConfigError with key %j", async (_name, config, expected) => {
    expect(await key(config)).toBe(expected);
  });

  it("a non-object config is refused", async () => {
    await expect(createRouter(null as unknown as RouterConfig)).rejects.toBeInstanceOf(ConfigError);
  });

  it("a port already in use fails createRouter and releases the listeners it opened", async () => {
    const first = await start({ listeners: [{ type: "websocket", port: 0 }] });
    const port = first.listeners[0].port!;
    await expect(
      createRouter({
        listeners: [
          { type: "rawsocket", port: 0 },
          { type: "websocket", port },
        ],
      }),
    ).rejects.toBeDefined();
  });
});
