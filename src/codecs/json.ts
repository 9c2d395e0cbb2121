/**
 * WAMP-over-JSON (basic profile §"Serializers", RFC 7159), including the binary convention of the
 * advanced profile §"Binary support in JSON": a byte array travels as a string made of a NUL
 * character followed by its standard Base64 (RFC 4648 §4), and comes back as a `Uint8Array`.
 */
import { MessageType } from "./messages/messageType.js";
import type { Serializer } from "./serializer.js";
import { decodeFailed, encodeFailed, notAList } from "./serializerErrors.js";

const FORMAT = "json";

// fatal: a JSON payload is UTF-8 text (basic profile §"WebSocket Transport"); invalid UTF-8 is an error,
// not something to paper over with U+FFFD.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * True when a `Uint8Array` may sit somewhere in `message`. Walking costs far less than running
 * `JSON.stringify` with a replacer on every message (the replacer disables V8's fast path), so the
 * replacer only runs for the messages that need it. Objects whose own `toJSON` returns bytes are not
 * looked into. Any typed array or DataView counts (`ArrayBuffer.isView` is a single type check, where
 * `instanceof` walks prototypes): for those the replacer returns the value as is, so a false
 * positive costs time, never a different output. Most messages never get here ({@link mayHoldBytes}).
 */
function containsBytes(message: unknown): boolean {
  return typeof message === "object" && message !== null && objectContainsBytes(message);
}

function objectContainsBytes(value: object): boolean {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "object" && item !== null && objectContainsBytes(item)) return true;
    }
    return false;
  }
  if (ArrayBuffer.isView(value)) return true;
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === "object" && item !== null && objectContainsBytes(item)) return true;
  }
  return false;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

// `this[key]` is the raw value: for a Buffer, `value` already is the output of Buffer#toJSON
// ({type:"Buffer",data:[...]}), which must not reach the wire.
function bytesReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Uint8Array ? `\0${toBase64(raw)}` : value;
}

/**
 * Where each message type keeps its Options|Details dict (`[CALL, Request, Options, ...]` → 2), or
 * 0 for types without one. A hint for {@link encodeJsonText}, checked before it is trusted, so a
 * list that is not a WAMP message is encoded just as correctly, only without the shortcut.
 */
const DICT_AT: number[] = [];
for (let code = 0; code <= MessageType.YIELD; code++) DICT_AT.push(0);
for (const code of [
  MessageType.HELLO,
  MessageType.WELCOME,
  MessageType.CHALLENGE,
  MessageType.AUTHENTICATE,
  MessageType.PUBLISH,
  MessageType.SUBSCRIBE,
  MessageType.UNSUBSCRIBED,
  MessageType.CALL,
  MessageType.CANCEL,
  MessageType.RESULT,
  MessageType.REGISTER,
  MessageType.UNREGISTERED,
  MessageType.INTERRUPT,
  MessageType.YIELD,
]) {
  DICT_AT[code] = 2;
}
DICT_AT[MessageType.ABORT] = 1;
DICT_AT[MessageType.GOODBYE] = 1;
for (const code of [MessageType.ERROR, MessageType.EVENT, MessageType.INVOCATION]) DICT_AT[code] = 3;

/**
 * Whether the stringified `text` of `message` may hold the output of a byte array, without walking
 * the message. Every byte array that reaches `JSON.stringify` comes out as a JSON object (`{}` when
 * empty, `{"0":…}` otherwise, Buffer's `{"type":"Buffer",…}`), so text without a `{` holds none.
 * Most messages carry exactly one object: their Options|Details dict, usually `{}`. When the text
 * holds a single `{` and the message's dict position holds an object that stringifies as itself (not
 * a byte array, no `toJSON`), that `{` is the dict's, and nothing else in the message is an object.
 * Anything else (a second `{`, a `{` inside a string, a list that is no WAMP message) is left to
 * {@link containsBytes}.
 */
function mayHoldBytes(message: readonly unknown[], text: string): boolean {
  const first = text.indexOf("{");
  if (first === -1) return false;
  if (text.indexOf("{", first + 1) !== -1) return true;
  const code = message[0];
  const at =
    typeof code === "number" && (code | 0) === code && code >= 0 && code < DICT_AT.length ? DICT_AT[code] : 0;
  if (at === 0) return true;
  const dict = message[at];
  return (
    typeof dict !== "object" ||
    dict === null ||
    Array.isArray(dict) ||
    ArrayBuffer.isView(dict) ||
    (dict as { toJSON?: unknown }).toJSON !== undefined
  );
}

