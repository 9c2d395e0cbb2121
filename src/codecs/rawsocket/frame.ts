/**
 * The 4-octet RawSocket frame header.
 *
 * Spec: WAMP advanced profile, "RawSocket Transport" (`rfc/text/advanced/transport_rawsocket.md`),
 * section "Framing": `RRRR XTTT LLLL LLLL LLLL LLLL LLLL LLLL`, big-endian. `RRRR` are reserved and
 * must be zero, `X` is the 25th length bit (set only for a payload of exactly 2^24 octets, with the
 * 24 `L` bits cleared), `TTT` is the frame type.
 */
import { ConfigError, ProtocolError } from "../../errors.js";

/**
 * Frame types, the `TTT` bits (spec: "Framing": 0 regular WAMP message, 1 PING, 2 PONG, 3–7
 * reserved).
 *
 * @example
 * ```ts
 * if (frame.type === RawSocketFrameType.ping) writer.writePong(frame.payload);
 * ```
 */
export const RawSocketFrameType = { message: 0, ping: 1, pong: 2 } as const;

/** A frame type the spec defines (see the constant of the same name). */
export type RawSocketFrameType = (typeof RawSocketFrameType)[keyof typeof RawSocketFrameType];

/**
 * Size of the frame header in octets (spec: "Framing": "prefixed with exactly 4 octets").
 *
 * @example
 * ```ts
 * const header = encodeFrameHeader(RawSocketFrameType.message, 5, new Uint8Array(FRAME_HEADER_LENGTH));
 * ```
 */
export const FRAME_HEADER_LENGTH = 4;

/**
 * The longest payload any RawSocket frame can carry: 2^24 octets (16 MiB). It is both the largest
 * handshake maximum, `LENGTH` 15 (spec: "Handshake: Client-to-Router Request"), and the largest
 * length the header expresses, with the `X` bit (spec: "Framing").
 *
 * @example
 * ```ts
 * new RawSocketFrameReader({ maxLength: MAX_FRAME_LENGTH });
 * ```
 */
export const MAX_FRAME_LENGTH = 0x100_0000;

// Octet 0 is RRRR XTTT (spec: "Framing").
const RESERVED_MASK = 0xf0;
const EXTRA_LENGTH_BIT = 0x08;
const TYPE_MASK = 0x07;
const LAST_DEFINED_TYPE = RawSocketFrameType.pong;

/**
 * A frame's payload is longer than allowed: inbound, longer than the maximum we announced in the
 * handshake (the spec says to fail the connection); outbound, longer than the peer's maximum or than
 * 2^24 (the spec leaves handling to the implementation, e.g. drop the message).
 *
 * @example
 * ```ts
 * try { writer.writeMessage(bytes); } catch (err) {
 *   if (err instanceof RawSocketFrameTooLargeError) log.warn(`dropped ${err.length} octets`);
 * }
 * ```
 */
export class RawSocketFrameTooLargeError extends ProtocolError {
  /** The declared (inbound) or actual (outbound) payload length, in octets. */
  readonly length: number;
  /** The limit it exceeds, in octets. */
  readonly maxLength: number;
  constructor(length: number, maxLength: number) {
    super(
      "RAWSOCKET_FRAME_TOO_LARGE",
      `RawSocket frame payload of ${length} octets exceeds the limit of ${maxLength}`,
      { field: "length" },
    );
    this.length = length;
    this.maxLength = maxLength;
  }
}

/** A decoded frame header. */
export interface RawSocketFrameHeader {
  readonly type: RawSocketFrameType;
  /** Payload length in octets, 0 … 2^24, excluding the header. */
  readonly length: number;
}

/**
 * Encode a frame header for a payload of `length` octets. Writes into `out` at `offset` when given
 * (to avoid an allocation when the caller owns a scratch buffer), otherwise into a new 4-octet
 * array; returns the array written to. A length of exactly 2^24 sets the `X` bit; a longer one
 * throws {@link RawSocketFrameTooLargeError}; a type outside 0–2 throws `RAWSOCKET_BAD_FRAME_TYPE`.
 *
 * @example
 * ```ts
 * encodeFrameHeader(RawSocketFrameType.message, 5); // 00 00 00 05
 * encodeFrameHeader(RawSocketFrameType.pong, 2 ** 24); // 0a 00 00 00
 * ```
 */
