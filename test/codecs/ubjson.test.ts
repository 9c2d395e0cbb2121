/**
 * Our UBJSON Draft 12 codec: the exact bytes py-ubjson would write, every Draft 12 construct on the
 * decoding side (optimized containers, no-op, char, high-precision), BJData's extra markers, and the
 * limits (declared lengths, nesting, trailing bytes).
 */
import { describe, expect, it } from "vitest";
import { ubjsonSerializer } from "../../src/codecs/index.js";
import { hex, outcome, unhex } from "./serializerArbitraries.js";

const encodeHex = (value: unknown): string => hex(ubjsonSerializer.encode([value])).slice(2, -2);
const decodeHex = (text: string): unknown[] => ubjsonSerializer.decode(unhex(text))[0];
const ascii = (text: string): string => Buffer.from(text, "latin1").toString("hex");

describe("encoding, as py-ubjson writes it", () => {
  it.each([
    [0, "5500"],
    [255, "55ff"],
    [256, "490100"],
    [32767, "497fff"],
    [32768, "6c00008000"],
    [-1, "69ff"],
    [-128, "6980"],
    [-129, "49ff7f"],
    [-32768, "498000"],
    [-32769, "6cffff7fff"],
    [2 ** 31 - 1, "6c7fffffff"],
    [2 ** 31, "4c0000000080000000"],
    [-(2 ** 31), "6c80000000"],
    [2 ** 53, "4c0020000000000000"],
    [-(2 ** 53), "4cffe0000000000000"],
    [-0, "5500"],
  ])("integer %d", (value, expected) => {
    expect(encodeHex(value)).toBe(expected);
  });

  it("writes other numbers as float64, non-finite ones as null", () => {
    expect(encodeHex(1.5)).toBe("443ff8000000000000");
    expect(encodeHex(2 ** 53 + 2)).toBe("444340000000000001");
    expect(encodeHex(Number.NaN)).toBe("5a");
    expect(encodeHex(Number.POSITIVE_INFINITY)).toBe("5a");
  });

  it("writes null, booleans, and undefined / functions as null in lists", () => {
    expect(hex(ubjsonSerializer.encode([null, true, false, undefined, () => 1]))).toBe("5b5a54465a5a5d");
  });

  it("writes one-byte strings as C, others as S with the smallest length", () => {
    expect(encodeHex("a")).toBe("4361");
    expect(encodeHex("")).toBe("535500");
    expect(encodeHex("é")).toBe("535502c3a9");
    expect(encodeHex("😀")).toBe("535504f09f9880");
    expect(encodeHex("ab")).toBe(`535502${ascii("ab")}`);
    expect(encodeHex("x".repeat(255))).toBe(`5355ff${ascii("x".repeat(255))}`);
    expect(encodeHex("x".repeat(256))).toBe(`53490100${ascii("x".repeat(256))}`);
    expect(encodeHex("é".repeat(100))).toBe(`5355c8${"c3a9".repeat(100)}`);
    expect(encodeHex("é".repeat(200))).toBe(`53490190${"c3a9".repeat(200)}`);
    // a lone surrogate has no UTF-8 form: U+FFFD, as TextEncoder writes it
    expect(encodeHex("\ud800")).toBe("535503efbfbd");
  });

  it("writes objects unsized with unmarked keys, leaving out undefined values", () => {
    expect(encodeHex({ a: 1, bc: "x", skip: undefined })).toBe(
      `7b5501${ascii("a")}55015502${ascii("bc")}43787d`,
    );
    expect(encodeHex({ ["k".repeat(300)]: null })).toBe(`7b49012c${ascii("k".repeat(300))}5a7d`);
  });

  it("writes bytes as a strongly typed uint8 array", () => {
    expect(encodeHex(new Uint8Array([1, 2, 3]))).toBe("5b24552355030102037d".slice(0, -2));
    expect(encodeHex(Buffer.alloc(300, 7)).slice(0, 14)).toBe("5b24552349012c");
  });

  it("writes a Date as its ISO string (as JSON does) and BigInts as integers", () => {
    expect(ubjsonSerializer.decode(ubjsonSerializer.encode([new Date(0)]))).toEqual([
      ["1970-01-01T00:00:00.000Z"],
    ]);
    expect(encodeHex(5n)).toBe("5505");
    expect(encodeHex(2n ** 60n)).toBe("4c1000000000000000");
    expect(encodeHex(2n ** 64n)).toBe(`485514${ascii("18446744073709551616")}`);
  });

  it("refuses nesting beyond 1000 levels and re-entrant use", () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 998; i++) deep = [deep];
    expect(outcome(() => ubjsonSerializer.encode([deep]))).toBe("ok");
    expect(outcome(() => ubjsonSerializer.encode([[deep]]))).toBe("SERIALIZER_ENCODE_FAILED");
    const sneaky = {
      get value() {
        return ubjsonSerializer.encode([1]);
      },
    };
    expect(outcome(() => ubjsonSerializer.encode([sneaky]))).toBe("SERIALIZER_ENCODE_FAILED");
    expect(ubjsonSerializer.decode(ubjsonSerializer.encode([1, "ok"]))).toEqual([[1, "ok"]]);
  });
});

