import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeFrameHeader,
  encodeFrameHeader,
  frameHeaderFor,
  MAX_FRAME_LENGTH,
  RawSocketFrameTooLargeError,
  RawSocketFrameType,
  RawSocketFrameWriter,
  writeFrame,
} from "../../src/codecs/rawsocket/index.js";
import { ProtocolError } from "../../src/errors.js";
import { codeOf, hex, toHex } from "./rawsocketHelpers.js";

// [type, length, header hex] from the spec's "Framing" section.
const fixtures: [RawSocketFrameType, number, string][] = [
  [0, 0, "00000000"],
  [0, 1, "00000001"],
  [0, 0x123456, "00123456"],
  [0, 2 ** 24 - 1, "00ffffff"],
  [0, 2 ** 24, "08000000"],
  [1, 0, "01000000"],
  [1, 3, "01000003"],
  [1, 2 ** 24 - 1, "01ffffff"],
  [1, 2 ** 24, "09000000"],
  [2, 0, "02000000"],
  [2, 256, "02000100"],
  [2, 2 ** 24, "0a000000"],
];

describe("frame header", () => {
  it("encodes and decodes the fixtures", () => {
    for (const [type, length, fixture] of fixtures) {
      expect(toHex(encodeFrameHeader(type, length))).toBe(fixture);
      expect(decodeFrameHeader(hex(fixture))).toEqual({ type, length });
    }
  });

  it("expresses exactly 2^24 with the 25th (X) bit, bit 3 of octet 0", () => {
    expect(MAX_FRAME_LENGTH).toBe(16 * 1024 * 1024);
    expect(encodeFrameHeader(0, 2 ** 24)[0]).toBe(0b0000_1000);
  });

  it("rejects the X bit combined with length bits (a length above 2^24)", () => {
    for (const fixture of ["08000001", "08ffffff", "0a800000"]) {
      let caught: unknown;
      try {
        decodeFrameHeader(hex(fixture));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(RawSocketFrameTooLargeError);
      expect((caught as ProtocolError).code).toBe("RAWSOCKET_FRAME_TOO_LARGE");
      expect((caught as RawSocketFrameTooLargeError).length).toBeGreaterThan(2 ** 24);
    }
  });

  it("rejects reserved types 3–7", () => {
    for (let type = 3; type <= 7; type++) {
      expect(codeOf(() => decodeFrameHeader(Uint8Array.of(type, 0, 0, 1)))).toBe("RAWSOCKET_BAD_FRAME_TYPE");
      expect(codeOf(() => decodeFrameHeader(Uint8Array.of(type | 0x08, 0, 0, 0)))).toBe(
        "RAWSOCKET_BAD_FRAME_TYPE",
      );
      expect(codeOf(() => encodeFrameHeader(type as RawSocketFrameType, 1))).toBe("RAWSOCKET_BAD_FRAME_TYPE");
    }
  });

  it("rejects each reserved bit RRRR", () => {
    for (const bit of [0x10, 0x20, 0x40, 0x80]) {
      expect(codeOf(() => decodeFrameHeader(Uint8Array.of(bit, 0, 0, 1)))).toBe("RAWSOCKET_RESERVED_BITS");
      // reserved bits are checked before the type
      expect(codeOf(() => decodeFrameHeader(Uint8Array.of(bit | 0x07, 0, 0, 1)))).toBe(
        "RAWSOCKET_RESERVED_BITS",
      );
    }
  });

  it("refuses to encode more than 2^24 or a bad length", () => {
    expect(codeOf(() => encodeFrameHeader(0, 2 ** 24 + 1))).toBe("RAWSOCKET_FRAME_TOO_LARGE");
    expect(codeOf(() => encodeFrameHeader(0, -1))).toBe("CONFIG_INVALID");
    expect(codeOf(() => encodeFrameHeader(0, 1.5))).toBe("CONFIG_INVALID");
  });

  it("writes into a provided buffer and decodes at an offset", () => {
    const out = new Uint8Array(7).fill(0xee);
    expect(encodeFrameHeader(1, 0x010203, out, 2)).toBe(out);
    expect(toHex(out)).toBe("eeee01010203ee");
    expect(decodeFrameHeader(out, 2)).toEqual({ type: 1, length: 0x010203 });
    expect(codeOf(() => decodeFrameHeader(out, 4))).toBe("CONFIG_INVALID");
    expect(codeOf(() => encodeFrameHeader(1, 1, out, 4))).toBe("CONFIG_INVALID");
  });

  it("round-trips every type and length", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<RawSocketFrameType>(0, 1, 2),
        fc.integer({ min: 0, max: 2 ** 24 }),
        (t, n) => {
          expect(decodeFrameHeader(encodeFrameHeader(t, n))).toEqual({ type: t, length: n });
        },
      ),
    );
  });

  it("decodes any 4 octets to a header or a ProtocolError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (bytes) => {
        try {
          const { type, length } = decodeFrameHeader(bytes);
          expect(type).toBeLessThanOrEqual(2);
          expect(length).toBeLessThanOrEqual(2 ** 24);
          expect(encodeFrameHeader(type, length)).toEqual(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
        }
      }),
    );
  });
});

