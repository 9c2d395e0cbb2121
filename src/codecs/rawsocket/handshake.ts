/**
 * RawSocket opening handshake: the 4-octet client request and the 4-octet router reply.
 *
 * Spec: WAMP advanced profile, "RawSocket Transport" (`rfc/text/advanced/transport_rawsocket.md`),
 * sections "Handshake: Client-to-Router Request" and "Handshake: Router-to-Client Reply".
 * Decoders only check the wire format; whether a serializer id or a length is acceptable is the
 * caller's decision (the router answers with an error reply, the client fails the connection).
 */
import { ConfigError, ProtocolError } from "../../errors.js";

/**
 * The magic first octet of every handshake request and reply (spec: "Handshake: Client-to-Router
 * Request"). No valid HTTP request can start with it, which lets one port serve both RawSocket and
 * WebSocket.
 *
 * @example
 * ```ts
 * if (firstChunk[0] === RAWSOCKET_MAGIC) startRawSocket(socket); else startHttp(socket);
 * ```
 */
export const RAWSOCKET_MAGIC = 0x7f;

/**
 * Size in octets of a handshake request and of a reply (spec: both handshake sections, "4 octets").
 *
 * @example
 * ```ts
 * const hello = new Uint8Array(HANDSHAKE_LENGTH);
 * ```
 */
export const HANDSHAKE_LENGTH = 4;

/**
 * Largest value of the 4-bit `LENGTH` field; the smallest is 0 (spec: "Handshake: Client-to-Router
 * Request", values 0 … 15).
 *
 * @example
 * ```ts
 * encodeHandshakeRequest(1, MAX_LENGTH_EXPONENT); // JSON, accept up to 16 MiB
 * ```
 */
export const MAX_LENGTH_EXPONENT = 15;

// The maximum message length is 2^(9 + LENGTH) (spec: "Handshake: Client-to-Router Request").
const LENGTH_BASE_EXPONENT = 9;
const MIN_MAX_LENGTH = 2 ** LENGTH_BASE_EXPONENT;
const MAX_MAX_LENGTH = 2 ** (LENGTH_BASE_EXPONENT + MAX_LENGTH_EXPONENT);

/**
 * Error codes of a router's handshake error reply, the upper 4 bits of its second octet (spec:
 * "Handshake: Router-to-Client Reply"). 0 is illegal; 5–15 are reserved for future errors and may
 * still arrive, so decoded codes are plain numbers.
 *
 * @example
 * ```ts
 * socket.end(encodeHandshakeError(RawSocketHandshakeErrorCode.serializerUnsupported));
 * ```
 */
export const RawSocketHandshakeErrorCode = {
  serializerUnsupported: 1,
  maxLengthUnacceptable: 2,
  reservedBitsUsed: 3,
  maxConnectionCountReached: 4,
} as const;

/** One of the error codes the spec defines (see the constant of the same name). */
export type RawSocketHandshakeErrorCode =
  (typeof RawSocketHandshakeErrorCode)[keyof typeof RawSocketHandshakeErrorCode];

const ERROR_NAMES: Record<number, string> = {
  1: "serializer unsupported",
  2: "maximum message length unacceptable",
  3: "use of reserved bits (unsupported feature)",
  4: "maximum connection count reached",
};

/**
 * A decoded client request: the serializer the client wants and the longest message it accepts.
 * `serializerId` is reported as received (0 is illegal, 6–15 are reserved; the router decides).
 */
export interface RawSocketHandshakeRequest {
  readonly serializerId: number;
  /** The raw 4-bit `LENGTH` field. */
  readonly lengthExponent: number;
  /** 2^(9 + lengthExponent) octets: what the router may send at most. */
  readonly maxLength: number;
}

/** A decoded router reply: accepted (the serializer echoed, the router's own limit) or refused. */
export type RawSocketHandshakeReply =
  | {
      readonly kind: "accepted";
      readonly serializerId: number;
      readonly lengthExponent: number;
      /** What the client may send at most. */
      readonly maxLength: number;
    }
  | { readonly kind: "error"; readonly errorCode: number };

/**
 * The router refused the handshake with an error reply. `errorCode` is the reply's code (see
 * {@link RawSocketHandshakeErrorCode}); `code` is always `RAWSOCKET_HANDSHAKE_REFUSED`.
 *
 * @example
 * ```ts
 * const reply = decodeHandshakeReply(bytes);
 * if (reply.kind === "error") throw new RawSocketHandshakeRefusedError(reply.errorCode);
 * ```
 */
export class RawSocketHandshakeRefusedError extends ProtocolError {
  readonly errorCode: number;
  constructor(errorCode: number) {
    super(
      "RAWSOCKET_HANDSHAKE_REFUSED",
      `router refused the RawSocket handshake: ${describeHandshakeError(errorCode)}`,
    );
    this.errorCode = errorCode;
  }
}

