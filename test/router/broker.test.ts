/**
 * The broker (basic profile "Publish and Subscribe"; advanced "Publisher Exclusion", "Publisher
 * Identification", "Subscriber Black- and Whitelisting", "Pattern-based Subscription"): first as
 * pure logic with fake peers, then through real sessions (in-memory and one WebSocket).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSerializer } from "../../src/codecs/index.js";
import { Broker } from "../../src/router/broker.js";
import { createRouter, type Router } from "../../src/router/router.js";
import { FakePeer, spySerializer } from "./fakePeer.js";
import { ERROR, joinRaw } from "./liveRouter.js";

const PUBLISHED = 17;
const SUBSCRIBED = 33;
const UNSUBSCRIBE = 34;
const UNSUBSCRIBED = 35;
const EVENT = 36;

let request = 0;
const req = () => ++request;

function subscribe(
  broker: Broker,
  peer: FakePeer,
  topic: string,
  options: Record<string, unknown> = {},
): number {
  const r = req();
  broker.subscribe(peer, r, options, topic);
  const reply = peer.last(SUBSCRIBED);
  expect(reply[1]).toBe(r);
  return reply[2] as number;
}

describe("Broker (pure logic)", () => {
  it("one subscription id per (topic, match), shared by all its subscribers", () => {
    const broker = new Broker();
    const [a, b, c] = [new FakePeer(), new FakePeer(), new FakePeer()];
    const exact = subscribe(broker, a, "com.t");
    expect(subscribe(broker, b, "com.t")).toBe(exact);
    expect(subscribe(broker, c, "com.t", { match: "exact" })).toBe(exact);
    const prefix = subscribe(broker, a, "com.t", { match: "prefix" });
    const wildcard = subscribe(broker, a, "com.t", { match: "wildcard" });
    expect(new Set([exact, prefix, wildcard]).size).toBe(3);
    // Subscribing again to the same (topic, match) returns the existing id.
    expect(subscribe(broker, a, "com.t")).toBe(exact);
    expect(broker.size).toBe(3);
  });

  it("UNSUBSCRIBE by a session that does not hold the subscription → wamp.error.no_such_subscription", () => {
    const broker = new Broker();
    const [holder, other] = [new FakePeer(), new FakePeer()];
    const id = subscribe(broker, holder, "com.t");
    const r = req();
    broker.unsubscribe(other, r, id);
    expect(other.last(ERROR)).toEqual([ERROR, UNSUBSCRIBE, r, {}, "wamp.error.no_such_subscription"]);
    const r2 = req();
    broker.unsubscribe(other, r2, 987654);
    expect(other.last(ERROR)[4]).toBe("wamp.error.no_such_subscription");
    // The holder is still subscribed.
    broker.publish(other, req(), {}, "com.t", ["still"]);
    expect(holder.last(EVENT)[4]).toEqual(["still"]);
  });

  it("the last unsubscriber removes the subscription; a new one gets a new id", () => {
    const broker = new Broker();
    const [a, b] = [new FakePeer(), new FakePeer()];
    const id = subscribe(broker, a, "com.t");
    subscribe(broker, b, "com.t");
    const r = req();
    broker.unsubscribe(a, r, id);
    expect(a.last()).toEqual([UNSUBSCRIBED, r]);
    expect(broker.size).toBe(1);
    // a no longer holds it: a second UNSUBSCRIBE fails.
    broker.unsubscribe(a, req(), id);
    expect(a.last(ERROR)[4]).toBe("wamp.error.no_such_subscription");
    broker.unsubscribe(b, req(), id);
    expect(b.last(UNSUBSCRIBED)).toBeDefined();
    expect(broker.size).toBe(0);
    expect(subscribe(broker, a, "com.t")).not.toBe(id);
  });

  it("prefix and wildcard subscriptions get EVENT.Details.topic; exact ones do not", () => {
    const broker = new Broker();
    const [exact, prefix, wildcard, pub] = [new FakePeer(), new FakePeer(), new FakePeer(), new FakePeer()];
    const e = subscribe(broker, exact, "com.myapp.topic.emergency.11");
    const p = subscribe(broker, prefix, "com.myapp.topic.emergency", { match: "prefix" });
    const w = subscribe(broker, wildcard, "com.myapp..emergency.11", { match: "wildcard" });
    broker.publish(pub, req(), {}, "com.myapp.topic.emergency.11", ["alarm"], { level: 3 });
    expect(exact.last(EVENT)).toEqual([EVENT, e, expect.any(Number), {}, ["alarm"], { level: 3 }]);
    expect(prefix.last(EVENT)).toEqual([
      EVENT,
      p,
      expect.any(Number),
      { topic: "com.myapp.topic.emergency.11" },
      ["alarm"],
      { level: 3 },
    ]);
    expect(wildcard.last(EVENT)[1]).toBe(w);
    expect(wildcard.last(EVENT)[3]).toEqual({ topic: "com.myapp.topic.emergency.11" });
    // The same publication id on every subscription.
    expect(new Set([exact, prefix, wildcard].map((s) => s.last(EVENT)[2])).size).toBe(1);
    // Non-matching topics reach nobody.
    exact.clear();
    prefix.clear();
    wildcard.clear();
    broker.publish(pub, req(), {}, "com.myapp.topic.emerge", []);
    broker.publish(pub, req(), {}, "com.myapp.x.emergency.11.more", []);
    expect([...exact.sent, ...prefix.sent, ...wildcard.sent]).toEqual([]);
  });

  it("a session on two matching subscriptions gets the event once per subscription, same publication", () => {
    const broker = new Broker();
    const [s, pub] = [new FakePeer(), new FakePeer()];
    const exact = subscribe(broker, s, "a.b.c");
    const prefix = subscribe(broker, s, "a.b", { match: "prefix" });
    broker.publish(pub, req(), {}, "a.b.c");
    const events = s.of(EVENT);
    expect(events.map((m) => m[1]).sort()).toEqual([exact, prefix].sort());
    expect(events[0][2]).toBe(events[1][2]);
  });

  it("EVENT carries args and kwargs as published (kwargs without args → empty args)", () => {
    const broker = new Broker();
    const [s, pub] = [new FakePeer(), new FakePeer()];
    const id = subscribe(broker, s, "t");
    broker.publish(pub, req(), {}, "t");
    expect(s.last(EVENT)).toEqual([EVENT, id, expect.any(Number), {}]);
    broker.publish(pub, req(), {}, "t", [1]);
    expect(s.last(EVENT)).toEqual([EVENT, id, expect.any(Number), {}, [1]]);
    broker.publish(pub, req(), {}, "t", undefined, { k: 1 });
    expect(s.last(EVENT)).toEqual([EVENT, id, expect.any(Number), {}, [], { k: 1 }]);
  });

  it("acknowledge: PUBLISHED with the publication id the events carry; none without it", () => {
    const broker = new Broker();
    const [s, pub] = [new FakePeer(), new FakePeer()];
    subscribe(broker, s, "t");
    const r = req();
    broker.publish(pub, r, { acknowledge: true }, "t", []);
    const published = pub.last(PUBLISHED);
    expect(published[1]).toBe(r);
    expect(published[2]).toBe(s.last(EVENT)[2]);
    expect(published[2]).toBeGreaterThanOrEqual(1);
    expect(published[2]).toBeLessThanOrEqual(2 ** 53);
    pub.clear();
    broker.publish(pub, req(), {}, "t", []);
    broker.publish(pub, req(), {}, "nobody.listens", []);
    expect(pub.sent).toEqual([]);
    broker.publish(pub, req(), { acknowledge: true }, "nobody.listens", []);
    expect(pub.last(PUBLISHED)).toBeDefined();
  });

  it("publisher exclusion: excluded by default, included with exclude_me: false", () => {
    const broker = new Broker();
    const [self, other] = [new FakePeer(), new FakePeer()];
    subscribe(broker, self, "t");
    subscribe(broker, other, "t");
    broker.publish(self, req(), {}, "t", ["default"]);
    expect(self.of(EVENT)).toEqual([]);
    expect(other.last(EVENT)[4]).toEqual(["default"]);
    broker.publish(self, req(), { exclude_me: true }, "t", ["explicit"]);
    expect(self.of(EVENT)).toEqual([]);
    broker.publish(self, req(), { exclude_me: false }, "t", ["me too"]);
    expect(self.last(EVENT)[4]).toEqual(["me too"]);
  });

  describe("subscriber black- and whitelisting", () => {
    const broker = new Broker();
    const alice = new FakePeer(undefined, "alice", "admin");
    const bob = new FakePeer(undefined, "bob", "user");
    const carol = new FakePeer(undefined, "carol", "user");
    const pub = new FakePeer(undefined, "pub", "user");
    beforeAll(() => {
      for (const p of [alice, bob, carol]) subscribe(broker, p, "t");
    });
    const receivers = (options: Record<string, unknown>) => {
      for (const p of [alice, bob, carol]) p.clear();
      broker.publish(pub, req(), options, "t", []);
      return [alice, bob, carol].filter((p) => p.of(EVENT).length === 1).map((p) => p.authid);
    };

    it.each([
      ["no list", {}, ["alice", "bob", "carol"]],
      ["exclude", { exclude: [bob.id] }, ["alice", "carol"]],
      ["eligible", { eligible: [bob.id, carol.id] }, ["bob", "carol"]],
      ["exclude_authid", { exclude_authid: ["alice", "carol"] }, ["bob"]],
      ["eligible_authid", { eligible_authid: ["carol"] }, ["carol"]],
      ["exclude_authrole", { exclude_authrole: ["user"] }, ["alice"]],
      ["eligible_authrole", { eligible_authrole: ["user"] }, ["bob", "carol"]],
      ["exclude and eligible together", { eligible: [alice.id, bob.id], exclude: [bob.id] }, ["alice"]],
      [
        "eligible_authrole and exclude_authid",
        { eligible_authrole: ["user"], exclude_authid: ["bob"] },
        ["carol"],
      ],
      ["an empty eligible list", { eligible: [] }, []],
      ["eligible naming only the publisher", { eligible: [pub.id], exclude_me: false }, []],
    ])("%s", (_name, options, expected) => {
      expect(receivers(options)).toEqual(expected);
    });
  });

  it("disclose_me: EVENT.Details carries publisher, publisher_authid and publisher_authrole", () => {
    const broker = new Broker();
    const s = new FakePeer();
    const pub = new FakePeer(undefined, "publisher-1", "sensor");
    subscribe(broker, s, "t");
    broker.publish(pub, req(), { disclose_me: true }, "t", []);
    expect(s.last(EVENT)[3]).toEqual({
      publisher: pub.id,
      publisher_authid: "publisher-1",
      publisher_authrole: "sensor",
    });
    broker.publish(pub, req(), {}, "t", []);
    expect(s.last(EVENT)[3]).toEqual({});
  });

  it("a disclosure policy may force identification (authorization)", () => {
    const broker = new Broker((_p, topic) => topic.startsWith("audited."));
    const s = new FakePeer();
    const pub = new FakePeer();
    subscribe(broker, s, "audited.t");
    broker.publish(pub, req(), {}, "audited.t", []);
    expect(s.last(EVENT)[3]).toMatchObject({ publisher: pub.id });
  });

  it("fan-out encodes each event once per serializer, not once per subscriber", () => {
    const json = spySerializer("json");
    const msgpack = spySerializer("msgpack");
    const broker = new Broker();
    const jsonPeers = [new FakePeer(json), new FakePeer(json), new FakePeer(json)];
    const msgpackPeers = [new FakePeer(msgpack), new FakePeer(msgpack)];
    for (const p of [...jsonPeers, ...msgpackPeers]) subscribe(broker, p, "fan.out");
    const pub = new FakePeer();
    broker.publish(pub, req(), {}, "fan.out", ["payload"], { n: 1 });
    expect(json.encode).toHaveBeenCalledTimes(1);
    expect(msgpack.encode).toHaveBeenCalledTimes(1);
    for (const p of [...jsonPeers, ...msgpackPeers]) {
      expect(p.encodedCount).toBe(1);
      expect(p.last(EVENT)[4]).toEqual(["payload"]);
    }
    // A second subscription (different details: it carries the topic) is one more encoding each.
    subscribe(broker, jsonPeers[0], "fan.", { match: "prefix" });
    json.encode.mockClear();
    msgpack.encode.mockClear();
    broker.publish(pub, req(), {}, "fan.out", []);
    expect(json.encode).toHaveBeenCalledTimes(2);
    expect(msgpack.encode).toHaveBeenCalledTimes(1);
  });

  it("a leaving session's subscriptions go with it; shared ones stay for the others", () => {
    const broker = new Broker();
    const [leaver, stayer, pub] = [new FakePeer(), new FakePeer(), new FakePeer()];
    subscribe(broker, leaver, "only.mine");
    subscribe(broker, leaver, "shared");
    subscribe(broker, leaver, "x.", { match: "prefix" });
    subscribe(broker, stayer, "shared");
    expect(broker.size).toBe(3);
    broker.removeSession(leaver);
    expect(broker.size).toBe(1);
    leaver.clear();
    broker.publish(pub, req(), {}, "shared", []);
    broker.publish(pub, req(), {}, "only.mine", []);
    broker.publish(pub, req(), {}, "x.y", []);
    expect(leaver.sent).toEqual([]);
    expect(stayer.of(EVENT)).toHaveLength(1);
    broker.removeSession(leaver); // idempotent
    expect(broker.size).toBe(1);
  });

  it("an unknown match policy → wamp.error.invalid_argument (the parser normally refuses it first)", () => {
    const broker = new Broker();
    const p = new FakePeer();
    const r = req();
    broker.subscribe(p, r, { match: "regex" }, "t");
    expect(p.last(ERROR).slice(0, 5)).toEqual([ERROR, 32, r, {}, "wamp.error.invalid_argument"]);
    expect(broker.size).toBe(0);
  });

  it("a publication with no subscriber allocates nothing and sends nothing", () => {
    const broker = new Broker();
    const pub = new FakePeer();
    broker.publish(pub, req(), {}, "void", [1]);
    expect(pub.sent).toEqual([]);
  });

  it("binary payloads survive fan-out to different serializers", () => {
    const broker = new Broker();
    const peers = (["json", "msgpack", "cbor", "ubjson"] as const).map((n) => new FakePeer(getSerializer(n)));
    for (const p of peers) subscribe(broker, p, "bin");
    broker.publish(new FakePeer(), req(), {}, "bin", [new Uint8Array([0, 1, 255])]);
    for (const p of peers) expect([...(p.last(EVENT)[4] as Uint8Array[])[0]]).toEqual([0, 1, 255]);
  });
});

describe("Broker through real sessions", () => {
  let router: Router;
  beforeAll(async () => {
    router = await createRouter({ realms: ["realm1"], listeners: [{ type: "websocket", port: 0 }] });
  });
  afterAll(async () => {
    await router.close();
  });

  it("in-memory: prefix and wildcard subscribers get details.topic; leaving removes subscriptions", async () => {
    const sub = await joinRaw(router, "memory", "cbor");
    const pub = await joinRaw(router, "memory", "msgpack");
    const broker = router.realm("realm1")!.broker;
    const before = broker.size;
    const r1 = sub.request();
    sub.send([32, r1, { match: "prefix" }, "com.mem."]);
    const prefix = (await sub.expect(SUBSCRIBED, r1))[2];
    const r2 = sub.request();
    sub.send([32, r2, { match: "wildcard" }, "com..topic"]);
    const wildcard = (await sub.expect(SUBSCRIBED, r2))[2];
    expect(broker.size).toBe(before + 2);

    const p = pub.request();
    pub.send([16, p, { acknowledge: true, disclose_me: true }, "com.mem.topic", ["hi"]]);
    const published = await pub.expect(PUBLISHED, p);
    const events = [await sub.expect(EVENT), await sub.expect(EVENT)];
    expect(events.map((e) => e[1]).sort()).toEqual([prefix, wildcard].sort());
    for (const e of events) {
      expect(e[2]).toBe(published[2]);
      expect(e[3]).toMatchObject({ topic: "com.mem.topic", publisher: pub.sessionId });
      expect(e[4]).toEqual(["hi"]);
    }

    sub.send([6, {}, "wamp.close.close_realm"]);
    await sub.expect(6);
    await sub.waitClosed();
    expect(broker.size).toBe(before);
    pub.handle.close();
  });

  it("WebSocket: eligible / exclude by session id between real sessions", async () => {
    const a = await joinRaw(router, "websocket", "json");
    const b = await joinRaw(router, "websocket", "msgpack");
    const pub = await joinRaw(router, "websocket", "cbor");
    for (const s of [a, b]) {
      const r = s.request();
      s.send([32, r, {}, "com.ws.listed"]);
      await s.expect(SUBSCRIBED, r);
    }
    const p1 = pub.request();
    pub.send([16, p1, { acknowledge: true, eligible: [b.sessionId] }, "com.ws.listed", ["to b"]]);
    await pub.expect(PUBLISHED, p1);
    const p2 = pub.request();
    pub.send([16, p2, { acknowledge: true, exclude: [b.sessionId] }, "com.ws.listed", ["to a"]]);
    await pub.expect(PUBLISHED, p2);
    expect((await b.expect(EVENT))[4]).toEqual(["to b"]);
    expect((await a.expect(EVENT))[4]).toEqual(["to a"]);
    // Ordered delivery: a marker published to both arrives after, and nothing else came before it.
    const p3 = pub.request();
    pub.send([16, p3, { acknowledge: true }, "com.ws.listed", ["marker"]]);
    expect((await a.expect(EVENT))[4]).toEqual(["marker"]);
    expect((await b.expect(EVENT))[4]).toEqual(["marker"]);
    expect([...a.received, ...b.received].filter((m) => m[0] === EVENT)).toEqual([]);
    for (const c of [a, b, pub]) c.handle.close();
  });
});
