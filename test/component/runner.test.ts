/** ApplicationSession subclasses and ApplicationRunner, against the embedded router over WebSocket. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WelcomeInfo } from "../../src/component/runtime.js";
import { type SessionAbortedError, WampError } from "../../src/errors.js";
import { createRouter, type Router } from "../../src/router/router.js";
import { ApplicationRunner, ApplicationSession, type ApplicationSessionConfig } from "../../src/runner.js";
import type { TransportDetails } from "../../src/transports/types.js";
import { closedPort, FAST, joinClient, startRouter, until, wsUrl } from "./helpers.js";
import { startTicketRouter, type TicketRouter } from "./ticketRouter.js";

let router: Router;
let ticketRouter: TicketRouter | undefined;
const cleanups: Array<() => unknown> = [];

beforeEach(async () => {
  router = await startRouter();
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await ticketRouter?.close();
  ticketRouter = undefined;
  await router.close();
});

async function client() {
  const c = await joinClient(router);
  cleanups.push(() => c.component.stop());
  return c.session;
}

async function rejection(promise: Promise<unknown>): Promise<WampError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WampError);
  return error as WampError;
}

/** Registers com.example.add2 and com.example.quit (which makes it leave); records its hooks. */
class Calculator extends ApplicationSession {
  static instances: Calculator[] = [];
  readonly hooks: string[] = [];
  registered = false;

  constructor(config: ApplicationSessionConfig) {
    super(config);
    Calculator.instances.push(this);
  }
  override onConnect(details: TransportDetails): void {
    this.hooks.push(`connect ${details.kind}`);
  }
  override async onJoin(details: WelcomeInfo): Promise<void> {
    this.hooks.push(`join ${details.realm}`);
    await this.register("com.example.add2", ([a, b]) => Number(a) + Number(b));
    await this.register("com.example.quit", () => {
      setTimeout(() => void this.leave(), 0);
      return "bye";
    });
    this.registered = true;
  }
  override onLeave(reason: string): void {
    this.hooks.push(`leave ${reason}`);
  }
  override onDisconnect(): void {
    this.hooks.push("disconnect");
  }
}

const runner = (url: string, extra: Partial<ConstructorParameters<typeof ApplicationRunner>[0]> = {}) =>
  new ApplicationRunner({ url, realm: "realm1", ...FAST, ...extra });

describe("ApplicationRunner", () => {
  it("runs a session class: onJoin registers, others call it, leaving resolves run()", async () => {
    Calculator.instances = [];
    const r = runner(wsUrl(router));
    const running = r.run(Calculator, { logLevel: "off" });
    const other = await client();
    await until(() => Calculator.instances[0]?.registered === true, "registered");
    expect(await other.call("com.example.add2", [20, 22])).toBe(42);
    expect(await other.call("com.example.quit")).toBe("bye");
    await running;
    const [session] = Calculator.instances;
    expect(Calculator.instances).toHaveLength(1);
    expect(session.config.realm).toBe("realm1");
    expect(session.hooks).toEqual([
      "connect websocket",
      "join realm1",
      "leave wamp.close.goodbye_and_out",
      "disconnect",
    ]);
    expect(session.isJoined).toBe(false);
  });

  it("runs a factory function instead of a class", async () => {
    const made: ApplicationSessionConfig[] = [];
    class Leaver extends ApplicationSession {
      override async onJoin(): Promise<void> {
        await this.leave();
      }
    }
    await runner(wsUrl(router), { extra: { x: 1 } }).run(
      (config) => {
        made.push(config);
        return new Leaver(config);
      },
      { logLevel: "off" },
    );
    expect(made).toEqual([{ realm: "realm1", extra: { x: 1 }, config: {} }]);
  });

  it("autoReconnect false: a refused connection rejects run() after one attempt", async () => {
    const r = runner(`ws://127.0.0.1:${await closedPort()}/ws`, { maxRetries: 5 });
    const error = await rejection(r.run(ApplicationSession, { logLevel: "off" }));
    expect(error.code).toBe("COMPONENT_FAILED");
    expect((error.cause as WampError).code).toBe("TRANSPORT_CONNECT_FAILED");
    expect(r.actor?.getSnapshot().context.retry[0].attempts).toBe(1);
  });

  it("autoReconnect true: a refused connection is retried (maxRetries 3 → 4 attempts)", async () => {
    const r = runner(`ws://127.0.0.1:${await closedPort()}/ws`, { maxRetries: 3 });
    const error = await rejection(r.run(ApplicationSession, { autoReconnect: true, logLevel: "off" }));
    expect(error.code).toBe("COMPONENT_FAILED");
    expect(r.actor?.getSnapshot().context.retry[0].attempts).toBe(4);
  });

  it("autoReconnect true: a session the router drops comes back", async () => {
    const joins: number[] = [];
    class Counter extends ApplicationSession {
      override onJoin(details: WelcomeInfo): void {
        joins.push(details.id);
      }
    }
    const r = runner(wsUrl(router));
    cleanups.push(() => r.stop());
    const running = r.run(Counter, { autoReconnect: true, logLevel: "off" });
    await until(() => joins.length === 1, "first join");
    router.realm("realm1")!.sessions.get(joins[0])!.shutdown("wamp.close.killed");
    await until(() => joins.length === 2, "second join");
    r.stop();
    await running;
  });

  it("autoReconnect false: a session the router drops is not retried", async () => {
    const joins: number[] = [];
    class Counter extends ApplicationSession {
      override onJoin(details: WelcomeInfo): void {
        joins.push(details.id);
      }
    }
    const r = runner(wsUrl(router));
    const running = r.run(Counter, { logLevel: "off" });
    await until(() => joins.length === 1, "first join");
    router.realm("realm1")!.sessions.get(joins[0])!.shutdown("wamp.close.killed");
    const error = await rejection(running);
    expect(error.code).toBe("COMPONENT_FAILED");
    expect((error.cause as SessionAbortedError).uri).toBe("wamp.close.killed");
    expect(joins).toHaveLength(1);
  });

  it("stop() leaves and resolves run()", async () => {
    let joined = false;
    class Idle extends ApplicationSession {
      override onJoin(): void {
        joined = true;
      }
    }
    const r = runner(wsUrl(router));
    const running = r.run(Idle, { logLevel: "off" });
    await until(() => joined, "joined");
    r.stop();
    await running;
    expect(router.realm("realm1")?.sessions.size).toBe(0);
  });
});

