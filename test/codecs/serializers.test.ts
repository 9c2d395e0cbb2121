/**
 * The eight serializers at the bytes ⇄ lists layer: registry, round trips, the exact integer wire
 * types, the JSON binary convention, and malformed input (only ProtocolError, with a stable code).
 */

import { Encoder } from "cbor-x";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import {
  cborSerializer,
  getSerializer,
  isBatchedSerializer,
  jsonSerializer,
  msgpackSerializer,
  serializerForRawSocketId,
  serializerForSubprotocol,
  serializerNames,
  ubjsonSerializer,
} from "../../src/codecs/index.js";
import type { SerializerName } from "../../src/codecs/serializer.js";
import { ConfigError } from "../../src/errors.js";
import {
  edgeIntegers,
  frame,
  hex,
  messageArb,
  normal,
  notPlainData,
  outcome,
  serializers,
  TWO_53,
  unhex,
} from "./serializerArbitraries.js";

describe("registry", () => {
  it("has every name, with its subprotocol, RawSocket id and flags", () => {
    expect([...serializerNames].sort()).toEqual(
      [
        "cbor",
        "cbor.batched",
        "json",
        "json.batched",
        "msgpack",
        "msgpack.batched",
        "ubjson",
        "ubjson.batched",
      ].sort(),
    );
    const ids: Record<string, number> = { json: 1, msgpack: 2, cbor: 3, ubjson: 4 };
    for (const name of serializerNames) {
      const s = getSerializer(name);
      const base = name.replace(".batched", "");
      expect(s.name).toBe(name);
      expect(s.subprotocol).toBe(`wamp.2.${name}`);
      expect(s.rawsocketId).toBe(ids[base]);
      expect(s.binary).toBe(base !== "json");
      expect(s.batched).toBe(name.endsWith(".batched"));
      expect(s.plainObjects).toBe(base === "json" || base === "ubjson");
      expect(isBatchedSerializer(s)).toBe(s.batched);
      expect(getSerializer(name)).toBe(s); // singletons
      expect(Object.isFrozen(s)).toBe(true);
    }
  });

  it("refuses an unknown name with a ConfigError", () => {
    expect(() => getSerializer("xml" as SerializerName)).toThrow(ConfigError);
    expect(() => getSerializer("toString" as SerializerName)).toThrow(ConfigError);
  });

  it("finds serializers by subprotocol and by RawSocket id (never batched)", () => {
    for (const s of serializers) expect(serializerForSubprotocol(s.subprotocol)).toBe(s);
    expect(serializerForSubprotocol("wamp.2.xml")).toBeUndefined();
    expect(serializerForSubprotocol("wamp.2.constructor")).toBeUndefined();
    expect(serializerForSubprotocol("mqtt")).toBeUndefined();
    expect(serializerForRawSocketId(1)).toBe(jsonSerializer);
    expect(serializerForRawSocketId(2)).toBe(msgpackSerializer);
    expect(serializerForRawSocketId(3)).toBe(cborSerializer);
    expect(serializerForRawSocketId(4)).toBe(ubjsonSerializer);
    expect(serializerForRawSocketId(5)).toBeUndefined(); // FlatBuffers: not in scope
    expect(serializerForRawSocketId(0)).toBeUndefined();
  });
});