export function encodeFrameHeader(
  type: RawSocketFrameType,
  length: number,
  out?: Uint8Array,
  offset = 0,
): Uint8Array {
  if (!Number.isInteger(type) || type < 0 || type > LAST_DEFINED_TYPE) {
    throw new ProtocolError("RAWSOCKET_BAD_FRAME_TYPE", `cannot encode RawSocket frame type ${type}`, {
      field: "type",
    });
  }
  if (!Number.isInteger(length) || length < 0) {
    throw new ConfigError(`RawSocket frame length must be a non-negative integer, got ${length}`, "length");
  }
  if (length > MAX_FRAME_LENGTH) throw new RawSocketFrameTooLargeError(length, MAX_FRAME_LENGTH);
  const target = out ?? new Uint8Array(FRAME_HEADER_LENGTH);
  if (!Number.isInteger(offset) || offset < 0 || target.length - offset < FRAME_HEADER_LENGTH) {
    throw new ConfigError("RawSocket frame header output buffer too small", "out");
  }
  // 2^24 is 0x01_000000: its only set bit lands on X, the 24 L bits stay zero.
  target[offset] = (length === MAX_FRAME_LENGTH ? EXTRA_LENGTH_BIT : 0) | type;
  target[offset + 1] = (length >>> 16) & 0xff;
  target[offset + 2] = (length >>> 8) & 0xff;
  target[offset + 3] = length & 0xff;
  return target;
}

/**
 * Decode the frame header at `offset`. Throws `ProtocolError`: `RAWSOCKET_RESERVED_BITS` when any
 * of `RRRR` is set, `RAWSOCKET_BAD_FRAME_TYPE` for types 3–7, {@link RawSocketFrameTooLargeError}
 * when `X` is set with non-zero `L` bits (a length above 2^24). Fewer than 4 octets after `offset`
 * is the caller's mistake (a streaming caller waits for them) and throws a `ConfigError`.
 *
 * @example
 * ```ts
 * decodeFrameHeader(Uint8Array.of(0x01, 0x00, 0x00, 0x03)); // { type: 1, length: 3 }
 * ```
 */
export function decodeFrameHeader(bytes: Uint8Array, offset = 0): RawSocketFrameHeader {
  if (!Number.isInteger(offset) || offset < 0 || bytes.length - offset < FRAME_HEADER_LENGTH) {
    throw new ConfigError(`a RawSocket frame header needs ${FRAME_HEADER_LENGTH} octets`, "bytes");
  }
  const first = bytes[offset];
  const length = frameLength(first, bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
  return { type: (first & TYPE_MASK) as RawSocketFrameType, length };
}

/**
 * Internal (not re-exported): validates the four header octets and returns the payload length; the
 * type is `first & 7`. Split out so the streaming reader can parse a header without allocating.
 */
export function frameLength(first: number, b1: number, b2: number, b3: number): number {
  if ((first & RESERVED_MASK) !== 0) {
    throw new ProtocolError("RAWSOCKET_RESERVED_BITS", "RawSocket frame header sets reserved bits", {
      field: "reserved",
    });
  }
  if ((first & TYPE_MASK) > LAST_DEFINED_TYPE) {
    throw new ProtocolError(
      "RAWSOCKET_BAD_FRAME_TYPE",
      `reserved RawSocket frame type ${first & TYPE_MASK}`,
      {
        field: "type",
      },
    );
  }
  const low = (b1 << 16) | (b2 << 8) | b3;
  if ((first & EXTRA_LENGTH_BIT) === 0) return low;
  // X may only stand for exactly 2^24; X with L bits would mean 2^24 + L, beyond any limit.
  if (low !== 0) throw new RawSocketFrameTooLargeError(MAX_FRAME_LENGTH + low, MAX_FRAME_LENGTH);
  return MAX_FRAME_LENGTH;
}

/**
 * Internal (not re-exported): validates a maximum payload length given by the program.
 */
export function checkMaxLength(value: number, key: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_FRAME_LENGTH) {
    throw new ConfigError(`RawSocket ${key} must be an integer in 0..${MAX_FRAME_LENGTH}, got ${value}`, key);
  }
  return value;
}
