import { describe, expect, it } from "vitest";
import { MessageType } from "../../src/codecs/messages/index.js";
import { ApplicationError } from "../../src/errors.js";
import { CallResult, type InvocationDetails, type Registration } from "../../src/session/index.js";
import { createPeer, flush, type Peer, rejectionOf } from "./peer.js";

const { REGISTER, REGISTERED, UNREGISTER, UNREGISTERED, INVOCATION, INTERRUPT, YIELD, ERROR } = MessageType;

async function registered(
  peer: Peer,
  procedure: string,
  handler: Parameters<Peer["session"]["register"]>[1],
  registrationId = 500,
): Promise<Registration> {
  const pending = peer.session.register(procedure, handler);
  const request = peer.last(REGISTER)[1];
  peer.feed([REGISTERED, request, registrationId]);
  return pending;
}

describe("register", () => {
  it("sends REGISTER with options and resolves with the Registration", async () => {
    const peer = createPeer();
    const pending = peer.session.register("com.example.", () => 1, {
      match: "prefix",
      invoke: "roundrobin",
      discloseCaller: true,
      extra: { force_reregister: true },
    });
    expect(peer.last(REGISTER)).toEqual([
      REGISTER,
      1,
      { force_reregister: true, match: "prefix", invoke: "roundrobin", disclose_caller: true },
      "com.example.",
    ]);
    peer.feed([REGISTERED, 1, 777]);
    const registration = await pending;
    expect(registration.id).toBe(777);
    expect(registration.procedure).toBe("com.example.");
    expect(registration.active).toBe(true);
  });

  it("omits match for exact registrations", () => {
    const peer = createPeer();
    void peer.session.register("com.example.x", () => 1, { match: "exact" });
    expect(peer.last(REGISTER)[2]).toEqual({});
  });

  it("rejects with an ApplicationError on ERROR", async () => {
    const peer = createPeer();
    const pending = peer.session.register("com.example.x", () => 1);
    peer.feed([ERROR, REGISTER, 1, {}, "wamp.error.procedure_already_exists"]);
    const err = await rejectionOf(pending);
    expect(err).toBeInstanceOf(ApplicationError);
    expect(err.uri).toBe("wamp.error.procedure_already_exists");
  });

  it("treats REGISTERED for an unknown request as a protocol violation", () => {
    const peer = createPeer();
    peer.feed([REGISTERED, 5, 777]);
    expect(peer.violations[0]?.messageType).toBe("REGISTERED");
  });
});

