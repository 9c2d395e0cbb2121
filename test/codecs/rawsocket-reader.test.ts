import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeHandshakeReply,
  decodeHandshakeRequest,
  encodeFrameHeader,
  encodeHandshakeRequest,
  MAX_FRAME_LENGTH,
  type RawSocketFrame,
  RawSocketFrameReader,
  type RawSocketFrameReaderOptions,
  RawSocketFrameTooLargeError,
  type RawSocketFrameType,
} from "../../src/codecs/rawsocket/index.js";
import { ProtocolError } from "../../src/errors.js";
import { codeOf, hex, toHex } from "./rawsocketHelpers.js";

interface Spec {
  type: RawSocketFrameType;
  payload: Uint8Array;
}

/** Concatenate frames (and an optional handshake) into one stream; record each payload's position. */
function buildStream(frames: Spec[], handshake?: Uint8Array): { bytes: Uint8Array; starts: number[] } {
  const parts: Uint8Array[] = handshake === undefined ? [] : [handshake];
  const starts: number[] = [];
  let at = handshake?.length ?? 0;
  for (const { type, payload } of frames) {
    parts.push(encodeFrameHeader(type, payload.length), payload);
    starts.push(at + 4);
    at += 4 + payload.length;
  }
  return { bytes: Uint8Array.from(Buffer.concat(parts)), starts };
}

/** Split `bytes` at the given cut points; every chunk gets its own ArrayBuffer. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...points, bytes.length]) {
    chunks.push(bytes.slice(from, cut));
    from = cut;
  }
  return chunks;
}

interface Result {
  handshake: Uint8Array | undefined;
  frames: RawSocketFrame[];
  maxBuffered: number;
}

/** Push every chunk, draining after each, the way a transport does. */
function readAll(chunks: Uint8Array[], options: RawSocketFrameReaderOptions): Result {
  const reader = new RawSocketFrameReader(options);
  const frames: RawSocketFrame[] = [];
  let handshake: Uint8Array | undefined;
  let maxBuffered = 0;
  for (const chunk of chunks) {
    reader.push(chunk);
    if (reader.awaitingHandshake) handshake = reader.readHandshake();
    for (let frame = reader.next(); frame !== undefined; frame = reader.next()) frames.push(frame);
    maxBuffered = Math.max(maxBuffered, reader.bufferedBytes);
  }
  return { handshake, frames, maxBuffered };
}

const bytesOf = (...values: number[]) => Uint8Array.from(values);
const sample: Spec[] = [
  { type: 0, payload: bytesOf(1, 2, 3, 4, 5) },
  { type: 1, payload: bytesOf() },
  { type: 2, payload: bytesOf(0xaa, 0xbb, 0xcc) },
  { type: 0, payload: bytesOf(0x5b) },
  { type: 1, payload: bytesOf() },
  { type: 0, payload: bytesOf(9, 8, 7, 6, 5, 4, 3) },
];
const sampleHandshake = hex("7f f2 00 00");
const { bytes: sampleBytes, starts: sampleStarts } = buildStream(sample, sampleHandshake);

/** Check frames against the sample, and that payloads are views exactly when inside one chunk. */
function checkSample(chunks: Uint8Array[], result: Result): void {
  expect(result.handshake && toHex(result.handshake)).toBe(toHex(sampleHandshake));
  expect(result.frames.map((f) => [f.type, toHex(f.payload)])).toEqual(
    sample.map((s) => [s.type, toHex(s.payload)]),
  );
  const bounds: number[] = [];
  let at = 0;
  for (const c of chunks) {
    bounds.push(at);
    at += c.length;
  }
  result.frames.forEach((frame, i) => {
    const start = sampleStarts[i];
    const end = start + frame.payload.length;
    if (frame.payload.length === 0) return;
    const index = bounds.findLastIndex((b) => b <= start);
    const chunk = chunks[index];
    if (end <= bounds[index] + chunk.length) {
      expect(frame.payload.buffer).toBe(chunk.buffer);
      expect(frame.payload.byteOffset).toBe(chunk.byteOffset + start - bounds[index]);
    } else {
      for (const c of chunks) expect(frame.payload.buffer).not.toBe(c.buffer);
    }
  });
}

