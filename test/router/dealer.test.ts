/**
 * The dealer (basic profile "Remote Procedure Calls"; advanced "Shared Registration",
 * "Pattern-based Registrations", "Progressive Call Results", "Call Canceling", "Caller
 * Identification"): first as pure logic with fake peers, then through real sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Dealer } from "../../src/router/dealer.js";
import { createRouter, type Router } from "../../src/router/router.js";
import { CANCELING_CALLEE, FakePeer } from "./fakePeer.js";
import { ERROR, joinRaw } from "./liveRouter.js";
import type { RawClient } from "./rawClient.js";

const CALL = 48;
const RESULT = 50;
const REGISTER = 64;
const REGISTERED = 65;
const UNREGISTER = 66;
const UNREGISTERED = 67;
const INVOCATION = 68;
const INTERRUPT = 69;

let request = 0;
const req = () => ++request;

function register(
  dealer: Dealer,
  peer: FakePeer,
  procedure: string,
  options: Record<string, unknown> = {},
): number {
  const r = req();
  dealer.register(peer, r, options, procedure);
  const reply = peer.last();
  if (reply[0] !== REGISTERED) throw new Error(`REGISTER refused: ${JSON.stringify(reply)}`);
  expect(reply[1]).toBe(r);
  return reply[2] as number;
}

function registerError(
  dealer: Dealer,
  peer: FakePeer,
  procedure: string,
  options: Record<string, unknown> = {},
) {
  const r = req();
  dealer.register(peer, r, options, procedure);
  const reply = peer.last(ERROR);
  expect(reply.slice(0, 3)).toEqual([ERROR, REGISTER, r]);
  return reply[4];
}

/** CALL from `caller`; returns the caller's request id and the INVOCATION `callee` received. */
function call(
  dealer: Dealer,
  caller: FakePeer,
  callee: FakePeer,
  procedure: string,
  options: Record<string, unknown> = {},
  args?: unknown[],
): { request: number; invocation: unknown[] } {
  const r = req();
  dealer.call(caller, r, options, procedure, args);
  return { request: r, invocation: callee.last(INVOCATION) };
}