/**
 * True when `firstByte` is the RawSocket magic octet. A server sharing a port with HTTP looks at the
 * first octet of the first chunk to choose the protocol (spec: "Handshake: Router-to-Client Reply").
 *
 * @example
 * ```ts
 * socket.once("data", (chunk) => (isRawSocketMagic(chunk[0]) ? rawsocket : http)(socket, chunk));
 * ```
 */
export function isRawSocketMagic(firstByte: number): boolean {
  return firstByte === RAWSOCKET_MAGIC;
}

/**
 * The smallest `LENGTH` exponent whose maximum, 2^(9 + L), is at least `bytes`, clamped to 0 … 15
 * (512 octets … 16 MiB; spec: "Handshake: Client-to-Router Request").
 *
 * @example
 * ```ts
 * maxLengthToExponent(512); // 0
 * maxLengthToExponent(1000); // 1 (1024 octets)
 * maxLengthToExponent(2 ** 30); // 15 (16 MiB, the largest)
 * ```
 */
export function maxLengthToExponent(bytes: number): number {
  if (typeof bytes !== "number" || Number.isNaN(bytes) || bytes < 0) {
    throw new ConfigError(`RawSocket maximum message length must be a non-negative number, got ${bytes}`);
  }
  if (bytes <= MIN_MAX_LENGTH) return 0;
  if (bytes >= MAX_MAX_LENGTH) return MAX_LENGTH_EXPONENT;
  let exponent = 0;
  while (2 ** (LENGTH_BASE_EXPONENT + exponent) < bytes) exponent++;
  return exponent;
}

/**
 * The maximum message length, in octets, that a `LENGTH` exponent announces: 2^(9 + L) (spec:
 * "Handshake: Client-to-Router Request").
 *
 * @example
 * ```ts
 * exponentToMaxLength(0); // 512
 * exponentToMaxLength(15); // 16777216
 * ```
 */
export function exponentToMaxLength(lengthExponent: number): number {
  checkNibble(lengthExponent, 0, "lengthExponent");
  return 2 ** (LENGTH_BASE_EXPONENT + lengthExponent);
}

/**
 * A human-readable name of a handshake error code, for logs (never branch on it).
 *
 * @example
 * ```ts
 * describeHandshakeError(1); // "serializer unsupported"
 * ```
 */
export function describeHandshakeError(errorCode: number): string {
  return ERROR_NAMES[errorCode] ?? `undefined error ${errorCode}`;
}

/**
 * Encode a client handshake request: magic, `(L << 4) | serializerId`, two zero octets. Writes into
 * `out` at `offset` when given, otherwise into a new 4-octet array; returns the array written to.
 *
 * @example
 * ```ts
 * const L = maxLengthToExponent(options.maxMessageSize);
 * socket.write(encodeHandshakeRequest(2, L)); // MessagePack
 * const reader = new RawSocketFrameReader({ maxLength: exponentToMaxLength(L), handshake: true });
 * ```
 */
export function encodeHandshakeRequest(
  serializerId: number,
  lengthExponent: number,
  out?: Uint8Array,
  offset = 0,
): Uint8Array {
  checkNibble(serializerId, 1, "serializerId");
  checkNibble(lengthExponent, 0, "lengthExponent");
  return writeHandshake((lengthExponent << 4) | serializerId, out, offset);
}

/**
 * Encode a router's accepting reply. It has the request's structure (spec: "Handshake:
 * Router-to-Client Reply"): the client's serializer echoed, and the router's own `LENGTH`.
 *
 * @example
 * ```ts
 * socket.write(encodeHandshakeAccept(request.serializerId, maxLengthToExponent(65536)));
 * ```
 */
export function encodeHandshakeAccept(
  serializerId: number,
  lengthExponent: number,
  out?: Uint8Array,
  offset = 0,
): Uint8Array {
  return encodeHandshakeRequest(serializerId, lengthExponent, out, offset);
}

/**
 * Encode a router's error reply: magic, `errorCode << 4` (lower 4 bits zero), two zero octets.
 * `errorCode` must be 1 … 15 (0 is illegal; spec: "Handshake: Router-to-Client Reply").
 *
 * @example
 * ```ts
 * socket.end(encodeHandshakeError(RawSocketHandshakeErrorCode.maxConnectionCountReached));
 * ```
 */
export function encodeHandshakeError(errorCode: number, out?: Uint8Array, offset = 0): Uint8Array {
  checkNibble(errorCode, 1, "errorCode");
  return writeHandshake(errorCode << 4, out, offset);
}

/**
 * Decode a client handshake request (router side). Throws `ProtocolError`:
 * `RAWSOCKET_BAD_MAGIC` when the first octet is not 0x7F (not RawSocket, e.g. HTTP),
 * `RAWSOCKET_RESERVED_BITS` when the third or fourth octet is not zero (answer with error 3, see
 * {@link handshakeErrorCodeFor}), `RAWSOCKET_BAD_HANDSHAKE` when fewer than 4 octets are given.
 * The serializer id is reported as is, 0 included: the router checks it against what it supports.
 *
 * @example
 * ```ts
 * const request = decodeHandshakeRequest(bytes);
 * if (!supported.has(request.serializerId)) {
 *   socket.end(encodeHandshakeError(RawSocketHandshakeErrorCode.serializerUnsupported));
 * }
 * ```
 */