describe.each(serializers.map((s) => [s.name, s] as const))("%s", (_name, serializer) => {
  it("round-trips random messages", () => {
    fc.assert(
      fc.property(messageArb, (message) => {
        const encoded = serializer.encode(message);
        expect(typeof encoded === "string").toBe(!serializer.binary);
        const decoded = serializer.decode(encoded);
        expect(decoded).toHaveLength(1);
        expect(normal(decoded[0])).toEqual(normal(message));
        if (serializer.plainObjects) expect(notPlainData(decoded)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips edge integers exactly, as numbers", () => {
    const message = [48, TWO_53, {}, "com.example.procedure", edgeIntegers, { n: edgeIntegers }];
    const [decoded] = serializer.decode(serializer.encode(message));
    expect(decoded).toEqual(message);
    for (const n of decoded[4] as unknown[]) expect(typeof n).toBe("number");
  });

  it("round-trips unicode, including the astral plane and lone surrogate-free edge cases", () => {
    const strings = [
      "",
      "a",
      "é",
      "€",
      "😀",
      "a😀b",
      "\u{10ffff}",
      "x".repeat(300),
      "é".repeat(200),
      "😀".repeat(70),
    ];
    const [decoded] = serializer.decode(serializer.encode([1, strings, { [strings[4]]: strings[5] }]));
    expect(decoded).toEqual([1, strings, { [strings[4]]: strings[5] }]);
  });

  it("round-trips byte arrays (Uint8Array and Buffer, nested, empty) as Uint8Array", () => {
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    const message = [36, 1, 2, { payload: bytes }, [Buffer.from("hello"), new Uint8Array(0)]];
    const [decoded] = serializer.decode(serializer.encode(message));
    expect(normal(decoded)).toEqual(normal(message));
    const payload = (decoded[3] as Record<string, unknown>).payload;
    expect(payload).toBeInstanceOf(Uint8Array);
    expect((decoded[4] as unknown[])[1]).toBeInstanceOf(Uint8Array);
  });

  it("writes undefined as null in lists and leaves out undefined-valued keys, as JSON does", () => {
    const [decoded] = serializer.decode(
      serializer.encode([1, undefined, [undefined], { a: undefined, b: 1 }]),
    );
    expect(decoded).toEqual([1, null, [null], { b: 1 }]);
    expect(Object.keys((decoded as unknown[])[3] as object)).toEqual(["b"]);
  });

  it("round-trips floats exactly", () => {
    const [floats] = serializer.decode(serializer.encode([1, 0.5, -1.25e-300, 1e300, 2 ** 60]));
    expect(floats).toEqual([1, 0.5, -1.25e-300, 1e300, 2 ** 60]);
  });

  it("keeps returned payloads intact across later encodes", () => {
    const first = serializer.encode([1, "first", 2 ** 40]);
    const copy = hex(first);
    for (let i = 0; i < 200; i++) serializer.encode([2, "x".repeat(i * 10), i]);
    expect(hex(first)).toBe(copy);
    expect(serializer.decode(first)).toEqual([[1, "first", 2 ** 40]]);
  });

  it("encodes big messages (beyond the encoders' first buffer)", () => {
    const big = [
      50,
      1,
      {},
      [Array.from({ length: 3000 }, (_, i) => ({ i, s: `item ${i}`, b: i % 2 === 0 }))],
    ];
    expect(serializer.decode(serializer.encode(big))).toEqual([big]);
    const blob = new Uint8Array(300_000).map((_, i) => i & 0xff);
    expect(normal(serializer.decode(serializer.encode([1, blob])))).toEqual([normal([1, blob])]);
  });

  it("refuses a top level that is not a list with SERIALIZER_NOT_A_LIST", () => {
    const notLists: Record<string, string> = {
      json: '{"a":1}',
      msgpack: "81a16101",
      cbor: "a1616101",
      ubjson: "7b5501615501" + "7d",
    };
    const base = serializer.name.replace(".batched", "");
    const payload = base === "json" ? notLists.json : unhex(notLists[base]);
    expect(outcome(() => serializer.decode(frame(serializer, payload)))).toBe("SERIALIZER_NOT_A_LIST");
  });

  it("refuses a cycle or absurd nesting on encode with SERIALIZER_ENCODE_FAILED", () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(outcome(() => serializer.encode(cyclic))).toBe("SERIALIZER_ENCODE_FAILED");
    let deep: unknown[] = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(outcome(() => serializer.encode([1, deep]))).toBe("SERIALIZER_ENCODE_FAILED");
    // and the encoder still works afterwards
    expect(serializer.decode(serializer.encode([1, 2]))).toEqual([[1, 2]]);
  });

  it("never lets anything but a ProtocolError escape on 100k nested lists", () => {
    const base = serializer.name.replace(".batched", "");
    const depth = 100_000;
    const payloads: Record<string, Uint8Array | string> = {
      json: `${"[".repeat(depth)}${"]".repeat(depth)}`,
      msgpack: new Uint8Array(depth + 1).fill(0x91, 0, depth).fill(0xc0, depth),
      cbor: new Uint8Array(depth + 1).fill(0x81, 0, depth).fill(0xf6, depth),
      ubjson: new Uint8Array(depth * 2).fill(0x5b, 0, depth).fill(0x5d, depth),
    };
    const result = outcome(() => serializer.decode(frame(serializer, payloads[base])));
    // JSON.parse copes with the depth (and that is fine); the binary decoders refuse it
    expect(base === "json" ? ["ok", "SERIALIZER_DECODE_FAILED"] : ["SERIALIZER_DECODE_FAILED"]).toContain(
      result,
    );
  });

  if (serializer.binary) {
    it("refuses nested declared lengths of millions of elements quickly, without allocating them", () => {
      const base = serializer.name.replace(".batched", "");
      const head: Record<string, string> = {
        msgpack: "dd007fffff", // array 32
        cbor: "9a007fffff", // array, 4-byte count
        ubjson: "5b236c007fffff", // [#l
      };
      const payload = unhex(head[base].repeat(200));
      const started = performance.now();
      expect(outcome(() => serializer.decode(frame(serializer, payload)))).toBe("SERIALIZER_DECODE_FAILED");
      expect(performance.now() - started).toBeLessThan(2_000);
      // the same with one long array 16 per level (65535 elements each)
      const short: Record<string, string> = {
        msgpack: "dcffff",
        cbor: "99ffff",
        ubjson: "5b2349ffff".replace("ffff", "7fff"),
      };
      const nested = unhex(short[base].repeat(1000));
      expect(outcome(() => serializer.decode(frame(serializer, nested)))).toBe("SERIALIZER_DECODE_FAILED");
      expect(performance.now() - started).toBeLessThan(2_000);
    });

    it("refuses a string (a text frame) with SERIALIZER_DECODE_FAILED", () => {
      expect(outcome(() => serializer.decode("[1]"))).toBe("SERIALIZER_DECODE_FAILED");
    });
  }
});

describe("integer wire types (hex fixtures)", () => {
  // [x] as one-element lists, so the fixtures read like the id field of a message
  const cases: [number, string, string, string][] = [
    // value, msgpack, cbor, ubjson
    [2 ** 32 + 1, "91cf0000000100000001", "811b0000000100000001", "5b4c00000001000000015d"],
    [TWO_53, "91cf0020000000000000", "811b0020000000000000", "5b4c00200000000000005d"],
    [TWO_53 - 1, "91cf001fffffffffffff", "811b001fffffffffffff", "5b4c001fffffffffffff5d"],
    [-(2 ** 32) - 1, "91d3fffffffeffffffff", "813b0000000100000000", "5b4cfffffffeffffffff5d"],
    [-TWO_53, "91d3ffe0000000000000", "813b001fffffffffffff", "5b4cffe00000000000005d"],
    [2 ** 31, "91ce80000000", "811a80000000", "5b4c00000000800000005d"],
    [2 ** 31 - 1, "91ce7fffffff", "811a7fffffff", "5b6c7fffffff5d"],
    [7814135, "91ce00773bf7", "811a00773bf7", "5b6c00773bf75d"],
    [200, "91ccc8", "8118c8", "5b55c85d"],
    [-5, "91fb", "8124", "5b69fb5d"],
  ];
  it.each(cases)("%d", (value, msgpack, cbor, ubjson) => {
    expect(hex(msgpackSerializer.encode([value]))).toBe(msgpack);
    expect(hex(cborSerializer.encode([value]))).toBe(cbor);
    expect(hex(ubjsonSerializer.encode([value]))).toBe(ubjson);
    expect(jsonSerializer.encode([value])).toBe(`[${value}]`);
    for (const s of [msgpackSerializer, cborSerializer, ubjsonSerializer]) {
      expect(s.decode(s.encode([value]))).toEqual([[value]]);
    }
  });

  it("keeps real floats and integers beyond 2^53 as doubles", () => {
    expect(hex(msgpackSerializer.encode([1.5]))).toBe("91cb3ff8000000000000");
    expect(hex(cborSerializer.encode([1.5]))).toBe("81fb3ff8000000000000");
    expect(hex(ubjsonSerializer.encode([1.5]))).toBe("5b443ff80000000000005d");
    expect(hex(msgpackSerializer.encode([2 ** 53 + 2]))).toBe("91cb4340000000000001");
    expect(hex(cborSerializer.encode([2 ** 53 + 2]))).toBe("81fb4340000000000001");
  });

  it("finds wide integers anywhere: in maps, after strings and byte strings", () => {
    const message = [
      36,
      2 ** 40,
      2 ** 41,
      { publisher: 2 ** 42, s: "\xcb\xfb" },
      [new Uint8Array([0xcb, 0xfb]), -(2 ** 45)],
    ];
    for (const s of [msgpackSerializer, cborSerializer]) {
      const bytes = s.encode(message) as Uint8Array;
      // no float64 marker is left for an integer: every double in there would be one of ours
      expect(normal(s.decode(bytes))).toEqual([normal(message)]);
      expect(hex(bytes)).not.toMatch(s === msgpackSerializer ? /cb42/ : /fb42/);
    }
  });

  it("never touches look-alike bytes inside byte arrays or strings", () => {
    // 2^32 + 1 as a MessagePack and as a CBOR float64, inside the payload
    const fake = unhex("cb41f0000000100000fb41f0000000100000");
    const message = [1, fake, "\u02cb\u02fb", 2 ** 40, fake];
    for (const s of [msgpackSerializer, cborSerializer]) {
      const bytes = s.encode(message) as Uint8Array;
      expect(hex(bytes).split(hex(fake)).length).toBe(3);
      expect(normal(s.decode(bytes))).toEqual([normal(message)]);
    }
  });

  it("decodes uint64/int64 that fit 2^53 as numbers, never BigInt", () => {
    expect(msgpackSerializer.decode(unhex("92cf0020000000000000d3ffe0000000000000"))).toEqual([
      [TWO_53, -TWO_53],
    ]);
    expect(cborSerializer.decode(unhex("821b00200000000000003b001fffffffffffff"))).toEqual([
      [TWO_53, -TWO_53],
    ]);
    expect(ubjsonSerializer.decode(unhex("5b4c00200000000000004cffe00000000000005d"))).toEqual([
      [TWO_53, -TWO_53],
    ]);
  });
});

describe("JSON binary convention (advanced profile, Binary support in JSON)", () => {
  const specBytes = unhex("10e3ff9053075c526f5fc06d4fe37cdb");
  const specString = "\\u0000EOP/kFMHXFJvX8BtT+N82w==";

  it("encodes bytes as NUL + Base64, the spec's own example", () => {
    expect(jsonSerializer.encode([1, specBytes])).toBe(`[1,"${specString}"]`);
    expect(jsonSerializer.encode([1, Buffer.from(specBytes)])).toBe(`[1,"${specString}"]`);
    expect(jsonSerializer.encode([1, { deep: [{ b: new Uint8Array(0) }] }])).toBe(
      '[1,{"deep":[{"b":"\\u0000"}]}]',
    );
    // a view into a larger buffer encodes only its own bytes
    const view = new Uint8Array([9, 9, ...specBytes, 9]).subarray(2, 18);
    expect(jsonSerializer.encode([view])).toBe(`["${specString}"]`);
  });

  it("decodes NUL + Base64 strings back to Uint8Array, at any depth, from text or bytes", () => {
    const text = `[1,"${specString}",{"k":["${specString}"],"plain":"a\\u0000b"}]`;
    for (const payload of [text, new TextEncoder().encode(text)]) {
      const [[, top, nested]] = jsonSerializer.decode(payload) as [
        [number, Uint8Array, Record<string, unknown>],
      ];
      expect(top).toBeInstanceOf(Uint8Array);
      expect(hex(top)).toBe(hex(specBytes));
      expect(hex((nested.k as Uint8Array[])[0])).toBe(hex(specBytes));
      expect(nested.plain).toBe("a\u0000b"); // only a leading NUL marks bytes
    }
    // other escapes alone leave every string a string; a NUL escape after them is still found
    expect(jsonSerializer.decode('[1,"a\\n\\"b","\\u0001x"]')).toEqual([[1, 'a\n"b', "\u0001x"]]);
    const [[, , later]] = jsonSerializer.decode(`[1,"a\\tb","${specString}"]`);
    expect(hex(later as Uint8Array)).toBe(hex(specBytes));
  });

  it("keeps a __proto__ key an own property when reviving bytes", () => {
    const [[, obj]] = jsonSerializer.decode(`[1,{"__proto__":"\\u0000AQ=="}]`) as [
      [number, Record<string, unknown>],
    ];
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(obj, "__proto__")?.value).toEqual(Buffer.from([1]));
  });

  it("refuses invalid UTF-8 and invalid JSON with SERIALIZER_DECODE_FAILED", () => {
    expect(outcome(() => jsonSerializer.decode(unhex("5b22ff225d")))).toBe("SERIALIZER_DECODE_FAILED");
    expect(outcome(() => jsonSerializer.decode("[1,"))).toBe("SERIALIZER_DECODE_FAILED");
    expect(outcome(() => jsonSerializer.decode("[1] x"))).toBe("SERIALIZER_DECODE_FAILED");
    expect(outcome(() => jsonSerializer.decode(""))).toBe("SERIALIZER_DECODE_FAILED");
    expect(outcome(() => jsonSerializer.decode(42 as unknown as string))).toBe("SERIALIZER_DECODE_FAILED");
  });

  it("refuses what JSON cannot carry with SERIALIZER_ENCODE_FAILED", () => {
    expect(outcome(() => jsonSerializer.encode([1, 10n]))).toBe("SERIALIZER_ENCODE_FAILED");
  });

  // The encoder skips its walk for bytes when the text's only "{" is the message's Options|Details
  // dict. Each case here puts an empty byte array (it stringifies as "{}", like an empty dict) or a
  // look-alike where that shortcut would have to tell them apart.
  describe("finds bytes that hide behind the one-dict shortcut", () => {
    const empty = new Uint8Array(0);
    const cases: [string, unknown[], string][] = [
      ["empty bytes in the args", [48, 1, {}, "a.b", [empty]], '[48,1,{},"a.b",["\\u0000"]]'],
      ["empty bytes as the options", [48, 1, empty, "a.b"], '[48,1,"\\u0000","a.b"]'],
      ["empty bytes as the details of an EVENT", [36, 1, 2, empty], '[36,1,2,"\\u0000"]'],
      ["empty bytes inside the options", [48, 1, { x: empty }, "a.b"], '[48,1,{"x":"\\u0000"},"a.b"]'],
      ["empty bytes in the kwargs", [50, 1, {}, [], { k: empty }], '[50,1,{},[],{"k":"\\u0000"}]'],
      ["a transparent payload", [36, 1, 2, {}, new Uint8Array([1])], '[36,1,2,{},"\\u0000AQ=="]'],
      ["a Buffer", [48, 1, {}, "a.b", [Buffer.from([1])]], '[48,1,{},"a.b",["\\u0000AQ=="]]'],
      [
        "options with a toJSON, bytes elsewhere",
        [48, 1, { toJSON: () => "x" }, "a.b", [empty]],
        '[48,1,"x","a.b",["\\u0000"]]',
      ],
      [
        "a Date as options, bytes elsewhere",
        [48, 1, new Date(0), "a.b", [empty]],
        '[48,1,"1970-01-01T00:00:00.000Z","a.b",["\\u0000"]]',
      ],
      ["a list that is no WAMP message", [999, empty], '[999,"\\u0000"]'],
      ["a type code that is not a number", ["48", 1, empty], '["48",1,"\\u0000"]'],
      ["a type code that is no integer", [48.5, 1, empty], '[48.5,1,"\\u0000"]'],
      ["an ERROR (details at 3)", [8, 48, 1, empty, "e.r"], '[8,48,1,"\\u0000","e.r"]'],
    ];
    for (const [name, message, text] of cases) {
      it(name, () => {
        expect(jsonSerializer.encode(message)).toBe(text);
      });
    }

    it("leaves look-alikes alone: braces in strings, dicts, a class instance as options", () => {
      const plain: unknown[][] = [
        [48, 1, {}, "a{}.b", ["{}"]],
        [48, 1, { timeout: 5 }, "a.b", [1]],
        [48, 1, new (class Options {})(), "a.b"],
        [17, 1, 2],
        [36, 1, 2, {}, [{}], { k: {} }],
      ];
      for (const message of plain) expect(jsonSerializer.encode(message)).toBe(JSON.stringify(message));
    });

    it("agrees with an always-walking encoder on random messages", () => {
      const reference = (message: unknown[]): string =>
        JSON.stringify(message, function (this: Record<string, unknown>, key: string, value: unknown) {
          const raw = this[key];
          return raw instanceof Uint8Array ? `\0${Buffer.from(raw).toString("base64")}` : value;
        });
      fc.assert(
        fc.property(messageArb, (message) => {
          expect(jsonSerializer.encode(message)).toBe(reference(message));
        }),
        { numRuns: 500 },
      );
    });
  });
});

/** JSON-like values that msgpackr and cbor-x encode the way the reference encoders do (32-bit integers). */
const libraryComparableArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.integer(),
    fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie("value"), { maxLength: 20 }),
    fc.dictionary(
      fc.string({ maxLength: 8 }).filter((k) => k !== "__proto__"),
      tie("value"),
      { maxKeys: 30, noNullPrototype: true },
    ),
  ),
})).value;