describe("RawSocketFrameReader: chunk splits", () => {
  const options = { maxLength: 64, handshake: true };

  it("reads the sample stream in one chunk, as views", () => {
    const chunks = [sampleBytes.slice()];
    checkSample(chunks, readAll(chunks, options));
  });

  it("reads the sample stream byte by byte", () => {
    const chunks = split(
      sampleBytes,
      Array.from(sampleBytes, (_, i) => i),
    );
    expect(chunks.length).toBe(sampleBytes.length);
    checkSample(chunks, readAll(chunks, options));
  });

  it("reads every 2-way and 3-way split identically", () => {
    const n = sampleBytes.length;
    let runs = 0;
    for (let a = 1; a < n; a++) {
      const chunks = split(sampleBytes, [a]);
      checkSample(chunks, readAll(chunks, options));
      for (let b = a + 1; b < n; b++) {
        const chunks3 = split(sampleBytes, [a, b]);
        checkSample(chunks3, readAll(chunks3, options));
        runs++;
      }
    }
    expect(runs).toBe(((n - 1) * (n - 2)) / 2);
  });

  it("reads random splits identically", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: sampleBytes.length - 1 }), { maxLength: 20 }),
        (cuts) => {
          const chunks = split(sampleBytes, cuts);
          checkSample(chunks, readAll(chunks, options));
        },
      ),
    );
  });

  it("reads random frames in random splits (Buffer chunks too)", () => {
    const frame = fc.record({
      type: fc.constantFrom<RawSocketFrameType>(0, 1, 2),
      payload: fc.uint8Array({ maxLength: 40 }),
    });
    fc.assert(
      fc.property(
        fc.array(frame, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.boolean(),
        (frames, cuts, asBuffer) => {
          const { bytes } = buildStream(frames);
          let chunks = split(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          );
          if (asBuffer) chunks = chunks.map((c) => Buffer.from(c));
          const result = readAll(chunks, { maxLength: 40 });
          expect(result.handshake).toBeUndefined();
          expect(result.frames.map((f) => [f.type, toHex(f.payload)])).toEqual(
            frames.map((f) => [f.type, toHex(f.payload)]),
          );
          expect(result.maxBuffered).toBeLessThanOrEqual(40 + 4);
        },
      ),
    );
  });

  it("ignores empty chunks", () => {
    const chunks = [new Uint8Array(0), sampleBytes.slice(0, 10), new Uint8Array(0), sampleBytes.slice(10)];
    const result = readAll(chunks, options);
    expect(result.frames.length).toBe(sample.length);
  });

  it("reads a payload of exactly 2^24 octets (X bit), as a view or a copy", () => {
    const header = encodeFrameHeader(0, MAX_FRAME_LENGTH);
    expect(toHex(header)).toBe("08000000");
    const whole = new Uint8Array(4 + MAX_FRAME_LENGTH);
    whole.set(header);
    whole[4] = 1;
    whole[whole.length - 1] = 2;
    const one = readAll([whole], { maxLength: MAX_FRAME_LENGTH });
    expect(one.frames[0].payload.length).toBe(MAX_FRAME_LENGTH);
    // compare identities as booleans: a failing diff of 16 MiB buffers would exhaust the heap
    expect(one.frames[0].payload.buffer === whole.buffer).toBe(true);
    const two = readAll([whole.subarray(0, 1000), whole.subarray(1000)], { maxLength: MAX_FRAME_LENGTH });
    const payload = two.frames[0].payload;
    expect(payload.buffer === whole.buffer).toBe(false);
    expect([payload.length, payload[0], payload[payload.length - 1]]).toEqual([MAX_FRAME_LENGTH, 1, 2]);
  });
});

