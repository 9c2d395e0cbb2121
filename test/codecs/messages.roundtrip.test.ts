import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getSerializer } from "../../src/codecs/index.js";
import { parseMessage } from "../../src/codecs/messages/index.js";
import type { SerializerName } from "../../src/codecs/serializer.js";
import { anyMessageArb, messageArbs, normalize } from "./messageArbitraries.js";

const NAMES: SerializerName[] = [
  "json",
  "msgpack",
  "cbor",
  "ubjson",
  "json.batched",
  "msgpack.batched",
  "cbor.batched",
  "ubjson.batched",
];

describe.each(NAMES)("parseMessage(decode(encode(m))) with %s", (name) => {
  const serializer = getSerializer(name);

  it("deep-equals m for every message kind", () => {
    for (const arb of Object.values(messageArbs)) {
      fc.assert(
        fc.property(arb, (m) => {
          const lists = serializer.decode(serializer.encode(m));
          expect(lists).toHaveLength(1);
          expect(normalize(parseMessage(lists[0]))).toEqual(normalize(m));
        }),
        { numRuns: 40 },
      );
    }
  });

  it("keeps ids at 2^53 exact and binary payloads byte-for-byte", () => {
    const m = [36, 2 ** 53, 2 ** 53, {}, [2 ** 53, new Uint8Array([0, 255, 1])], { big: 2 ** 53 }];
    expect(normalize(parseMessage(serializer.decode(serializer.encode(m))[0]))).toEqual(normalize(m));
    const payload = [48, 1, {}, "com.myapp.e2e", new Uint8Array([1, 2, 3])];
    expect(normalize(parseMessage(serializer.decode(serializer.encode(payload))[0]))).toEqual(
      normalize(payload),
    );
  });

  it("round-trips arbitrary messages", () => {
    fc.assert(
      fc.property(anyMessageArb, (m) => {
        expect(normalize(parseMessage(serializer.decode(serializer.encode(m))[0]))).toEqual(normalize(m));
      }),
      { numRuns: 300 },
    );
  });
});