describe("invocation", () => {
  it("answers with YIELD following the return value convention", async () => {
    const peer = createPeer();
    await registered(peer, "com.example.add2", ([a, b]: number[]) => a + b, 1);
    await registered(peer, "com.example.void", () => undefined, 2);
    await registered(peer, "com.example.multi", () => new CallResult([1, 2], { k: true }), 3);
    await registered(peer, "com.example.kwonly", () => new CallResult([], { k: 1 }), 4);
    await registered(peer, "com.example.async", async ([x]: string[]) => `${x}!`, 5);
    peer.take();
    peer.feed([INVOCATION, 11, 1, {}, [2, 3]]);
    peer.feed([INVOCATION, 12, 2, {}]);
    peer.feed([INVOCATION, 13, 3, {}]);
    peer.feed([INVOCATION, 14, 4, {}]);
    peer.feed([INVOCATION, 15, 5, {}, ["hi"]]);
    await flush();
    expect(peer.take()).toEqual([
      [YIELD, 11, {}, [5]],
      [YIELD, 12, {}],
      [YIELD, 13, {}, [1, 2], { k: true }],
      [YIELD, 14, {}, [], { k: 1 }],
      [YIELD, 15, {}, ["hi!"]],
    ]);
  });

  it("passes args, kwargs and details to the handler", async () => {
    const peer = createPeer();
    let seen: { args: unknown[]; kwargs: Record<string, unknown>; details: InvocationDetails } | undefined;
    await registered(peer, "com.example.pattern", (args, kwargs, details) => {
      seen = { args, kwargs, details };
    });
    peer.feed([
      INVOCATION,
      3,
      500,
      { procedure: "com.example.concrete", caller: 99, caller_authid: "bob", caller_authrole: "admin" },
      [1],
      { a: 2 },
    ]);
    expect(seen?.args).toEqual([1]);
    expect(seen?.kwargs).toEqual({ a: 2 });
    expect(seen?.details.procedure).toBe("com.example.concrete");
    expect(seen?.details.registration).toBe(500);
    expect(seen?.details.caller).toBe(99);
    expect(seen?.details.callerAuthid).toBe("bob");
    expect(seen?.details.callerAuthrole).toBe("admin");
    expect(seen?.details.receiveProgress).toBe(false);
    expect(seen?.details.signal.aborted).toBe(false);
  });

  it("passes empty args and kwargs when the INVOCATION has none, and the registered procedure", async () => {
    const peer = createPeer();
    let seen: unknown[] = [];
    await registered(peer, "com.example.x", (args, kwargs, details) => {
      seen = [args, kwargs, details.procedure, details.caller];
    });
    peer.feed([INVOCATION, 3, 500, {}]);
    expect(seen).toEqual([[], {}, "com.example.x", undefined]);
  });

  it("answers an ApplicationError with its uri, args and kwargs", async () => {
    const peer = createPeer();
    await registered(
      peer,
      "com.example.sync",
      () => {
        throw new ApplicationError("com.example.error.invalid", ["bad input"], { field: "a" });
      },
      1,
    );
    await registered(
      peer,
      "com.example.async",
      async () => {
        throw new ApplicationError("com.example.error.plain");
      },
      2,
    );
    peer.take();
    peer.feed([INVOCATION, 7, 1, {}]);
    peer.feed([INVOCATION, 8, 2, {}]);
    await flush();
    expect(peer.take()).toEqual([
      [ERROR, INVOCATION, 7, {}, "com.example.error.invalid", ["bad input"], { field: "a" }],
      [ERROR, INVOCATION, 8, {}, "com.example.error.plain"],
    ]);
    expect(peer.userErrors).toEqual([]);
  });

  it("answers any other error with wamp.error.runtime_error and reports it", async () => {
    const peer = createPeer();
    const boom = new TypeError("boom");
    await registered(
      peer,
      "com.example.sync",
      () => {
        throw boom;
      },
      1,
    );
    await registered(peer, "com.example.async", () => Promise.reject("just a string"), 2);
    peer.take();
    peer.feed([INVOCATION, 7, 1, {}]);
    peer.feed([INVOCATION, 8, 2, {}]);
    await flush();
    expect(peer.take()).toEqual([
      [ERROR, INVOCATION, 7, {}, "wamp.error.runtime_error", ["boom"]],
      [ERROR, INVOCATION, 8, {}, "wamp.error.runtime_error", ["just a string"]],
    ]);
    expect(peer.userErrors.map((e) => e.error)).toEqual([boom, "just a string"]);
    expect(peer.userErrors[0]?.context).toContain("com.example.sync");
  });

  it("still answers when the result cannot be sent", async () => {
    const peer = createPeer();
    await registered(peer, "com.example.bad", () => new CallResult("nope" as unknown as unknown[]));
    peer.take();
    peer.feed([INVOCATION, 7, 500, {}]);
    const [reply] = peer.take();
    expect(reply?.slice(0, 5)).toEqual([ERROR, INVOCATION, 7, {}, "wamp.error.runtime_error"]);
    expect((peer.userErrors[0]?.error as { code?: string } | undefined)?.code).toBe("CONFIG_INVALID");
  });

  it("sends progressive results when the caller asked for them", async () => {
    const peer = createPeer();
    let release!: () => void;
    await registered(peer, "com.example.count", async (_args, _kwargs, details) => {
      details.progress([1]);
      details.progress([2], { more: true });
      details.progress();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return 3;
    });
    peer.take();
    peer.feed([INVOCATION, 9, 500, { receive_progress: true }]);
    expect(peer.take()).toEqual([
      [YIELD, 9, { progress: true }, [1]],
      [YIELD, 9, { progress: true }, [2], { more: true }],
      [YIELD, 9, { progress: true }],
    ]);
    release();
    await flush();
    expect(peer.take()).toEqual([[YIELD, 9, {}, [3]]]);
  });

  it("makes progress() a no-op when the caller did not ask for progressive results", async () => {
    const peer = createPeer();
    await registered(peer, "com.example.count", (_args, _kwargs, details) => {
      details.progress([1]);
      return 2;
    });
    peer.take();
    peer.feed([INVOCATION, 9, 500, {}]);
    expect(peer.take()).toEqual([[YIELD, 9, {}, [2]]]);
  });

  it("treats an INVOCATION for an unknown registration as a protocol violation", () => {
    const peer = createPeer();
    peer.feed([INVOCATION, 9, 123, {}]);
    expect(peer.violations[0]?.code).toBe("PROTOCOL_VIOLATION");
    expect(peer.violations[0]?.messageType).toBe("INVOCATION");
  });

  it("treats a second INVOCATION with a running request id as a protocol violation", async () => {
    const peer = createPeer();
    await registered(peer, "com.example.slow", () => new Promise(() => {}));
    peer.feed([INVOCATION, 9, 500, {}]);
    peer.feed([INVOCATION, 9, 500, {}]);
    expect(peer.violations).toHaveLength(1);
  });
});

