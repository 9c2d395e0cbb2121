/**
 * Fuzzing every decoder: random bytes, random text, and mutated valid encodings (bit flips, cut
 * points, inserted and duplicated bytes, overwritten length fields). A decoder either returns lists
 * or throws a ProtocolError with a serializer code: never another exception, never a hang.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Serializer } from "../../src/codecs/index.js";
import { ProtocolError } from "../../src/errors.js";
import { messageArb, notPlainData, serializers } from "./serializerArbitraries.js";

const RUNS = 2_000;
const CODES = [
  "SERIALIZER_DECODE_FAILED",
  "SERIALIZER_NOT_A_LIST",
  "SERIALIZER_EMPTY_BATCH",
  "SERIALIZER_BAD_BATCH",
];

function decodeSafely(serializer: Serializer, payload: Uint8Array | string): void {
  const started = performance.now();
  try {
    const messages = serializer.decode(payload);
    expect(Array.isArray(messages)).toBe(true);
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) expect(Array.isArray(message)).toBe(true);
    // what parseMessage's plainObjects option relies on
    if (serializer.plainObjects) expect(notPlainData(messages)).toBeUndefined();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    expect(CODES).toContain(err.code);
  }
  // A decode of a few hundred bytes takes microseconds; the bound is generous for loaded CI machines
  // and still catches a blow-up (allocation or work far beyond the input's size).
  expect(performance.now() - started).toBeLessThan(5_000);
}

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "cut"; at: number }
  | { kind: "insert"; at: number; byte: number }
  | { kind: "duplicate"; at: number; length: number }
  | { kind: "overwrite"; at: number; bytes: number[] };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant("duplicate" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 16 }),
  }),
  fc.record({
    kind: fc.constant("overwrite" as const),
    at: fc.nat(),
    // 0xff.. and 0x7f.. make any length field they land on absurdly large
    bytes: fc.array(fc.constantFrom(0x00, 0x7f, 0xff, 0x5b, 0x7b, 0x91, 0xdd, 0x9b, 0x23, 0x24), {
      minLength: 1,
      maxLength: 8,
    }),
  }),
);

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(input);
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    switch (m.kind) {
      case "flip":
        bytes[at] ^= 1 << m.bit;
        break;
      case "cut":
        bytes = bytes.subarray(0, at);
        break;
      case "insert":
        bytes = Uint8Array.from([...bytes.subarray(0, at), m.byte, ...bytes.subarray(at)]);
        break;
      case "duplicate":
        bytes = Uint8Array.from([...bytes.subarray(0, at + m.length), ...bytes.subarray(at)]);
        break;
      case "overwrite":
        bytes.set(m.bytes.slice(0, bytes.length - at), at);
        break;
    }
  }
  return bytes;
}

function asBytes(payload: Uint8Array | string): Uint8Array {
  return typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
}

describe.each(serializers.map((s) => [s.name, s] as const))(
  "%s decoder under fuzzing",
  (_name, serializer) => {
    it("random bytes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => decodeSafely(serializer, bytes)),
        { numRuns: RUNS },
      );
    });

    it("random bytes behind a plausible first byte", () => {
      const starts = [0x5b, 0x91, 0x95, 0x85, 0x9f, 0xdc, 0x00];
      fc.assert(
        fc.property(fc.constantFrom(...starts), fc.uint8Array({ maxLength: 96 }), (first, rest) =>
          decodeSafely(serializer, Uint8Array.from([first, ...rest])),
        ),
        { numRuns: RUNS },
      );
    });

    if (!serializer.binary) {
      it("random text", () => {
        fc.assert(
          fc.property(fc.string({ unit: "binary", maxLength: 96 }), (text) => decodeSafely(serializer, text)),
          { numRuns: RUNS },
        );
      });
    }

    it("mutated valid encodings", () => {
      fc.assert(
        fc.property(
          messageArb,
          fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
          (message, mutations) => {
            const valid = asBytes(serializer.encode(message));
            decodeSafely(serializer, mutate(valid, mutations));
          },
        ),
        { numRuns: RUNS },
      );
    });
  },
);
