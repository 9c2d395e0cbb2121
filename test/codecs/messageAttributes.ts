/**
 * The known Options/Details attributes of every message kind and their types, written for the
 * tests straight from the spec (basic + advanced profile) and Autobahn|Python's `message.py`, with
 * valid and invalid sample values and a reference predicate per type (regexes, not the char loops
 * of the implementation). Pure data: the arbitraries and the tests derive what they need from it.
 */

export type AttributeType =
  | "bool"
  | "string"
  | "id"
  | "uri"
  | "dict"
  | "nonNegativeInt"
  | "positiveInt"
  | "idList"
  | "stringList"
  | "forwardFor"
  | "encAlgo"
  | "encSerializer"
  | "match"
  | "invoke"
  | "cancelMode"
  | "interruptMode";

export interface AttributeContainer {
  /** Message name, e.g. `"PUBLISH"`. */
  readonly name: string;
  /** Index of the Options/Details dict in the message. */
  readonly index: number;
  /** `"options"` or `"details"`: the prefix of the error field. */
  readonly prefix: "options" | "details";
  /** A valid message with an empty (or minimal) dict at `index`. */
  readonly base: readonly unknown[];
  /** Known attributes and their types. */
  readonly attributes: Readonly<Record<string, AttributeType>>;
  /** Attributes that must be present (`roles` in HELLO and WELCOME). */
  readonly required?: readonly string[];
}

const PASSTHRU: Record<string, AttributeType> = {
  enc_algo: "encAlgo",
  enc_serializer: "encSerializer",
  enc_key: "string",
  ppt_scheme: "string",
  ppt_serializer: "string",
  ppt_cipher: "string",
  ppt_keyid: "string",
};
const CALLEE: Record<string, AttributeType> = {
  callee: "id",
  callee_authid: "string",
  callee_authrole: "string",
};
const CALLER: Record<string, AttributeType> = {
  caller: "id",
  caller_authid: "string",
  caller_authrole: "string",
};

export const CONTAINERS: readonly AttributeContainer[] = [
  {
    name: "HELLO",
    index: 2,
    prefix: "details",
    base: [1, "realm1", { roles: { caller: {} } }],
    required: ["roles"],
    attributes: {
      roles: "dict",
      agent: "string",
      authmethods: "stringList",
      authid: "string",
      authrole: "string",
      authextra: "dict",
      resumable: "bool",
      "resume-session": "id",
      "resume-token": "string",
    },
  },
  {
    name: "WELCOME",
    index: 2,
    prefix: "details",
    base: [2, 9129137332, { roles: { broker: {} } }],
    required: ["roles"],
    attributes: {
      roles: "dict",
      agent: "string",
      realm: "uri",
      authid: "string",
      authrole: "string",
      authmethod: "string",
      authprovider: "string",
      authextra: "dict",
      resumed: "bool",
      resumable: "bool",
      resume_token: "string",
    },
  },
  {
    name: "ABORT",
    index: 1,
    prefix: "details",
    base: [3, {}, "wamp.error.no_such_realm"],
    attributes: { message: "string" },
  },
  {
    name: "GOODBYE",
    index: 1,
    prefix: "details",
    base: [6, {}, "wamp.close.normal"],
    attributes: { message: "string", resumable: "bool" },
  },
  {
    name: "ERROR",
    index: 3,
    prefix: "details",
    base: [8, 48, 7814135, {}, "wamp.error.no_such_procedure"],
    attributes: { ...CALLEE, forward_for: "forwardFor", ...PASSTHRU },
  },
  {
    name: "PUBLISH",
    index: 2,
    prefix: "options",
    base: [16, 239714735, {}, "com.myapp.topic1"],
    attributes: {
      acknowledge: "bool",
      exclude_me: "bool",
      exclude: "idList",
      exclude_authid: "stringList",
      exclude_authrole: "stringList",
      eligible: "idList",
      eligible_authid: "stringList",
      eligible_authrole: "stringList",
      retain: "bool",
      disclose_me: "bool",
      transaction_hash: "string",
      rkey: "string",
      forward_for: "forwardFor",
      ...PASSTHRU,
    },
  },
  {
    name: "SUBSCRIBE",
    index: 2,
    prefix: "options",
    base: [32, 713845233, {}, "com.myapp.topic1"],
    attributes: { match: "match", get_retained: "bool", nkey: "string", forward_for: "forwardFor" },
  },
  {
    name: "EVENT",
    index: 3,
    prefix: "details",
    base: [36, 5512315355, 4429313566, {}],
    attributes: {
      publisher: "id",
      publisher_authid: "string",
      publisher_authrole: "string",
      topic: "uri",
      retained: "bool",
      trustlevel: "nonNegativeInt",
      transaction_hash: "string",
      x_acknowledged_delivery: "bool",
      forward_for: "forwardFor",
      ...PASSTHRU,
    },
  },
  {
    name: "CALL",
    index: 2,
    prefix: "options",
    base: [48, 7814135, {}, "com.myapp.add2"],
    attributes: {
      timeout: "nonNegativeInt",
      receive_progress: "bool",
      progress: "bool",
      disclose_me: "bool",
      runmode: "string",
      rkey: "string",
      transaction_hash: "string",
      ...CALLER,
      forward_for: "forwardFor",
      ...PASSTHRU,
    },
  },
  {
    name: "CANCEL",
    index: 2,
    prefix: "options",
    base: [49, 7814135, {}],
    attributes: { mode: "cancelMode", forward_for: "forwardFor" },
  },
  {
    name: "RESULT",
    index: 2,
    prefix: "details",
    base: [50, 7814135, {}],
    attributes: { progress: "bool", ...CALLEE, forward_for: "forwardFor", ...PASSTHRU },
  },
  {
    name: "REGISTER",
    index: 2,
    prefix: "options",
    base: [64, 25349185, {}, "com.myapp.add2"],
    attributes: {
      match: "match",
      invoke: "invoke",
      concurrency: "positiveInt",
      disclose_caller: "bool",
      force_reregister: "bool",
      forward_timeout: "bool",
      forward_for: "forwardFor",
    },
  },
  {
    name: "INVOCATION",
    index: 3,
    prefix: "details",
    base: [68, 6131533, 9823526, {}],
    attributes: {
      ...CALLER,
      procedure: "uri",
      receive_progress: "bool",
      progress: "bool",
      timeout: "nonNegativeInt",
      trustlevel: "nonNegativeInt",
      transaction_hash: "string",
      forward_for: "forwardFor",
      ...PASSTHRU,
    },
  },
  {
    name: "INTERRUPT",
    index: 2,
    prefix: "options",
    base: [69, 6131533, {}],
    attributes: { mode: "interruptMode", reason: "uri", forward_for: "forwardFor" },
  },
  {
    name: "YIELD",
    index: 2,
    prefix: "options",
    base: [70, 6131533, {}],
    attributes: { progress: "bool", ...CALLEE, forward_for: "forwardFor", ...PASSTHRU },
  },
];

