/**
 * parseMessage type-checks the known Options/Details attributes of every message kind (the table
 * in messageAttributes.ts); unknown and custom attributes pass unchecked.
 */
import { describe, expect, it } from "vitest";
import {
  ABORT_DETAILS,
  type AttributeTable,
  CALL_OPTIONS,
  CANCEL_OPTIONS,
  ERROR_DETAILS,
  EVENT_DETAILS,
  GOODBYE_DETAILS,
  HELLO_DETAILS,
  INTERRUPT_OPTIONS,
  INVOCATION_DETAILS,
  PUBLISH_OPTIONS,
  REGISTER_OPTIONS,
  RESULT_DETAILS,
  SUBSCRIBE_OPTIONS,
  WELCOME_DETAILS,
  YIELD_OPTIONS,
} from "../../src/codecs/messages/attributes.js";
import { parseMessage } from "../../src/codecs/messages/index.js";
import { ProtocolError } from "../../src/errors.js";
import { type AttributeContainer, CONTAINER_OF, CONTAINERS, INVALID, VALID } from "./messageAttributes.js";

const IMPLEMENTATION: Record<string, AttributeTable> = {
  HELLO: HELLO_DETAILS,
  WELCOME: WELCOME_DETAILS,
  ABORT: ABORT_DETAILS,
  GOODBYE: GOODBYE_DETAILS,
  ERROR: ERROR_DETAILS,
  PUBLISH: PUBLISH_OPTIONS,
  SUBSCRIBE: SUBSCRIBE_OPTIONS,
  EVENT: EVENT_DETAILS,
  CALL: CALL_OPTIONS,
  CANCEL: CANCEL_OPTIONS,
  RESULT: RESULT_DETAILS,
  REGISTER: REGISTER_OPTIONS,
  INVOCATION: INVOCATION_DETAILS,
  INTERRUPT: INTERRUPT_OPTIONS,
  YIELD: YIELD_OPTIONS,
};

/** `container.base` with `attributes` merged into its Options/Details dict. */
function withAttributes(container: AttributeContainer, attributes: Record<string, unknown>): unknown[] {
  const m = [...container.base];
  m[container.index] = { ...(m[container.index] as object), ...attributes };
  return m;
}

