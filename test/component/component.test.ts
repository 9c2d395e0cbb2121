import { type AddressInfo, createServer } from "node:net";
/**
 * The Component API against the real embedded router over loopback sockets: when `start()`
 * resolves and rejects, events, declared registrations, calls after leaving.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ComponentSession } from "../../src/component/componentSession.js";
import type { Component } from "../../src/component.js";
import { ApplicationError, type SessionAbortedError, WampError } from "../../src/errors.js";
import type { Router } from "../../src/router/router.js";
import {
  cleanup,
  closedPort,
  fast,
  joinClient,
  quietComponent,
  record,
  rsUrl,
  startRouter,
  until,
  wsUrl,
} from "./helpers.js";

let router: Router;
const components: Component[] = [];
const routers: Router[] = [];

beforeEach(async () => {
  router = await startRouter();
  routers.push(router);
});
afterEach(() => cleanup(components, routers));

function component(config: Parameters<typeof quietComponent>[0]): Component {
  const c = quietComponent(config);
  components.push(c);
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<WampError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WampError);
  return error as WampError;
}

describe("start() resolves when the component is done", () => {
  it("when main resolves; the component has then left the realm", async () => {
    let inMain = false;
    const c = component({
      transports: wsUrl(router),
      main: async (session) => {
        inMain = true;
        expect(session.realm).toBe("realm1");
        expect(router.realm("realm1")?.sessions.size).toBe(1);
      },
    });
    const events = record(c);
    await c.start();
    expect(inMain).toBe(true);
    expect(router.realm("realm1")?.sessions.size).toBe(0);
    await until(() => router.sessionCount === 0, "the router dropped the connection");
    expect(events.names).toEqual(["connect", "join", "ready", "leave", "disconnect"]);
    expect(events.leaveReasons).toEqual(["wamp.close.goodbye_and_out"]);
    expect(c.actor.getSnapshot().value).toBe("done");
  });

  it("when main calls session.leave() (over RawSocket)", async () => {
    const c = component({
      transports: rsUrl(router),
      main: async (session) => {
        await session.leave();
        expect(session.isOpen).toBe(false);
        await new Promise(() => {}); // main never resolves: leaving alone ends the component
      },
    });
    await c.start();
    await until(() => router.sessionCount === 0, "the router dropped the connection");
  });

  it("when a join listener leaves (no main)", async () => {
    const c = component({ transports: wsUrl(router) });
    c.on("join", (session) => session.leave());
    const events = record(c);
    await c.start();
    expect(events.count("join")).toBe(1);
    expect(events.count("connectfailure")).toBe(0);
  });

  it("on stop(), which resolves too", async () => {
    const c = component({ transports: wsUrl(router) });
    const events = record(c);
    const started = c.start();
    await until(() => events.count("ready") === 1, "ready");
    await c.stop();
    await started;
    expect(router.realm("realm1")?.sessions.size).toBe(0);
    expect(events.leaveReasons).toEqual(["wamp.close.goodbye_and_out"]);
  });
});

describe("failures and retries", () => {
  it("main throwing: connectfailure with that error, then the component rejoins", async () => {
    let runs = 0;
    const boom = new ApplicationError("com.example.boom");
    const c = component({
      transports: fast(wsUrl(router), { maxRetries: 3 }),
      main: async () => {
        if (++runs === 1) throw boom;
      },
    });
    const events = record(c);
    await c.start();
    expect(events.failures).toEqual([boom]);
    expect(events.count("join")).toBe(2);
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
      "leave",
      "disconnect",
    ]);
  });

  it("main always throwing: start() rejects COMPONENT_FAILED once maxRetries is exhausted", async () => {
    const c = component({
      transports: fast(wsUrl(router), { maxRetries: 2 }),
      main: async () => {
        throw new ApplicationError("com.example.boom");
      },
    });
    const events = record(c);
    const error = await rejection(c.start());
    expect(error.code).toBe("COMPONENT_FAILED");
    expect((error.cause as ApplicationError).uri).toBe("com.example.boom");
    expect(events.count("join")).toBe(3); // maxRetries 2 → 3 attempts
    expect(events.count("connectfailure")).toBe(3);
  });

  it("a plain Error from main reaches connectfailure as COMPONENT_FAILED with it as cause", async () => {
    const plain = new Error("not a WampError");
    const c = component({
      transports: fast(wsUrl(router), { maxRetries: 0 }),
      main: () => {
        throw plain;
      },
    });
    const events = record(c);
    const error = await rejection(c.start());
    expect(events.failures.map((e) => [e.code, e.cause])).toEqual([["COMPONENT_FAILED", plain]]);
    expect((error.cause as WampError).cause).toBe(plain);
  });

  it("an unknown realm is fatal by default: one attempt despite maxRetries 5", async () => {
    const c = component({ transports: fast(wsUrl(router), { maxRetries: 5 }), realm: "no.such.realm" });
    const events = record(c);
    const error = await rejection(c.start());
    expect(error.code).toBe("COMPONENT_FAILED");
    expect((error.cause as SessionAbortedError).uri).toBe("wamp.error.no_such_realm");
    expect(events.count("connect")).toBe(1);
    expect(events.failures.map((e) => [e.code, (e as SessionAbortedError).uri])).toEqual([
      ["SESSION_ABORTED", "wamp.error.no_such_realm"],
    ]);
    expect(c.actor.getSnapshot().context.retry).toEqual([{ attempts: 1, retired: true }]);
  });

  it("a custom isFatal overrides the default: the unknown realm is retried", async () => {
    const c = component({
      transports: fast(wsUrl(router), { maxRetries: 2 }),
      realm: "no.such.realm",
      isFatal: () => false,
    });
    const events = record(c);
    const error = await rejection(c.start());
    expect(error.code).toBe("COMPONENT_FAILED");
    expect(events.count("connect")).toBe(3);
    expect(events.count("connectfailure")).toBe(3);
  });

  it("two transports, the first unreachable: connectfailure, then it joins over the second", async () => {
    const dead = await closedPort();
    const c = component({
      transports: [fast(`rs://127.0.0.1:${dead}`), fast(wsUrl(router))],
      main: async (session) => {
        expect(session.realm).toBe("realm1");
      },
    });
    const events = record(c);
    await c.start();
    expect(events.names.slice(0, 3)).toEqual(["connectfailure", "connect", "join"]);
    expect(events.failures[0].code).toBe("TRANSPORT_CONNECT_FAILED");
  });

  it("nothing reachable: every transport exhausted → COMPONENT_FAILED", async () => {
    const c = component({
      transports: [
        fast(`ws://127.0.0.1:${await closedPort()}/ws`, { maxRetries: 1 }),
        fast(`rs://127.0.0.1:${await closedPort()}`, { maxRetries: 0 }),
      ],
    });
    const events = record(c);
    const error = await rejection(c.start());
    expect(error.code).toBe("COMPONENT_FAILED");
    expect(events.count("connectfailure")).toBe(3);
    expect(c.actor.getSnapshot().context.retry.map((r) => r.attempts)).toEqual([2, 1]);
  });
});

describe("transport endpoint options", () => {
  it("a WebSocket endpoint points the URL elsewhere, and its timeout bounds a silent server (TRANSPORT_TIMEOUT)", async () => {
    const silent = createServer((socket) => socket.on("error", () => {})); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const c = component({
        transports: {
          url: "ws://example.invalid:9/ws",
          endpoint: { type: "tcp", host: "127.0.0.1", port, timeout: 100 },
          maxRetries: 0,
        },
      });
      const failures: string[] = [];
      c.on("connectfailure", (err) => failures.push(err.code));
      const error = await rejection(c.start());
      expect(error.code).toBe("COMPONENT_FAILED");
      expect(failures).toEqual(["TRANSPORT_TIMEOUT"]);
    } finally {
      silent.close();
    }
  });
});

describe("stop()", () => {
  it("while waiting to reconnect cancels the wait: done, no further attempt", async () => {
    const c = component({
      transports: {
        url: `ws://127.0.0.1:${await closedPort()}/ws`,
        initialRetryDelay: 3_600_000,
        retryDelayJitter: () => 0,
      },
    });
    const events = record(c);
    const started = c.start();
    await until(() => c.actor.getSnapshot().value === "reconnectWait", "reconnectWait");
    await c.stop();
    await started;
    expect(c.actor.getSnapshot().value).toBe("done");
    expect(events.count("connectfailure")).toBe(1);
    expect(c.actor.getSnapshot().context.retry[0].attempts).toBe(1);
  });

  it("while joined sends GOODBYE, which the router answers, and resolves", async () => {
    const lines: string[] = [];
    const c = component({
      transports: wsUrl(router),
      logLevel: "trace",
      logger: (_level, message, fields) => lines.push(`${message} ${JSON.stringify(fields ?? {})}`),
    });
    const events = record(c);
    void c.start();
    await until(() => events.count("ready") === 1, "ready");
    await c.stop();
    expect(lines).toContain('send {"message":[6,{},"wamp.close.normal"]}');
    expect(lines).toContain('receive {"message":[6,{},"wamp.close.goodbye_and_out"]}');
    expect(events.leaveReasons).toEqual(["wamp.close.goodbye_and_out"]);
    expect(router.realm("realm1")?.sessions.size).toBe(0);
  });

  it("before start() resolves both at once, without connecting", async () => {
    const c = component({ transports: wsUrl(router) });
    const events = record(c);
    await c.stop();
    await c.start();
    expect(events.names).toEqual([]);
  });
});

describe("sessions", () => {
  it("calls made after leaving fail fast with SESSION_CLOSED", async () => {
    let kept: ComponentSession | undefined;
    const c = component({
      transports: wsUrl(router),
      main: async (session) => {
        kept = session;
      },
    });
    await c.start();
    const session = kept!;
    expect(session.isOpen).toBe(false);
    for (const attempt of [
      () => session.call("com.example.add2", [1, 2]),
      () => session.register("com.example.x", () => 1),
      () => session.subscribe("com.example.t", () => {}),
      () => session.publish("com.example.t", [1], {}, { acknowledge: true }),
    ]) {
      expect((await rejection(attempt())).code).toBe("SESSION_CLOSED");
    }
  });

  it("declared registrations and subscriptions exist when `ready` fires", async () => {
    const other = await joinClient(router);
    components.push(other.component);
    const received: unknown[] = [];
    const c = component({ transports: wsUrl(router) });
    c.register("com.example.add2", ([a, b]) => Number(a) + Number(b));
    c.subscribe("com.example.topic", (args) => void received.push(args[0]));
    const events = record(c);
    let fromReady: unknown;
    c.on("ready", async () => {
      fromReady = await other.session.call("com.example.add2", [2, 3]);
      await other.session.publish("com.example.topic", ["hello"], {}, { acknowledge: true });
    });
    void c.start();
    await until(() => received.length === 1, "the event arrived");
    expect(fromReady).toBe(5);
    expect(received).toEqual(["hello"]);
    expect(events.names).toEqual(["connect", "join", "ready"]);
  });

  it("a throwing handler emits usererror; the caller gets wamp.error.runtime_error", async () => {
    const other = await joinClient(router);
    components.push(other.component);
    const c = component({ transports: wsUrl(router) });
    const bug = new Error("handler bug");
    c.register("com.example.buggy", () => {
      throw bug;
    });
    c.subscribe("com.example.topic", () => {
      throw bug;
    });
    const events = record(c);
    void c.start();
    await until(() => events.count("ready") === 1, "ready");
    const error = await rejection(other.session.call("com.example.buggy"));
    expect((error as ApplicationError).uri).toBe("wamp.error.runtime_error");
    await other.session.publish("com.example.topic", [], {}, { acknowledge: true });
    await until(() => events.count("usererror") === 2, "two user errors");
    expect(events.userErrors.map((u) => u.error)).toEqual([bug, bug]);
    expect(events.userErrors[0].context).toContain("com.example.buggy");
    expect(events.userErrors[1].context).toContain("com.example.topic");
  });

  it("a failing declared registration fails the join like main does", async () => {
    const other = await joinClient(router);
    components.push(other.component);
    await other.session.register("com.example.taken", () => 0);
    const c = component({ transports: fast(wsUrl(router), { maxRetries: 0 }) });
    c.register("com.example.taken", () => 1);
    const events = record(c);
    const error = await rejection(c.start());
    expect(error.code).toBe("COMPONENT_FAILED");
    expect((events.failures[0] as ApplicationError).uri).toBe("wamp.error.procedure_already_exists");
    expect(events.count("ready")).toBe(0);
  });
});