/** The containers by message name. */
export const CONTAINER_OF: Readonly<Record<string, AttributeContainer>> = Object.fromEntries(
  CONTAINERS.map((c) => [c.name, c]),
);

/** Every attribute name known for at least one message kind. */
export const KNOWN_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(
  CONTAINERS.flatMap((c) => Object.keys(c.attributes)),
);

const MAX_ID = 2 ** 53;
const HOP = { session: 2468013579, authid: "router1", authrole: "router" };

/** The enumerated values of each enum type. */
export const ENUMS = {
  match: ["exact", "prefix", "wildcard"],
  invoke: ["single", "roundrobin", "random", "first", "last"],
  cancelMode: ["skip", "kill", "killnowait"],
  interruptMode: ["kill", "killnowait"],
  encAlgo: ["cryptobox", "mqtt", "xbr", "null", "x_", "x_my_algo2"],
  encSerializer: ["json", "msgpack", "cbor", "ubjson", "flatbuffers", "opaque", "null", "x_custom"],
} as const;

/** Valid values per type (each must be accepted). */
export const VALID: Readonly<Record<AttributeType, readonly unknown[]>> = {
  bool: [true, false],
  string: ["", "alice", "ü 🎉"],
  id: [1, 2 ** 31, MAX_ID],
  uri: ["com.example.topic", "a", "Com.My-App.ü"],
  dict: [{}, { a: [1] }, Object.create(null)],
  nonNegativeInt: [0, 1, 1000, Number.MAX_SAFE_INTEGER],
  positiveInt: [1, 4, Number.MAX_SAFE_INTEGER],
  idList: [[], [123, 456, 789], [1, MAX_ID]],
  stringList: [[], ["alice", "bob"], [""]],
  forwardFor: [[], [HOP], [HOP, { ...HOP, session: 1, extra: true }]],
  encAlgo: ENUMS.encAlgo,
  encSerializer: ENUMS.encSerializer,
  match: ENUMS.match,
  invoke: ENUMS.invoke,
  cancelMode: ENUMS.cancelMode,
  interruptMode: ENUMS.interruptMode,
};

