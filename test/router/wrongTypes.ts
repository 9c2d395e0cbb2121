/**
 * The wrong-type table for the bad-input suite: for every message kind a client may send, a way to
 * bring a session to where the message is valid, the valid message, how the router acknowledges
 * it, and one mutation per field × bad value (basic profile "Protocol Errors": each must end in
 * ABORT wamp.error.protocol_violation).
 */
import { expect } from "vitest";
import type { Msg, RawClient } from "./rawClient.js";

/** What a kind needs besides the violating session: a second, well-behaved session to call it. */
export interface KindEnv {
  /** A joined, well-behaved session (calls the violator's procedures). */
  helper: RawClient;
  /** Unique suffix for URIs. */
  unique: () => string;
  /** The helper's CALL request id, once `valid` made one. */
  call?: number;
}

type FieldType = "id" | "dict" | "uri" | "args" | "kwargs" | "string" | "requestType" | "roles";

export interface Kind {
  name: string;
  /** Sent after WELCOME (true) or instead of HELLO (false). */
  joined: boolean;
  /** Bring `c` to a state where the returned message is valid, and return it. */
  valid(c: RawClient, env: KindEnv): Promise<Msg>;
  /** Check the router's reaction to the valid message. */
  accepted(c: RawClient, env: KindEnv): Promise<void>;
  /** The type of each field after the message code, in wire order. */
  fields: FieldType[];
  /** Arity bounds (message code included). */
  min: number;
  max: number;
}

const BAD: Record<FieldType, Array<[string, unknown]>> = {
  id: [
    ['"x"', "x"],
    ["-1", -1],
    ["0", 0],
    ["1.5", 1.5],
    ["2^53+2", 2 ** 53 + 2],
    ["null", null],
  ],
  dict: [
    ["[]", []],
    ["null", null],
    ['"x"', "x"],
    ["42", 42],
  ],
  uri: [
    ["42", 42],
    ['"bad uri"', "bad uri"],
    ['"a..b"', "a..b"],
    ['""', ""],
    ["null", null],
  ],
  args: [
    ["{}", {}],
    ['"x"', "x"],
    ["42", 42],
  ],
  kwargs: [
    ["[]", []],
    ["42", 42],
    ['"x"', "x"],
  ],
  string: [
    ["42", 42],
    ["null", null],
    ["{}", {}],
  ],
  requestType: [
    ["99", 99],
    ['"68"', "68"],
    ["null", null],
  ],
  roles: [
    ["[]", []],
    ['"x"', "x"],
    ["null", null],
  ],
};

const expectMsg = async (c: RawClient, code: number, request?: number) => c.expect(code, request);

/** Register a procedure on `c`, have `env.helper` call it, and return the INVOCATION. */
async function invocationOn(c: RawClient, env: KindEnv): Promise<Msg> {
  const procedure = `test.bad.proc${env.unique()}`;
  const reg = c.request();
  c.send([64, reg, {}, procedure]);
  await expectMsg(c, 65, reg);
  const call = env.helper.request();
  env.call = call;
  env.helper.send([48, call, {}, procedure, ["payload"]]);
  return c.next((m) => m[0] === 68);
}

