import { describe, expect, it } from "vitest";
import { MessageType } from "../../src/codecs/messages/index.js";
import { ApplicationError } from "../../src/errors.js";
import { createPeer, rejectionOf } from "./peer.js";

const { PUBLISH, PUBLISHED, ERROR } = MessageType;

describe("publish", () => {
  it("without acknowledge resolves once sent", async () => {
    const peer = createPeer();
    await expect(peer.session.publish("com.example.news", ["hello"], { to: "all" })).resolves.toBeUndefined();
    await peer.session.publish("com.example.bare");
    expect(peer.take()).toEqual([
      [PUBLISH, 1, {}, "com.example.news", ["hello"], { to: "all" }],
      [PUBLISH, 2, {}, "com.example.bare"],
    ]);
  });

  it("with acknowledge resolves with the publication id on PUBLISHED", async () => {
    const peer = createPeer();
    const pending = peer.session.publish("com.example.news", [], {}, { acknowledge: true });
    expect(peer.last(PUBLISH)).toEqual([PUBLISH, 1, { acknowledge: true }, "com.example.news"]);
    peer.feed([PUBLISHED, 1, 31337]);
    await expect(pending).resolves.toBe(31337);
  });

  it("with acknowledge rejects with an ApplicationError on ERROR", async () => {
    const peer = createPeer();
    const pending = peer.session.publish("com.example.news", [], {}, { acknowledge: true });
    peer.feed([ERROR, PUBLISH, 1, {}, "wamp.error.not_authorized", ["no"], { role: "guest" }]);
    const err = await rejectionOf(pending);
    expect(err).toBeInstanceOf(ApplicationError);
    expect(err.uri).toBe("wamp.error.not_authorized");
    expect(err.args).toEqual(["no"]);
    expect(err.kwargs).toEqual({ role: "guest" });
  });

  it("maps options to PUBLISH.Options", () => {
    const peer = createPeer();
    void peer.session.publish(
      "com.example.news",
      [],
      {},
      {
        excludeMe: false,
        exclude: [1, 2],
        excludeAuthid: ["eve"],
        excludeAuthrole: ["guest"],
        eligible: [3],
        eligibleAuthid: ["bob"],
        eligibleAuthrole: ["user"],
        discloseMe: true,
        extra: { retain: true },
      },
    );
    expect(peer.last(PUBLISH)[2]).toEqual({
      retain: true,
      exclude_me: false,
      disclose_me: true,
      exclude: [1, 2],
      exclude_authid: ["eve"],
      exclude_authrole: ["guest"],
      eligible: [3],
      eligible_authid: ["bob"],
      eligible_authrole: ["user"],
    });
  });

  it("drops an ERROR for an unacknowledged publication", async () => {
    const peer = createPeer();
    await peer.session.publish("com.example.news");
    peer.feed([ERROR, PUBLISH, 1, {}, "wamp.error.not_authorized"]);
    expect(peer.violations).toEqual([]);
  });

  it("treats PUBLISHED for an unknown request as a protocol violation", () => {
    const peer = createPeer();
    peer.feed([PUBLISHED, 1, 5]);
    expect(peer.violations[0]?.messageType).toBe("PUBLISHED");
  });

  it("rejects bad options with a ConfigError", async () => {
    const peer = createPeer();
    const err = await rejectionOf(
      peer.session.publish("com.example.news", [], {}, { exclude: 5 as unknown as number[] }),
    );
    expect(err.code).toBe("CONFIG_INVALID");
    expect(peer.sent).toEqual([]);
  });
});
