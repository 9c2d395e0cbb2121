import { describe, expect, it, vi } from "vitest";
import { MAX_ID, MessageType, parseMessage } from "../../src/codecs/messages/index.js";
import { SessionClosedError, WampError } from "../../src/errors.js";
import { RequestIds } from "../../src/session/ids.js";
import { CLIENT_ROLES, type InvocationDetails, Session } from "../../src/session/index.js";
import { createPeer, FULL_BROKER, FULL_DEALER, rejectionOf } from "./peer.js";

const T = MessageType;

describe("session details", () => {
  it("exposes the WELCOME details and the router's features", () => {
    const peer = createPeer({ dealer: FULL_DEALER, broker: FULL_BROKER });
    const { session } = peer;
    expect(session.id).toBe(4242);
    expect(session.realm).toBe("realm1");
    expect(session.authid).toBe("alice");
    expect(session.authrole).toBe("user");
    expect(session.authmethod).toBe("anonymous");
    expect(session.authprovider).toBe("static");
    expect(session.authextra).toEqual({ x: 1 });
    expect(session.routerRoles).toEqual({ dealer: FULL_DEALER, broker: FULL_BROKER });
    expect(session.features("dealer").call_canceling).toBe(true);
    expect(session.features("broker").pattern_based_subscription).toBe(true);
    expect(session.isOpen).toBe(true);
  });

  it("returns no features for a role the router did not announce", () => {
    const peer = createPeer({ broker: {} });
    expect(peer.session.features("dealer")).toEqual({});
    expect(peer.session.features("broker")).toEqual({});
  });

  it("announces the client roles it implements", () => {
    expect(Object.keys(CLIENT_ROLES).sort()).toEqual(["callee", "caller", "publisher", "subscriber"]);
    expect(CLIENT_ROLES.caller.features).toMatchObject({
      progressive_call_results: true,
      call_canceling: true,
      call_timeout: true,
      caller_identification: true,
    });
  });
});

describe("request ids", () => {
  it("count from 1 and wrap to 1 after 2^53", () => {
    const ids = new RequestIds();
    expect([ids.next(), ids.next(), ids.next()]).toEqual([1, 2, 3]);
    const high = new RequestIds(MAX_ID - 1);
    expect([high.next(), high.next(), high.next()]).toEqual([MAX_ID, 1, 2]);
  });

  it("are shared by every request kind, in sending order", () => {
    const peer = createPeer();
    const { session } = peer;
    void session.call("com.example.a");
    void session.register("com.example.b", () => {});
    void session.publish("com.example.c");
    void session.subscribe("com.example.d", () => {});
    void session.publish("com.example.e", [], {}, { acknowledge: true });
    expect(peer.take().map((m) => [m[0], m[1]])).toEqual([
      [T.CALL, 1],
      [T.REGISTER, 2],
      [T.PUBLISH, 3],
      [T.SUBSCRIBE, 4],
      [T.PUBLISH, 5],
    ]);
  });

  it("are given back when a message cannot be sent, so the router sees no gap", async () => {
    let fail = true;
    const sent: unknown[][] = [];
    const session = new Session(
      { id: 1, realm: "realm1", routerRoles: {} },
      {
        send: (message) => {
          if (fail) throw new Error("cannot encode");
          sent.push(message);
        },
      },
    );
    const err = await rejectionOf(session.call("com.example.x", [1n]));
    expect((err as unknown as Error).message).toBe("cannot encode");
    fail = false;
    void session.call("com.example.y");
    expect(sent[0]?.[1]).toBe(1);
  });
});