class RecordingSink {
  readonly calls: string[] = [];
  readonly chunks: Uint8Array[] = [];
  write(chunk: Uint8Array): boolean {
    this.calls.push("write");
    this.chunks.push(chunk);
    return true;
  }
  cork(): void {
    this.calls.push("cork");
  }
  uncork(): void {
    this.calls.push("uncork");
  }
}

describe("writer", () => {
  it("gives a fresh header per frame", () => {
    const payload = new Uint8Array(5);
    const a = frameHeaderFor(RawSocketFrameType.message, payload);
    const b = frameHeaderFor(RawSocketFrameType.message, payload);
    expect(toHex(a)).toBe("00000005");
    expect(a).not.toBe(b);
  });

  it("writes header then the payload itself, corked", () => {
    const sink = new RecordingSink();
    const payload = Uint8Array.of(1, 2, 3);
    writeFrame(sink, RawSocketFrameType.message, payload);
    expect(sink.calls).toEqual(["cork", "write", "write", "uncork"]);
    expect(toHex(sink.chunks[0])).toBe("00000003");
    expect(sink.chunks[1]).toBe(payload);
  });

  it("skips the payload write for an empty frame and works without cork", () => {
    const chunks: Uint8Array[] = [];
    writeFrame({ write: (c: Uint8Array) => chunks.push(c) }, RawSocketFrameType.ping, new Uint8Array(0));
    expect(chunks.map(toHex)).toEqual(["01000000"]);
  });

  it("refuses payloads over the peer's maximum before writing anything", () => {
    const sink = new RecordingSink();
    const writer = new RawSocketFrameWriter(sink, { maxLength: 512 });
    expect(writer.maxLength).toBe(512);
    writer.writeMessage(new Uint8Array(512));
    let caught: unknown;
    try {
      writer.writeMessage(new Uint8Array(513));
    } catch (err) {
      caught = err;
    }
    expect((caught as ProtocolError).code).toBe("RAWSOCKET_FRAME_TOO_LARGE");
    expect((caught as RawSocketFrameTooLargeError).length).toBe(513);
    expect((caught as RawSocketFrameTooLargeError).maxLength).toBe(512);
    expect(sink.calls).toEqual(["cork", "write", "write", "uncork"]);
    expect(codeOf(() => new RawSocketFrameWriter(sink, { maxLength: 2 ** 24 + 1 }))).toBe("CONFIG_INVALID");
  });

  it("writes PING and a PONG echoing its payload", () => {
    const sink = new RecordingSink();
    const writer = new RawSocketFrameWriter(sink);
    const ping = Uint8Array.of(9, 8, 7);
    writer.writePing(ping);
    writer.writePong(ping);
    writer.writePing();
    expect(sink.chunks.map(toHex)).toEqual(["01000003", "090807", "02000003", "090807", "01000000"]);
    expect(sink.chunks[3]).toBe(ping);
  });
});