describe("interrupt", () => {
  it("aborts the handler signal and answers wamp.error.canceled in kill mode", async () => {
    const peer = createPeer();
    let signal: AbortSignal | undefined;
    let finish!: (value: unknown) => void;
    await registered(peer, "com.example.slow", (_args, _kwargs, details) => {
      signal = details.signal;
      return new Promise((resolve) => {
        finish = resolve;
      });
    });
    peer.take();
    peer.feed([INVOCATION, 9, 500, {}]);
    peer.feed([INTERRUPT, 9, { mode: "kill" }]);
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as { uri?: string } | undefined)?.uri).toBe("wamp.error.canceled");
    expect(peer.take()).toEqual([[ERROR, INVOCATION, 9, {}, "wamp.error.canceled"]]);
    // What the handler returns afterwards is dropped.
    finish("late");
    await flush();
    expect(peer.take()).toEqual([]);
  });

  it("sends nothing in killnowait mode", async () => {
    const peer = createPeer();
    let signal: AbortSignal | undefined;
    await registered(peer, "com.example.slow", async (_args, _kwargs, details) => {
      signal = details.signal;
      await new Promise((resolve) => details.signal.addEventListener("abort", resolve));
      details.progress([1]);
      throw new Error("stopped");
    });
    peer.take();
    peer.feed([INVOCATION, 9, 500, { receive_progress: true }]);
    peer.feed([INTERRUPT, 9, { mode: "killnowait" }]);
    expect(signal?.aborted).toBe(true);
    await flush();
    expect(peer.take()).toEqual([]);
    expect(peer.userErrors).toEqual([]);
  });

  it("gives a signal read after the interrupt already aborted", async () => {
    const peer = createPeer();
    let details: InvocationDetails | undefined;
    await registered(peer, "com.example.slow", (_args, _kwargs, d) => {
      details = d;
      return new Promise(() => {});
    });
    peer.feed([INVOCATION, 9, 500, {}]);
    peer.feed([INTERRUPT, 9, {}]);
    expect(details?.signal.aborted).toBe(true);
    expect(peer.last(ERROR)).toEqual([ERROR, INVOCATION, 9, {}, "wamp.error.canceled"]);
  });

  it("ignores an INTERRUPT for an invocation already answered", async () => {
    const peer = createPeer();
    await registered(peer, "com.example.fast", () => 1);
    peer.feed([INVOCATION, 9, 500, {}]);
    peer.take();
    peer.feed([INTERRUPT, 9, { mode: "kill" }]);
    expect(peer.take()).toEqual([]);
    expect(peer.violations).toEqual([]);
  });
});

describe("unregister", () => {
  it("sends UNREGISTER and resolves on UNREGISTERED; invocations stop being accepted", async () => {
    const peer = createPeer();
    const registration = await registered(peer, "com.example.x", () => 1);
    const pending = registration.unregister();
    expect(registration.unregister()).toBe(pending);
    expect(peer.last(UNREGISTER)).toEqual([UNREGISTER, 2, 500]);
    // Still served until UNREGISTERED.
    peer.feed([INVOCATION, 9, 500, {}]);
    expect(peer.last(YIELD)).toEqual([YIELD, 9, {}, [1]]);
    peer.feed([UNREGISTERED, 2]);
    await pending;
    expect(registration.active).toBe(false);
    await registration.unregister();
    peer.feed([INVOCATION, 10, 500, {}]);
    expect(peer.violations).toHaveLength(1);
  });

  it("works through session.unregister and rejects with the ERROR", async () => {
    const peer = createPeer();
    const registration = await registered(peer, "com.example.x", () => 1);
    const pending = peer.session.unregister(registration);
    peer.feed([ERROR, UNREGISTER, 2, {}, "wamp.error.not_authorized"]);
    expect((await rejectionOf(pending)).uri).toBe("wamp.error.not_authorized");
    expect(registration.active).toBe(true);
  });

  it("treats an UNREGISTERED for an unknown request as a protocol violation", () => {
    const peer = createPeer();
    peer.feed([UNREGISTERED, 4]);
    expect(peer.violations[0]?.messageType).toBe("UNREGISTERED");
  });

  it("handles a revocation by the dealer", async () => {
    const peer = createPeer();
    const reasons: unknown[] = [];
    const pending = peer.session.register("com.example.x", () => 1, {
      onRevoked: (reason) => reasons.push(reason),
    });
    peer.feed([REGISTERED, 1, 500]);
    const registration = await pending;
    peer.feed([UNREGISTERED, 0, { registration: 500, reason: "moved" }]);
    expect(registration.active).toBe(false);
    expect(reasons).toEqual(["moved"]);
    // An unknown revocation is harmless.
    peer.feed([UNREGISTERED, 0, { registration: 501 }]);
    expect(peer.violations).toEqual([]);
    await registration.unregister();
    expect(peer.take().map((m) => m[0])).toEqual([REGISTER]);
  });
});
