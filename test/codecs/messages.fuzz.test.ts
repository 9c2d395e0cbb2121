/**
 * Fuzzing parseMessage: random values, random fields under known type codes, and mutated valid
 * messages. Only ProtocolError may escape; for random fields, acceptance must agree with a
 * reference written straight from the spec's example regexes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getSerializer } from "../../src/codecs/index.js";
import { parseMessage } from "../../src/codecs/messages/index.js";
import { ProtocolError } from "../../src/errors.js";
import { anyMessageArb, attributeArbs, valueArb } from "./messageArbitraries.js";
import { CONTAINER_OF, CONTAINERS, INVALID, refAttributesAccept, VALID } from "./messageAttributes.js";
import { KINDS, type MessageKind } from "./messageKinds.js";

const RUNS = 5_000;
const CODES = [
  "MESSAGE_NOT_A_LIST",
  "MESSAGE_EMPTY",
  "MESSAGE_UNKNOWN_TYPE",
  "MESSAGE_BAD_ARITY",
  "MESSAGE_BAD_FIELD",
];

/** Parses, and checks that any failure is a well-formed ProtocolError. Returns whether it parsed. */
function tryParse(raw: unknown, strictUris = false, plainObjects = false): boolean {
  try {
    expect(parseMessage(raw, { strictUris, plainObjects })).toBe(raw);
    return true;
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    expect(CODES).toContain(err.code);
    if (err.code === "MESSAGE_BAD_FIELD") {
      expect(typeof err.messageType).toBe("string");
      expect(typeof err.field).toBe("string");
    }
    if (err.code === "MESSAGE_BAD_ARITY") expect(typeof err.messageType).toBe("string");
    return false;
  }
}

// --- reference validator, from basic profile "Building Blocks" (URIs, IDs) and the message table

// Python's \s (the spec's regexes are Python) adds \x1c-\x1f and \x85 to JavaScript's \s.
const C = "[^\\s\\x1c-\\x1f\\x85.#]";
const S = "[0-9a-z_]";
const uriRegex = (c: string) => ({
  none: new RegExp(`^(${c}+\\.)*(${c}+)$`),
  last: new RegExp(`^(${c}+\\.)*(${c}*)$`),
  any: new RegExp(`^((${c}+\\.)|\\.)*(${c}+)?$`),
});
const LOOSE = uriRegex(C);
const STRICT = uriRegex(S);

const refId = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 2 ** 53;
const refDict = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" &&
  v !== null &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function refAccepts(kind: MessageKind, m: unknown[], strict: boolean): boolean {
  if (m.length < kind.minLength || m.length > kind.maxLength) return false;
  const rules = strict ? STRICT : LOOSE;
  let empty: "none" | "last" | "any" = "none";
  if (kind.code === 32 || kind.code === 64) {
    if (!refDict(m[2])) return false;
    const match = m[2].match;
    if (match === "prefix") empty = "last";
    else if (match === "wildcard") empty = "any";
    else if (match !== undefined && match !== "exact") return false;
  }
  for (const { index, kind: k } of kind.fields) {
    const v = m[index];
    const ok =
      k === "id"
        ? refId(v) || ((kind.code === 35 || kind.code === 67) && v === 0)
        : k === "dict"
          ? refDict(v) && (CONTAINER_OF[kind.name]?.index !== index || refAttributesAccept(kind.name, v))
          : k === "uri"
            ? typeof v === "string" && rules[empty].test(v)
            : k === "string"
              ? typeof v === "string"
              : [16, 32, 34, 48, 64, 66, 68].includes(v as number);
    if (!ok) return false;
  }
  if ((kind.code === 1 || kind.code === 2) && !refDict((m[2] as Record<string, unknown>).roles)) return false;
  if (kind.code === 35 || kind.code === 67) {
    const key = kind.code === 35 ? "subscription" : "registration";
    if (m.length === 2) return m[1] !== 0;
    const d = m[2];
    if (!refDict(d)) return false;
    if ((m[1] === 0 || d[key] !== undefined) && !refId(d[key])) return false;
    return d.reason === undefined || typeof d.reason === "string";
  }
  if (kind.argsAt !== undefined && m.length > kind.argsAt) {
    const args = m[kind.argsAt];
    const payload = kind.binaryPayload && m.length === kind.argsAt + 1 && args instanceof Uint8Array;
    if (!Array.isArray(args) && !payload) return false;
    if (m.length > kind.argsAt + 1 && !refDict(m[kind.argsAt + 1])) return false;
  }
  return true;
}

// --- generators of near-valid fields

const fieldArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, 1, -1, 1.5, 2 ** 53, 2 ** 53 + 2, Number.NaN, "1", null, true, 16, 48, 68, 49),
  fc.maxSafeNat(),
  fc.constantFrom({}, { roles: {} }, { match: "prefix" }, { match: "wildcard" }, { match: "bogus" }),
  fc.constantFrom({ subscription: 5 }, { registration: 5, reason: "x" }, { subscription: 0 }, { reason: 1 }),
  fc.constantFrom({ mode: "skip" }, { mode: "kill" }, { timeout: -1 }, { progress: 1 }, { exclude: ["a"] }),
  fc.constantFrom({ publisher: "x" }, { message: 1 }, { enc_algo: "cryptobox" }, { forward_for: [{}] }),
  fc.constantFrom([], [1, 2], new Uint8Array([1]), new Map(), Object.create(null), new Date(0)),
  fc
    .array(fc.constantFrom("a", "z", "0", "_", ".", "#", " ", "\u00a0", "\u001c", "\u0085", "Ü", "-"), {
      maxLength: 7,
    })
    .map((c) => c.join("")),
  valueArb,
);

