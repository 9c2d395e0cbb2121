/**
 * Shared by the serializer tests: payload arbitraries, a normal form for comparing decoded values
 * (Buffer vs Uint8Array, -0 vs 0), hex helpers and the list of serializers under test.
 */
import fc from "fast-check";
import { getSerializer, type Serializer, serializerNames } from "../../src/codecs/index.js";
import { ProtocolError } from "../../src/errors.js";

export const serializers: Serializer[] = serializerNames.map((name) => getSerializer(name));
export const unbatched = serializers.filter((s) => !s.batched);

export const TWO_53 = 2 ** 53;

/** Integers every serializer must carry exactly and as integers. */
export const edgeIntegers = [
  0,
  1,
  -1,
  127,
  128,
  255,
  256,
  -128,
  -129,
  32767,
  32768,
  -32768,
  -32769,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 1,
  -(2 ** 32),
  -(2 ** 32) - 1,
  TWO_53 - 1,
  TWO_53,
  -(TWO_53 - 1),
  -TWO_53,
];

// Strings starting with NUL are byte arrays under the JSON binary convention, so they are left out.
const text = fc.string({ unit: "binary", maxLength: 24 }).filter((s) => s.charCodeAt(0) !== 0);
const key = fc.string({ unit: "binary", maxLength: 12 }).filter((s) => s !== "__proto__");

const leaf = fc.oneof(
  fc.integer(),
  fc.integer({ min: -TWO_53, max: TWO_53 }),
  fc.constantFrom(...edgeIntegers),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  text,
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 40 }),
);

/** Any JSON-like value plus byte arrays, nested a few levels. */
export const valueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(key, tie("value"), { maxKeys: 5, noNullPrototype: true }),
  ),
})).value;

/** A list shaped like a WAMP message: a code, an id, then anything. */
export const messageArb: fc.Arbitrary<unknown[]> = fc
  .tuple(
    fc.integer({ min: 1, max: 70 }),
    fc.integer({ min: 1, max: TWO_53 }),
    fc.array(valueArb, { maxLength: 4 }),
  )
  .map(([code, id, rest]) => [code, id, ...rest]);

/** Comparable form: bytes become `{ bytes: hex }`, -0 becomes 0. */
export function normal(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString("hex") };
  if (Array.isArray(value)) return value.map(normal);
  if (typeof value === "number") return Object.is(value, -0) ? 0 : value;
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normal(v);
    return out;
  }
  return value;
}

/**
 * The first object in `value` (depth first) that is neither a list, a `Uint8Array` nor a plain
 * object (prototype `Object.prototype` or `null`), or `undefined`: what `Serializer.plainObjects` promises.
 */
export function notPlainData(value: unknown): object | undefined {
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return undefined;
  if (!Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
  }
  for (const item of Object.values(value)) {
    const found = notPlainData(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function hex(data: Uint8Array | string): string {
  return typeof data === "string"
    ? Buffer.from(data, "utf8").toString("hex")
    : Buffer.from(data).toString("hex");
}

export function unhex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ""), "hex"));
}

/** A single-message payload as `serializer` carries it: binary batched serializers add the length prefix. */
export function frame(serializer: Serializer, payload: Uint8Array | string): Uint8Array | string {
  if (!serializer.batched || typeof payload === "string") return payload;
  const framed = new Uint8Array(4 + payload.length);
  new DataView(framed.buffer).setUint32(0, payload.length);
  framed.set(payload, 4);
  return framed;
}

/** Runs `fn`; returns the ProtocolError code it threw, "ok" if it returned, and rethrows anything else. */
export function outcome(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
}
