/**
 * fast-check arbitraries for valid WAMP messages of every kind, with random args/kwargs (binary,
 * unicode, nested values, 2^53), plus a deep-equality normalizer that treats every Uint8Array
 * (Buffer included) with the same bytes as equal.
 */
import fc from "fast-check";
import { type AttributeType, CONTAINER_OF, ENUMS, KNOWN_ATTRIBUTE_NAMES } from "./messageAttributes.js";

const MAX_ID = 2 ** 53;

/** Ids in [1, 2^53], biased towards both ends. */
export const idArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1, 2, MAX_ID - 1, MAX_ID, 2 ** 31, 2 ** 32),
  fc.maxSafeNat().map((n) => n + 1),
);

const strictComponent = fc.stringMatching(/^[0-9a-z_]{1,12}$/);
// Loose components: anything but '.', '#' and whitespace (a few ASCII and non-ASCII extras).
const looseComponent = fc
  .array(fc.constantFrom("a", "Z", "0", "_", "-", ":", "/", "ü", "é", "中", "🎉", "$"), {
    minLength: 1,
    maxLength: 8,
  })
  .map((chars) => chars.join(""));

/** Valid strict URIs. */
export const strictUriArb: fc.Arbitrary<string> = fc
  .array(strictComponent, { minLength: 1, maxLength: 5 })
  .map((c) => c.join("."));

/** Valid loose URIs. */
export const uriArb: fc.Arbitrary<string> = fc.oneof(
  strictUriArb,
  fc.array(looseComponent, { minLength: 1, maxLength: 5 }).map((c) => c.join(".")),
);

/** Wildcard patterns: any component may be empty. */
const wildcardUriArb = fc
  .array(fc.oneof(strictComponent, fc.constant("")), { minLength: 1, maxLength: 5 })
  .map((c) => c.join("."));

/** Prefix patterns: only the last component may be empty. */
const prefixUriArb = fc
  .tuple(fc.array(strictComponent, { maxLength: 4 }), fc.oneof(strictComponent, fc.constant("")))
  .map(([head, last]) => [...head, last].join("."));

// JSON carries binary as a string starting with NUL, so a real string may not start with one.
export const text: fc.Arbitrary<string> = fc
  .oneof(fc.string({ unit: "grapheme", maxLength: 12 }), fc.string({ unit: "binary", maxLength: 12 }))
  .filter((s) => !s.startsWith("\u0000"));

const key = fc.oneof(fc.string({ maxLength: 8 }), text).filter((k) => k !== "__proto__");

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, 1, -1, MAX_ID, -MAX_ID, 0.5, "", "ü", "🎉"),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
  text,
  fc.uint8Array({ maxLength: 16 }),
);

/** Nested application values every serializer round-trips. */
export const valueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

export const dictArb: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(key, valueArb, {
  maxKeys: 4,
  noNullPrototype: true,
});

/**
 * WAMP-level options/details with unknown attributes only: snake_case keys, never a known one
 * (those are type-checked, see `knownAttributesArb`; `match` also changes URI rules).
 */
const optionsArb: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.stringMatching(/^[a-z][a-z0-9_]{2,10}$/).filter((k) => !KNOWN_ATTRIBUTE_NAMES.has(k)),
  valueArb,
  { maxKeys: 3, noNullPrototype: true },
);

/** Valid values of each known attribute type (messageAttributes.ts). */
export const attributeArbs: Readonly<Record<AttributeType, fc.Arbitrary<unknown>>> = {
  bool: fc.boolean(),
  string: text,
  id: idArb,
  uri: uriArb,
  dict: dictArb,
  nonNegativeInt: fc.oneof(fc.constantFrom(0, 1, 1000, Number.MAX_SAFE_INTEGER), fc.maxSafeNat()),
  positiveInt: fc.oneof(fc.constantFrom(1, Number.MAX_SAFE_INTEGER), fc.integer({ min: 1 })),
  idList: fc.array(idArb, { maxLength: 4 }),
  stringList: fc.array(text, { maxLength: 4 }),
  forwardFor: fc.array(
    fc.record({ session: idArb, authid: text, authrole: text }, { noNullPrototype: true }),
    { maxLength: 3 },
  ),
  encAlgo: fc.constantFrom(...ENUMS.encAlgo),
  encSerializer: fc.constantFrom(...ENUMS.encSerializer),
  match: fc.constantFrom(...ENUMS.match),
  invoke: fc.constantFrom(...ENUMS.invoke),
  cancelMode: fc.constantFrom(...ENUMS.cancelMode),
  interruptMode: fc.constantFrom(...ENUMS.interruptMode),
};

/**
 * Any subset of the known attributes of message `name`, each with a valid value (`match` and
 * `roles` excluded: the message arbitraries set those themselves).
 */
export function knownAttributesArb(name: string): fc.Arbitrary<Record<string, unknown>> {
  const { attributes } = CONTAINER_OF[name];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, type] of Object.entries(attributes)) {
    if (key !== "match" && key !== "roles") model[key] = attributeArbs[type];
  }
  return fc.oneof(
    fc.constant({}),
    fc.record(model, { requiredKeys: [], noNullPrototype: true }) as fc.Arbitrary<Record<string, unknown>>,
  );
}

/** Unknown attributes plus valid known ones for message `name`. */
function attributesArb(name: string): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(optionsArb, knownAttributesArb(name)).map(([unknown, known]) => ({ ...unknown, ...known }));
}

const argsArb = fc.array(valueArb, { maxLength: 5 });