describe("in-process transports", () => {
  it("accept an answer delivered inside send()", async () => {
    vi.useFakeTimers();
    try {
      const sent: unknown[][] = [];
      const session: Session = new Session(
        { id: 1, realm: "realm1", routerRoles: { dealer: FULL_DEALER } },
        {
          send: (message) => {
            sent.push(message);
            if (message[0] === T.CALL) session.receive(parseMessage([T.RESULT, message[1], {}, ["sync"]]));
            if (message[0] === T.SUBSCRIBE) session.receive(parseMessage([T.SUBSCRIBED, message[1], 9]));
          },
        },
      );
      const controller = new AbortController();
      await expect(
        session.call("com.example.x", [], {}, { timeout: 100, signal: controller.signal }),
      ).resolves.toBe("sync");
      controller.abort();
      vi.advanceTimersByTime(1000);
      expect(vi.getTimerCount()).toBe(0);
      const subscription = await session.subscribe("com.example.t", () => {});
      expect(subscription.id).toBe(9);
      expect(sent.map((m) => m[0])).toEqual([T.CALL, T.SUBSCRIBE]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("lifecycle and protocol violations", () => {
  it("forwards GOODBYE and ABORT to onLifecycle", () => {
    const peer = createPeer();
    peer.feed([T.GOODBYE, {}, "wamp.close.system_shutdown"]);
    peer.feed([T.ABORT, { message: "bye" }, "wamp.error.protocol_violation"]);
    expect(peer.lifecycle).toEqual([
      [T.GOODBYE, {}, "wamp.close.system_shutdown"],
      [T.ABORT, { message: "bye" }, "wamp.error.protocol_violation"],
    ]);
    expect(peer.session.isOpen).toBe(true);
  });

  it.each([
    ["HELLO", [T.HELLO, "realm1", { roles: {} }]],
    ["WELCOME", [T.WELCOME, 5, { roles: {} }]],
    ["CHALLENGE", [T.CHALLENGE, "ticket", {}]],
    ["AUTHENTICATE", [T.AUTHENTICATE, "sig", {}]],
    ["CALL", [T.CALL, 1, {}, "com.example.x"]],
    ["YIELD", [T.YIELD, 1, {}]],
    ["PUBLISH", [T.PUBLISH, 1, {}, "com.example.x"]],
    ["SUBSCRIBE", [T.SUBSCRIBE, 1, {}, "com.example.x"]],
    ["CANCEL", [T.CANCEL, 1, {}]],
    ["EVENT_RECEIVED", [T.EVENT_RECEIVED, 1]],
  ])("treats %s as a protocol violation and closes", async (name, message) => {
    const peer = createPeer();
    const pending = peer.session.call("com.example.x");
    peer.feed(message);
    expect(peer.violations).toHaveLength(1);
    expect(peer.violations[0]?.code).toBe("PROTOCOL_VIOLATION");
    expect(peer.violations[0]?.messageType).toBe(name);
    expect(peer.session.isOpen).toBe(false);
    const err = await rejectionOf(pending);
    expect(err.code).toBe("SESSION_CLOSED");
    expect(err.cause).toBe(peer.violations[0]);
  });

  it("treats an ERROR answering an INVOCATION as a protocol violation", () => {
    const peer = createPeer();
    peer.feed([T.ERROR, T.INVOCATION, 1, {}, "wamp.error.runtime_error"]);
    expect(peer.violations[0]?.messageType).toBe("ERROR");
  });

  it("ignores everything once closed", () => {
    const peer = createPeer();
    peer.session.close();
    peer.feed([T.RESULT, 1, {}]);
    peer.feed([T.GOODBYE, {}, "wamp.close.normal"]);
    expect(peer.violations).toEqual([]);
    expect(peer.lifecycle).toEqual([]);
  });
});

describe("close", () => {
  it("rejects every kind of pending request with a SessionClosedError", async () => {
    const peer = createPeer();
    const { session } = peer;
    const firstRegister = session.register("com.example.reg", () => {});
    const registration = (async () => {
      const pending = session.register("com.example.held", () => new Promise(() => {}));
      peer.feed([T.REGISTERED, peer.last(T.REGISTER)[1], 600]);
      return pending;
    })();
    const held = await registration;
    const subscription = session.subscribe("com.example.held", () => {});
    peer.feed([T.SUBSCRIBED, peer.last(T.SUBSCRIBE)[1], 700]);
    const heldSubscription = await subscription;

    let invocationSignal: AbortSignal | undefined;
    const spy = await (async () => {
      const pending = session.register("com.example.spy", (_a, _k, details: InvocationDetails) => {
        invocationSignal = details.signal;
        return new Promise(() => {});
      });
      peer.feed([T.REGISTERED, peer.last(T.REGISTER)[1], 601]);
      return pending;
    })();
    peer.feed([T.INVOCATION, 1, spy.id, {}]);

    const pending = [
      firstRegister,
      session.call("com.example.call"),
      session.call("com.example.timed", [], {}, { timeout: 60_000, signal: new AbortController().signal }),
      session.register("com.example.reg2", () => {}),
      session.unregister(held),
      session.publish("com.example.ack", [], {}, { acknowledge: true }),
      session.subscribe("com.example.sub", () => {}),
      session.unsubscribe(heldSubscription),
    ];
    const stream = session.callProgressive("com.example.stream");
    const reason = new Error("transport lost");
    session.close(reason);
    session.close(new Error("second close is ignored"));

    for (const promise of pending) {
      const err = await rejectionOf(promise);
      expect(err).toBeInstanceOf(SessionClosedError);
      expect(err).toBeInstanceOf(WampError);
      expect(err.code).toBe("SESSION_CLOSED");
      expect(err.cause).toBe(reason);
    }
    expect((await rejectionOf(stream.next())).code).toBe("SESSION_CLOSED");
    expect(invocationSignal?.aborted).toBe(true);
    expect((invocationSignal?.reason as { code?: string } | undefined)?.code).toBe("SESSION_CLOSED");
    expect(held.active).toBe(false);
    expect(heldSubscription.active).toBe(false);
    expect(session.isOpen).toBe(false);
  });

  it("makes every later method fail fast without sending", async () => {
    const peer = createPeer();
    const { session } = peer;
    const registration = session.register("com.example.x", () => 1);
    peer.feed([T.REGISTERED, 1, 5]);
    const held = await registration;
    session.close("wamp.close.normal");
    peer.take();
    const attempts = [
      session.call("com.example.x"),
      session.register("com.example.y", () => 1),
      session.unregister(held),
      held.unregister(),
      session.publish("com.example.z"),
      session.publish("com.example.z", [], {}, { acknowledge: true }),
      session.subscribe("com.example.z", () => {}),
    ];
    for (const attempt of attempts) {
      const err = await rejectionOf(attempt);
      expect(err.code).toBe("SESSION_CLOSED");
      expect(err.cause).toBe("wamp.close.normal");
    }
    expect(peer.take()).toEqual([]);
  });
});