describe("ApplicationSession", () => {
  it("onChallenge answers a ticket CHALLENGE (a real socket to a ticket-only router)", async () => {
    ticketRouter = await startTicketRouter("open sesame");
    const challenges: Array<[string, Record<string, unknown>]> = [];
    let authmethod: string | undefined;
    class Ticketed extends ApplicationSession {
      override onChallenge(method: string, extra: Record<string, unknown>) {
        challenges.push([method, extra]);
        return "open sesame";
      }
      override async onJoin(details: WelcomeInfo): Promise<void> {
        authmethod = details.authmethod;
        await this.leave();
      }
    }
    await runner(ticketRouter.url).run(Ticketed, { logLevel: "off" });
    expect(challenges).toEqual([["ticket", {}]]);
    expect(authmethod).toBe("ticket");
    expect(ticketRouter.received[0].map((m) => m[0])).toEqual([1, 5, 6]);
    expect(ticketRouter.received[0][1]).toEqual([5, "open sesame", {}]);
  });

  it("onChallenge logs in to the xwamp router when the runner names the method (authmethods + authid)", async () => {
    const authRouter = await createRouter({
      realms: ["realm1"],
      listeners: [
        {
          type: "websocket",
          port: 0,
          auth: { ticket: { principals: { alice: { ticket: "s3cret", role: "user" } } } },
        },
      ],
    });
    try {
      let welcome: WelcomeInfo | undefined;
      class Alice extends ApplicationSession {
        override onChallenge(method: string) {
          return method === "ticket" ? "s3cret" : "";
        }
        override async onJoin(details: WelcomeInfo): Promise<void> {
          welcome = details;
          await this.leave();
        }
      }
      const r = new ApplicationRunner({
        url: authRouter.listeners[0].url,
        realm: "realm1",
        authentication: { authmethods: ["ticket"], authid: "alice" },
      });
      await r.run(Alice, { logLevel: "off" });
      expect(welcome).toMatchObject({
        authid: "alice",
        authrole: "user",
        authmethod: "ticket",
        authprovider: "static",
      });

      // Without naming the method, HELLO offers none the listener accepts.
      const plain = new ApplicationRunner({ url: authRouter.listeners[0].url, realm: "realm1" });
      const error = await rejection(plain.run(Alice, { logLevel: "off" }));
      expect((error.cause as SessionAbortedError).uri).toBe("wamp.error.no_auth_method");
    } finally {
      await authRouter.close();
    }
  });

  it("a wrong ticket is fatal by default: one attempt, COMPONENT_FAILED with authentication_failed", async () => {
    ticketRouter = await startTicketRouter("open sesame");
    class Wrong extends ApplicationSession {
      override onChallenge() {
        return { signature: "guess", extra: {} };
      }
    }
    const r = runner(ticketRouter.url, { maxRetries: 5 });
    const error = await rejection(r.run(Wrong, { autoReconnect: true, logLevel: "off" }));
    expect(error.code).toBe("COMPONENT_FAILED");
    expect((error.cause as SessionAbortedError).uri).toBe("wamp.error.authentication_failed");
    expect(ticketRouter.received).toHaveLength(1);
  });

  it("the default onChallenge cannot answer: the attempt fails with AUTHENTICATION_UNSUPPORTED", async () => {
    ticketRouter = await startTicketRouter("open sesame");
    const r = runner(ticketRouter.url);
    const error = await rejection(r.run(ApplicationSession, { logLevel: "off" }));
    expect(error.code).toBe("COMPONENT_FAILED");
    expect((error.cause as WampError).code).toBe("AUTHENTICATION_UNSUPPORTED");
  });

  it("outside a session its methods fail fast with SESSION_CLOSED", async () => {
    const session = new ApplicationSession();
    expect(session.isJoined).toBe(false);
    expect(() => session.session).toThrow(expect.objectContaining({ code: "SESSION_CLOSED" }));
    for (const attempt of [
      () => session.call("com.example.add2"),
      () => session.register("com.example.add2", () => 0),
      () => session.publish("com.example.topic"),
      () => session.subscribe("com.example.topic", () => {}),
    ]) {
      expect((await rejection(attempt())).code).toBe("SESSION_CLOSED");
    }
    await session.leave(); // nothing to leave: resolves
  });
});
