import { afterEach, describe, expect, it, vi } from "vitest";
import { MessageType } from "../../src/codecs/messages/index.js";
import { ApplicationError, CallTimeoutError, CanceledError } from "../../src/errors.js";
import { CallResult } from "../../src/session/index.js";
import { createPeer, FULL_BROKER, rejectionOf } from "./peer.js";

const { CALL, CANCEL, RESULT, ERROR } = MessageType;

afterEach(() => {
  vi.useRealTimers();
});

describe("call", () => {
  it("sends CALL with sequential request ids and the payload", () => {
    const peer = createPeer();
    void peer.session.call("com.example.a");
    void peer.session.call("com.example.b", [1, 2]);
    void peer.session.call("com.example.c", [], { k: "v" });
    expect(peer.take()).toEqual([
      [CALL, 1, {}, "com.example.a"],
      [CALL, 2, {}, "com.example.b", [1, 2]],
      [CALL, 3, {}, "com.example.c", [], { k: "v" }],
    ]);
  });

  it("resolves a single positional result with that value", async () => {
    const peer = createPeer();
    const result = peer.session.call("com.example.add2", [2, 3]);
    peer.feed([RESULT, 1, {}, [5]]);
    await expect(result).resolves.toBe(5);
  });

  it("resolves an empty result with undefined", async () => {
    const peer = createPeer();
    const bare = peer.session.call("com.example.void");
    const empty = peer.session.call("com.example.void");
    peer.feed([RESULT, 1, {}]);
    peer.feed([RESULT, 2, {}, []]);
    await expect(bare).resolves.toBeUndefined();
    await expect(empty).resolves.toBeUndefined();
  });

  it("resolves several positional results or keyword results with a CallResult", async () => {
    const peer = createPeer();
    const many = peer.session.call("com.example.divmod", [7, 2]);
    const kw = peer.session.call("com.example.kw");
    const both = peer.session.call("com.example.both");
    peer.feed([RESULT, 1, {}, [3, 1]]);
    peer.feed([RESULT, 2, {}, [], { a: 1 }]);
    peer.feed([RESULT, 3, {}, ["x"], { b: 2 }]);
    const r1 = await many;
    expect(r1).toBeInstanceOf(CallResult);
    expect(r1).toEqual(new CallResult([3, 1], {}));
    expect(await kw).toEqual(new CallResult([], { a: 1 }));
    expect(await both).toEqual(new CallResult(["x"], { b: 2 }));
  });

  it("rejects with an ApplicationError carrying the ERROR's uri, args and kwargs", async () => {
    const peer = createPeer();
    const result = peer.session.call("com.example.fail");
    peer.feed([ERROR, CALL, 1, {}, "com.example.error.nope", ["why"], { code: 7 }]);
    const err = await rejectionOf(result);
    expect(err).toBeInstanceOf(ApplicationError);
    expect(err.code).toBe("APPLICATION_ERROR");
    expect(err.uri).toBe("com.example.error.nope");
    expect(err.args).toEqual(["why"]);
    expect(err.kwargs).toEqual({ code: 7 });
  });

  it("maps options to CALL.Options", () => {
    const peer = createPeer();
    void peer.session.call(
      "com.example.x",
      [],
      {},
      {
        discloseMe: true,
        timeout: 1500,
        receiveProgress: true,
        extra: { custom_flag: "on" },
      },
    );
    expect(peer.last(CALL)).toEqual([
      CALL,
      1,
      { custom_flag: "on", disclose_me: true, timeout: 1500, receive_progress: true },
      "com.example.x",
    ]);
  });

  it("rejects bad arguments with a ConfigError before sending anything", async () => {
    const peer = createPeer();
    const err = await rejectionOf(peer.session.call("com.example.x", 5 as unknown as unknown[]));
    expect(err.code).toBe("CONFIG_INVALID");
    const err2 = await rejectionOf(peer.session.call("com.example.x", [], {}, { timeout: -1 }));
    expect(err2.code).toBe("CONFIG_INVALID");
    expect(peer.sent).toEqual([]);
  });

  it("reports a RESULT for an unknown request as a protocol violation and closes", async () => {
    const peer = createPeer();
    const pending = peer.session.call("com.example.x");
    peer.feed([RESULT, 99, {}, [1]]);
    expect(peer.violations).toHaveLength(1);
    expect(peer.violations[0]?.code).toBe("PROTOCOL_VIOLATION");
    expect(peer.violations[0]?.messageType).toBe("RESULT");
    expect(peer.session.isOpen).toBe(false);
    expect((await rejectionOf(pending)).code).toBe("SESSION_CLOSED");
  });

  it("reports an ERROR for an unknown call as a protocol violation", () => {
    const peer = createPeer();
    peer.feed([ERROR, CALL, 3, {}, "wamp.error.canceled"]);
    expect(peer.violations[0]?.code).toBe("PROTOCOL_VIOLATION");
  });

  it("reports a RESULT after the final one as a protocol violation", async () => {
    const peer = createPeer();
    const result = peer.session.call("com.example.x");
    peer.feed([RESULT, 1, {}, [1]]);
    await result;
    peer.feed([RESULT, 1, {}, [2]]);
    expect(peer.violations).toHaveLength(1);
  });
});