export function decodeHandshakeRequest(bytes: Uint8Array, offset = 0): RawSocketHandshakeRequest {
  const second = checkEnvelope(bytes, offset, "request");
  const lengthExponent = second >> 4;
  return {
    serializerId: second & 0x0f,
    lengthExponent,
    maxLength: 2 ** (LENGTH_BASE_EXPONENT + lengthExponent),
  };
}

/**
 * Decode a router's handshake reply (client side). A zero lower nibble means an error reply; its
 * code is reported as is (1–4 defined, 5–15 reserved). Throws `ProtocolError` like
 * {@link decodeHandshakeRequest}, and `RAWSOCKET_BAD_HANDSHAKE` for an error reply with the illegal
 * code 0. The caller must check that the accepted serializer id is the one it requested (spec:
 * "verify the serializer is the one we requested! if not, fail the connection").
 *
 * @example
 * ```ts
 * const reply = decodeHandshakeReply(bytes);
 * if (reply.kind === "error") throw new RawSocketHandshakeRefusedError(reply.errorCode);
 * if (reply.serializerId !== requested) throw new ProtocolError("RAWSOCKET_BAD_HANDSHAKE", "...");
 * const writer = new RawSocketFrameWriter(socket, { maxLength: reply.maxLength });
 * ```
 */
export function decodeHandshakeReply(bytes: Uint8Array, offset = 0): RawSocketHandshakeReply {
  const second = checkEnvelope(bytes, offset, "reply");
  const serializerId = second & 0x0f;
  if (serializerId === 0) {
    const errorCode = second >> 4;
    if (errorCode === 0) {
      throw new ProtocolError("RAWSOCKET_BAD_HANDSHAKE", "RawSocket error reply with the illegal code 0", {
        field: "errorCode",
      });
    }
    return { kind: "error", errorCode };
  }
  const lengthExponent = second >> 4;
  return {
    kind: "accepted",
    serializerId,
    lengthExponent,
    maxLength: 2 ** (LENGTH_BASE_EXPONENT + lengthExponent),
  };
}

/**
 * The error code a router should answer a failed request decode with, or `undefined` when it should
 * just close the connection (bad magic, truncated input, anything that is not a handshake error).
 * Only reserved bits map to a reply: error 3, "use of reserved bits (unsupported feature)".
 *
 * @example
 * ```ts
 * try { request = decodeHandshakeRequest(bytes); } catch (err) {
 *   const code = handshakeErrorCodeFor(err);
 *   if (code === undefined) socket.destroy(); else socket.end(encodeHandshakeError(code));
 * }
 * ```
 */
export function handshakeErrorCodeFor(error: unknown): RawSocketHandshakeErrorCode | undefined {
  if (error instanceof ProtocolError && error.code === "RAWSOCKET_RESERVED_BITS") {
    return RawSocketHandshakeErrorCode.reservedBitsUsed;
  }
  return undefined;
}

// Validates what request and reply share: length, magic, zero third and fourth octets. Returns the
// second octet.
function checkEnvelope(bytes: Uint8Array, offset: number, what: string): number {
  if (!Number.isInteger(offset) || offset < 0 || bytes.length - offset < HANDSHAKE_LENGTH) {
    throw new ProtocolError(
      "RAWSOCKET_BAD_HANDSHAKE",
      `RawSocket handshake ${what} needs ${HANDSHAKE_LENGTH} octets`,
    );
  }
  if (bytes[offset] !== RAWSOCKET_MAGIC) {
    throw new ProtocolError("RAWSOCKET_BAD_MAGIC", `not a RawSocket handshake ${what}: bad first octet`, {
      field: "magic",
    });
  }
  if (bytes[offset + 2] !== 0 || bytes[offset + 3] !== 0) {
    throw new ProtocolError("RAWSOCKET_RESERVED_BITS", `RawSocket handshake ${what} sets reserved bits`, {
      field: "reserved",
    });
  }
  return bytes[offset + 1];
}

function checkNibble(value: number, min: number, key: string): void {
  if (!Number.isInteger(value) || value < min || value > 15) {
    throw new ConfigError(`RawSocket handshake ${key} must be an integer in ${min}..15, got ${value}`, key);
  }
}

function writeHandshake(second: number, out: Uint8Array | undefined, offset: number): Uint8Array {
  const target = out ?? new Uint8Array(HANDSHAKE_LENGTH);
  if (!Number.isInteger(offset) || offset < 0 || target.length - offset < HANDSHAKE_LENGTH) {
    throw new ConfigError("RawSocket handshake output buffer too small", "out");
  }
  target[offset] = RAWSOCKET_MAGIC;
  target[offset + 1] = second;
  target[offset + 2] = 0;
  target[offset + 3] = 0;
  return target;
}