describe("our encoders against the libraries", () => {
  const packr = new Packr({ useRecords: false, variableMapSize: true });
  const cborx = new Encoder({ useRecords: false, variableMapSize: true, tagUint8Array: false } as never);

  it("write the same bytes as msgpackr and cbor-x wherever those are right", () => {
    fc.assert(
      fc.property(fc.array(libraryComparableArb, { maxLength: 6 }), (message) => {
        expect(hex(msgpackSerializer.encode(message))).toBe(hex(packr.pack(message)));
        expect(hex(cborSerializer.encode(message))).toBe(hex(cborx.encode(message)));
      }),
      { numRuns: 500 },
    );
  });

  it("widen container and string heads at every size boundary", () => {
    const sizes = [0, 15, 16, 23, 24, 31, 32, 255, 256, 65535, 65536];
    for (const size of sizes) {
      const list = Array.from({ length: size }, (_, i) => i);
      const map = Object.fromEntries(list.map((i) => [`k${i}`, i]));
      const text = "x".repeat(size);
      const bytes = new Uint8Array(size);
      const message = [list, map, text, bytes];
      expect(hex(msgpackSerializer.encode(message))).toBe(hex(packr.pack(message)));
      expect(hex(cborSerializer.encode(message))).toBe(hex(cborx.encode(message)));
    }
  });

  it("pick the string head by UTF-8 length, non-ASCII short strings that outgrow the short head included", () => {
    // Short strings are written behind a one-byte head (fixstr / CBOR's initial byte) and moved up
    // one byte when multi-byte characters make them too long for it; longer ones take str 8 / a
    // two-byte head directly.
    const texts: string[] = [];
    for (let units = 0; units <= 90; units++) {
      for (const char of ["x", "é", "€", "😀"]) {
        // whole characters only: a lone surrogate is written differently by msgpackr and cbor-x
        const text = char.repeat(Math.ceil(units / char.length));
        texts.push(text, `a${text}`, `${"x".repeat(units)}${char}`);
      }
    }
    for (const text of texts) {
      const message = [text, { [text]: text }];
      expect(hex(msgpackSerializer.encode(message))).toBe(hex(packr.pack(message)));
      expect(hex(cborSerializer.encode(message))).toBe(hex(cborx.encode(message)));
      expect(msgpackSerializer.decode(msgpackSerializer.encode(message))).toEqual([message]);
      expect(cborSerializer.decode(cborSerializer.encode(message))).toEqual([message]);
    }
  });

  it.each([
    ["msgpack", msgpackSerializer],
    ["cbor", cborSerializer],
    ["ubjson", ubjsonSerializer],
  ] as const)("%s: a map that outgrows the output chunk while being written", (_n, serializer) => {
    // start close to the end of a chunk, then write a wide map whose values force a bigger chunk
    for (let i = 0; i < 40; i++) serializer.encode([1, "y".repeat(1500)]);
    const map = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, "z".repeat(5000 + i)]));
    const message = [1, map, 2 ** 40];
    expect(serializer.decode(serializer.encode(message))).toEqual([message]);
  });

  it("write BigInts as integers (bignum tags beyond 64 bits in CBOR)", () => {
    expect(hex(msgpackSerializer.encode([2n ** 60n, -(2n ** 60n), 5n]))).toBe(
      "93cf1000000000000000d3f00000000000000005",
    );
    expect(hex(cborSerializer.encode([2n ** 60n, -(2n ** 60n), 2n ** 64n]))).toBe(
      "831b10000000000000003b0fffffffffffffffc249010000000000000000",
    );
    expect(outcome(() => msgpackSerializer.encode([2n ** 64n]))).toBe("SERIALIZER_ENCODE_FAILED");
  });

  it("write a Date as its ISO string, as JSON does", () => {
    for (const s of [msgpackSerializer, cborSerializer, ubjsonSerializer, jsonSerializer]) {
      expect(s.decode(s.encode([new Date(0)]))).toEqual([["1970-01-01T00:00:00.000Z"]]);
    }
  });
});

