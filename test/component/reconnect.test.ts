/**
 * Reconnecting against the real router: the connection dies on the router side, the component
 * comes back, re-applies what it declared, and its counters are reset by the new join.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Component } from "../../src/component.js";
import { type SessionAbortedError, WampError } from "../../src/errors.js";
import { createRouter, type Router } from "../../src/router/router.js";
import { cleanup, fast, joinClient, listenerOf, quietComponent, record, until, wsUrl } from "./helpers.js";

const components: Component[] = [];
const routers: Router[] = [];
afterEach(() => cleanup(components, routers));

async function router(port = 0): Promise<Router> {
  const r = await createRouter({ listeners: [{ type: "websocket", port }] });
  routers.push(r);
  return r;
}

async function client(r: Router) {
  const c = await joinClient(r);
  components.push(c.component);
  return c.session;
}

describe("reconnect", () => {
  it("after the router side drops the connection: pending calls fail, it rejoins and re-declares", async () => {
    const first = await router();
    const port = listenerOf(first, "websocket").port!;
    const callee = await client(first);
    await callee.register("com.example.slow", () => new Promise(() => {}));

    const received: unknown[] = [];
    const c = quietComponent({ transports: fast(wsUrl(first), { maxRetries: -1 }) });
    components.push(c);
    c.register("com.example.echo", ([x]) => x);
    c.subscribe("com.example.topic", ([x]) => void received.push(x));
    const events = record(c);
    void c.start();
    await until(() => events.count("ready") === 1, "first ready");
    expect(await callee.call("com.example.echo", ["one"])).toBe("one");

    // A call in flight when the connection dies is rejected, not left hanging.
    const pending = events.sessions[0].call("com.example.slow").catch((err: unknown) => err);
    await listenerOf(first, "websocket").close(); // the router's end goes away
    const error = (await pending) as WampError;
    expect(error).toBeInstanceOf(WampError);
    expect(error.code).toBe("SESSION_CLOSED");
    expect(events.names.slice(3, 6)).toEqual(["leave", "disconnect", "connectfailure"]);
    expect(events.leaveReasons).toEqual(["wamp.close.transport_lost"]);
    expect(events.failures[0].code).toBe("TRANSPORT_CLOSED");

    // Nobody listens for a while: attempts pile up on the transport's counter...
    await until(() => events.count("connectfailure") >= 3, "two refused attempts");
    expect(c.actor.getSnapshot().context.retry[0].attempts).toBeGreaterThanOrEqual(2);
    expect(events.failures.slice(1).every((f) => f.code === "TRANSPORT_CONNECT_FAILED")).toBe(true);

    // ...until a new router answers on the same port; the join resets the counters.
    const second = await router(port);
    await until(() => events.count("ready") === 2, "second ready");
    expect(events.count("join")).toBe(2);
    expect(c.actor.getSnapshot().context.retry).toEqual([{ attempts: 0, retired: false }]);

    const other = await client(second);
    expect(await other.call("com.example.echo", ["two"])).toBe("two");
    await other.publish("com.example.topic", ["news"], {}, { acknowledge: true });
    await until(() => received.length === 1, "the event");
    expect(received).toEqual(["news"]);
  });

  it("a router GOODBYE other than normal: connectfailure with its URI, immediate rejoin", async () => {
    const r = await router();
    const c = quietComponent({ transports: fast(wsUrl(r), { maxRetries: 0 }) });
    components.push(c);
    c.register("com.example.echo", ([x]) => x);
    const events = record(c);
    void c.start();
    await until(() => events.count("ready") === 1, "ready");
    const id = events.sessions[0].id;
    r.realm("realm1")!.sessions.get(id)!.shutdown("wamp.close.killed", "go away");
    await until(() => events.count("ready") === 2, "rejoined");
    expect(events.names).toEqual([
      "connect",
      "join",
      "ready",
      "leave",
      "disconnect",
      "connectfailure",
      "connect",
      "join",
      "ready",
    ]);
    expect(events.leaveReasons).toEqual(["wamp.close.killed"]);
    expect((events.failures[0] as SessionAbortedError).uri).toBe("wamp.close.killed");
    // maxRetries 0 still allowed this reconnect: the join had reset the transport.
    expect(c.actor.getSnapshot().context.retry).toEqual([{ attempts: 0, retired: false }]);
    const other = await client(r);
    expect(await other.call("com.example.echo", [7])).toBe(7);
  });

  it("a router GOODBYE wamp.close.normal ends the component: start() resolves", async () => {
    const r = await router();
    const c = quietComponent({ transports: fast(wsUrl(r)) });
    components.push(c);
    const events = record(c);
    const started = c.start();
    await until(() => events.count("ready") === 1, "ready");
    r.realm("realm1")!.sessions.get(events.sessions[0].id)!.shutdown("wamp.close.normal");
    await started;
    expect(events.count("join")).toBe(1);
    expect(events.count("connectfailure")).toBe(0);
    expect(events.leaveReasons).toEqual(["wamp.close.normal"]);
  });

  it("a main that outlives its session: its late result or failure never ends the next session", async () => {
    const r = await router();
    const mains: Array<{ resolve(): void; reject(error: Error): void }> = [];
    const c = quietComponent({
      transports: fast(wsUrl(r), { maxRetries: 0 }),
      main: () =>
        new Promise<void>((resolve, reject) => {
          mains.push({ resolve, reject });
        }),
    });
    components.push(c);
    const events = record(c);
    const started = c.start();
    await until(() => mains.length === 1, "first main running");
    r.realm("realm1")!.sessions.get(events.sessions[0].id)!.shutdown("wamp.close.killed");
    await until(() => mains.length === 2, "second main running");

    // The first session's main settles now, while the second session is joined: nothing happens.
    mains[0].reject(new Error("old main failed late"));
    mains[0].resolve();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.actor.getSnapshot().value).toEqual({ online: "joined" });
    expect(events.count("leave")).toBe(1);
    expect(events.failures).toHaveLength(1); // only the router's GOODBYE
    expect(events.sessions[1].isOpen).toBe(true);

    // The current session's main resolving does end it: leave, done.
    mains[1].resolve();
    await started;
    expect(events.count("leave")).toBe(2);
    expect(events.leaveReasons).toEqual(["wamp.close.killed", "wamp.close.goodbye_and_out"]);
  });
});
