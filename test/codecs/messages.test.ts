import { describe, expect, it } from "vitest";
import {
  AUTOBAHN_EVENT_RECEIVED,
  isDict,
  isId,
  isUri,
  MAX_ID,
  MessageType,
  messageName,
  parseMessage,
  type WampMessage,
} from "../../src/codecs/messages/index.js";
import { ProtocolError } from "../../src/errors.js";
import { KINDS, type MessageKind, WRONG } from "./messageKinds.js";

/** Runs `parseMessage` and returns the ProtocolError it throws (failing the test otherwise). */
function rejection(raw: unknown, options?: { strictUris?: boolean }): ProtocolError {
  try {
    parseMessage(raw, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return err as ProtocolError;
  }
  throw new Error(`parseMessage accepted ${JSON.stringify(raw)}`);
}

function expectBadField(
  raw: unknown[],
  messageType: string,
  field: string,
  options?: { strictUris?: boolean },
) {
  const err = rejection(raw, options);
  expect({ code: err.code, messageType: err.messageType, field: err.field }).toEqual({
    code: "MESSAGE_BAD_FIELD",
    messageType,
    field,
  });
}

function withAt(m: readonly unknown[], index: number, value: unknown): unknown[] {
  const copy = [...m];
  copy[index] = value;
  return copy;
}

/** The minimal message grown to its full length with args and kwargs (if it carries a payload). */
function full(kind: MessageKind): unknown[] {
  const m = [...kind.minimal];
  if (kind.argsAt !== undefined) m.push([1, "two", { three: [3] }], { four: 4 });
  return m;
}

describe("MessageType and messageName", () => {
  it("maps every code to its name and back", () => {
    for (const kind of KINDS) {
      expect(MessageType[kind.name as keyof typeof MessageType]).toBe(kind.code);
      expect(messageName(kind.code)).toBe(kind.name);
    }
    expect(Object.keys(MessageType)).toHaveLength(KINDS.length);
    expect(messageName(AUTOBAHN_EVENT_RECEIVED)).toBe("EVENT_RECEIVED");
    for (const code of [0, 7, 9, 71, 255, 1.5, -1, Number.NaN]) expect(messageName(code)).toBeUndefined();
  });
});

// Kinds without Arguments/ArgumentsKw positions simply have no args tests (registered, not skipped).
const noTest = (() => {}) as unknown as typeof it;

describe.each(KINDS.map((kind) => [kind.name, kind] as const))("%s", (_name, kind) => {
  const itWithArgs = kind.argsAt !== undefined ? it : noTest;
  it("accepts the minimal message and returns the same array", () => {
    const m = [...kind.minimal];
    expect(parseMessage(m)).toBe(m);
  });

  itWithArgs("accepts args, args + kwargs, and empty args/kwargs", () => {
    const at = kind.argsAt!;
    const m = full(kind);
    expect(parseMessage(m)).toBe(m);
    expect(parseMessage(m.slice(0, at + 1))).toEqual(m.slice(0, at + 1));
    expect(parseMessage([...kind.minimal, [], {}])).toEqual([...kind.minimal, [], {}]);
    expect(parseMessage([...kind.minimal, [new Uint8Array([1, 2]), "ü 🎉", 2 ** 53]])).toBeDefined();
  });

  itWithArgs("checks the types of args and kwargs", () => {
    const at = kind.argsAt!;
    for (const bad of [{}, "x", 1, true]) {
      expectBadField([...kind.minimal, bad], kind.name, "args");
      expectBadField([...kind.minimal, bad, {}], kind.name, "args");
    }
    for (const bad of [[], "x", 1, new Uint8Array(1), new Map()]) {
      expectBadField([...kind.minimal, [], bad], kind.name, "kwargs");
    }
    // ArgumentsKw requires Arguments: a kwargs dict in the Arguments position is not a list.
    expectBadField([...kind.minimal, { a: 1 }], kind.name, "args");
    // A binary payload is only accepted alone, never followed by ArgumentsKw.
    expectBadField([...kind.minimal, new Uint8Array([1]), {}], kind.name, "args");
    const payload = [...kind.minimal, new Uint8Array([1, 2, 3])];
    if (kind.binaryPayload) expect(parseMessage(payload)).toBe(payload);
    else expectBadField(payload, kind.name, "args");
    expect(at).toBe(kind.minimal.length);
  });

  itWithArgs("reads null args / kwargs as none (fox-wamp sends them; Autobahn accepts them)", () => {
    const at = kind.argsAt!;
    const withNulls = [...kind.minimal, null, null];
    const parsed = parseMessage(withNulls);
    expect(parsed[at]).toEqual([]);
    expect(parsed[at + 1]).toEqual({});
    const argsOnly = parseMessage([...kind.minimal, null]);
    expect(argsOnly[at]).toEqual([]);
  });

  it("rejects a wrong type in every field with that field's name", () => {
    for (const { index, field, kind: fieldKind } of kind.fields) {
      for (const bad of WRONG[fieldKind]) {
        expectBadField(withAt(full(kind), index, bad), kind.name, field);
      }
    }
  });

  it("rejects too few and too many elements", () => {
    for (let length = 1; length < kind.minLength; length++) {
      const err = rejection(kind.minimal.slice(0, length));
      expect([err.code, err.messageType, err.field]).toEqual(["MESSAGE_BAD_ARITY", kind.name, undefined]);
    }
    const tooLong = [...kind.minimal];
    while (tooLong.length <= kind.maxLength) tooLong.push(tooLong.length === kind.argsAt ? [] : {});
    const err = rejection(tooLong);
    expect([err.code, err.messageType]).toEqual(["MESSAGE_BAD_ARITY", kind.name]);
  });

  it("accepts ids at both ends of [1, 2^53] and rejects 0, -1, 1.5, 2^53 + 2, NaN and strings", () => {
    for (const { index, field, kind: fieldKind } of kind.fields) {
      if (fieldKind !== "id") continue;
      for (const good of [1, 2 ** 53]) expect(parseMessage(withAt(kind.minimal, index, good))).toBeDefined();
      for (const bad of [0, -1, 1.5, 2 ** 53 + 2, Number.NaN, "5"]) {
        expectBadField(withAt(kind.minimal, index, bad), kind.name, field);
      }
    }
  });
});

describe("parseMessage: the envelope", () => {
  it("rejects values that are not lists", () => {
    for (const raw of [null, undefined, 48, "[48]", {}, new Uint8Array([48]), new Map()]) {
      expect(rejection(raw).code).toBe("MESSAGE_NOT_A_LIST");
    }
  });

  it("rejects the empty list", () => {
    expect(rejection([]).code).toBe("MESSAGE_EMPTY");
  });

  it("rejects unknown or non-integer type codes", () => {
    for (const code of [
      0,
      7,
      9,
      15,
      71,
      255,
      256,
      336,
      338,
      1024,
      -1,
      48.5,
      Number.NaN,
      "48",
      null,
      [48],
      2 ** 32 + 48,
    ]) {
      const err = rejection([code, 1, {}, "a.b"]);
      expect([err.code, err.field]).toEqual(["MESSAGE_UNKNOWN_TYPE", "type"]);
    }
  });

  it("checks the data-plane kinds field by field, with empty and non-empty Options/Details", () => {
    // CALL, RESULT, EVENT, INVOCATION, YIELD and PUBLISH: arity, ids, dict type, attributes with
    // empty and non-empty dicts, URIs and the Arguments/ArgumentsKw tail.
    // message, kind, where its dict is, the dict's name, a known bool attribute of it, the first id
    const hot: [unknown[], string, number, string, string, string][] = [
      [[48, 1, {}, "com.a", [1], { k: 1 }], "CALL", 2, "options", "receive_progress", "request"],
      [[50, 1, {}, [1], { k: 1 }], "RESULT", 2, "details", "progress", "request"],
      [[36, 1, 2, {}, [1], { k: 1 }], "EVENT", 3, "details", "retained", "subscription"],
      [[68, 1, 2, {}, [1], { k: 1 }], "INVOCATION", 3, "details", "receive_progress", "request"],
      [[70, 1, {}, [1], { k: 1 }], "YIELD", 2, "options", "progress", "request"],
      [[16, 1, {}, "com.a", [1], { k: 1 }], "PUBLISH", 2, "options", "acknowledge", "request"],
    ];
    for (const [message, name, dictAt, dictName, flag, firstId] of hot) {
      expect(parseMessage(message)).toBe(message);
      // a known attribute with the wrong type, alone or after unknown/custom ones; empty and
      // well-typed dicts pass
      expectBadField(withAt(message, dictAt, { [flag]: "yes" }), name, `${dictName}.${flag}`);
      expectBadField(
        withAt(message, dictAt, { x_custom: 1, _other: [], [flag]: 1 }),
        name,
        `${dictName}.${flag}`,
      );
      expect(parseMessage(withAt(message, dictAt, { x_custom: 1, [flag]: undefined }))).toBeDefined();
      expect(parseMessage(withAt(message, dictAt, { [flag]: true }))).toBeDefined();
      expect(parseMessage(withAt(message, dictAt, {}))).toBeDefined();
      // not a dict at all
      for (const bad of [null, [], new Map(), new Uint8Array(1), Object.create({})]) {
        expectBadField(withAt(message, dictAt, bad), name, dictName);
      }
      // the first id, the tail and the arity
      expectBadField(withAt(message, 1, 0), name, firstId);
      expectBadField(withAt(message, message.length - 1, []), name, "kwargs");
      expect(rejection(message.slice(0, dictAt)).code).toBe("MESSAGE_BAD_ARITY");
      expect(rejection([...message, {}]).code).toBe("MESSAGE_BAD_ARITY");
    }
    expectBadField([48, 1, {}, "com..a"], "CALL", "procedure");
    expectBadField([16, 1, {}, "com.a b"], "PUBLISH", "topic");
    expectBadField([48, 1, {}, "com.A"], "CALL", "procedure", { strictUris: true });
    expectBadField([16, 1, {}, "com.A"], "PUBLISH", "topic", { strictUris: true });
    // a type code that equals a data-plane code only loosely is no type code
    for (const code of ["48", 48.000001, [48], new Number(48)]) {
      expect(rejection([code, 1, {}, "com.a"]).code).toBe("MESSAGE_UNKNOWN_TYPE");
    }
  });

  it("names the message and the field in the error text", () => {
    const err = rejection([48, "7", {}, "com.myapp.add2"]);
    expect(err.message).toContain("CALL");
    expect(err.message).toContain("request");
  });
});

describe("URIs", () => {
  it("loose by default: no empty components, no whitespace, no '#'", () => {
    for (const good of [
      "com.myapp.topic1",
      "a",
      "Com.MyApp.Ünïcode-é.1",
      "wamp.error.not_authorized",
      "a:b/c",
    ]) {
      expect(isUri(good)).toBe(true);
      expect(parseMessage([48, 1, {}, good])).toBeDefined();
    }
    const bad = [
      "",
      ".",
      "a.",
      ".a",
      "a..b",
      "a b",
      "a#b",
      "a\nb",
      "a\u00a0b",
      "a\u2003b",
      "a\u3000b",
      "a\ufeffb",
      "a\u001fb",
    ];
    for (const uri of bad) {
      expect(isUri(uri)).toBe(false);
      expectBadField([48, 1, {}, uri], "CALL", "procedure");
    }
  });

  it("strict on request: components match [0-9a-z_]+", () => {
    for (const good of ["com.myapp.topic_1", "a", "0.1"]) {
      expect(isUri(good, { strict: true })).toBe(true);
      expect(parseMessage([16, 1, {}, good], { strictUris: true })).toBeDefined();
    }
    for (const uri of ["com.MyApp.topic", "com.my-app.topic", "com.myapp.tö", "a..b", "a.", "com.my app"]) {
      expect(isUri(uri, { strict: true })).toBe(false);
      expectBadField([16, 1, {}, uri], "PUBLISH", "topic", { strictUris: true });
    }
  });

  it("checks every URI field: realm, reasons, error, topic, procedure", () => {
    expectBadField([1, "realm one", { roles: {} }], "HELLO", "realm");
    expectBadField([3, {}, "bad reason"], "ABORT", "reason");
    expectBadField([6, {}, "wamp..close"], "GOODBYE", "reason");
    expectBadField([8, 48, 1, {}, "com.#error"], "ERROR", "error");
  });

  it("allows empty components only for SUBSCRIBE/REGISTER with match prefix (last) or wildcard (any)", () => {
    for (const [code, name, field] of [
      [32, "SUBSCRIBE", "topic"],
      [64, "REGISTER", "procedure"],
    ] as const) {
      for (const uri of ["com..update", "..", "a.", "", ".a"]) {
        expect(parseMessage([code, 1, { match: "wildcard" }, uri])).toBeDefined();
        expectBadField([code, 1, {}, uri], name, field);
        expectBadField([code, 1, { match: "exact" }, uri], name, field);
      }
      for (const uri of ["com.myapp.", "com.myapp", ""]) {
        expect(parseMessage([code, 1, { match: "prefix" }, uri])).toBeDefined();
      }
      for (const uri of ["com..myapp", ".com", "com..", "a b."]) {
        expectBadField([code, 1, { match: "prefix" }, uri], name, field);
      }
      expect(
        parseMessage([code, 1, { match: "wildcard" }, "com..update"], { strictUris: true }),
      ).toBeDefined();
      expectBadField([code, 1, { match: "wildcard" }, "com..Update"], name, field, { strictUris: true });
      for (const match of ["invalid", 123, null, true]) {
        expectBadField([code, 1, { match }, "com.myapp"], name, "options.match");
      }
    }
    // Other messages never allow empty components, whatever their options say.
    expectBadField([16, 1, { match: "wildcard" }, "com..update"], "PUBLISH", "topic");
    expectBadField([48, 1, { match: "wildcard" }, "com..add"], "CALL", "procedure");
  });
});

describe("isId and isDict", () => {
  it("isId accepts integers in [1, 2^53] only", () => {
    expect(MAX_ID).toBe(2 ** 53);
    for (const good of [1, 2, 2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1, 2 ** 53]) expect(isId(good)).toBe(true);
    for (const bad of [0, -0, -1, 0.5, 1.5, 2 ** 53 + 2, 2 ** 64, Number.NaN, Infinity, "1", 1n, null]) {
      expect(isId(bad)).toBe(false);
    }
  });

  it("isDict accepts plain and null-prototype objects only", () => {
    expect(isDict({})).toBe(true);
    expect(isDict(Object.create(null))).toBe(true);
    // an own "__proto__" key (as JSON.parse makes it) shadows the accessor: still a plain dict
    expect(isDict(JSON.parse('{"__proto__": 1}'))).toBe(true);
    expect(isDict(JSON.parse('{"__proto__": {}}'))).toBe(true);
    const nullWithKey = Object.defineProperty(Object.create(null), "__proto__", {
      value: 1,
      enumerable: true,
    });
    expect(isDict(nullWithKey)).toBe(true);
    class Point {
      x = 1;
    }
    for (const bad of [
      Object.create({}),
      Object.create(Object.create(null)),
      new Point(),
      Object.setPrototypeOf({ a: 1 }, Array.prototype),
      Object.setPrototypeOf(JSON.parse('{"__proto__": 1}'), Map.prototype),
      null,
      [],
      new Uint8Array(0),
      Buffer.alloc(0),
      new Map(),
      new Set(),
      new Date(),
      "x",
      1,
    ]) {
      expect(isDict(bad)).toBe(false);
    }
  });
});

describe("message-specific rules", () => {
  it("HELLO and WELCOME require Details.roles to be a dict", () => {
    expectBadField([1, "realm1", {}], "HELLO", "details.roles");
    expectBadField([1, "realm1", { roles: [] }], "HELLO", "details.roles");
    expectBadField([2, 1, { roles: "broker" }], "WELCOME", "details.roles");
    expect(parseMessage([2, 1, { roles: { broker: {}, dealer: {} }, authid: "x" }])).toBeDefined();
  });

  it("ERROR answers only PUBLISH, SUBSCRIBE, UNSUBSCRIBE, CALL, REGISTER, UNREGISTER and INVOCATION", () => {
    for (const t of [16, 32, 34, 48, 64, 66, 68])
      expect(parseMessage([8, t, 1, {}, "wamp.error.x"])).toBeDefined();
    for (const t of [1, 8, 17, 33, 35, 36, 49, 50, 65, 67, 69, 70]) {
      expectBadField([8, t, 1, {}, "wamp.error.x"], "ERROR", "requestType");
    }
  });

  it("UNSUBSCRIBED / UNREGISTERED: request 0 only for a revocation with Details naming the id", () => {
    for (const [code, name, key] of [
      [35, "UNSUBSCRIBED", "subscription"],
      [67, "UNREGISTERED", "registration"],
    ] as const) {
      expect(parseMessage([code, 0, { [key]: 1293722, reason: "no longer authorized" }])).toBeDefined();
      expect(parseMessage([code, 0, { [key]: 1293722 }])).toBeDefined();
      expect(parseMessage([code, 5, {}])).toBeDefined();
      expectBadField([code, 0], name, "request");
      expectBadField([code, 0, {}], name, `details.${key}`);
      expectBadField([code, 0, { [key]: 0 }], name, `details.${key}`);
      expectBadField([code, 0, { [key]: "1" }], name, `details.${key}`);
      expectBadField([code, 5, { [key]: 1.5 }], name, `details.${key}`);
      expectBadField([code, 0, { [key]: 1, reason: 7 }], name, "details.reason");
      expectBadField([code, 0, []], name, "details");
      expectBadField([code, -1, { [key]: 1 }], name, "request");
    }
  });

  it("EVENT_RECEIVED is accepted under 37 and under Autobahn's 337", () => {
    expect(parseMessage([37, 5512315355])).toBeDefined();
    expect(parseMessage([AUTOBAHN_EVENT_RECEIVED, 5512315355])).toBeDefined();
    expectBadField([337, 0], "EVENT_RECEIVED", "publication");
    expect(rejection([337, 1, {}]).code).toBe("MESSAGE_BAD_ARITY");
  });

  it("CHALLENGE and AUTHENTICATE take any string, the empty one included", () => {
    expect(parseMessage([4, "", {}])).toBeDefined();
    expect(parseMessage([5, "", { nonce: "x" }])).toBeDefined();
  });

  it("accepts dicts with a null prototype and rejects class instances", () => {
    expect(parseMessage([48, 1, Object.create(null), "a.b"])).toBeDefined();
    expectBadField([48, 1, new (class Opts {})(), "a.b"], "CALL", "options");
  });

  it("narrows on the type code", () => {
    const m: WampMessage = parseMessage([48, 1, {}, "com.myapp.add2", [1, 2]]);
    if (m[0] === MessageType.CALL) {
      const procedure: string = m[3];
      expect(procedure).toBe("com.myapp.add2");
    } else {
      expect.unreachable();
    }
  });
});