/** Encode one message as JSON text (the binary convention applied). Throws `SERIALIZER_ENCODE_FAILED`. */
export function encodeJsonText(message: readonly unknown[]): string {
  try {
    const text = JSON.stringify(message);
    // The walk runs only when the text leaves room for bytes; the replacer only when there are some.
    if (mayHoldBytes(message, text) && containsBytes(message)) return JSON.stringify(message, bytesReplacer);
    return text;
  } catch (err) {
    throw encodeFailed(FORMAT, err);
  }
}

/** A JSON payload as text: strings pass through, bytes must be valid UTF-8 (`SERIALIZER_DECODE_FAILED`). */
export function jsonPayloadText(data: Uint8Array | string): string {
  if (typeof data === "string") return data;
  if (!(data instanceof Uint8Array)) {
    throw decodeFailed(FORMAT, new TypeError("payload must be a string or a Uint8Array"));
  }
  try {
    return utf8.decode(data);
  } catch (err) {
    throw decodeFailed(FORMAT, err);
  }
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // JSON.parse makes "__proto__" an own data property; a plain assignment would set the prototype.
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Turn every string value starting with NUL into bytes, in place. Iterative: parsed JSON can be deep. */
function reviveBytes(root: unknown[]): void {
  const pending: object[] = [root];
  while (pending.length > 0) {
    const node = pending.pop() as object;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        if (typeof item === "string") {
          if (item.charCodeAt(0) === 0) node[i] = Buffer.from(item.substring(1), "base64");
        } else if (typeof item === "object" && item !== null) {
          pending.push(item);
        }
      }
    } else {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const item = record[key];
        if (typeof item === "string") {
          if (item.charCodeAt(0) === 0) setOwn(record, key, Buffer.from(item.substring(1), "base64"));
        } else if (typeof item === "object" && item !== null) {
          pending.push(item);
        }
      }
    }
  }
}

/** Parse the JSON text of one message. Throws `SERIALIZER_DECODE_FAILED` or `SERIALIZER_NOT_A_LIST`. */
export function decodeJsonText(text: string): unknown[] {
  // A NUL can only be in the text as the escape \u0000 (RFC 7159 §7 forbids raw control characters),
  // so this native substring search keeps the walk off the hot path of messages without bytes. It
  // runs before JSON.parse, while the text is fresh in the cache: after the parse it measured
  // several times slower. Most texts hold no escape at all, and a one-character search (memchr)
  // rules them out for about half the cost of the six-character one.
  const hasNulEscape = text.indexOf("\\") !== -1 && text.includes("\\u0000");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw decodeFailed(FORMAT, err);
  }
  if (!Array.isArray(value)) throw notAList(FORMAT);
  if (hasNulEscape) reviveBytes(value);
  return value;
}

// The serializer's own calls go through module constants rather than the exported bindings, which
// optimized code reloads and checks at every use (see "Module constants" in messages/validators.ts).
const payloadText = jsonPayloadText;
const decodeText = decodeJsonText;

/**
 * The `json` serializer (WebSocket subprotocol `wamp.2.json`, RawSocket serializer id 1). Encodes to
 * a string (send it as a text frame); decodes a string or UTF-8 bytes. `Uint8Array`s anywhere in a
 * message follow the WAMP binary convention both ways.
 *
 * @example
 * ```ts
 * const text = jsonSerializer.encode([48, 1, {}, "com.example.echo", [new Uint8Array([1, 2])]]);
 * // '[48,1,{},"com.example.echo",["\\u0000AQI="]]'
 * const [message] = jsonSerializer.decode(text); // message[4][0] is a Uint8Array again
 * ```
 */
export const jsonSerializer: Serializer = Object.freeze({
  name: "json",
  subprotocol: "wamp.2.json",
  rawsocketId: 1,
  binary: false,
  batched: false,
  plainObjects: true,
  encode: encodeJsonText,
  decode(data: Uint8Array | string): unknown[][] {
    return [decodeText(payloadText(data))];
  },
} as const);