function rejection(raw: unknown[]): ProtocolError {
  try {
    parseMessage(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return err as ProtocolError;
  }
  throw new Error(`parseMessage accepted ${JSON.stringify(raw)}`);
}

function expectBadField(raw: unknown[], messageType: string, field: string): ProtocolError {
  const err = rejection(raw);
  expect({ code: err.code, messageType: err.messageType, field: err.field }).toEqual({
    code: "MESSAGE_BAD_FIELD",
    messageType,
    field,
  });
  return err;
}

const display = (v: unknown) =>
  v instanceof Uint8Array ? "binary" : v instanceof Map ? "Map" : (JSON.stringify(v) ?? String(v));

describe.each(CONTAINERS.map((c) => [c.name, c] as const))("%s attributes", (_name, container) => {
  const entries = Object.entries(container.attributes);

  it.each(entries)("%s accepts valid values (%s)", (key, type) => {
    for (const value of VALID[type]) {
      const m = withAttributes(container, { [key]: value });
      expect(parseMessage(m), `${key} = ${display(value)}`).toBe(m);
    }
  });

  it.each(entries)("%s rejects invalid values (%s), naming the field", (key, type) => {
    for (const value of INVALID[type]) {
      const err = expectBadField(
        withAttributes(container, { [key]: value }),
        container.name,
        `${container.prefix}.${key}`,
      );
      expect(err.message).toContain(`${container.prefix}.${key}`);
    }
  });

  it("matches the implementation's table (match is checked with the URI)", () => {
    const table = IMPLEMENTATION[container.name];
    expect(table).toBeDefined();
    const keys = Object.keys(container.attributes).filter((k) => k !== "match");
    expect(Object.keys(table).sort()).toEqual(keys.sort());
  });

  it("accepts every known attribute at once, with unknown and custom ones", () => {
    const all: Record<string, unknown> = { _custom: 1, x_custom: { any: "thing" }, unknown_key: null };
    for (const [key, type] of entries) all[key] = VALID[type][VALID[type].length - 1];
    const m = withAttributes(container, all);
    expect(parseMessage(m)).toBe(m);
  });

  it("treats a known key holding undefined as absent", () => {
    for (const [key] of entries) {
      if (container.required?.includes(key)) continue;
      const m = withAttributes(container, { [key]: undefined });
      expect(parseMessage(m)).toBe(m);
    }
  });
});

describe("Options/Details attribute rules", () => {
  it("leaves unknown and custom (_xxx, x_xxx) attributes unchecked", () => {
    for (const value of [null, 1, "s", [], {}, new Uint8Array(1), true]) {
      const options = { _xwamp: value, x_foo: value, somethingelse: value, Acknowledge: value };
      expect(parseMessage([16, 1, options, "com.myapp.topic"])).toBeDefined();
      expect(parseMessage([36, 1, 2, options])).toBeDefined();
    }
  });

  it("treats special JavaScript keys decoded from the wire as ordinary unknown keys", () => {
    const m = JSON.parse('[48, 1, {"__proto__": 1, "constructor": "c", "toString": 2, "timeout": 5}, "a.b"]');
    expect(parseMessage(m)).toBe(m);
    const bad = JSON.parse('[48, 1, {"__proto__": {"timeout": 1}, "timeout": "5"}, "a.b"]');
    expectBadField(bad, "CALL", "options.timeout");
  });

  it("checks attributes of null-prototype dicts", () => {
    const options = Object.assign(Object.create(null), { acknowledge: "yes" });
    expectBadField([16, 1, options, "com.myapp.topic"], "PUBLISH", "options.acknowledge");
    const good = Object.assign(Object.create(null), { acknowledge: true });
    expect(parseMessage([16, 1, good, "com.myapp.topic"])).toBeDefined();
  });

  it("names the first bad attribute in key order", () => {
    expectBadField([16, 1, { retain: 1, acknowledge: 1 }, "a.b"], "PUBLISH", "options.retain");
    expectBadField([16, 1, { acknowledge: 1, retain: 1 }, "a.b"], "PUBLISH", "options.acknowledge");
  });

  it("checks attributes before the URI that follows them", () => {
    expectBadField([48, 1, { timeout: -1 }, "not a uri"], "CALL", "options.timeout");
    expectBadField([64, 1, { invoke: "all" }, "a..b"], "REGISTER", "options.invoke");
  });

  it("checks an attribute per message kind: the same key may differ between kinds", () => {
    // `mode`: CANCEL allows skip, INTERRUPT does not (a skip cancel never interrupts the callee).
    expect(parseMessage([49, 1, { mode: "skip" }])).toBeDefined();
    expectBadField([69, 1, { mode: "skip" }], "INTERRUPT", "options.mode");
    // `topic` is an EVENT detail, unknown (unchecked) in PUBLISH options.
    expect(parseMessage([16, 1, { topic: 1 }, "a.b"])).toBeDefined();
    expectBadField([36, 1, 2, { topic: 1 }], "EVENT", "details.topic");
    // `progress` is a YIELD option and a RESULT detail, unknown in EVENT.
    expect(parseMessage([36, 1, 2, { progress: "x" }])).toBeDefined();
  });

  it("checks enc_* types whatever the payload form (args or a transparent payload)", () => {
    const payload = new Uint8Array([0xa1, 0x66]);
    expect(parseMessage([16, 1, { enc_algo: "cryptobox" }, "a.b", payload])).toBeDefined();
    expect(
      parseMessage([16, 1, { enc_algo: "cryptobox", enc_serializer: "cbor" }, "a.b", ["x"]]),
    ).toBeDefined();
    expectBadField([16, 1, { enc_algo: "invalid" }, "a.b", payload], "PUBLISH", "options.enc_algo");
    expectBadField([16, 1, { enc_algo: "invalid" }, "a.b", ["x"]], "PUBLISH", "options.enc_algo");
    expectBadField([50, 1, { enc_serializer: "yaml" }, payload], "RESULT", "details.enc_serializer");
  });

  it("accepts custom enc_algo / enc_serializer identifiers as Autobahn|Python does (x_ + [a-z][0-9a-z_]+)", () => {
    for (const id of ["x_", "x_ab", "x_my_algo_2"]) {
      expect(parseMessage([36, 1, 2, { enc_algo: id, enc_serializer: id }, new Uint8Array(1)])).toBeDefined();
    }
    for (const id of ["x_a", "x_1a", "x_Ab", "x_a-b", "y_ab", "x"]) {
      expectBadField([36, 1, 2, { enc_algo: id }, new Uint8Array(1)], "EVENT", "details.enc_algo");
    }
  });

  it("checks forward_for hop by hop", () => {
    const hop = { session: 1, authid: "r1", authrole: "router" };
    expect(parseMessage([32, 1, { forward_for: [hop, { ...hop, session: 2 ** 53 }] }, "a.b"])).toBeDefined();
    for (const bad of [
      { ...hop, authrole: 7 },
      { ...hop, session: 0 },
      { authid: "r1", authrole: "router" },
    ]) {
      expectBadField([32, 1, { forward_for: [hop, bad] }, "a.b"], "SUBSCRIBE", "options.forward_for");
    }
  });

  it("still requires HELLO/WELCOME Details.roles", () => {
    expectBadField([1, "realm1", { agent: "x" }], "HELLO", "details.roles");
    expectBadField([1, "realm1", { roles: undefined }], "HELLO", "details.roles");
    expectBadField([2, 1, { authid: "a" }], "WELCOME", "details.roles");
  });

  it("leaves CHALLENGE and AUTHENTICATE Extra contents unchecked", () => {
    expect(
      parseMessage([4, "wampcra", { challenge: 1, salt: null, keylen: "32", iterations: [] }]),
    ).toBeDefined();
    expect(parseMessage([5, "sig", { nonce: 1, channel_binding: null }])).toBeDefined();
  });

  it("has a container for every message kind that carries Options/Details (UNSUBSCRIBED/UNREGISTERED aside)", () => {
    expect(Object.keys(CONTAINER_OF).sort()).toEqual(
      [
        "ABORT",
        "CALL",
        "CANCEL",
        "ERROR",
        "EVENT",
        "GOODBYE",
        "HELLO",
        "INTERRUPT",
        "INVOCATION",
        "PUBLISH",
        "REGISTER",
        "RESULT",
        "SUBSCRIBE",
        "WELCOME",
        "YIELD",
      ].sort(),
    );
  });
});