describe("decoding Draft 12", () => {
  it("reads every scalar type", () => {
    expect(
      decodeHex(
        "5b" +
          "5a5446" + // null true false
          "69ff" + // int8 -1
          "55ff" + // uint8 255
          "49ff7f" + // int16 -129
          "6cffff7fff" + // int32 -32769
          "4c0020000000000000" + // int64 2^53
          "643fc00000" + // float32 1.5
          "44bff8000000000000" + // float64 -1.5
          `485504${ascii("12e3")}` + // high precision "12e3"
          "4361" + // char
          "535502c3a9" + // string "é"
          "5d",
      ),
    ).toEqual([null, true, false, -1, 255, -129, -32769, 2 ** 53, 1.5, -1.5, 12000, "a", "é"]);
  });

  it("skips no-ops wherever a value or key may start", () => {
    expect(decodeHex(`4e5b4e55014e7b4e5501${ascii("a")}4e55024e7d4e5d`)).toEqual([1, { a: 2 }]);
  });

  it("reads optimized containers: count only, type and count, nested typed containers", () => {
    expect(decodeHex("5b23550255015502")).toEqual([1, 2]);
    expect(decodeHex("5b2469235503ff0102")).toEqual([-1, 1, 2]);
    expect(decodeHex(`5b23550153550161`)).toEqual(["a"]);
    expect(decodeHex(`5b235501 7b2355025501${ascii("a")}55015501${ascii("b")}5a`.replace(/ /g, ""))).toEqual([
      { a: 1, b: null },
    ]);
    expect(decodeHex(`5b2355017b24552355025501${ascii("a")}015501${ascii("b")}02`)).toEqual([{ a: 1, b: 2 }]);
    // a list of two lists, each `#`-counted with no markers of their own
    expect(decodeHex("5b245b235502" + "2355015507" + "235500")).toEqual([[7], []]);
    // typed containers of null / true / false: their elements take no bytes at all
    expect(decodeHex("5b5b24542355015d")).toEqual([[true]]);
  });

  it("reads [$U#n as bytes (a copy, not a view of the input)", () => {
    const input = unhex("5b5b245523550301020355095d");
    const [bytes, nine] = ubjsonSerializer.decode(input)[0] as [Uint8Array, number];
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual([1, 2, 3]);
    expect(nine).toBe(9);
    input[6] = 0xaa;
    expect(bytes[0]).toBe(1);
  });

  it("never confuses object keys that share a cache slot or a length", () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `k${i}`).concat([
      "ab",
      "ba",
      "a\u00e9",
      "",
      "x".repeat(16),
    ]);
    const object = Object.fromEntries(keys.map((k, i) => [k, i]));
    for (let round = 0; round < 2; round++) {
      expect(ubjsonSerializer.decode(ubjsonSerializer.encode([1, object]))).toEqual([[1, object]]);
    }
    expect(decodeHex(`5b7b5502${ascii("ab")}55017d7b5502${ascii("ba")}55027d5d`)).toEqual([
      { ab: 1 },
      { ba: 2 },
    ]);
  });

  it("keeps __proto__ an own property", () => {
    const [obj] = decodeHex(`5b7b5509${ascii("__proto__")}55017d5d`) as [Record<string, unknown>];
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(obj, "__proto__")?.value).toBe(1);
  });

  it.each([
    ["empty input", ""],
    ["truncated int32", "5b6c0000"],
    ["truncated string", "5b5355054142"],
    ["unterminated list", "5b5501"],
    ["unterminated object", `7b5501${ascii("a")}`],
    ["trailing bytes", "5b5d5a"],
    ["unknown marker", "5b785d"],
    ["char outside ASCII", "5b43c35d"],
    ["invalid UTF-8", "5b535502c3285d"],
    ["invalid UTF-8, long", `5b5355ff${"41".repeat(254)}ff5d`],
    ["negative length", "5b5369ff5d"],
    ["length without integer marker", "5b53445d"],
    ["huge string length", "5b534c7fffffffffffffff"],
    ["huge count", "5b234c7fffffffffffffff"],
    ["huge byte count", "5b2455236c7fffffff"],
    ["huge typed null count", "5b245a236c7fffffff"],
    // by our choice every declared element must be backed by at least one byte of input
    ["typed true count beyond the input", "5b2454235502"],
    ["type without count", "5b24555d"],
    ["invalid container type", "5b244e2355015d"],
    ["malformed high precision", `5b485503${ascii("1..")}5d`],
    ["object key not a length", "7b537d"],
    ["list end in an object", "7b5d"],
  ])("refuses %s with SERIALIZER_DECODE_FAILED", (_what, input) => {
    expect(outcome(() => ubjsonSerializer.decode(unhex(input)))).toBe("SERIALIZER_DECODE_FAILED");
  });

  it("refuses nesting beyond 1000 levels", () => {
    const nested = (depth: number) => new Uint8Array(depth * 2).fill(0x5b, 0, depth).fill(0x5d, depth);
    expect(outcome(() => ubjsonSerializer.decode(nested(1000)))).toBe("ok");
    expect(outcome(() => ubjsonSerializer.decode(nested(1001)))).toBe("SERIALIZER_DECODE_FAILED");
  });
});