describe("msgpack specifics", () => {
  it("writes maps with the smallest header and bytes as bin", () => {
    expect(hex(msgpackSerializer.encode([1, {}, { a: 1 }, new Uint8Array([7])]))).toBe(
      "9401" + "80" + "81a16101" + "c40107",
    );
  });

  it("refuses malformed input with SERIALIZER_DECODE_FAILED", () => {
    for (const bad of [
      "",
      "93",
      "9101c0",
      "dbffffffff41",
      "ddffffffff",
      "dfffffffff",
      "c6ffffffff",
      "d40500",
    ]) {
      expect(outcome(() => msgpackSerializer.decode(unhex(bad)))).toBe("SERIALIZER_DECODE_FAILED");
    }
  });

  it("refuses msgpackr's structured-clone references (they build cycles)", () => {
    // [ id-ext(0) [ pointer-ext(0) ] ]: a list containing itself
    const cyclic = unhex("91d66900000000" + "91d67000000000");
    expect(outcome(() => msgpackSerializer.decode(cyclic))).toBe("SERIALIZER_DECODE_FAILED");
  });

  it("hands back msgpackr's marker object for the never-used byte 0xc1 (the message model refuses it)", () => {
    const [[value]] = msgpackSerializer.decode(unhex("91c1"));
    expect(typeof value).toBe("object");
  });

  it("decodes integer and boolean map keys as string keys", () => {
    expect(msgpackSerializer.decode(unhex("9181 01 02".replace(/ /g, "")))).toEqual([[{ 1: 2 }]]);
  });
});