describe("Dealer (pure logic)", () => {
  describe("registration", () => {
    it("a second single registration → wamp.error.procedure_already_exists (other callee or the same)", () => {
      const dealer = new Dealer();
      const [a, b] = [new FakePeer(), new FakePeer()];
      register(dealer, a, "com.p");
      expect(registerError(dealer, b, "com.p")).toBe("wamp.error.procedure_already_exists");
      expect(registerError(dealer, a, "com.p")).toBe("wamp.error.procedure_already_exists");
      expect(registerError(dealer, b, "com.p", { invoke: "roundrobin" })).toBe(
        "wamp.error.procedure_already_exists",
      );
      expect(dealer.registrationCount).toBe(1);
    });

    it("the same URI under another match policy is a separate registration", () => {
      const dealer = new Dealer();
      const [a, b, c] = [new FakePeer(), new FakePeer(), new FakePeer()];
      const exact = register(dealer, a, "com.p");
      const prefix = register(dealer, b, "com.p", { match: "prefix" });
      const wildcard = register(dealer, c, "com.p", { match: "wildcard" });
      expect(new Set([exact, prefix, wildcard]).size).toBe(3);
    });

    it("shared registration: invoke policies must match the first registration", () => {
      const dealer = new Dealer();
      const [a, b, c] = [new FakePeer(), new FakePeer(), new FakePeer()];
      const id = register(dealer, a, "com.shared", { invoke: "roundrobin" });
      expect(register(dealer, b, "com.shared", { invoke: "roundrobin" })).toBe(id);
      expect(registerError(dealer, c, "com.shared", { invoke: "random" })).toBe(
        "wamp.error.procedure_already_exists",
      );
      expect(registerError(dealer, c, "com.shared")).toBe("wamp.error.procedure_already_exists");
      expect(registerError(dealer, c, "com.shared", { invoke: "single" })).toBe(
        "wamp.error.procedure_already_exists",
      );
      // The same callee twice on one shared registration is refused too.
      expect(registerError(dealer, a, "com.shared", { invoke: "roundrobin" })).toBe(
        "wamp.error.procedure_already_exists",
      );
    });

    it("an unknown invoke or match policy → wamp.error.invalid_argument", () => {
      const dealer = new Dealer();
      const a = new FakePeer();
      expect(registerError(dealer, a, "com.p", { invoke: "fastest" })).toBe("wamp.error.invalid_argument");
      expect(registerError(dealer, a, "com.p", { match: "regex" })).toBe("wamp.error.invalid_argument");
      expect(dealer.registrationCount).toBe(0);
    });

    it("UNREGISTER by a non-owner → wamp.error.no_such_registration; the last owner removes it", () => {
      const dealer = new Dealer();
      const [a, b, stranger, caller] = [new FakePeer(), new FakePeer(), new FakePeer(), new FakePeer()];
      const id = register(dealer, a, "com.shared", { invoke: "first" });
      register(dealer, b, "com.shared", { invoke: "first" });
      const r = req();
      dealer.unregister(stranger, r, id);
      expect(stranger.last(ERROR)).toEqual([ERROR, UNREGISTER, r, {}, "wamp.error.no_such_registration"]);
      dealer.unregister(stranger, req(), 424242);
      expect(stranger.last(ERROR)[4]).toBe("wamp.error.no_such_registration");
      const r2 = req();
      dealer.unregister(a, r2, id);
      expect(a.last()).toEqual([UNREGISTERED, r2]);
      dealer.unregister(a, req(), id);
      expect(a.last(ERROR)[4]).toBe("wamp.error.no_such_registration");
      expect(dealer.registrationCount).toBe(1);
      // b, now first, gets the calls.
      call(dealer, caller, b, "com.shared");
      expect(a.of(INVOCATION)).toEqual([]);
      dealer.unregister(b, req(), id);
      expect(dealer.registrationCount).toBe(0);
      const r3 = req();
      dealer.call(caller, r3, {}, "com.shared");
      expect(caller.last(ERROR).slice(0, 5)).toEqual([ERROR, CALL, r3, {}, "wamp.error.no_such_procedure"]);
    });
  });

  describe("shared registration invocation policies", () => {
    const setup = (invoke: string) => {
      const dealer = new Dealer();
      const callees = [new FakePeer(), new FakePeer(), new FakePeer()];
      for (const c of callees) register(dealer, c, "com.lb", { invoke });
      const caller = new FakePeer();
      const picks = (n: number) =>
        Array.from({ length: n }, () => {
          for (const c of callees) c.clear();
          dealer.call(caller, req(), {}, "com.lb", []);
          return callees.findIndex((c) => c.of(INVOCATION).length === 1);
        });
      return { dealer, callees, picks };
    };

    it("roundrobin cycles through the callees in registration order", () => {
      expect(setup("roundrobin").picks(7)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    });

    it("roundrobin keeps cycling after a callee leaves", () => {
      const { dealer, callees, picks } = setup("roundrobin");
      expect(picks(2)).toEqual([0, 1]);
      dealer.removeSession(callees[1]);
      const next = picks(4);
      expect(next.every((i) => i === 0 || i === 2)).toBe(true);
      expect(new Set(next).size).toBe(2);
    });

    it("first always picks the earliest, last the latest remaining callee", () => {
      expect(setup("first").picks(4)).toEqual([0, 0, 0, 0]);
      const last = setup("last");
      expect(last.picks(3)).toEqual([2, 2, 2]);
      last.dealer.removeSession(last.callees[2]);
      expect(last.picks(2)).toEqual([1, 1]);
    });

    it("random picks only registered callees, each of them over many calls", () => {
      const picks = setup("random").picks(90);
      expect(picks.every((i) => i >= 0 && i <= 2)).toBe(true);
      expect(new Set(picks).size).toBe(3);
    });
  });

  it("pattern-based registrations: INVOCATION.Details.procedure only for prefix and wildcard", () => {
    const dealer = new Dealer();
    const [exact, prefix, wildcard, caller] = [
      new FakePeer(),
      new FakePeer(),
      new FakePeer(),
      new FakePeer(),
    ];
    const e = register(dealer, exact, "com.app.obj1.get");
    const p = register(dealer, prefix, "com.app.obj1", { match: "prefix" });
    const w = register(dealer, wildcard, "com.app..set", { match: "wildcard" });
    expect(call(dealer, caller, exact, "com.app.obj1.get", {}, [1]).invocation).toEqual([
      INVOCATION,
      expect.any(Number),
      e,
      {},
      [1],
    ]);
    const viaPrefix = call(dealer, caller, prefix, "com.app.obj1.delete").invocation;
    expect(viaPrefix[2]).toBe(p);
    expect(viaPrefix[3]).toEqual({ procedure: "com.app.obj1.delete" });
    const viaWildcard = call(dealer, caller, wildcard, "com.app.obj2.set").invocation;
    expect(viaWildcard[2]).toBe(w);
    expect(viaWildcard[3]).toEqual({ procedure: "com.app.obj2.set" });
    // The prefix beats the wildcard where both match.
    expect(call(dealer, caller, prefix, "com.app.obj1.set").invocation[2]).toBe(p);
  });

  it("YIELD and callee ERROR are relayed to the caller with args and kwargs", () => {
    const dealer = new Dealer();
    const [callee, caller] = [new FakePeer(), new FakePeer()];
    register(dealer, callee, "com.p");
    const c1 = call(dealer, caller, callee, "com.p", {}, [1]);
    expect(dealer.yield(callee, c1.invocation[1] as number, {}, [2], { k: 3 })).toBe("delivered");
    expect(caller.last(RESULT)).toEqual([RESULT, c1.request, {}, [2], { k: 3 }]);
    const c2 = call(dealer, caller, callee, "com.p");
    expect(dealer.error(callee, c2.invocation[1] as number, {}, "com.err", ["why"])).toBe("delivered");
    expect(caller.last(ERROR)).toEqual([ERROR, CALL, c2.request, {}, "com.err", ["why"]]);
    // Answered invocations are unknown afterwards (the session turns that into a violation).
    expect(dealer.yield(callee, c1.invocation[1] as number, {})).toBe("unknown");
    expect(dealer.error(callee, c2.invocation[1] as number, {}, "com.err")).toBe("unknown");
    // Only the callee the invocation went to may answer it.
    const c3 = call(dealer, caller, callee, "com.p");
    expect(dealer.yield(caller, c3.invocation[1] as number, {})).toBe("unknown");
  });

  it("CALL.Options.timeout is passed on as INVOCATION.Details.timeout", () => {
    const dealer = new Dealer();
    const [callee, caller] = [new FakePeer(), new FakePeer()];
    register(dealer, callee, "com.p");
    expect(call(dealer, caller, callee, "com.p", { timeout: 1500 }).invocation[3]).toEqual({ timeout: 1500 });
    expect(call(dealer, caller, callee, "com.p", { timeout: 0 }).invocation[3]).toEqual({});
  });

  describe("progressive call results", () => {
    it("YIELD progress → RESULT progress when the caller asked receive_progress; the final YIELD ends it", () => {
      const dealer = new Dealer();
      const [callee, caller] = [new FakePeer(undefined, "c", "r", CANCELING_CALLEE), new FakePeer()];
      register(dealer, callee, "com.stream");
      const { request: r, invocation } = call(dealer, caller, callee, "com.stream", {
        receive_progress: true,
      });
      expect(invocation[3]).toEqual({ receive_progress: true });
      const inv = invocation[1] as number;
      expect(dealer.yield(callee, inv, { progress: true }, ["part 1"])).toBe("delivered");
      expect(dealer.yield(callee, inv, { progress: true }, [], { part: 2 })).toBe("delivered");
      expect(dealer.yield(callee, inv, { progress: true })).toBe("delivered");
      expect(dealer.yield(callee, inv, {}, ["total"])).toBe("delivered");
      expect(caller.of(RESULT)).toEqual([
        [RESULT, r, { progress: true }, ["part 1"]],
        [RESULT, r, { progress: true }, [], { part: 2 }],
        [RESULT, r, { progress: true }],
        [RESULT, r, {}, ["total"]],
      ]);
      expect(dealer.yield(callee, inv, { progress: true }, ["late"])).toBe("unknown");
    });

    it("without receive_progress, progressive YIELDs are dropped and only the final RESULT arrives", () => {
      const dealer = new Dealer();
      const [callee, caller] = [new FakePeer(undefined, "c", "r", CANCELING_CALLEE), new FakePeer()];
      register(dealer, callee, "com.stream");
      const { request: r, invocation } = call(dealer, caller, callee, "com.stream");
      expect(invocation[3]).toEqual({});
      const inv = invocation[1] as number;
      expect(dealer.yield(callee, inv, { progress: true }, ["part"])).toBe("dropped");
      expect(dealer.yield(callee, inv, {}, ["total"])).toBe("delivered");
      expect(caller.of(RESULT)).toEqual([[RESULT, r, {}, ["total"]]]);
    });

    it("an ERROR after progressive results ends the call", () => {
      const dealer = new Dealer();
      const [callee, caller] = [new FakePeer(undefined, "c", "r", CANCELING_CALLEE), new FakePeer()];
      register(dealer, callee, "com.stream");
      const { request: r, invocation } = call(dealer, caller, callee, "com.stream", {
        receive_progress: true,
      });
      const inv = invocation[1] as number;
      dealer.yield(callee, inv, { progress: true }, [1]);
      expect(dealer.error(callee, inv, {}, "com.app.failed", [2])).toBe("delivered");
      expect(caller.last(ERROR)).toEqual([ERROR, CALL, r, {}, "com.app.failed", [2]]);
      expect(dealer.yield(callee, inv, { progress: true }, [3])).toBe("unknown");
    });
  });

  describe("call canceling", () => {
    const setup = (calleeCancels: boolean) => {
      const dealer = new Dealer();
      const callee = new FakePeer(undefined, "callee", "r", calleeCancels ? CANCELING_CALLEE : {});
      const caller = new FakePeer();
      register(dealer, callee, "com.slow");
      const { request: r, invocation } = call(dealer, caller, callee, "com.slow");
      callee.clear();
      return { dealer, callee, caller, request: r, inv: invocation[1] as number };
    };

    it.each([true, false])(
      "skip (callee cancels: %s): ERROR canceled at once, no INTERRUPT, answer dropped",
      (cancels) => {
        const { dealer, callee, caller, request: r, inv } = setup(cancels);
        dealer.cancel(caller, r, { mode: "skip" });
        expect(caller.last(ERROR).slice(0, 5)).toEqual([ERROR, CALL, r, {}, "wamp.error.canceled"]);
        expect(callee.of(INTERRUPT)).toEqual([]);
        expect(dealer.yield(callee, inv, {}, ["late"])).toBe("dropped");
        expect(caller.of(RESULT)).toEqual([]);
      },
    );

    it("kill with a canceling callee: INTERRUPT kill, the caller waits for the callee's answer", () => {
      const { dealer, callee, caller, request: r, inv } = setup(true);
      dealer.cancel(caller, r, { mode: "kill" });
      expect(callee.last(INTERRUPT)).toEqual([INTERRUPT, inv, { mode: "kill" }]);
      expect(caller.sent.filter((m) => m[0] === ERROR || m[0] === RESULT)).toEqual([]);
      // A second CANCEL changes nothing.
      dealer.cancel(caller, r, { mode: "kill" });
      expect(callee.of(INTERRUPT)).toHaveLength(1);
      expect(dealer.error(callee, inv, {}, "wamp.error.canceled", ["interrupted"])).toBe("delivered");
      expect(caller.last(ERROR).slice(0, 5)).toEqual([ERROR, CALL, r, {}, "wamp.error.canceled"]);
    });

    it("kill with a canceling callee that finishes anyway: the caller gets the RESULT", () => {
      const { dealer, callee, caller, request: r, inv } = setup(true);
      dealer.cancel(caller, r, { mode: "kill" });
      expect(dealer.yield(callee, inv, {}, ["done anyway"])).toBe("delivered");
      expect(caller.last(RESULT)).toEqual([RESULT, r, {}, ["done anyway"]]);
    });

    it("kill with a callee without call_canceling behaves as skip", () => {
      const { dealer, callee, caller, request: r, inv } = setup(false);
      dealer.cancel(caller, r, { mode: "kill" });
      expect(callee.of(INTERRUPT)).toEqual([]);
      expect(caller.last(ERROR)[4]).toBe("wamp.error.canceled");
      expect(dealer.yield(callee, inv, {})).toBe("dropped");
    });

    it.each([{ mode: "killnowait" }, {}])(
      "killnowait (options %j) with a canceling callee: ERROR and INTERRUPT at once",
      (options) => {
        const { dealer, callee, caller, request: r, inv } = setup(true);
        dealer.cancel(caller, r, options);
        expect(callee.last(INTERRUPT)).toEqual([INTERRUPT, inv, { mode: "killnowait" }]);
        expect(caller.last(ERROR).slice(0, 5)).toEqual([ERROR, CALL, r, {}, "wamp.error.canceled"]);
        expect(dealer.error(callee, inv, {}, "wamp.error.canceled")).toBe("dropped");
        expect(caller.of(ERROR)).toHaveLength(1);
      },
    );

    it("killnowait with a callee without call_canceling: ERROR, no INTERRUPT", () => {
      const { dealer, callee, caller, request: r } = setup(false);
      dealer.cancel(caller, r, { mode: "killnowait" });
      expect(callee.of(INTERRUPT)).toEqual([]);
      expect(caller.last(ERROR)[4]).toBe("wamp.error.canceled");
    });

    it("CANCEL for an unknown or already answered call does nothing", () => {
      const { dealer, callee, caller, request: r, inv } = setup(true);
      dealer.yield(callee, inv, {}, ["done"]);
      caller.clear();
      dealer.cancel(caller, r, { mode: "killnowait" });
      dealer.cancel(caller, 99999, { mode: "skip" });
      dealer.cancel(callee, r, { mode: "skip" }); // not the caller of r
      expect(caller.sent).toEqual([]);
      expect(callee.of(INTERRUPT)).toEqual([]);
    });
  });

  describe("sessions leaving", () => {
    it("caller leaves: INTERRUPT killnowait to a canceling callee; its later answers are dropped", () => {
      const dealer = new Dealer();
      const callee = new FakePeer(undefined, "c", "r", CANCELING_CALLEE);
      const caller = new FakePeer();
      register(dealer, callee, "com.slow");
      const { invocation } = call(dealer, caller, callee, "com.slow", { receive_progress: true });
      const inv = invocation[1] as number;
      dealer.removeSession(caller);
      expect(callee.last(INTERRUPT)).toEqual([INTERRUPT, inv, { mode: "killnowait" }]);
      caller.clear();
      expect(dealer.yield(callee, inv, { progress: true }, [1])).toBe("dropped");
      expect(dealer.yield(callee, inv, {}, [2])).toBe("dropped");
      expect(dealer.yield(callee, inv, {}, [3])).toBe("unknown");
      expect(caller.sent).toEqual([]);
    });

    it("caller leaves: no INTERRUPT to a callee without call_canceling; its answer is dropped", () => {
      const dealer = new Dealer();
      const [callee, caller] = [new FakePeer(), new FakePeer()];
      register(dealer, callee, "com.slow");
      const { invocation } = call(dealer, caller, callee, "com.slow");
      dealer.removeSession(caller);
      expect(callee.of(INTERRUPT)).toEqual([]);
      expect(dealer.error(callee, invocation[1] as number, {}, "com.err")).toBe("dropped");
    });

    it("callee leaves: each pending caller gets wamp.error.canceled; its registrations go", () => {
      const dealer = new Dealer();
      const [callee, c1, c2] = [new FakePeer(), new FakePeer(), new FakePeer()];
      register(dealer, callee, "com.slow");
      register(dealer, callee, "com.other.", { match: "prefix" });
      const a = call(dealer, c1, callee, "com.slow");
      const b = call(dealer, c2, callee, "com.other.x");
      dealer.removeSession(callee);
      expect(c1.last(ERROR).slice(0, 5)).toEqual([ERROR, CALL, a.request, {}, "wamp.error.canceled"]);
      expect(c2.last(ERROR).slice(0, 5)).toEqual([ERROR, CALL, b.request, {}, "wamp.error.canceled"]);
      expect(dealer.registrationCount).toBe(0);
      // The callers' CANCELs afterwards are no-ops.
      c1.clear();
      dealer.cancel(c1, a.request, { mode: "skip" });
      expect(c1.sent).toEqual([]);
    });

    it("a session calling its own procedure and leaving is cleaned up without errors", () => {
      const dealer = new Dealer();
      const self = new FakePeer(undefined, "s", "r", CANCELING_CALLEE);
      register(dealer, self, "com.self");
      call(dealer, self, self, "com.self");
      expect(() => dealer.removeSession(self)).not.toThrow();
      expect(dealer.registrationCount).toBe(0);
    });
  });

  it("disclose_me: INVOCATION.Details carries caller, caller_authid and caller_authrole", () => {
    const dealer = new Dealer();
    const callee = new FakePeer();
    const caller = new FakePeer(undefined, "caller-7", "frontend");
    register(dealer, callee, "com.p");
    expect(call(dealer, caller, callee, "com.p", { disclose_me: true }).invocation[3]).toEqual({
      caller: caller.id,
      caller_authid: "caller-7",
      caller_authrole: "frontend",
    });
    expect(call(dealer, caller, callee, "com.p").invocation[3]).toEqual({});
    const forced = new Dealer(() => true);
    register(forced, callee, "com.q");
    expect(call(forced, caller, callee, "com.q").invocation[3]).toMatchObject({ caller: caller.id });
  });

  it("INVOCATION request ids are sequential per callee", () => {
    const dealer = new Dealer();
    const [a, b, caller] = [new FakePeer(), new FakePeer(), new FakePeer()];
    register(dealer, a, "com.a");
    register(dealer, b, "com.b");
    const ids = [
      call(dealer, caller, a, "com.a").invocation[1],
      call(dealer, caller, b, "com.b").invocation[1],
      call(dealer, caller, a, "com.a").invocation[1],
      call(dealer, caller, a, "com.a").invocation[1],
    ];
    expect(ids).toEqual([1, 1, 2, 3]);
  });
});

describe("Dealer through real sessions", () => {
  let router: Router;
  beforeAll(async () => {
    router = await createRouter({ realms: ["realm1"], listeners: [{ type: "websocket", port: 0 }] });
  });
  afterAll(async () => {
    await router.close();
  });

  const cancelingCallee = {
    roles: { callee: { features: { call_canceling: true, progressive_call_results: true } } },
  };
  const caller = {
    roles: { caller: { features: { call_canceling: true, progressive_call_results: true } } },
  };

  async function registered(client: RawClient, procedure: string, options: Record<string, unknown> = {}) {
    const r = client.request();
    client.send([REGISTER, r, options, procedure]);
    return (await client.expect(REGISTERED, r))[2] as number;
  }

  it("caller leaves mid-call: the callee gets INTERRUPT killnowait and its later YIELDs are dropped silently", async () => {
    const callee = await joinRaw(router, "memory", "msgpack", cancelingCallee);
    const leaver = await joinRaw(router, "memory", "json", caller);
    await registered(callee, "com.mem.stream");
    leaver.send([CALL, leaver.request(), { receive_progress: true }, "com.mem.stream", []]);
    const inv = await callee.expect(INVOCATION);
    callee.send([70, inv[1], { progress: true }, ["part"]]);
    await leaver.expect(RESULT);
    leaver.handle.abort();
    const interrupt = await callee.expect(INTERRUPT);
    expect(interrupt).toEqual([INTERRUPT, inv[1], { mode: "killnowait" }]);
    // Late answers for the abandoned invocation are not protocol violations.
    callee.send([70, inv[1], { progress: true }, ["late part"]]);
    callee.send([70, inv[1], {}, ["late final"]]);
    // The callee's session is fine: it still serves calls.
    const other = await joinRaw(router, "memory", "cbor");
    const r = other.request();
    other.send([CALL, r, {}, "com.mem.stream", [2]]);
    const inv2 = await callee.expect(INVOCATION);
    callee.send([70, inv2[1], {}, ["second call"]]);
    expect((await other.expect(RESULT, r))[3]).toEqual(["second call"]);
    expect(callee.received.filter((m) => m[0] === 3)).toEqual([]);
    expect(callee.closed).toBeUndefined();
    callee.handle.close();
    other.handle.close();
  });

  it("callee leaves mid-call: the caller gets wamp.error.canceled", async () => {
    const callee = await joinRaw(router, "memory", "ubjson");
    const c = await joinRaw(router, "memory", "json");
    await registered(callee, "com.mem.gone");
    const r = c.request();
    c.send([CALL, r, {}, "com.mem.gone", []]);
    await callee.expect(INVOCATION);
    callee.send([6, {}, "wamp.close.close_realm"]);
    expect((await c.expect(ERROR, r))[4]).toBe("wamp.error.canceled");
    c.handle.close();
  });

  it("progressive results over real sessions; RESULT progress only with receive_progress", async () => {
    const callee = await joinRaw(router, "memory", "cbor", cancelingCallee);
    const c = await joinRaw(router, "memory", "msgpack", caller);
    await registered(callee, "com.mem.progress");
    const r1 = c.request();
    c.send([CALL, r1, { receive_progress: true }, "com.mem.progress", []]);
    const inv1 = await callee.expect(INVOCATION);
    expect(inv1[3]).toEqual({ receive_progress: true });
    callee.send([70, inv1[1], { progress: true }, [1]]);
    callee.send([70, inv1[1], { progress: true }, [2]]);
    callee.send([70, inv1[1], {}, [3]]);
    const results = [await c.expect(RESULT, r1), await c.expect(RESULT, r1), await c.expect(RESULT, r1)];
    expect(results.map((m) => [m[2], m[3]])).toEqual([
      [{ progress: true }, [1]],
      [{ progress: true }, [2]],
      [{}, [3]],
    ]);
    const r2 = c.request();
    c.send([CALL, r2, {}, "com.mem.progress", []]);
    const inv2 = await callee.expect(INVOCATION);
    callee.send([70, inv2[1], { progress: true }, ["dropped"]]);
    callee.send([70, inv2[1], {}, ["final"]]);
    expect((await c.expect(RESULT, r2))[3]).toEqual(["final"]);
    expect(c.received.filter((m) => m[0] === RESULT)).toEqual([]);
    callee.handle.close();
    c.handle.close();
  });

  it("WebSocket: cancel kill through real sessions, caller identified with disclose_me", async () => {
    const callee = await joinRaw(router, "websocket", "json", cancelingCallee);
    const c = await joinRaw(router, "websocket", "msgpack", caller);
    await registered(callee, "com.ws.cancel");
    const r = c.request();
    c.send([CALL, r, { disclose_me: true }, "com.ws.cancel", []]);
    const inv = await callee.expect(INVOCATION);
    expect(inv[3]).toMatchObject({ caller: c.sessionId });
    c.send([49, r, { mode: "kill" }]);
    expect(await callee.expect(INTERRUPT)).toEqual([INTERRUPT, inv[1], { mode: "kill" }]);
    callee.send([ERROR, INVOCATION, inv[1], {}, "wamp.error.canceled"]);
    expect((await c.expect(ERROR, r))[4]).toBe("wamp.error.canceled");
    callee.handle.close();
    c.handle.close();
  });

  it("shared registration across real sessions: roundrobin, and the registration outlives one callee", async () => {
    const callees = [await joinRaw(router, "memory", "json"), await joinRaw(router, "memory", "msgpack")];
    const ids = [];
    for (const callee of callees) ids.push(await registered(callee, "com.mem.rr", { invoke: "roundrobin" }));
    expect(ids[0]).toBe(ids[1]);
    const c = await joinRaw(router, "memory", "cbor");
    const roundTrip = async (callee: RawClient, n: number) => {
      const r = c.request();
      c.send([CALL, r, {}, "com.mem.rr", [n]]);
      const inv = await callee.expect(INVOCATION);
      expect(inv[4]).toEqual([n]);
      callee.send([70, inv[1], {}, [n]]);
      expect((await c.expect(RESULT, r))[3]).toEqual([n]);
    };
    for (let i = 0; i < 4; i++) await roundTrip(callees[i % 2], i);
    expect(callees.flatMap((callee) => callee.received.filter((m) => m[0] === INVOCATION))).toEqual([]);
    callees[0].send([6, {}, "wamp.close.close_realm"]);
    await callees[0].waitClosed();
    await roundTrip(callees[1], 4);
    await roundTrip(callees[1], 5);
    c.handle.close();
    callees[1].handle.close();
  });
});