describe("decoding BJData (Autobahn|Python >= 26.6.1)", () => {
  it("reads the BJData-only markers, little-endian", () => {
    expect(
      decodeHex("5b" + "750201" + "6df73b7700" + "4d0000000000002000" + "68003c" + "42ff" + "5d"),
    ).toEqual([0x0102, 7814135, 2 ** 53, 1, 255]);
  });

  it("reads [$B#n as bytes", () => {
    const [bytes] = decodeHex("5b5b2442235502abcd5d") as [Uint8Array];
    expect(hex(bytes)).toBe("abcd");
  });

  it("reads shared markers little-endian once a BJData-only marker shows the payload is BJData", () => {
    // int16 0x0001 little-endian, float64 1.5 little-endian, then a uint16
    expect(decodeHex("5b" + "490100" + "44000000000000f83f" + "750100" + "5d")).toEqual([1, 1.5, 1]);
    // the same bytes without a BJData-only marker are read as UBJSON, big-endian
    expect(decodeHex("5b" + "490100" + "5d")).toEqual([256]);
  });

  it("reads BJData lengths and counts", () => {
    expect(decodeHex(`5b53750300${ascii("abc")}5d`)).toEqual(["abc"]);
    expect(decodeHex("5b236d0200000055015502")).toEqual([1, 2]);
  });

  it("still refuses malformed BJData with SERIALIZER_DECODE_FAILED", () => {
    expect(outcome(() => ubjsonSerializer.decode(unhex("5b6d0100")))).toBe("SERIALIZER_DECODE_FAILED");
    expect(outcome(() => ubjsonSerializer.decode(unhex("5b5b2442236dffffffff5d")))).toBe(
      "SERIALIZER_DECODE_FAILED",
    );
  });
});
