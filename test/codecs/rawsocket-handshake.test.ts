import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeHandshakeReply,
  decodeHandshakeRequest,
  describeHandshakeError,
  encodeHandshakeAccept,
  encodeHandshakeError,
  encodeHandshakeRequest,
  exponentToMaxLength,
  handshakeErrorCodeFor,
  isRawSocketMagic,
  maxLengthToExponent,
  RawSocketHandshakeErrorCode,
  RawSocketHandshakeRefusedError,
} from "../../src/codecs/rawsocket/index.js";
import { ProtocolError } from "../../src/errors.js";
import { codeOf, hex, toHex } from "./rawsocketHelpers.js";

describe("handshake request", () => {
  it("encodes every LENGTH and serializer as 7f (L<<4|S) 00 00", () => {
    for (let serializer = 1; serializer <= 5; serializer++) {
      for (let L = 0; L <= 15; L++) {
        const expected = `7f${((L << 4) | serializer).toString(16).padStart(2, "0")}0000`;
        expect(toHex(encodeHandshakeRequest(serializer, L))).toBe(expected);
        expect(decodeHandshakeRequest(hex(expected))).toEqual({
          serializerId: serializer,
          lengthExponent: L,
          maxLength: 2 ** (9 + L),
        });
      }
    }
  });

  it("decodes known fixtures", () => {
    expect(decodeHandshakeRequest(hex("7f f1 00 00"))).toEqual({
      serializerId: 1,
      lengthExponent: 15,
      maxLength: 16 * 1024 * 1024,
    });
    expect(decodeHandshakeRequest(hex("7f 02 00 00"))).toEqual({
      serializerId: 2,
      lengthExponent: 0,
      maxLength: 512,
    });
    // at an offset
    expect(decodeHandshakeRequest(hex("aa bb 7f 33 00 00"), 2).serializerId).toBe(3);
  });

  it("reports serializer id 0 and reserved ids as received", () => {
    expect(decodeHandshakeRequest(hex("7f 30 00 00")).serializerId).toBe(0);
    expect(decodeHandshakeRequest(hex("7f 3f 00 00")).serializerId).toBe(15);
  });

  it("rejects a bad magic octet (an HTTP request) distinctly", () => {
    const http = new TextEncoder().encode("GET / HTTP/1.1\r\n");
    expect(isRawSocketMagic(http[0])).toBe(false);
    expect(isRawSocketMagic(0x7f)).toBe(true);
    expect(codeOf(() => decodeHandshakeRequest(http))).toBe("RAWSOCKET_BAD_MAGIC");
    expect(codeOf(() => decodeHandshakeRequest(hex("00 f1 00 00")))).toBe("RAWSOCKET_BAD_MAGIC");
    expect(codeOf(() => decodeHandshakeReply(hex("47 45 54 20")))).toBe("RAWSOCKET_BAD_MAGIC");
  });

  it("rejects non-zero reserved octets with RAWSOCKET_RESERVED_BITS, mapped to reply error 3", () => {
    for (const fixture of ["7f f1 01 00", "7f f1 00 01", "7f f1 80 00", "7f 21 ff ff"]) {
      let caught: unknown;
      try {
        decodeHandshakeRequest(hex(fixture));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ProtocolError);
      expect((caught as ProtocolError).code).toBe("RAWSOCKET_RESERVED_BITS");
      expect(handshakeErrorCodeFor(caught)).toBe(3);
      expect(toHex(encodeHandshakeError(handshakeErrorCodeFor(caught)!))).toBe("7f300000");
      expect(codeOf(() => decodeHandshakeReply(hex(fixture)))).toBe("RAWSOCKET_RESERVED_BITS");
    }
  });

  it("does not map other errors to a reply", () => {
    expect(handshakeErrorCodeFor(new ProtocolError("RAWSOCKET_BAD_MAGIC", "x"))).toBeUndefined();
    expect(handshakeErrorCodeFor(new Error("x"))).toBeUndefined();
    expect(handshakeErrorCodeFor(undefined)).toBeUndefined();
  });

  it("rejects truncated input with RAWSOCKET_BAD_HANDSHAKE", () => {
    expect(codeOf(() => decodeHandshakeRequest(hex("7f f1 00")))).toBe("RAWSOCKET_BAD_HANDSHAKE");
    expect(codeOf(() => decodeHandshakeReply(hex("")))).toBe("RAWSOCKET_BAD_HANDSHAKE");
    expect(codeOf(() => decodeHandshakeRequest(hex("7f f1 00 00"), 1))).toBe("RAWSOCKET_BAD_HANDSHAKE");
  });

  it("refuses to encode illegal fields", () => {
    expect(codeOf(() => encodeHandshakeRequest(0, 3))).toBe("CONFIG_INVALID");
    expect(codeOf(() => encodeHandshakeRequest(16, 3))).toBe("CONFIG_INVALID");
    expect(codeOf(() => encodeHandshakeRequest(1, 16))).toBe("CONFIG_INVALID");
    expect(codeOf(() => encodeHandshakeRequest(1, -1))).toBe("CONFIG_INVALID");
    expect(codeOf(() => encodeHandshakeRequest(1, 1.5))).toBe("CONFIG_INVALID");
    expect(codeOf(() => encodeHandshakeError(0))).toBe("CONFIG_INVALID");
    expect(codeOf(() => encodeHandshakeRequest(1, 1, new Uint8Array(3)))).toBe("CONFIG_INVALID");
  });

  it("writes into a provided buffer at an offset", () => {
    const out = new Uint8Array(6).fill(0xee);
    expect(encodeHandshakeRequest(2, 4, out, 1)).toBe(out);
    expect(toHex(out)).toBe("ee7f420000ee");
  });
});

