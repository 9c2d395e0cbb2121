/**
 * Router interop with Autobahn|JS (npm `autobahn` 22.11.1): two Autobahn|JS sessions talk to each
 * other THROUGH the xwamp router — register + call (args, kwargs, multi-value results), callee errors
 * with args/kwargs, progressive call results, calls to a missing procedure, publish + subscribe with
 * acknowledgement and publisher exclusion — over WebSocket with each serializer Autobahn|JS has
 * (json, msgpack, cbor) and over its RawSocket transport (JSON only in 22.11.1) on TCP and Unix.
 *
 * Autobahn|JS is CommonJS without types; `AutobahnJs` below declares the part of its API used here.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter, type Router } from "../../src/router/router.js";
import type {
  AbCloseDetails,
  AbConnection,
  AbError,
  AbEvent,
  AbResult,
  AbSession,
  AutobahnJs,
  Dict,
} from "./autobahn-js.js";
import { createInteropRouter, timeLimits } from "./helpers.js";
import { describeWithAutobahnJs } from "./peers.js";

/** How long any single step may take before the test fails instead of hanging. */
const { within, rejection } = timeLimits(8_000);

interface Case {
  name: string;
  /** Autobahn|JS transport options (Connection `transports[0]`). */
  transport: (router: Router) => Dict;
  /** The negotiated serializer carries binary natively (Buffers survive the round trip). */
  binary: boolean;
}

const unixPath = join(tmpdir(), `xwamp-autobahn-js-${process.pid}.sock`);

function websocketCase(ab: AutobahnJs, id: string, className: string): Case | undefined {
  const Serializer = ab.serializer[className];
  if (Serializer === undefined) return undefined;
  return {
    name: `WebSocket wamp.2.${id}`,
    binary: id !== "json",
    transport: (router) => ({
      type: "websocket",
      url: router.listeners[0].url,
      serializers: [new Serializer()],
      protocols: [`wamp.2.${id}`],
    }),
  };
}

interface Joined {
  connection: AbConnection;
  session: AbSession;
  /** Settles with Autobahn|JS's `onclose(reason, details)` once the connection is gone. */
  closed: Promise<{ reason: string; details: AbCloseDetails }>;
}