export const KINDS: Kind[] = [
  {
    name: "HELLO",
    joined: false,
    valid: async () => [1, "realm1", { roles: { caller: {}, subscriber: {} } }],
    accepted: async (c) => {
      expect((await c.next((m) => m[0] === 2 || m[0] === 3))[0]).toBe(2);
    },
    fields: ["uri", "roles"],
    min: 3,
    max: 3,
  },
  {
    // No authentication was offered (no CHALLENGE), so even a well-formed AUTHENTICATE is refused.
    name: "AUTHENTICATE",
    joined: false,
    valid: async () => [5, "signature", {}],
    accepted: async () => {},
    fields: ["string", "dict"],
    min: 3,
    max: 3,
  },
  {
    name: "GOODBYE",
    joined: true,
    valid: async () => [6, { message: "bye" }, "wamp.close.close_realm"],
    accepted: async (c) => {
      const bye = await c.next((m) => m[0] === 6 || m[0] === 3);
      expect(bye[0]).toBe(6);
      expect(bye[2]).toBe("wamp.close.goodbye_and_out");
    },
    fields: ["dict", "uri"],
    min: 3,
    max: 3,
  },
  {
    name: "ABORT",
    joined: true,
    valid: async () => [3, { message: "giving up" }, "wamp.close.normal", ["why"], { k: 1 }],
    accepted: async (c) => {
      await c.waitClosed();
      expect(c.received.filter((m) => m[0] === 3)).toEqual([]);
    },
    fields: ["dict", "uri", "args", "kwargs"],
    min: 3,
    max: 5,
  },
  {
    name: "ERROR",
    joined: true,
    valid: async (c, env) => {
      const inv = await invocationOn(c, env);
      return [8, 68, inv[1], {}, "test.error.failed", ["why"], { k: 1 }];
    },
    accepted: async (_c, env) => {
      const err = await env.helper.expect(8, env.call);
      expect(err[4]).toBe("test.error.failed");
    },
    fields: ["requestType", "id", "dict", "uri", "args", "kwargs"],
    min: 5,
    max: 7,
  },
  {
    name: "PUBLISH",
    joined: true,
    valid: async (c, env) => [
      16,
      c.request(),
      { acknowledge: true },
      `test.bad.topic${env.unique()}`,
      [1],
      { k: 1 },
    ],
    accepted: async (c) => {
      await expectMsg(c, 17);
    },
    fields: ["id", "dict", "uri", "args", "kwargs"],
    min: 4,
    max: 6,
  },
  {
    name: "SUBSCRIBE",
    joined: true,
    valid: async (c, env) => [32, c.request(), {}, `test.bad.topic${env.unique()}`],
    accepted: async (c) => {
      await expectMsg(c, 33);
    },
    fields: ["id", "dict", "uri"],
    min: 4,
    max: 4,
  },
  {
    name: "UNSUBSCRIBE",
    joined: true,
    valid: async (c, env) => {
      const sub = c.request();
      c.send([32, sub, {}, `test.bad.topic${env.unique()}`]);
      const subscribed = await expectMsg(c, 33, sub);
      return [34, c.request(), subscribed[2]];
    },
    accepted: async (c) => {
      await expectMsg(c, 35);
    },
    fields: ["id", "id"],
    min: 3,
    max: 3,
  },
  {
    name: "CALL",
    joined: true,
    valid: async (c, env) => [48, c.request(), {}, `test.bad.nobody${env.unique()}`, [1], { k: 1 }],
    accepted: async (c) => {
      expect((await expectMsg(c, 8))[4]).toBe("wamp.error.no_such_procedure");
    },
    fields: ["id", "dict", "uri", "args", "kwargs"],
    min: 4,
    max: 6,
  },
  {
    name: "CANCEL",
    joined: true,
    valid: async (c, env) => {
      // Call our own procedure, then cancel that call.
      const procedure = `test.bad.self${env.unique()}`;
      const reg = c.request();
      c.send([64, reg, {}, procedure]);
      await expectMsg(c, 65, reg);
      const call = c.request();
      c.send([48, call, {}, procedure, []]);
      await expectMsg(c, 68);
      return [49, call, { mode: "skip" }];
    },
    accepted: async (c) => {
      expect((await expectMsg(c, 8))[4]).toBe("wamp.error.canceled");
    },
    fields: ["id", "dict"],
    min: 3,
    max: 3,
  },
  {
    name: "REGISTER",
    joined: true,
    valid: async (c, env) => [64, c.request(), {}, `test.bad.reg${env.unique()}`],
    accepted: async (c) => {
      await expectMsg(c, 65);
    },
    fields: ["id", "dict", "uri"],
    min: 4,
    max: 4,
  },
  {
    name: "UNREGISTER",
    joined: true,
    valid: async (c, env) => {
      const reg = c.request();
      c.send([64, reg, {}, `test.bad.reg${env.unique()}`]);
      const registered = await expectMsg(c, 65, reg);
      return [66, c.request(), registered[2]];
    },
    accepted: async (c) => {
      await expectMsg(c, 67);
    },
    fields: ["id", "id"],
    min: 3,
    max: 3,
  },
  {
    name: "YIELD",
    joined: true,
    valid: async (c, env) => {
      const inv = await invocationOn(c, env);
      return [70, inv[1], {}, ["result"], { k: 1 }];
    },
    accepted: async (_c, env) => {
      const result = await env.helper.next(
        (m) => (m[0] === 50 || m[0] === 8) && m[m[0] === 8 ? 2 : 1] === env.call,
      );
      expect(result[0]).toBe(50);
      expect(result[3]).toEqual(["result"]);
    },
    fields: ["id", "dict", "args", "kwargs"],
    min: 3,
    max: 5,
  },
];

export interface Mutation {
  kind: Kind;
  label: string;
  mutate(valid: Msg): Msg;
}

/** Every field × bad value, plus too short and too long, for every kind. */
export function mutations(): Mutation[] {
  const out: Mutation[] = [];
  for (const kind of KINDS) {
    kind.fields.forEach((type, i) => {
      const at = i + 1;
      for (const [label, bad] of BAD[type]) {
        if (type === "roles") {
          out.push({
            kind,
            label: `details.roles = ${label}`,
            mutate: (m) => [m[0], m[1], { ...(m[2] as object), roles: bad }],
          });
        } else {
          out.push({
            kind,
            label: `field ${at} (${type}) = ${label}`,
            mutate: (m) => m.map((v, j) => (j === at ? bad : v)),
          });
        }
      }
    });
    if (kind.name === "HELLO") {
      out.push({ kind, label: "details = []", mutate: (m) => [m[0], m[1], []] });
      out.push({ kind, label: "details.roles missing", mutate: (m) => [m[0], m[1], {}] });
      out.push({ kind, label: "details.roles = {} (no role)", mutate: (m) => [m[0], m[1], { roles: {} }] });
    }
    if (kind.name === "SUBSCRIBE" || kind.name === "REGISTER") {
      out.push({
        kind,
        label: 'options.match = "bogus"',
        mutate: (m) => [m[0], m[1], { match: "bogus" }, m[3]],
      });
      out.push({ kind, label: "options.match = 42", mutate: (m) => [m[0], m[1], { match: 42 }, m[3]] });
    }
    out.push({ kind, label: "too short", mutate: (m) => m.slice(0, kind.min - 1) });
    out.push({
      kind,
      label: "too long",
      mutate: (m) => {
        const longer = [...m];
        while (longer.length <= kind.max) longer.push({});
        return longer;
      },
    });
  }
  return out;
}
