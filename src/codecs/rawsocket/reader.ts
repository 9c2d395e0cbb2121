/**
 * Streaming RawSocket reader: turns arbitrarily split chunks from a byte stream into frames.
 *
 * Spec: WAMP advanced profile, "RawSocket Transport" (`rfc/text/advanced/transport_rawsocket.md`),
 * sections "Handshake" (the optional 4-octet handshake that precedes the frames) and "Framing".
 */
import { ProtocolError } from "../../errors.js";
import {
  checkMaxLength,
  FRAME_HEADER_LENGTH,
  frameLength,
  RawSocketFrameTooLargeError,
  type RawSocketFrameType,
} from "./frame.js";
import { HANDSHAKE_LENGTH, RAWSOCKET_MAGIC } from "./handshake.js";

// Reader states: an integer, not a set of flags, so every transition is a single assignment.
const AWAIT_HANDSHAKE = 0;
const AWAIT_HEADER = 1;
const AWAIT_PAYLOAD = 2;

// Zero-length payloads that arrive with no chunk left to take a view of share this one.
const EMPTY = new Uint8Array(0);

/** One frame: its type and its payload (a view into a received chunk when possible). */
export interface RawSocketFrame {
  readonly type: RawSocketFrameType;
  readonly payload: Uint8Array;
}

/** Options of {@link RawSocketFrameReader}. */
export interface RawSocketFrameReaderOptions {
  /**
   * The longest payload we accept, in octets: the maximum we announced in our handshake,
   * 2^(9 + L) (spec: "Handshake: Client-to-Router Request"); at most 2^24.
   */
  maxLength: number;
  /**
   * True when the stream starts with the peer's 4-octet handshake (request or reply); read it with
   * {@link RawSocketFrameReader.readHandshake} before any frame. Default false.
   */
  handshake?: boolean;
}

/**
 * Reads RawSocket frames from a byte stream split at arbitrary points. `push` each received chunk,
 * then call `next` until it returns `undefined`. A payload that lies inside one chunk is returned as
 * a view of that chunk (no copy; it shares the chunk's memory, so it stays valid only as long as the
 * chunk is not reused); a payload spanning chunks is copied into a new array. Chunks are kept as a
 * list, never concatenated.
 *
 * A header declaring more than `maxLength` fails as soon as the header is parsed, before any of its
 * payload is buffered, with {@link RawSocketFrameTooLargeError}. Every failure is a
 * `ProtocolError` (`RAWSOCKET_BAD_MAGIC`, `RAWSOCKET_RESERVED_BITS`, `RAWSOCKET_BAD_FRAME_TYPE`,
 * `RAWSOCKET_FRAME_TOO_LARGE`); the spec requires failing the connection then, and the reader is
 * poisoned: every later `push`, `next` or `readHandshake` throws the same error.
 *
 * After `next` returns `undefined`, at most `maxLength + 4` octets stay buffered.
 *
 * @example
 * ```ts
 * const reader = new RawSocketFrameReader({ maxLength: 65536, handshake: true });
 * socket.on("data", (chunk) => {
 *   try {
 *     reader.push(chunk);
 *     if (reader.awaitingHandshake) {
 *       const hs = reader.readHandshake();
 *       if (hs === undefined) return;
 *       onHandshake(decodeHandshakeReply(hs));
 *     }
 *     for (let frame = reader.next(); frame !== undefined; frame = reader.next()) {
 *       if (frame.type === RawSocketFrameType.message) onMessage(frame.payload);
 *       else if (frame.type === RawSocketFrameType.ping) writer.writePong(frame.payload);
 *     }
 *   } catch (err) {
 *     socket.destroy(err as Error);
 *   }
 * });
 * ```
 */
export class RawSocketFrameReader {
  #chunks: Uint8Array[] = [];
  // Read position inside #chunks[0]; consumed chunks are dropped, so #chunks[0] always has unread data.
  #offset = 0;
  #buffered = 0;
  #state: number;
  #type: RawSocketFrameType = 0;
  #length = 0;
  #maxLength: number;
  #error: ProtocolError | undefined;

  constructor(options: RawSocketFrameReaderOptions) {
    this.#maxLength = checkMaxLength(options.maxLength, "maxLength");
    this.#state = options.handshake === true ? AWAIT_HANDSHAKE : AWAIT_HEADER;
  }

  /**
   * The longest payload accepted, in octets. A router that picks its limit after reading the
   * client's request may change it; it applies to headers parsed afterwards.
   */
  get maxLength(): number {
    return this.#maxLength;
  }

  set maxLength(value: number) {
    this.#maxLength = checkMaxLength(value, "maxLength");
  }

  /** Octets received but not yet returned (for diagnostics and memory bounds). */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** True until the handshake has been read (always false without the `handshake` option). */
  get awaitingHandshake(): boolean {
    return this.#state === AWAIT_HANDSHAKE;
  }