describe("progressive results", () => {
  it("passes progressive results to onProgress and resolves with the final one", async () => {
    const peer = createPeer();
    const seen: unknown[] = [];
    const result = peer.session.call("com.example.p", [], {}, { onProgress: (r) => seen.push(r) });
    expect(peer.last(CALL)[2]).toEqual({ receive_progress: true });
    peer.feed([RESULT, 1, { progress: true }, [1]]);
    peer.feed([RESULT, 1, { progress: true }, [2, 3]]);
    peer.feed([RESULT, 1, { progress: true }]);
    peer.feed([RESULT, 1, {}, ["done"]]);
    await expect(result).resolves.toBe("done");
    expect(seen).toEqual([1, new CallResult([2, 3]), undefined]);
  });

  it("reports a throwing onProgress to onUserError and keeps the call going", async () => {
    const peer = createPeer();
    const boom = new Error("boom");
    const result = peer.session.call(
      "com.example.p",
      [],
      {},
      {
        onProgress: () => {
          throw boom;
        },
      },
    );
    peer.feed([RESULT, 1, { progress: true }, [1]]);
    peer.feed([RESULT, 1, {}, [2]]);
    await expect(result).resolves.toBe(2);
    expect(peer.userErrors.map((e) => e.error)).toEqual([boom]);
  });

  it("yields every progressive result then the final one through callProgressive", async () => {
    const peer = createPeer();
    const stream = peer.session.callProgressive("com.example.rows", ["2024"]);
    expect(peer.last(CALL)).toEqual([CALL, 1, { receive_progress: true }, "com.example.rows", ["2024"]]);
    peer.feed([RESULT, 1, { progress: true }, ["a"]]);
    peer.feed([RESULT, 1, { progress: true }, ["b"]]);
    const values: unknown[] = [];
    const reading = (async () => {
      for await (const value of stream) values.push(value);
    })();
    await Promise.resolve();
    peer.feed([RESULT, 1, { progress: true }, [], { c: 1 }]);
    peer.feed([RESULT, 1, {}, ["total", 3]]);
    await reading;
    expect(values).toEqual(["a", "b", new CallResult([], { c: 1 }), new CallResult(["total", 3])]);
  });

  it("skips an empty final result in callProgressive", async () => {
    const peer = createPeer();
    const stream = peer.session.callProgressive("com.example.rows");
    peer.feed([RESULT, 1, { progress: true }, ["a"]]);
    peer.feed([RESULT, 1, {}]);
    const values: unknown[] = [];
    for await (const value of stream) values.push(value);
    expect(values).toEqual(["a"]);
  });

  it("throws an ERROR from the callProgressive loop after the results before it", async () => {
    const peer = createPeer();
    const stream = peer.session.callProgressive("com.example.rows");
    peer.feed([RESULT, 1, { progress: true }, ["a"]]);
    peer.feed([ERROR, CALL, 1, {}, "com.example.error.broken", [1]]);
    const values: unknown[] = [];
    const err = await rejectionOf(
      (async () => {
        for await (const value of stream) values.push(value);
      })(),
    );
    expect(values).toEqual(["a"]);
    expect(err.uri).toBe("com.example.error.broken");
    await expect(stream.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it("cancels the call when the consumer leaves the loop early", async () => {
    const peer = createPeer();
    const stream = peer.session.callProgressive("com.example.rows");
    peer.feed([RESULT, 1, { progress: true }, ["a"]]);
    for await (const value of stream) {
      expect(value).toBe("a");
      break;
    }
    expect(peer.last(CANCEL)).toEqual([CANCEL, 1, { mode: "killnowait" }]);
    // The dealer's answer to the CANCEL is expected and dropped.
    peer.feed([ERROR, CALL, 1, {}, "wamp.error.canceled"]);
    expect(peer.violations).toEqual([]);
  });

  it("throws from the loop when the session is closed", async () => {
    const peer = createPeer();
    peer.session.close();
    const err = await rejectionOf(peer.session.callProgressive("com.example.rows").next());
    expect(err.code).toBe("SESSION_CLOSED");
  });
});

describe("timeout", () => {
  it("rejects with a CallTimeoutError and sends CANCEL killnowait on expiry", async () => {
    vi.useFakeTimers();
    const peer = createPeer();
    const result = peer.session.call("com.example.slow", [], {}, { timeout: 1000 });
    expect(peer.last(CALL)[2]).toEqual({ timeout: 1000 });
    vi.advanceTimersByTime(999);
    expect(peer.sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    const err = await rejectionOf(result);
    expect(err).toBeInstanceOf(CallTimeoutError);
    expect(err).toBeInstanceOf(ApplicationError);
    expect(err.uri).toBe("wamp.error.timeout");
    expect(peer.last(CANCEL)).toEqual([CANCEL, 1, { mode: "killnowait" }]);
    // The dealer's late answers are dropped, not taken for protocol violations.
    peer.feed([ERROR, CALL, 1, {}, "wamp.error.canceled"]);
    expect(peer.violations).toEqual([]);
  });

  it("does not send CANCEL when the dealer does not support call canceling", async () => {
    vi.useFakeTimers();
    const peer = createPeer({ dealer: { features: {} }, broker: FULL_BROKER });
    const result = peer.session.call("com.example.slow", [], {}, { timeout: 50 });
    vi.advanceTimersByTime(50);
    expect((await rejectionOf(result)).uri).toBe("wamp.error.timeout");
    expect(peer.take().map((m) => m[0])).toEqual([CALL]);
    peer.feed([RESULT, 1, {}, ["late"]]);
    expect(peer.violations).toEqual([]);
  });

  it("measures the timeout between progressive results", async () => {
    vi.useFakeTimers();
    const peer = createPeer();
    const result = peer.session.call("com.example.p", [], {}, { timeout: 100, onProgress: () => {} });
    vi.advanceTimersByTime(80);
    peer.feed([RESULT, 1, { progress: true }, [1]]);
    vi.advanceTimersByTime(80);
    peer.feed([RESULT, 1, {}, [2]]);
    await expect(result).resolves.toBe(2);
    vi.advanceTimersByTime(500);
    expect(peer.take().map((m) => m[0])).toEqual([CALL]);
  });

  it("clears the timer when the result arrives", async () => {
    vi.useFakeTimers();
    const peer = createPeer();
    const result = peer.session.call("com.example.x", [], {}, { timeout: 100 });
    peer.feed([RESULT, 1, {}, [1]]);
    await expect(result).resolves.toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("AbortSignal", () => {
  it("sends CANCEL (killnowait by default) and rejects with a CanceledError", async () => {
    const peer = createPeer();
    const controller = new AbortController();
    const result = peer.session.call("com.example.slow", [], {}, { signal: controller.signal });
    const reason = new Error("user gave up");
    controller.abort(reason);
    const err = await rejectionOf(result);
    expect(err).toBeInstanceOf(CanceledError);
    expect(err.uri).toBe("wamp.error.canceled");
    expect(err.cause).toBe(reason);
    expect(peer.last(CANCEL)).toEqual([CANCEL, 1, { mode: "killnowait" }]);
    peer.feed([ERROR, CALL, 1, {}, "wamp.error.canceled"]);
    expect(peer.violations).toEqual([]);
  });

  it("uses cancelMode skip", async () => {
    const peer = createPeer();
    const controller = new AbortController();
    const result = peer.session.call(
      "com.example.slow",
      [],
      {},
      { signal: controller.signal, cancelMode: "skip" },
    );
    controller.abort();
    expect((await rejectionOf(result)).uri).toBe("wamp.error.canceled");
    expect(peer.last(CANCEL)).toEqual([CANCEL, 1, { mode: "skip" }]);
  });

  it("with cancelMode kill, waits for the dealer's answer", async () => {
    const peer = createPeer();
    const controller = new AbortController();
    const result = peer.session.call(
      "com.example.slow",
      [],
      {},
      { signal: controller.signal, cancelMode: "kill" },
    );
    controller.abort();
    expect(peer.last(CANCEL)).toEqual([CANCEL, 1, { mode: "kill" }]);
    // The callee finished first: the result wins.
    peer.feed([RESULT, 1, {}, ["finished anyway"]]);
    await expect(result).resolves.toBe("finished anyway");

    const second = peer.session.call(
      "com.example.slow",
      [],
      {},
      { signal: AbortSignal.abort(), cancelMode: "kill" },
    );
    expect((await rejectionOf(second)).uri).toBe("wamp.error.canceled");
  });

  it("with cancelMode kill, rejects with the dealer's ERROR", async () => {
    const peer = createPeer();
    const controller = new AbortController();
    const result = peer.session.call(
      "com.example.slow",
      [],
      {},
      { signal: controller.signal, cancelMode: "kill" },
    );
    controller.abort();
    peer.feed([ERROR, CALL, 1, {}, "wamp.error.canceled"]);
    const err = await rejectionOf(result);
    expect(err.uri).toBe("wamp.error.canceled");
  });

  it("rejects at once without sending when the signal is already aborted", async () => {
    const peer = createPeer();
    const err = await rejectionOf(
      peer.session.call("com.example.x", [], {}, { signal: AbortSignal.abort() }),
    );
    expect(err.uri).toBe("wamp.error.canceled");
    expect(peer.sent).toEqual([]);
    // The id was not consumed.
    void peer.session.call("com.example.y");
    expect(peer.last(CALL)[1]).toBe(1);
  });

  it("stops listening to the signal once the call is settled", async () => {
    const peer = createPeer();
    const controller = new AbortController();
    const result = peer.session.call("com.example.x", [], {}, { signal: controller.signal });
    peer.feed([RESULT, 1, {}, [1]]);
    await result;
    controller.abort();
    expect(peer.take().map((m) => m[0])).toEqual([CALL]);
  });

  it("rejects locally without CANCEL when the dealer cannot cancel", async () => {
    const peer = createPeer({ dealer: {}, broker: FULL_BROKER });
    const controller = new AbortController();
    const result = peer.session.call(
      "com.example.x",
      [],
      {},
      { signal: controller.signal, cancelMode: "kill" },
    );
    controller.abort();
    expect((await rejectionOf(result)).uri).toBe("wamp.error.canceled");
    expect(peer.take().map((m) => m[0])).toEqual([CALL]);
  });
});