/** Mutations of a valid message: replace, delete, insert, truncate or extend. */
function mutate(m: unknown[], op: number, at: number, value: unknown): unknown[] {
  const copy = [...m];
  const i = at % (copy.length + 1);
  switch (op) {
    case 0:
      copy[Math.min(i, copy.length - 1)] = value;
      break;
    case 1:
      copy.splice(Math.min(i, copy.length - 1), 1);
      break;
    case 2:
      copy.splice(i, 0, value);
      break;
    case 3:
      copy.length = i;
      break;
    default:
      copy.push(value);
  }
  return copy;
}

describe("parseMessage fuzzing", () => {
  it("random values: only ProtocolError escapes", () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(fc.oneof(anything, fc.array(anything, { maxLength: 8 })), (raw) => {
        tryParse(raw);
      }),
      { numRuns: RUNS },
    );
  });

  it("random fields under every known type code: agrees with the reference validator", () => {
    // Lengths around each kind's arity, so arity and field checks are both exercised.
    const kindAndFields = fc
      .constantFrom(...KINDS)
      .chain((kind) =>
        fc.tuple(
          fc.constant(kind),
          fc.array(fieldArb, { minLength: Math.max(0, kind.minLength - 2), maxLength: kind.maxLength }),
        ),
      );
    fc.assert(
      fc.property(kindAndFields, fc.boolean(), ([kind, fields], strict) => {
        const m = [kind.code, ...fields];
        expect(tryParse(m, strict)).toBe(refAccepts(kind, m, strict));
      }),
      { numRuns: RUNS },
    );
  });

  it("near-valid messages (one field swapped): agrees with the reference validator", () => {
    const kindArb = fc.constantFrom(...KINDS);
    fc.assert(
      fc.property(kindArb, fc.nat(), fieldArb, fc.boolean(), (kind, at, value, strict) => {
        const m = [...kind.minimal, ...(kind.argsAt === undefined ? [] : [["x"], { y: 1 }])];
        m[1 + (at % (m.length - 1))] = value;
        expect(tryParse(m, strict)).toBe(refAccepts(kind, m, strict));
      }),
      { numRuns: RUNS },
    );
  });

  it("random values under known Options/Details keys: accepted iff the reference accepts, else that field", () => {
    const anything = fc.anything({
      withBigInt: true,
      withMap: true,
      withNullPrototype: true,
      withTypedArray: true,
    });
    const valueArbs = [
      fieldArb,
      anything,
      fc.constantFrom(...Object.values(VALID).flat(), ...Object.values(INVALID).flat()),
      ...Object.values(attributeArbs),
    ];
    const caseArb = fc
      .constantFrom(...CONTAINERS)
      .chain((container) =>
        fc.tuple(
          fc.constant(container),
          fc.constantFrom(...Object.keys(container.attributes)),
          fc.oneof(...valueArbs),
        ),
      );
    fc.assert(
      fc.property(caseArb, ([container, key, value]) => {
        const dict = { ...(container.base[container.index] as object), [key]: value };
        const m = [...container.base];
        m[container.index] = dict;
        const want = refAttributesAccept(container.name, dict);
        try {
          expect(parseMessage(m)).toBe(m);
          expect(want, `accepted ${container.name}.${key}`).toBe(true);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          expect(want, `rejected ${container.name}.${key}: ${err.message}`).toBe(false);
          expect([err.code, err.messageType, err.field]).toEqual([
            "MESSAGE_BAD_FIELD",
            container.name,
            `${container.prefix}.${key}`,
          ]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("plainObjects: on lists from the json and ubjson decoders, the same verdict as the reference", () => {
    // The flag trusts the decoder to build only plain objects, lists and byte arrays; these are
    // near-valid messages (Maps, Dates, null-prototype objects and byte arrays among the fields) as
    // those decoders hand them over after a trip through their encoders.
    const kindArb = fc.constantFrom(...KINDS);
    const serializerArb = fc.constantFrom(getSerializer("json"), getSerializer("ubjson"));
    fc.assert(
      fc.property(
        kindArb,
        fc.nat(),
        fieldArb,
        fc.boolean(),
        serializerArb,
        (kind, at, value, strict, serializer) => {
          expect(serializer.plainObjects).toBe(true);
          const m = [...kind.minimal, ...(kind.argsAt === undefined ? [] : [["x"], { y: 1 }])];
          m[1 + (at % (m.length - 1))] = value;
          const bytes = serializer.encode(m);
          const [trusted] = serializer.decode(bytes);
          const [checked] = serializer.decode(bytes);
          const accepted = tryParse(trusted, strict, true);
          // after parsing: a null Arguments/ArgumentsKw reads as none and is replaced in place
          expect(accepted).toBe(refAccepts(kind, trusted, strict));
          expect(tryParse(checked, strict, false)).toBe(accepted);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("plainObjects still refuses lists and byte arrays in a dict's place", () => {
    for (const notDict of [[], [1], new Uint8Array(0), Buffer.from([1]), "x", 1]) {
      expect(tryParse([48, 1, notDict, "a.b"], false, true)).toBe(false);
      expect(tryParse([48, 1, {}, "a.b", [], notDict], false, true)).toBe(false);
      expect(tryParse([35, 0, notDict], false, true)).toBe(false);
    }
    expect(tryParse([48, 1, null, "a.b"], false, true)).toBe(false);
  });

  it("mutated valid messages: only ProtocolError escapes", () => {
    fc.assert(
      fc.property(anyMessageArb, fc.nat(4), fc.nat(), fieldArb, (m, op, at, value) => {
        tryParse(mutate(m, op, at, value));
      }),
      { numRuns: RUNS },
    );
  });
});
