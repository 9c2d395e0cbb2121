import { describe, expect, it } from "vitest";
import { MessageType } from "../../src/codecs/messages/index.js";
import { ApplicationError } from "../../src/errors.js";
import type { EventDetails, EventHandler, Subscription } from "../../src/session/index.js";
import { createPeer, flush, type Peer, rejectionOf } from "./peer.js";

const { SUBSCRIBE, SUBSCRIBED, UNSUBSCRIBE, UNSUBSCRIBED, EVENT, ERROR } = MessageType;

async function subscribed(peer: Peer, topic: string, handler: EventHandler, id = 900): Promise<Subscription> {
  const pending = peer.session.subscribe(topic, handler);
  peer.feed([SUBSCRIBED, peer.last(SUBSCRIBE)[1], id]);
  return pending;
}

describe("subscribe", () => {
  it("sends SUBSCRIBE and resolves with the Subscription", async () => {
    const peer = createPeer();
    const pending = peer.session.subscribe("com.example.", () => {}, {
      match: "prefix",
      extra: { get_retained: true },
    });
    expect(peer.last(SUBSCRIBE)).toEqual([
      SUBSCRIBE,
      1,
      { get_retained: true, match: "prefix" },
      "com.example.",
    ]);
    peer.feed([SUBSCRIBED, 1, 900]);
    const subscription = await pending;
    expect(subscription.id).toBe(900);
    expect(subscription.topic).toBe("com.example.");
    expect(subscription.active).toBe(true);
  });

  it("rejects with an ApplicationError on ERROR", async () => {
    const peer = createPeer();
    const pending = peer.session.subscribe("com.example.x", () => {});
    peer.feed([ERROR, SUBSCRIBE, 1, {}, "wamp.error.not_authorized"]);
    const err = await rejectionOf(pending);
    expect(err).toBeInstanceOf(ApplicationError);
    expect(err.uri).toBe("wamp.error.not_authorized");
  });

  it("delivers EVENTs with args, kwargs and details", async () => {
    const peer = createPeer();
    const seen: [unknown[], Record<string, unknown>, EventDetails][] = [];
    await subscribed(peer, "com.example.news", (args, kwargs, details) => {
      seen.push([args, kwargs, details]);
    });
    peer.feed([
      EVENT,
      900,
      77,
      { publisher: 12, publisher_authid: "bob", publisher_authrole: "user" },
      ["hi"],
      { a: 1 },
    ]);
    peer.feed([EVENT, 900, 78, { topic: "com.example.news.sub" }]);
    expect(seen).toHaveLength(2);
    const [args, kwargs, details] = seen[0]!;
    expect(args).toEqual(["hi"]);
    expect(kwargs).toEqual({ a: 1 });
    expect(details.publication).toBe(77);
    expect(details.subscription).toBe(900);
    expect(details.topic).toBe("com.example.news");
    expect(details.publisher).toBe(12);
    expect(details.publisherAuthid).toBe("bob");
    expect(details.publisherAuthrole).toBe("user");
    expect(seen[1]?.[0]).toEqual([]);
    expect(seen[1]?.[1]).toEqual({});
    expect(seen[1]?.[2].topic).toBe("com.example.news.sub");
    expect(seen[1]?.[2].publisher).toBeUndefined();
  });

  it("reports throwing and rejecting handlers and still runs the others", async () => {
    const peer = createPeer();
    const calls: string[] = [];
    const boom = new Error("boom");
    await subscribed(peer, "com.example.news", () => {
      calls.push("first");
      throw boom;
    });
    await subscribed(peer, "com.example.news", async () => {
      calls.push("second");
      throw "async boom";
    });
    await subscribed(peer, "com.example.news", () => {
      calls.push("third");
    });
    peer.feed([EVENT, 900, 1, {}]);
    await flush();
    expect(calls).toEqual(["first", "second", "third"]);
    expect(peer.userErrors.map((e) => e.error)).toEqual([boom, "async boom"]);
    expect(peer.violations).toEqual([]);
  });

  it("treats an EVENT for an unknown subscription as a protocol violation", () => {
    const peer = createPeer();
    peer.feed([EVENT, 1234, 1, {}]);
    expect(peer.violations[0]?.messageType).toBe("EVENT");
  });
});