  /** The error that poisoned the reader, if any. */
  get error(): ProtocolError | undefined {
    return this.#error;
  }

  /**
   * Append a received chunk. The reader keeps a reference to it (no copy), so the caller must not
   * reuse its memory. While waiting for a handshake, a first octet other than 0x7F throws
   * `RAWSOCKET_BAD_MAGIC` at once (spec: "Handshake: Router-to-Client Reply": not a RawSocket peer).
   */
  push(chunk: Uint8Array): void {
    if (this.#error !== undefined) throw this.#error;
    if (chunk.length === 0) return;
    if (this.#state === AWAIT_HANDSHAKE && this.#buffered === 0 && chunk[0] !== RAWSOCKET_MAGIC) {
      this.#fail(
        new ProtocolError("RAWSOCKET_BAD_MAGIC", "not a RawSocket peer: bad first octet", {
          field: "magic",
        }),
      );
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /**
   * The peer's 4 handshake octets once they have all arrived (then frames follow), or `undefined`
   * while they have not, or when the reader does not expect a handshake. Decode them with
   * `decodeHandshakeRequest` (router) or `decodeHandshakeReply` (client).
   */
  readHandshake(): Uint8Array | undefined {
    if (this.#error !== undefined) throw this.#error;
    if (this.#state !== AWAIT_HANDSHAKE || this.#buffered < HANDSHAKE_LENGTH) return undefined;
    this.#state = AWAIT_HEADER;
    return this.#take(HANDSHAKE_LENGTH);
  }

  /**
   * The next complete frame, or `undefined` when more data is needed (and always while the
   * handshake has not been read). Throws `ProtocolError` on a bad header.
   */
  next(): RawSocketFrame | undefined {
    if (this.#error !== undefined) throw this.#error;
    if (this.#state === AWAIT_HEADER) {
      if (this.#buffered < FRAME_HEADER_LENGTH) return undefined;
      this.#readHeader();
    }
    if (this.#state !== AWAIT_PAYLOAD || this.#buffered < this.#length) return undefined;
    this.#state = AWAIT_HEADER;
    return { type: this.#type, payload: this.#take(this.#length) };
  }

  #readHeader(): void {
    const chunk = this.#chunks[0];
    const at = this.#offset;
    let b0: number;
    let b1: number;
    let b2: number;
    let b3: number;
    if (chunk.length - at >= FRAME_HEADER_LENGTH) {
      b0 = chunk[at];
      b1 = chunk[at + 1];
      b2 = chunk[at + 2];
      b3 = chunk[at + 3];
      this.#skip(FRAME_HEADER_LENGTH);
    } else {
      // Rare: the header straddles chunks. Read it octet by octet rather than allocate.
      b0 = this.#takeByte();
      b1 = this.#takeByte();
      b2 = this.#takeByte();
      b3 = this.#takeByte();
    }
    let length: number;
    try {
      length = frameLength(b0, b1, b2, b3);
    } catch (err) {
      this.#fail(err as ProtocolError);
    }
    if (length > this.#maxLength) this.#fail(new RawSocketFrameTooLargeError(length, this.#maxLength));
    this.#type = (b0 & 0x07) as RawSocketFrameType;
    this.#length = length;
    this.#state = AWAIT_PAYLOAD;
  }

  // Advance within the first chunk (the caller checked it holds n more octets).
  #skip(n: number): void {
    this.#buffered -= n;
    this.#offset += n;
    if (this.#offset === this.#chunks[0].length) {
      this.#chunks.shift();
      this.#offset = 0;
    }
  }

  #takeByte(): number {
    const byte = this.#chunks[0][this.#offset];
    this.#skip(1);
    return byte;
  }

  // Remove n buffered octets (the caller checked they are there): a view when they lie in the first
  // chunk, a copy when they span chunks.
  #take(n: number): Uint8Array {
    if (n === 0)
      return this.#chunks.length === 0 ? EMPTY : this.#chunks[0].subarray(this.#offset, this.#offset);
    const first = this.#chunks[0];
    const start = this.#offset;
    if (first.length - start >= n) {
      this.#skip(n);
      return first.subarray(start, start + n);
    }
    const out = new Uint8Array(n);
    let written = 0;
    let index = 0;
    let at = start;
    while (written < n) {
      const chunk = this.#chunks[index];
      const count = Math.min(chunk.length - at, n - written);
      out.set(at === 0 && count === chunk.length ? chunk : chunk.subarray(at, at + count), written);
      written += count;
      at += count;
      if (at === chunk.length) {
        index++;
        at = 0;
      }
    }
    // One splice for all consumed chunks rather than a shift per chunk.
    this.#chunks.splice(0, index);
    this.#offset = at;
    this.#buffered -= n;
    return out;
  }

  #fail(error: ProtocolError): never {
    this.#error = error;
    // The connection is going away: let the buffered chunks be collected.
    this.#chunks = [];
    this.#offset = 0;
    this.#buffered = 0;
    throw error;
  }
}