describe("RawSocketFrameReader: handshake", () => {
  it("returns the handshake, then frames pipelined in the same chunk", () => {
    const hello = encodeHandshakeRequest(2, 15);
    const { bytes } = buildStream([{ type: 0, payload: bytesOf(0x93, 1) }], hello);
    const reader = new RawSocketFrameReader({ maxLength: 1024, handshake: true });
    reader.push(bytes);
    expect(reader.awaitingHandshake).toBe(true);
    expect(reader.next()).toBeUndefined();
    const hs = reader.readHandshake()!;
    expect(decodeHandshakeRequest(hs)).toEqual({ serializerId: 2, lengthExponent: 15, maxLength: 2 ** 24 });
    expect(reader.awaitingHandshake).toBe(false);
    expect(reader.readHandshake()).toBeUndefined();
    expect(toHex(reader.next()!.payload)).toBe("9301");
    expect(reader.next()).toBeUndefined();
  });

  it("waits for all four octets", () => {
    const reader = new RawSocketFrameReader({ maxLength: 1024, handshake: true });
    for (const byte of [0x7f, 0x10, 0x00]) {
      reader.push(bytesOf(byte));
      expect(reader.readHandshake()).toBeUndefined();
    }
    reader.push(bytesOf(0x00));
    expect(decodeHandshakeReply(reader.readHandshake()!)).toEqual({ kind: "error", errorCode: 1 });
  });

  it("rejects a non-RawSocket peer on its first octet", () => {
    for (const first of ["G", "GET / HTTP/1.1\r\n"]) {
      const reader = new RawSocketFrameReader({ maxLength: 1024, handshake: true });
      const chunk = new TextEncoder().encode(first);
      expect(codeOf(() => reader.push(chunk))).toBe("RAWSOCKET_BAD_MAGIC");
      expect(reader.error?.code).toBe("RAWSOCKET_BAD_MAGIC");
      expect(() => reader.push(bytesOf(0x7f))).toThrow(reader.error!);
      expect(() => reader.readHandshake()).toThrow(reader.error!);
    }
  });

  it("does not expect a handshake unless configured", () => {
    const reader = new RawSocketFrameReader({ maxLength: 1024 });
    expect(reader.awaitingHandshake).toBe(false);
    reader.push(hex("00 00 00 01 47"));
    expect(reader.readHandshake()).toBeUndefined();
    expect(toHex(reader.next()!.payload)).toBe("47");
  });

  it("lets a router set its maximum after reading the request", () => {
    const reader = new RawSocketFrameReader({ maxLength: 512, handshake: true });
    reader.push(hex("7f f1 00 00 00 00 04 00"));
    reader.readHandshake();
    reader.maxLength = 2048;
    expect(reader.maxLength).toBe(2048);
    expect(reader.next()).toBeUndefined();
    expect(codeOf(() => (reader.maxLength = 2 ** 24 + 1))).toBe("CONFIG_INVALID");
  });
});