describeWithAutobahnJs("interop: Autobahn|JS sessions through the xwamp router", (peer) => {
  const ab = peer.module as AutobahnJs;
  // Autobahn|JS logs every close (and some errors) with console.warn; keep them for failure messages.
  const peerLog: string[] = [];
  const userErrors: unknown[] = [];
  ab.log.warn = (...args: unknown[]) => peerLog.push(args.map((a) => JSON.stringify(a)).join(" "));

  let router: Router;
  beforeAll(async () => {
    router = await createInteropRouter(unixPath);
  });
  afterAll(async () => {
    await router?.close();
  });

  const candidates: Array<Case | undefined> = [
    websocketCase(ab, "json", "JSONSerializer"),
    websocketCase(ab, "msgpack", "MsgpackSerializer"),
    websocketCase(ab, "cbor", "CBORSerializer"),
    {
      name: "RawSocket TCP json",
      binary: false,
      transport: (r) => ({ type: "rawsocket", host: "127.0.0.1", port: r.listeners[1].port }),
    },
    {
      name: "RawSocket Unix json",
      binary: false,
      transport: () => ({ type: "rawsocket", path: unixPath }),
    },
  ];
  const cases = candidates.filter((c): c is Case => c !== undefined);

  it(`Autobahn|JS ${peer.version} offers json and msgpack (the serializers this suite requires)`, () => {
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(["WebSocket wamp.2.json", "WebSocket wamp.2.msgpack"]),
    );
  });

  function open(c: Case, via: Router = router): Promise<Joined> {
    const connection = new ab.Connection({
      transports: [c.transport(via)],
      realm: "realm1",
      max_retries: 0,
      retry_if_unreachable: false,
      on_user_error: (err: unknown) => userErrors.push(err),
      on_internal_error: (err: unknown) => userErrors.push(err),
    });
    let onClosed!: (value: { reason: string; details: AbCloseDetails }) => void;
    const closed = new Promise<{ reason: string; details: AbCloseDetails }>((r) => {
      onClosed = r;
    });
    const joined = new Promise<Joined>((resolve, reject) => {
      connection.onopen = (session) => resolve({ connection, session, closed });
      connection.onclose = (reason, details) => {
        onClosed({ reason, details });
        reject(new Error(`connection closed before join: ${reason} ${JSON.stringify(details)}`));
        return true; // never retry
      };
    });
    connection.open();
    return within(`${c.name}: Autobahn|JS joins realm1`, joined);
  }

  describe.each(cases)("$name", (c) => {
    const prefix = `com.example.abjs.${c.name.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}`;
    let callee: Joined | undefined;
    let caller: Joined | undefined;
    const events: Array<{ args: unknown[]; kwargs: Dict; details: AbEvent }> = [];
    const callerEvents: Array<{ args: unknown[]; kwargs: Dict }> = [];
    let eventArrived: () => void = () => {};

    beforeAll(async () => {
      callee = await open(c);
      caller = await open(c);
      const s = callee.session;
      await within(
        "register procedures",
        Promise.all([
          s.register(`${prefix}.add2`, ([a, b]) => (a as number) + (b as number)),
          s.register(`${prefix}.echo`, (args, kwargs) => new ab.Result(args, kwargs)),
          s.register(`${prefix}.fail`, () => {
            throw new ab.Error("com.example.error", [1, 2], { a: 1 });
          }),
          s.register(`${prefix}.countdown`, async ([n], _kwargs, details) => {
            for (let i = n as number; i > 0; i--) {
              details.progress?.([i], { left: i });
              await new Promise((r) => setTimeout(r, 1));
            }
            return new ab.Result(["liftoff"], { progressive: details.progress !== null });
          }),
        ]),
      );
      await within(
        "subscribe",
        s.subscribe(`${prefix}.topic`, (args, kwargs, details) => {
          events.push({ args, kwargs, details });
          eventArrived();
        }),
      );
    });

    afterAll(() => {
      // Tests normally close both; this only runs the teardown for a test that failed early.
      for (const j of [callee, caller]) if (j?.session.isOpen) j.connection.close();
    });

    it("joins: WELCOME gives a session id in [1, 2^53] and the features Autobahn|JS uses", () => {
      for (const j of [callee!, caller!]) {
        expect(Number.isInteger(j.session.id)).toBe(true);
        expect(j.session.id).toBeGreaterThanOrEqual(1);
        expect(j.session.id).toBeLessThanOrEqual(2 ** 53);
        expect(j.session.features.caller.progressive_call_results).toBe(true);
        expect(j.session.features.publisher.publisher_exclusion).toBe(true);
      }
      expect(callee!.session.id).not.toBe(caller!.session.id);
    });

    it("routes calls: a single result, args + kwargs, several positional results (autobahn.Result)", async () => {
      const s = caller!.session;
      expect(await within("add2", s.call(`${prefix}.add2`, [2, 3]))).toBe(5);

      const args = [1, "zwei", { drei: [3, null, true] }, -1.5, "ü€𝄞", 2 ** 53 - 1];
      const kwargs = { k: "v", nested: { list: [1, 2], empty: {} }, unicode: "Grüße 🌍" };
      const echoed = (await within("echo", s.call(`${prefix}.echo`, args, kwargs))) as AbResult;
      expect(echoed).toBeInstanceOf(ab.Result);
      expect(echoed.args).toEqual(args);
      expect(echoed.kwargs).toEqual(kwargs);

      const many = (await within("echo many", s.call(`${prefix}.echo`, [1, 2, 3]))) as AbResult;
      expect(many.args).toEqual([1, 2, 3]);
      expect(many.kwargs).toEqual({});

      const kwOnly = (await within(
        "echo kwargs only",
        s.call(`${prefix}.echo`, [], { only: "kw" }),
      )) as AbResult;
      expect(kwOnly.args).toEqual([]);
      expect(kwOnly.kwargs).toEqual({ only: "kw" });
    });

    // Autobahn|JS's JSON serializer has no binary convention, so only msgpack and cbor carry bytes.
    if (c.binary) {
      it("carries binary args both ways (Buffers stay bytes)", async () => {
        const bytes = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]);
        const echoed = (await within(
          "echo binary",
          caller!.session.call(`${prefix}.echo`, [bytes, "x"], { blob: Buffer.alloc(0) }),
        )) as AbResult;
        const [first, second] = echoed.args;
        expect(first).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(first as Uint8Array).toString("hex")).toBe(bytes.toString("hex"));
        expect(second).toBe("x");
        expect(echoed.kwargs.blob).toBeInstanceOf(Uint8Array);
        expect((echoed.kwargs.blob as Uint8Array).length).toBe(0);
      });
    }

    it("relays a callee's autobahn.Error: the caller's rejection has error, args and kwargs", async () => {
      const err = (await rejection("call fail", caller!.session.call(`${prefix}.fail`, []))) as AbError;
      expect(err).toBeInstanceOf(ab.Error);
      expect(err.error).toBe("com.example.error");
      expect(err.args).toEqual([1, 2]);
      expect(err.kwargs).toEqual({ a: 1 });
    });

    it("answers a call to a missing procedure with wamp.error.no_such_procedure", async () => {
      const err = (await rejection(
        "call missing",
        caller!.session.call(`${prefix}.nobody_home`, [1]),
      )) as AbError;
      expect(err).toBeInstanceOf(ab.Error);
      expect(err.error).toBe("wamp.error.no_such_procedure");
    });

    it("routes progressive call results (receive_progress) in order, then the final result", async () => {
      const progress: unknown[] = [];
      const call = caller!.session.call(`${prefix}.countdown`, [3], {}, { receive_progress: true });
      const final = (await within(
        "progressive call",
        call.then(
          (value) => value,
          null,
          (update) => progress.push(update),
        ),
      )) as AbResult;
      expect(progress.map((p) => [(p as AbResult).args, (p as AbResult).kwargs])).toEqual([
        [[3], { left: 3 }],
        [[2], { left: 2 }],
        [[1], { left: 1 }],
      ]);
      expect(final.args).toEqual(["liftoff"]);
      expect(final.kwargs).toEqual({ progressive: true });

      // Without receive_progress the callee gets no progress function and the caller one result.
      const plain = (await within(
        "non-progressive call",
        caller!.session.call(`${prefix}.countdown`, [2]),
      )) as AbResult;
      expect(plain.kwargs).toEqual({ progressive: false });
    });

    it("publishes with acknowledge: the subscriber gets args/kwargs, the publisher (also subscribed) does not", async () => {
      const s = caller!.session;
      await within(
        "publisher subscribes too",
        s.subscribe(`${prefix}.topic`, (args, kwargs) => callerEvents.push({ args, kwargs })),
      );
      const arrived = new Promise<void>((r) => {
        eventArrived = r;
      });
      const publication = await within(
        "publish acknowledged",
        s.publish(`${prefix}.topic`, ["hello", 42], { n: 1, who: "ü" }, { acknowledge: true })!,
      );
      expect(publication.id).toBeGreaterThanOrEqual(1);
      await within("event reaches the subscriber", arrived);
      expect(events).toHaveLength(1);
      expect(events[0].args).toEqual(["hello", 42]);
      expect(events[0].kwargs).toEqual({ n: 1, who: "ü" });
      expect(events[0].details.publication).toBe(publication.id);
      expect(events[0].details.topic).toBe(`${prefix}.topic`);

      // exclude_me: false reaches the publisher's own subscription; since one connection delivers in
      // order, the first event it sees must be this one (the acknowledged one was excluded).
      const second = await within(
        "publish exclude_me false",
        s.publish(`${prefix}.topic`, ["again"], {}, { acknowledge: true, exclude_me: false })!,
      );
      expect(second.id).not.toBe(publication.id);
      await within(
        "publisher receives its own event",
        new Promise<void>((resolve) => {
          const poll = () => (callerEvents.length > 0 ? resolve() : setTimeout(poll, 5));
          poll();
        }),
      );
      expect(callerEvents[0].args).toEqual(["again"]);
    });

    it("both sessions leave cleanly (GOODBYE answered with wamp.close.goodbye_and_out)", async () => {
      for (const j of [caller!, callee!]) {
        j.connection.close();
        const { reason, details } = await within("onclose after leave", j.closed);
        // "closed" or "lost" depends on which side's WebSocket close frame wins the race (Autobahn|JS
        // closes without a status code, which ws reports as 1005); the WAMP-level reason is exact.
        expect(["closed", "lost"], peerLog.join("\n")).toContain(reason);
        expect(details.reason).toBe("wamp.close.goodbye_and_out");
        expect(details.will_retry).toBe(false);
      }
      expect(userErrors.filter((e) => !(e instanceof ab.Error))).toEqual([]);
    });
  });

  describe("router shutdown", () => {
    it("sends GOODBYE wamp.close.system_shutdown; close() finishes once Autobahn|JS replies and hangs up", async () => {
      // Autobahn|JS answers with reason wamp.error.goodbye_and_out (the spec's is
      // wamp.close.goodbye_and_out) and closes its WebSocket. A long goodbyeTimeout makes a router
      // that waited for anything else fail on `within` instead of passing slowly.
      const own = await createRouter({
        realms: ["realm1"],
        listeners: [{ type: "websocket", port: 0 }],
        goodbyeTimeout: 10_000,
      });
      try {
        const json = cases.find((c) => c.name === "WebSocket wamp.2.json")!;
        const sessions = [await open(json, own), await open(json, own)];
        expect(own.sessionCount).toBe(2);
        await within("router.close() with two Autobahn|JS sessions", own.close());
        for (const j of sessions) {
          const { details } = await within("onclose after router shutdown", j.closed);
          expect(details.reason).toBe("wamp.close.system_shutdown");
          expect(details.will_retry).toBe(false);
        }
        expect(own.sessionCount).toBe(0);
      } finally {
        await own.close();
      }
    });
  });
});