describe("cbor specifics", () => {
  it("writes maps with the smallest header and bytes as untagged byte strings", () => {
    expect(hex(cborSerializer.encode([1, {}, { a: 1 }, new Uint8Array([7])]))).toBe(
      "8401" + "a0" + "a1616101" + "4107",
    );
  });

  it("writes undefined as null", () => {
    expect(hex(cborSerializer.encode([1, undefined]))).toBe("8201f6");
  });

  it("refuses malformed input with SERIALIZER_DECODE_FAILED", () => {
    for (const bad of [
      "",
      "83",
      "8101f6",
      "7bffffffff00000000",
      "5a7fffffff00",
      "9bffffffffffffffff",
      "1c",
      "ff",
      "7f616161",
    ]) {
      expect(outcome(() => cborSerializer.decode(unhex(bad)))).toBe("SERIALIZER_DECODE_FAILED");
    }
  });

  it("refuses the stateful cbor-x tags: value sharing, packed, records, generic objects", () => {
    const refused = [
      "d81c81d81d00", // tag 28 shareable list holding tag 29 reference to itself
      "81d81d00", // bare reference
      "d8338163616263", // packed table (51)
      "81c600", // packed reference (6)
      "81d81b82654572726f726178", // generic object (27): constructs Error by name
      "81d8698261618101", // cbor-x legacy record (105)
      "d9dfff83016161f5", // cbor-x record definition (0xdfff)
      "81db000000010000000000", // 64-bit tag number
    ];
    for (const bad of refused)
      expect(outcome(() => cborSerializer.decode(unhex(bad)))).toBe("SERIALIZER_DECODE_FAILED");
  });

  it("still decodes ordinary tags (epoch time, bignum) inside a list", () => {
    const [[date, big]] = cborSerializer.decode(unhex("82c11a00000001c249010000000000000000")) as [
      [Date, bigint],
    ];
    expect(date).toBeInstanceOf(Date);
    expect(big).toBe(2n ** 64n);
  });

  it("decodes non-string map keys as string keys", () => {
    expect(cborSerializer.decode(unhex("81a10102"))).toEqual([[{ 1: 2 }]]);
  });
});
