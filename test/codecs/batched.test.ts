/**
 * The `.batched` serializers (advanced profile §"Message Batching"): JSON records end in 0x18 (0x1e
 * accepted too), binary records carry a 4-byte big-endian length; zero messages is an error.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BatchedSerializer,
  cborBatchedSerializer,
  jsonBatchedSerializer,
  msgpackBatchedSerializer,
  ubjsonBatchedSerializer,
} from "../../src/codecs/index.js";
import { hex, messageArb, normal, outcome, unhex } from "./serializerArbitraries.js";

const all: BatchedSerializer[] = [
  jsonBatchedSerializer,
  msgpackBatchedSerializer,
  cborBatchedSerializer,
  ubjsonBatchedSerializer,
];
const binary = all.filter((s) => s.binary);

describe.each(all.map((s) => [s.name, s] as const))("%s", (_name, serializer) => {
  it("round-trips batches of random messages, in order", () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 6 }), (messages) => {
        const decoded = serializer.decode(serializer.encodeBatch(messages));
        expect(normal(decoded)).toEqual(normal(messages));
      }),
      { numRuns: 150 },
    );
  });

  it("encodes one message as a batch of one", () => {
    const message = [70, 2 ** 53, {}, [1, "two"]];
    expect(serializer.decode(serializer.encode(message))).toEqual([message]);
    expect(hex(serializer.encodeBatch([message]))).toBe(hex(serializer.encode(message)));
  });

  it("refuses to encode an empty batch with SERIALIZER_EMPTY_BATCH", () => {
    expect(outcome(() => serializer.encodeBatch([]))).toBe("SERIALIZER_EMPTY_BATCH");
  });

  it("refuses an empty payload with SERIALIZER_EMPTY_BATCH", () => {
    expect(outcome(() => serializer.decode(serializer.binary ? new Uint8Array(0) : ""))).toBe(
      "SERIALIZER_EMPTY_BATCH",
    );
  });
});

describe("json.batched", () => {
  it("ends every record with 0x18", () => {
    expect(jsonBatchedSerializer.encode([6, {}, "wamp.close.normal"])).toBe('[6,{},"wamp.close.normal"]\x18');
    expect(jsonBatchedSerializer.encodeBatch([[1], [2, "x"]])).toBe('[1]\x18[2,"x"]\x18');
  });

  it("accepts 0x18 and 0x1e separators, mixed, and a last record without one, from text or bytes", () => {
    const text = '[1]\x1e[2,"\\u0000AQ=="]\x18[3]';
    for (const payload of [text, new TextEncoder().encode(text)]) {
      expect(normal(jsonBatchedSerializer.decode(payload))).toEqual(
        normal([[1], [2, new Uint8Array([1])], [3]]),
      );
    }
  });

  it("refuses empty records, bad records and non-lists with stable codes", () => {
    expect(outcome(() => jsonBatchedSerializer.decode("\x18"))).toBe("SERIALIZER_BAD_BATCH");
    expect(outcome(() => jsonBatchedSerializer.decode("[1]\x18\x18[2]\x18"))).toBe("SERIALIZER_BAD_BATCH");
    expect(outcome(() => jsonBatchedSerializer.decode("[1]\x18[2,\x18"))).toBe("SERIALIZER_DECODE_FAILED");
    expect(outcome(() => jsonBatchedSerializer.decode("[1]\x18{}\x18"))).toBe("SERIALIZER_NOT_A_LIST");
    expect(outcome(() => jsonBatchedSerializer.decode(unhex("5b315d18ff18")))).toBe(
      "SERIALIZER_DECODE_FAILED",
    );
  });
});

describe("binary batched", () => {
  it("prefixes each record with its length, big-endian (hex fixtures)", () => {
    expect(hex(msgpackBatchedSerializer.encode([70, 1, {}, 4]))).toBe("00000005" + "9446018004");
    expect(hex(cborBatchedSerializer.encode([70, 1, {}, 4]))).toBe("00000006" + "841846" + "01a004");
    expect(hex(ubjsonBatchedSerializer.encode([70, 1, {}, 4]))).toBe(
      "0000000a" + "5b5546" + "55017b7d55045d",
    );
    expect(hex(msgpackBatchedSerializer.encodeBatch([[1], [2 ** 53]]))).toBe(
      "00000002" + "9101" + "0000000a" + "91cf0020000000000000",
    );
  });

  it("fixes wide integers behind the reserved prefix too", () => {
    expect(hex(cborBatchedSerializer.encode([2 ** 40, undefined]))).toBe(
      "0000000b" + "821b0000010000000000f6",
    );
    expect(hex(ubjsonBatchedSerializer.encode([2 ** 40]))).toBe("0000000b" + "5b4c00000100000000005d");
  });

  it.each(binary.map((s) => [s.name, s] as const))("%s refuses broken framing with stable codes", (_n, s) => {
    const one = s.encode([1, "x"]) as Uint8Array;
    // a record, then 1..3 stray bytes: a truncated length prefix
    for (let extra = 1; extra < 4; extra++) {
      const truncated = Buffer.concat([one, one.subarray(0, extra)]);
      expect(outcome(() => s.decode(truncated))).toBe("SERIALIZER_BAD_BATCH");
    }
    // a length larger than what follows
    const long = Uint8Array.from(one);
    long[3] += 1;
    expect(outcome(() => s.decode(long))).toBe("SERIALIZER_BAD_BATCH");
    const huge = Uint8Array.from(one);
    huge.set([0xff, 0xff, 0xff, 0xff], 0);
    expect(outcome(() => s.decode(huge))).toBe("SERIALIZER_BAD_BATCH");
    // a zero-length record
    expect(outcome(() => s.decode(Buffer.concat([one, new Uint8Array(4)])))).toBe("SERIALIZER_BAD_BATCH");
    // a record whose bytes are not a message
    expect(outcome(() => s.decode(unhex("0000000193")))).toBe("SERIALIZER_DECODE_FAILED");
    // a text frame
    expect(outcome(() => s.decode("[1]"))).toBe("SERIALIZER_DECODE_FAILED");
  });
});