describe("RawSocketFrameReader: bad input", () => {
  it("fails an oversize header before any payload arrives", () => {
    for (const chunks of [[hex("00 00 00 41")], [bytesOf(0), bytesOf(0), bytesOf(0), bytesOf(0x41)]]) {
      const reader = new RawSocketFrameReader({ maxLength: 64 });
      let caught: unknown;
      try {
        for (const chunk of chunks) {
          reader.push(chunk);
          reader.next();
        }
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(RawSocketFrameTooLargeError);
      expect((caught as RawSocketFrameTooLargeError).code).toBe("RAWSOCKET_FRAME_TOO_LARGE");
      expect((caught as RawSocketFrameTooLargeError).length).toBe(65);
      expect((caught as RawSocketFrameTooLargeError).maxLength).toBe(64);
      expect(reader.bufferedBytes).toBe(0);
      expect(() => reader.push(bytesOf(1))).toThrow(caught as Error);
      expect(() => reader.next()).toThrow(caught as Error);
    }
  });

  it("accepts a header declaring exactly the maximum and waits for its payload", () => {
    const reader = new RawSocketFrameReader({ maxLength: 64 });
    reader.push(hex("02 00 00 40"));
    expect(reader.next()).toBeUndefined();
    reader.push(new Uint8Array(64));
    expect(reader.next()?.payload.length).toBe(64);
  });

  it("fails a 2^24 header (X bit) when the maximum is lower, and X with length bits always", () => {
    const reader = new RawSocketFrameReader({ maxLength: 2 ** 24 - 1 });
    reader.push(hex("08 00 00 00"));
    expect(codeOf(() => reader.next())).toBe("RAWSOCKET_FRAME_TOO_LARGE");
    const full = new RawSocketFrameReader({ maxLength: MAX_FRAME_LENGTH });
    full.push(hex("08 00 00 00"));
    expect(full.next()).toBeUndefined();
    const bad = new RawSocketFrameReader({ maxLength: MAX_FRAME_LENGTH });
    bad.push(hex("08 00 00 01"));
    expect(codeOf(() => bad.next())).toBe("RAWSOCKET_FRAME_TOO_LARGE");
  });

  it("returns the frames before a bad header, then fails", () => {
    const cases: [string, string][] = [
      ["03 00 00 00", "RAWSOCKET_BAD_FRAME_TYPE"],
      ["07 00 00 01", "RAWSOCKET_BAD_FRAME_TYPE"],
      ["10 00 00 00", "RAWSOCKET_RESERVED_BITS"],
      ["80 00 00 00", "RAWSOCKET_RESERVED_BITS"],
    ];
    for (const [header, code] of cases) {
      const reader = new RawSocketFrameReader({ maxLength: 64 });
      reader.push(hex(`00 00 00 01 aa ${header} bb bb`));
      expect(toHex(reader.next()!.payload)).toBe("aa");
      expect(codeOf(() => reader.next())).toBe(code);
      expect(reader.error).toBeInstanceOf(ProtocolError);
      expect(codeOf(() => reader.push(bytesOf(0)))).toBe(code);
    }
  });

  it("refuses an invalid maximum", () => {
    expect(codeOf(() => new RawSocketFrameReader({ maxLength: -1 }))).toBe("CONFIG_INVALID");
    expect(codeOf(() => new RawSocketFrameReader({ maxLength: 2 ** 24 + 1 }))).toBe("CONFIG_INVALID");
  });

  /** Feed chunks draining after each; only ProtocolError may escape and memory stays bounded. */
  function survive(chunks: Uint8Array[], options: RawSocketFrameReaderOptions): void {
    const reader = new RawSocketFrameReader(options);
    try {
      for (const chunk of chunks) {
        reader.push(chunk);
        if (reader.awaitingHandshake) reader.readHandshake();
        let count = 0;
        for (let frame = reader.next(); frame !== undefined; frame = reader.next()) {
          expect(frame.payload.length).toBeLessThanOrEqual(options.maxLength);
          count++;
          // each frame consumes at least its 4-octet header, so no loop can spin
          expect(count).toBeLessThanOrEqual(chunk.length);
        }
        expect(reader.bufferedBytes).toBeLessThanOrEqual(options.maxLength + 4);
      }
    } catch (err) {
      expect(err).toBeInstanceOf(ProtocolError);
      expect(reader.error).toBe(err);
      expect(reader.bufferedBytes).toBe(0);
    }
  }

  it("survives random bytes in random splits", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 16 }),
        fc.integer({ min: 0, max: 80 }),
        fc.boolean(),
        fc.boolean(),
        (bytes, cuts, maxLength, handshake, magicFirst) => {
          // half the handshake runs get past the magic check to exercise what follows
          if (handshake && magicFirst && bytes.length > 0) bytes[0] = 0x7f;
          survive(
            split(
              bytes,
              cuts.map((c) => c % (bytes.length + 1)),
            ),
            { maxLength, handshake },
          );
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("survives mutated valid streams", () => {
    const frame = fc.record({
      type: fc.constantFrom<RawSocketFrameType>(0, 1, 2),
      payload: fc.uint8Array({ maxLength: 30 }),
    });
    fc.assert(
      fc.property(
        fc.array(frame, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (frames, mutations, cuts) => {
          const { bytes } = buildStream(frames);
          for (const [at, value] of mutations) bytes[at % bytes.length] = value;
          survive(
            split(
              bytes,
              cuts.map((c) => c % (bytes.length + 1)),
            ),
            { maxLength: 30 },
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