describe("shared subscriptions", () => {
  it("shares one router subscription and sends UNSUBSCRIBE only for the last handler", async () => {
    const peer = createPeer();
    const seen: string[] = [];
    const a = await subscribed(peer, "com.example.news", () => seen.push("a"));
    const b = await subscribed(peer, "com.example.news", () => seen.push("b"));
    expect(a.id).toBe(b.id);
    peer.feed([EVENT, 900, 1, {}]);
    expect(seen).toEqual(["a", "b"]);

    peer.take();
    await a.unsubscribe();
    expect(a.active).toBe(false);
    expect(peer.take()).toEqual([]);
    peer.feed([EVENT, 900, 2, {}]);
    expect(seen).toEqual(["a", "b", "b"]);

    const last = peer.session.unsubscribe(b);
    expect(peer.last(UNSUBSCRIBE)).toEqual([UNSUBSCRIBE, 3, 900]);
    // Events in flight before UNSUBSCRIBED are dropped quietly.
    peer.feed([EVENT, 900, 3, {}]);
    peer.feed([UNSUBSCRIBED, 3]);
    await last;
    expect(seen).toEqual(["a", "b", "b"]);
    expect(peer.violations).toEqual([]);
    // After UNSUBSCRIBED the broker must not send events for it.
    peer.feed([EVENT, 900, 4, {}]);
    expect(peer.violations).toHaveLength(1);
  });

  it("lets a handler unsubscribe another during the same event", async () => {
    const peer = createPeer();
    const seen: string[] = [];
    let b: Subscription | undefined;
    await subscribed(peer, "com.example.news", () => {
      seen.push("a");
      void b?.unsubscribe();
    });
    b = await subscribed(peer, "com.example.news", () => seen.push("b"));
    peer.feed([EVENT, 900, 1, {}]);
    expect(seen).toEqual(["a"]);
  });

  it("keeps the router subscription while a SUBSCRIBE to the same topic is in flight", async () => {
    const peer = createPeer();
    const seen: string[] = [];
    const a = await subscribed(peer, "com.example.news", () => seen.push("a"));
    const pendingB = peer.session.subscribe("com.example.news", () => seen.push("b"));
    const requestB = peer.last(SUBSCRIBE)[1];
    await a.unsubscribe();
    // No UNSUBSCRIBE: the broker will answer the SUBSCRIBE with the same id.
    expect(peer.take().map((m) => m[0])).toEqual([SUBSCRIBE, SUBSCRIBE]);
    peer.feed([SUBSCRIBED, requestB, 900]);
    const b = await pendingB;
    peer.feed([EVENT, 900, 1, {}]);
    expect(seen).toEqual(["b"]);
    const done = b.unsubscribe();
    expect(peer.last(UNSUBSCRIBE)).toEqual([UNSUBSCRIBE, 3, 900]);
    peer.feed([UNSUBSCRIBED, 3]);
    await done;
  });

  it("releases the idle subscription when the SUBSCRIBE it waited for fails", async () => {
    const peer = createPeer();
    const a = await subscribed(peer, "com.example.news", () => {});
    const pendingB = peer.session.subscribe("com.example.news", () => {});
    await a.unsubscribe();
    peer.feed([ERROR, SUBSCRIBE, 2, {}, "wamp.error.not_authorized"]);
    await rejectionOf(pendingB);
    expect(peer.last(UNSUBSCRIBE)).toEqual([UNSUBSCRIBE, 3, 900]);
    peer.feed([UNSUBSCRIBED, 3]);
    expect(peer.violations).toEqual([]);
  });

  it("rejects the last unsubscribe with the broker's ERROR and keeps dropping events", async () => {
    const peer = createPeer();
    const a = await subscribed(peer, "com.example.news", () => {});
    const pending = a.unsubscribe();
    peer.feed([ERROR, UNSUBSCRIBE, 2, {}, "wamp.error.not_authorized"]);
    expect((await rejectionOf(pending)).uri).toBe("wamp.error.not_authorized");
    peer.feed([EVENT, 900, 1, {}]);
    expect(peer.violations).toEqual([]);
  });

  it("resolves the last unsubscribe when the broker no longer holds the subscription", async () => {
    const peer = createPeer();
    const a = await subscribed(peer, "com.example.news", () => {});
    const pending = a.unsubscribe();
    peer.feed([ERROR, UNSUBSCRIBE, 2, {}, "wamp.error.no_such_subscription"]);
    await pending;
  });

  it("handles a revocation by the broker", async () => {
    const peer = createPeer();
    const reasons: unknown[] = [];
    const pendingA = peer.session.subscribe("com.example.news", () => {}, {
      onRevoked: (r) => reasons.push(r),
    });
    peer.feed([SUBSCRIBED, 1, 900]);
    const a = await pendingA;
    const b = await subscribed(peer, "com.example.news", () => {});
    peer.feed([UNSUBSCRIBED, 0, { subscription: 900, reason: "no longer authorized" }]);
    expect(a.active).toBe(false);
    expect(b.active).toBe(false);
    expect(reasons).toEqual(["no longer authorized"]);
    peer.feed([UNSUBSCRIBED, 0, { subscription: 901 }]);
    expect(peer.violations).toEqual([]);
    peer.take();
    await b.unsubscribe();
    expect(peer.take()).toEqual([]);
  });

  it("treats UNSUBSCRIBED for an unknown request as a protocol violation", () => {
    const peer = createPeer();
    peer.feed([UNSUBSCRIBED, 8]);
    expect(peer.violations[0]?.messageType).toBe("UNSUBSCRIBED");
  });
});