describe("handshake reply", () => {
  it("encodes and decodes an accept", () => {
    expect(toHex(encodeHandshakeAccept(2, 7))).toBe("7f720000");
    expect(decodeHandshakeReply(hex("7f 72 00 00"))).toEqual({
      kind: "accepted",
      serializerId: 2,
      lengthExponent: 7,
      maxLength: 65536,
    });
    expect(decodeHandshakeReply(hex("7f f3 00 00"))).toEqual({
      kind: "accepted",
      serializerId: 3,
      lengthExponent: 15,
      maxLength: 2 ** 24,
    });
  });

  it("encodes and decodes each error reply 1–4", () => {
    const fixtures: [number, string][] = [
      [RawSocketHandshakeErrorCode.serializerUnsupported, "7f100000"],
      [RawSocketHandshakeErrorCode.maxLengthUnacceptable, "7f200000"],
      [RawSocketHandshakeErrorCode.reservedBitsUsed, "7f300000"],
      [RawSocketHandshakeErrorCode.maxConnectionCountReached, "7f400000"],
    ];
    for (const [code, fixture] of fixtures) {
      expect(toHex(encodeHandshakeError(code))).toBe(fixture);
      expect(decodeHandshakeReply(hex(fixture))).toEqual({ kind: "error", errorCode: code });
      expect(describeHandshakeError(code)).not.toMatch(/undefined/);
    }
  });

  it("reports reserved error codes 5–15 as received", () => {
    expect(decodeHandshakeReply(hex("7f 50 00 00"))).toEqual({ kind: "error", errorCode: 5 });
    expect(decodeHandshakeReply(hex("7f f0 00 00"))).toEqual({ kind: "error", errorCode: 15 });
  });

  it("rejects the illegal error code 0", () => {
    expect(codeOf(() => decodeHandshakeReply(hex("7f 00 00 00")))).toBe("RAWSOCKET_BAD_HANDSHAKE");
  });

  it("has a refusal error carrying the reply code", () => {
    const err = new RawSocketHandshakeRefusedError(4);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.code).toBe("RAWSOCKET_HANDSHAKE_REFUSED");
    expect(err.errorCode).toBe(4);
  });

  it("decodes any 4 octets to a result or a ProtocolError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 6 }), (bytes) => {
        for (const decode of [decodeHandshakeRequest, decodeHandshakeReply]) {
          try {
            decode(bytes);
          } catch (err) {
            expect(err).toBeInstanceOf(ProtocolError);
          }
        }
      }),
    );
  });
});

describe("maximum length exponents", () => {
  it("maps exponents to 2^(9+L)", () => {
    expect(exponentToMaxLength(0)).toBe(512);
    expect(exponentToMaxLength(1)).toBe(1024);
    expect(exponentToMaxLength(14)).toBe(2 ** 23);
    expect(exponentToMaxLength(15)).toBe(2 ** 24);
    expect(codeOf(() => exponentToMaxLength(16))).toBe("CONFIG_INVALID");
  });

  it("picks the smallest L covering the request, clamped", () => {
    expect(maxLengthToExponent(0)).toBe(0);
    expect(maxLengthToExponent(1)).toBe(0);
    expect(maxLengthToExponent(512)).toBe(0);
    expect(maxLengthToExponent(513)).toBe(1);
    expect(maxLengthToExponent(1024)).toBe(1);
    expect(maxLengthToExponent(65536)).toBe(7);
    expect(maxLengthToExponent(2 ** 24 - 1)).toBe(15);
    expect(maxLengthToExponent(2 ** 24)).toBe(15);
    expect(maxLengthToExponent(2 ** 40)).toBe(15);
    expect(maxLengthToExponent(Number.POSITIVE_INFINITY)).toBe(15);
    expect(codeOf(() => maxLengthToExponent(-1))).toBe("CONFIG_INVALID");
    expect(codeOf(() => maxLengthToExponent(Number.NaN))).toBe("CONFIG_INVALID");
  });

  it("round-trips and is minimal for every length", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 24 }), (bytes) => {
        const L = maxLengthToExponent(bytes);
        expect(exponentToMaxLength(L)).toBeGreaterThanOrEqual(bytes);
        if (L > 0) expect(exponentToMaxLength(L - 1)).toBeLessThan(bytes);
      }),
    );
    for (let L = 0; L <= 15; L++) expect(maxLengthToExponent(exponentToMaxLength(L))).toBe(L);
  });
});
