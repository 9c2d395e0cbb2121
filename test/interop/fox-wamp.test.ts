/**
 * Client interop with a router nobody here wrote: fox-wamp (npm `fox-wamp`, installed under
 * interop/node_modules by `npm ci --prefix interop`), run as a child process by
 * `peers/fox_wamp_router.cjs` on a loopback port. fox-wamp speaks WAMP over WebSocket with JSON
 * only (subprotocol wamp.2.json) and creates realms on demand.
 *
 * xwamp components join, register and call (args and kwargs both ways), publish and subscribe
 * (acknowledged, with publisher exclusion), see callee errors and calls to a missing procedure
 * fail, and leave. What fox-wamp does differently from the spec is pinned down in "fox-wamp quirks";
 * "null payloads" are the cases where fox-wamp puts `null` where the spec wants a list or a dict;
 * xwamp reads them as "none", as both Autobahns do.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuthenticationConfig } from "../../src/auth/client.js";
import type { ComponentSession } from "../../src/component/componentSession.js";
import { type Component, createComponent } from "../../src/component.js";
import { ApplicationError } from "../../src/errors.js";
import { CallResult, type EventDetails, type InvocationDetails } from "../../src/session/index.js";
import { killChild, timeLimits } from "./helpers.js";
import { describeWithPeer, findInteropPackage, INTEROP_PEERS_INSTALL, peerScript } from "./peers.js";

const STEP = 5_000;
const { within, rejection } = timeLimits(STEP);

interface FoxRouter {
  child: ChildProcess;
  url: string;
  version: string;
  output(): string;
}

/** Starts peers/fox_wamp_router.cjs and resolves with the URL it listens on. */
function startFox(extraArgs: string[] = []): Promise<FoxRouter> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [peerScript("fox_wamp_router.cjs"), ...extraArgs], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const output = () => `stdout:\n${out}\nstderr:\n${err}`;
    const timer = setTimeout(() => {
      killChild(child);
      reject(new Error(`fox-wamp did not start within ${STEP} ms\n${output()}`));
    }, STEP);
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => {
      err += d;
    });
    child.stdout?.on("data", (d: string) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line === undefined) return;
      clearTimeout(timer);
      const { listening, version } = JSON.parse(line) as { listening: string; version: string };
      resolve({ child, url: listening, version, output });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`fox-wamp exited with ${code}\n${output()}`));
    });
  });
}

interface Client {
  component: Component;
  session: ComponentSession;
  leaves: string[];
  logs: string[];
}

const clients = new Set<Component>();