/** `[]`, `[args]`, `[args, kwargs]` or (where allowed) `[payload]`. */
function tailArb(binaryPayload: boolean): fc.Arbitrary<unknown[]> {
  const tails: fc.Arbitrary<unknown[]>[] = [
    fc.constant([]),
    argsArb.map((a) => [a]),
    fc.tuple(argsArb, dictArb).map(([a, k]) => [a, k]),
  ];
  if (binaryPayload) tails.push(fc.uint8Array({ maxLength: 32 }).map((p) => [p]));
  return fc.oneof(...tails);
}

const withTail = <T extends unknown[]>(head: fc.Arbitrary<T>, binaryPayload: boolean) =>
  fc.tuple(head, tailArb(binaryPayload)).map(([h, t]) => [...h, ...t]);

const rolesArb = fc
  .subarray(["caller", "callee", "publisher", "subscriber", "broker", "dealer"], { minLength: 1 })
  .map((roles) => Object.fromEntries(roles.map((r) => [r, { features: {} }])));

const matchedUri = fc.oneof(
  fc.tuple(fc.constant({}), uriArb),
  fc.tuple(fc.constant({ match: "exact" }), uriArb),
  fc.tuple(fc.constant({ match: "prefix" }), prefixUriArb),
  fc.tuple(fc.constant({ match: "wildcard" }), wildcardUriArb),
);

/** One arbitrary per message kind, by name. */
export const messageArbs: Record<string, fc.Arbitrary<unknown[]>> = {
  HELLO: fc
    .tuple(uriArb, rolesArb, attributesArb("HELLO"))
    .map(([realm, roles, d]) => [1, realm, { ...d, roles }]),
  WELCOME: fc
    .tuple(idArb, rolesArb, attributesArb("WELCOME"))
    .map(([s, roles, d]) => [2, s, { ...d, roles }]),
  ABORT: withTail(
    fc.tuple(attributesArb("ABORT"), uriArb).map(([d, r]) => [3, d, r]),
    false,
  ),
  CHALLENGE: fc.tuple(text, optionsArb).map(([m, e]) => [4, m, e]),
  AUTHENTICATE: fc.tuple(text, optionsArb).map(([s, e]) => [5, s, e]),
  GOODBYE: fc.tuple(attributesArb("GOODBYE"), uriArb).map(([d, r]) => [6, d, r]),
  ERROR: withTail(
    fc
      .tuple(fc.constantFrom(16, 32, 34, 48, 64, 66, 68), idArb, attributesArb("ERROR"), uriArb)
      .map(([t, r, d, e]) => [8, t, r, d, e]),
    true,
  ),
  PUBLISH: withTail(
    fc.tuple(idArb, attributesArb("PUBLISH"), uriArb).map(([r, o, t]) => [16, r, o, t]),
    true,
  ),
  PUBLISHED: fc.tuple(idArb, idArb).map(([r, p]) => [17, r, p]),
  SUBSCRIBE: fc
    .tuple(idArb, matchedUri, attributesArb("SUBSCRIBE"))
    .map(([r, [m, t], o]) => [32, r, { ...o, ...m }, t]),
  SUBSCRIBED: fc.tuple(idArb, idArb).map(([r, s]) => [33, r, s]),
  UNSUBSCRIBE: fc.tuple(idArb, idArb).map(([r, s]) => [34, r, s]),
  UNSUBSCRIBED: fc.oneof(
    idArb.map((r) => [35, r]),
    fc.tuple(idArb, text).map(([s, reason]) => [35, 0, { subscription: s, reason }]),
  ),
  EVENT: withTail(
    fc.tuple(idArb, idArb, attributesArb("EVENT")).map(([s, p, d]) => [36, s, p, d]),
    true,
  ),
  EVENT_RECEIVED: fc.tuple(fc.constantFrom(37, 337), idArb).map(([c, p]) => [c, p]),
  CALL: withTail(
    fc.tuple(idArb, attributesArb("CALL"), uriArb).map(([r, o, p]) => [48, r, o, p]),
    true,
  ),
  CANCEL: fc.tuple(idArb, attributesArb("CANCEL")).map(([r, o]) => [49, r, o]),
  RESULT: withTail(
    fc.tuple(idArb, attributesArb("RESULT")).map(([r, d]) => [50, r, d]),
    true,
  ),
  REGISTER: fc
    .tuple(idArb, matchedUri, attributesArb("REGISTER"))
    .map(([r, [m, p], o]) => [64, r, { ...o, ...m }, p]),
  REGISTERED: fc.tuple(idArb, idArb).map(([r, g]) => [65, r, g]),
  UNREGISTER: fc.tuple(idArb, idArb).map(([r, g]) => [66, r, g]),
  UNREGISTERED: fc.oneof(
    idArb.map((r) => [67, r]),
    fc.tuple(idArb, text).map(([g, reason]) => [67, 0, { registration: g, reason }]),
  ),
  INVOCATION: withTail(
    fc.tuple(idArb, idArb, attributesArb("INVOCATION")).map(([r, g, d]) => [68, r, g, d]),
    true,
  ),
  INTERRUPT: fc.tuple(idArb, attributesArb("INTERRUPT")).map(([r, o]) => [69, r, o]),
  YIELD: withTail(
    fc.tuple(idArb, attributesArb("YIELD")).map(([r, o]) => [70, r, o]),
    true,
  ),
};

/** Any valid message. */
export const anyMessageArb: fc.Arbitrary<unknown[]> = fc.oneof(...Object.values(messageArbs));

/**
 * A copy of `value` in which every Uint8Array (Buffer included) becomes a marked plain array of
 * its bytes, so `toEqual` compares binary by content whatever class a decoder produced.
 */
export function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return { __bytes: Array.from(value) };
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v);
    return out;
  }
  return value;
}