const NOT_A_STRING = [1, null, true, [], {}, new Uint8Array(1)];

/** Invalid values per type (each must be rejected). */
export const INVALID: Readonly<Record<AttributeType, readonly unknown[]>> = {
  bool: ["hello", 1, 0, "true", null, [], {}],
  string: [123, ...NOT_A_STRING],
  id: ["hello", 0, -1, 1.5, MAX_ID + 2, Number.NaN, "1", null, true, []],
  uri: [123, null, true, "", "a..b", ".a", "a.", "a b", "a#b", [], {}],
  dict: ["hello", null, [], 1, true, new Map(), new Uint8Array(1)],
  nonNegativeInt: ["hello", -1, 1.5, "10", null, true, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, []],
  positiveInt: ["hello", 0, -1, 1.5, "4", null, Number.POSITIVE_INFINITY],
  idList: ["hello", ["hello"], [0], ["1"], [1, "2"], [1.5], {}, null, 5, [null]],
  stringList: ["hello", [123], ["a", 2], [null], [["a"]], {}, null, "manager"],
  forwardFor: [
    "hello",
    {},
    null,
    [1],
    ["router1"],
    [{}],
    [{ ...HOP, session: 0 }],
    [{ ...HOP, session: "1" }],
    [{ ...HOP, authid: 1 }],
    [{ ...HOP, authrole: null }],
    [{ session: 1, authid: "a" }],
    [HOP, []],
  ],
  encAlgo: ["invalid", "", "x_a", "x_A1", "X_abc", "x-abc", "x_1a", "Cryptobox", 1, null, true],
  encSerializer: ["invalid", "", "JSON", "native", "x_a", 1, null, []],
  match: ["invalid", "", "Exact", 123, null, true],
  invoke: ["invalid", "all", "", "Single", 1, null],
  cancelMode: ["invalid", "", "KILL", 1, null],
  interruptMode: ["skip", "invalid", "", 1, null],
};

// --- reference predicates: regexes and plain loops written from the type names

const C = "[^\\s\\x1c-\\x1f\\x85.#]";
const LOOSE_URI = new RegExp(`^(${C}+\\.)*(${C}+)$`);
const CUSTOM = "x_([a-z][\\da-z_]+)?";
const ENC_ALGO = new RegExp(`^(cryptobox|mqtt|xbr|null|${CUSTOM})$`);
const ENC_SERIALIZER = new RegExp(`^(json|msgpack|cbor|ubjson|flatbuffers|opaque|null|${CUSTOM})$`);

const refId = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_ID;
const refDict = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
const refInt = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
const inList = (list: readonly string[]) => (v: unknown) => typeof v === "string" && list.includes(v);

/** The reference predicate of each attribute type. */
export const ACCEPTS: Readonly<Record<AttributeType, (v: unknown) => boolean>> = {
  bool: (v) => typeof v === "boolean",
  string: (v) => typeof v === "string",
  id: refId,
  uri: (v) => typeof v === "string" && LOOSE_URI.test(v),
  dict: refDict,
  nonNegativeInt: (v) => refInt(v, 0),
  positiveInt: (v) => refInt(v, 1),
  idList: (v) => Array.isArray(v) && v.every(refId),
  stringList: (v) => Array.isArray(v) && v.every((s) => typeof s === "string"),
  forwardFor: (v) =>
    Array.isArray(v) &&
    v.every(
      (hop) =>
        refDict(hop) &&
        refId(hop.session) &&
        typeof hop.authid === "string" &&
        typeof hop.authrole === "string",
    ),
  encAlgo: (v) => typeof v === "string" && ENC_ALGO.test(v),
  encSerializer: (v) => typeof v === "string" && ENC_SERIALIZER.test(v),
  match: inList(ENUMS.match),
  invoke: inList(ENUMS.invoke),
  cancelMode: inList(ENUMS.cancelMode),
  interruptMode: inList(ENUMS.interruptMode),
};

/**
 * Whether the reference accepts every known attribute of `dict` for message `name` (a key holding
 * `undefined` is absent) and finds the required ones. Messages without a container accept anything.
 */
export function refAttributesAccept(name: string, dict: Record<string, unknown>): boolean {
  const container = CONTAINER_OF[name];
  if (container === undefined) return true;
  for (const [key, type] of Object.entries(container.attributes)) {
    const present = Object.hasOwn(dict, key) && dict[key] !== undefined;
    if (!present && container.required?.includes(key)) return false;
    if (present && !ACCEPTS[type](dict[key])) return false;
  }
  return true;
}