/** A component on fox-wamp (WebSocket, JSON), joined with its declarations made. */
async function join(url: string, declare: (c: Component) => void = () => {}): Promise<Client> {
  const logs: string[] = [];
  const leaves: string[] = [];
  const component = createComponent({
    transports: [{ url, serializers: ["json"], maxRetries: 0 }],
    realm: "realm1",
    logLevel: "debug",
    logger: (level, message) => logs.push(`${level} ${message}`),
  });
  clients.add(component);
  declare(component);
  component.on("leave", (_s, reason) => leaves.push(reason));
  const ready = new Promise<ComponentSession>((resolve) => component.on("ready", resolve));
  const failed = component.start().then(
    () => Promise.reject(new Error(`component done before joining\n${logs.join("\n")}`)),
    (err: unknown) => Promise.reject(new Error(`component failed: ${String(err)}\n${logs.join("\n")}`)),
  );
  failed.catch(() => {});
  const session = await within("joining fox-wamp", Promise.race([ready, failed]));
  return { component, session, leaves, logs };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const fox = findInteropPackage("fox-wamp");

describeWithPeer(
  "interop: xwamp clients through the fox-wamp router",
  fox,
  { name: "fox-wamp", install: INTEROP_PEERS_INSTALL },
  (installed) => {
    let router: FoxRouter;
    let url: string;

    beforeAll(async () => {
      router = await startFox();
      url = router.url;
      expect(router.version).toBe(installed.version);
    });

    afterEach(async () => {
      for (const c of clients) await within("stopping a component", c.stop(), 3_000);
      clients.clear();
    });

    afterAll(() => {
      if (router !== undefined) killChild(router.child);
    });

    describe(`fox-wamp ${fox?.version ?? ""} (WebSocket, wamp.2.json)`, () => {
      it("joins realm1 anonymously and reads the router's roles", async () => {
        const { session } = await join(url);
        expect(session.realm).toBe("realm1");
        expect(session.id).toBeGreaterThanOrEqual(1);
        expect(session.id).toBeLessThanOrEqual(2 ** 53);
        expect(session.authmethod).toBe("anonymous");
        expect(session.features("dealer")).toMatchObject({ progressive_call_results: true });
        expect(session.features("broker")).toMatchObject({ publisher_exclusion: true });
      });

      it("register + call: args and kwargs both ways, a callee on another connection", async () => {
        const invocations: Array<{ args: unknown[]; kwargs: Record<string, unknown> }> = [];
        let details: InvocationDetails | undefined;
        await join(url, (c) =>
          c.register("com.example.fox.echo", (args, kwargs, d) => {
            invocations.push({ args, kwargs });
            details = d;
            return new CallResult(args, { ...kwargs, echoed: true });
          }),
        );
        const { session } = await join(url);
        const args = [1, "zwei", { three: [3] }, [4, 5], true, 1.5, "ü€𝄞"];
        const kwargs = { k: "Grüße 🌍", nested: { list: [1, { x: 2 }] }, big: 2 ** 53 };
        const result = await within("calling echo", session.call("com.example.fox.echo", args, kwargs));
        expect(result).toBeInstanceOf(CallResult);
        expect(result).toEqual(new CallResult(args, { ...kwargs, echoed: true }));
        expect(invocations).toEqual([{ args, kwargs }]);
        expect(details?.procedure).toBe("com.example.fox.echo");
        expect(details?.registration).toBeGreaterThanOrEqual(1);

        // One positional result with keyword results: still a CallResult (the result convention).
        const [a, b] = [2, 3];
        await join(url, (c) =>
          c.register(
            "com.example.fox.add2",
            ([x, y]) => new CallResult([Number(x) + Number(y)], { op: "add" }),
          ),
        );
        expect(await within("calling add2", session.call("com.example.fox.add2", [a, b]))).toEqual(
          new CallResult([5], { op: "add" }),
        );
      });

      it("publish + subscribe: acknowledged, with args, kwargs, publisher disclosure and exclusion", async () => {
        const got = deferred<{ args: unknown[]; kwargs: Record<string, unknown>; details: EventDetails }>();
        await join(url, (c) =>
          c.subscribe("com.example.fox.topic", (args, kwargs, details) =>
            got.resolve({ args, kwargs, details }),
          ),
        );
        const publisher = await join(url);
        const own: unknown[][] = [];
        const ownEvent = deferred<void>();
        await publisher.session.subscribe("com.example.fox.topic", (args) => {
          own.push(args);
          ownEvent.resolve();
        });

        const publication = await within(
          "an acknowledged publish",
          publisher.session.publish(
            "com.example.fox.topic",
            ["hello", 42],
            { n: 1, who: "ü" },
            { acknowledge: true },
          ),
        );
        expect(typeof publication).toBe("number");
        const event = await within("the event", got.promise);
        expect(event.args).toEqual(["hello", 42]);
        expect(event.kwargs).toEqual({ n: 1, who: "ü" });
        expect(event.details.publication).toBe(publication);
        expect(event.details.topic).toBe("com.example.fox.topic");
        expect(event.details.publisher).toBe(publisher.session.id);

        // exclude_me defaults to true; with excludeMe: false the publisher gets its own event.
        await within(
          "a publish to self",
          publisher.session.publish(
            "com.example.fox.topic",
            ["again"],
            { n: 2 },
            { excludeMe: false, acknowledge: true },
          ),
        );
        await within("the publisher's own event", ownEvent.promise);
        expect(own).toEqual([["again"]]);
      });

      it("a call to a procedure nobody registered fails with wamp.error.no_such_procedure", async () => {
        const { session } = await join(url);
        const err = await rejection(
          "calling nobody",
          session.call("com.example.fox.nobody_home", [1], { x: 1 }),
        );
        expect(err).toBeInstanceOf(ApplicationError);
        expect((err as ApplicationError).uri).toBe("wamp.error.no_such_procedure");
        expect((err as ApplicationError).args).toEqual([
          expect.stringContaining("com.example.fox.nobody_home"),
        ]);
        // The session survives the error.
        expect(session.isOpen).toBe(true);
      });

      it("leaves: GOODBYE answered, the component is done and does not reconnect", async () => {
        const client = await join(url);
        const states: string[] = [];
        client.component.actor.subscribe((s) => states.push(JSON.stringify(s.value)));
        await within("stop", client.component.stop());
        clients.delete(client.component);
        expect(client.component.actor.getSnapshot().status).toBe("done");
        expect(states.at(-1)).toBe('"done"');
        expect(client.session.isOpen).toBe(false);
        // fox-wamp answers GOODBYE with "wamp.error.goodbye_and_out" (see the quirks below).
        expect(client.leaves).toEqual(["wamp.error.goodbye_and_out"]);
      });
    });

    describe("authentication against fox-wamp (its auth-handler hooks, started with --auth)", () => {
      let authRouter: FoxRouter;
      beforeAll(async () => {
        authRouter = await startFox(["--auth"]);
      });
      afterAll(() => {
        if (authRouter !== undefined) killChild(authRouter.child);
      });

      const login = (authentication: AuthenticationConfig) =>
        new Promise<{ authid?: string; authmethod?: string; error?: unknown }>((resolve) => {
          const component = createComponent({
            transports: [
              { url: authRouter.url, serializers: ["json"], maxRetries: 3, initialRetryDelay: 10 },
            ],
            realm: "realm1",
            authentication,
            logLevel: "off",
            main: (session) =>
              resolve({ authid: session.welcome.authid, authmethod: session.welcome.authmethod }),
          });
          component.start().catch((error: unknown) => resolve({ error }));
        });

      it("ticket: the xwamp client logs in", async () => {
        const result = await within("ticket login", login({ ticket: { authid: "alice", ticket: "s3cret" } }));
        expect(result).toEqual({ authid: "alice", authmethod: "ticket" });
      });

      it("WAMP-CRA: the xwamp client answers fox-wamp's challenge", async () => {
        const result = await within("wampcra login", login({ wampcra: { authid: "bob", secret: "pw" } }));
        expect(result).toEqual({ authid: "bob", authmethod: "wampcra" });
      });

      it("a wrong ticket is refused with authentication_failed, and not retried", async () => {
        const { error } = await within(
          "refused login",
          login({ ticket: { authid: "alice", ticket: "nope" } }),
        );
        expect((error as { code?: string }).code).toBe("COMPONENT_FAILED");
        expect((error as { cause?: { uri?: string } }).cause?.uri).toBe("wamp.error.authentication_failed");
      });

      it("a method fox-wamp does not offer is refused with no_auth_method", async () => {
        const { error } = await within(
          "no method",
          login({ cryptosign: { authid: "carol", privateKey: "11".repeat(32) } }),
        );
        expect((error as { cause?: { uri?: string } }).cause?.uri).toBe("wamp.error.no_auth_method");
      });
    });

    describe("fox-wamp quirks (what a client sees; not xwamp's doing)", () => {
      it("a callee error reaches the caller as wamp.error.callee_failure carrying only the callee's URI", async () => {
        await join(url, (c) =>
          c.register("com.example.fox.fail", () => {
            throw new ApplicationError("com.example.fox.error.bad", ["reason", 7], { code: 7, detail: "ü" });
          }),
        );
        const { session } = await join(url);
        const err = await rejection("calling fail", session.call("com.example.fox.fail", [1], { x: 1 }));
        expect(err).toBeInstanceOf(ApplicationError);
        // The spec wants the callee's URI, args and kwargs; fox-wamp 0.7.28 replaces the URI and drops
        // the payload (lib/wamp/gate.js, handlers[ERROR]).
        expect(err).toMatchObject({
          uri: "wamp.error.callee_failure",
          args: ["com.example.fox.error.bad"],
          kwargs: {},
        });
      });

      it("a single list argument is unwrapped into positional arguments", async () => {
        const seen: unknown[][] = [];
        await join(url, (c) =>
          c.register("com.example.fox.args", (args) => {
            seen.push(args);
            return new CallResult(["ok"], { n: args.length });
          }),
        );
        const { session } = await join(url);
        await within("calling with one list", session.call("com.example.fox.args", [[1, 2, 3]], { k: 1 }));
        expect(seen).toEqual([[1, 2, 3]]);
      });
    });

    // fox-wamp sends `null` for an absent Arguments (a call or publish with no args, or an empty
    // list) and for an absent ArgumentsKw (a YIELD or PUBLISH without kwargs), e.g.
    // RESULT [50, 1, {}, [5], null]. xwamp reads them as none, as Autobahn|JS and Autobahn|Python do.
    describe("null payloads from fox-wamp", () => {
      it("a procedure returning one plain value (RESULT.ArgumentsKw is null on the wire)", async () => {
        await join(url, (c) => c.register("com.example.fox.plain", ([x, y]) => Number(x) + Number(y)));
        const { session } = await join(url);
        expect(
          await within("calling plain", session.call("com.example.fox.plain", [2, 3], {}, { timeout: 1500 })),
        ).toBe(5);
      });

      it("a call without arguments (INVOCATION.Arguments is null on the wire)", async () => {
        await join(url, (c) =>
          c.register("com.example.fox.noargs", (args) => new CallResult(["n"], { n: args.length })),
        );
        const { session } = await join(url);
        expect(
          await within("calling noargs", session.call("com.example.fox.noargs", [], {}, { timeout: 1500 })),
        ).toEqual(new CallResult(["n"], { n: 0 }));
      });

      it("an event published without kwargs (EVENT.ArgumentsKw is null on the wire)", async () => {
        const got = deferred<unknown[]>();
        const subscriber = await join(url, (c) =>
          c.subscribe("com.example.fox.bare", (args) => got.resolve(args)),
        );
        const publisher = await join(url);
        await publisher.session.publish("com.example.fox.bare", ["bare"], undefined, { acknowledge: true });
        expect(await within("the bare event", got.promise, 1500)).toEqual(["bare"]);
        expect(subscriber.session.isOpen).toBe(true);
      });
    });
  },
);
