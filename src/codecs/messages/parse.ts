/**
 * `parseMessage`: a decoded list → a typed WAMP message, through a dispatch table indexed by the
 * message code. The input array is returned as is (typed), never copied.
 */
import { ProtocolError } from "../../errors.js";
import { AUTOBAHN_EVENT_RECEIVED, MessageType } from "./messageType.js";
import {
  type PubSubMessage,
  validateEvent,
  validateEventReceived,
  validatePublish,
  validatePublished,
  validateSubscribe,
  validateSubscribed,
  validateUnsubscribe,
  validateUnsubscribed,
} from "./pubsub.js";
import {
  type RpcMessage,
  validateCall,
  validateCancel,
  validateInterrupt,
  validateInvocation,
  validateRegister,
  validateRegistered,
  validateResult,
  validateUnregister,
  validateUnregistered,
  validateYield,
} from "./rpc.js";
import {
  type SessionMessage,
  validateAbort,
  validateAuthenticate,
  validateChallenge,
  validateError,
  validateGoodbye,
  validateHello,
  validateWelcome,
} from "./session.js";
import * as validators from "./validators.js";

// The hot-path helpers as module constants, not imported bindings: see "Module constants" in
// validators.ts.
const { describe, PLAIN_OBJECTS, STRICT_URIS } = validators;

/**
 * Any WAMP message of the basic or advanced profile, as a labelled readonly tuple. Narrow on the
 * first element.
 *
 * @example
 * ```ts
 * function onMessage(m: WampMessage) {
 *   if (m[0] === MessageType.RESULT) pending.get(m[1])?.resolve(m[3]);
 * }
 * ```
 */
export type WampMessage = SessionMessage | PubSubMessage | RpcMessage;

/**
 * Options of {@link parseMessage}.
 *
 * @example
 * ```ts
 * const options: ParseMessageOptions = { strictUris: true };
 * parseMessage(raw, options);
 * ```
 */
export interface ParseMessageOptions {
  /**
   * Check URIs against the strict rule (components match `[0-9a-z_]+`) instead of the loose one
   * (basic profile, "Building Blocks › URIs › Strict URIs"). Default `false`.
   */
  strictUris?: boolean;
  /**
   * The message comes from a decoder that builds only plain objects, lists and byte arrays, as
   * `JSON.parse` does: a dict then only has to be told apart from a list or a byte array, which
   * saves a prototype lookup per dict. Every serializer says whether its decoder is one in
   * `Serializer.plainObjects` (json and ubjson; not msgpack and cbor, whose extensions and tags
   * can build a Date, a Map or a Set). Only set it for lists straight from such a decoder: with it,
   * a Map or a class instance in a dict's place passes as a dict. Default `false`.
   */
  plainObjects?: boolean;
}

type Validator = (m: readonly unknown[], flags: number) => void;

// A packed array of functions or null (never holey), so the lookup stays a plain indexed load.
const TABLE: (Validator | null)[] = [];
for (let code = 0; code <= AUTOBAHN_EVENT_RECEIVED; code++) TABLE.push(null);
TABLE[MessageType.HELLO] = validateHello;
TABLE[MessageType.WELCOME] = validateWelcome;
TABLE[MessageType.ABORT] = validateAbort;
TABLE[MessageType.CHALLENGE] = validateChallenge;
TABLE[MessageType.AUTHENTICATE] = validateAuthenticate;
TABLE[MessageType.GOODBYE] = validateGoodbye;
TABLE[MessageType.ERROR] = validateError;
TABLE[MessageType.PUBLISH] = validatePublish;
TABLE[MessageType.PUBLISHED] = validatePublished;
TABLE[MessageType.SUBSCRIBE] = validateSubscribe;
TABLE[MessageType.SUBSCRIBED] = validateSubscribed;
TABLE[MessageType.UNSUBSCRIBE] = validateUnsubscribe;
TABLE[MessageType.UNSUBSCRIBED] = validateUnsubscribed;
TABLE[MessageType.EVENT] = validateEvent;
TABLE[MessageType.EVENT_RECEIVED] = validateEventReceived;
TABLE[AUTOBAHN_EVENT_RECEIVED] = validateEventReceived;
TABLE[MessageType.CALL] = validateCall;
TABLE[MessageType.CANCEL] = validateCancel;
TABLE[MessageType.RESULT] = validateResult;
TABLE[MessageType.REGISTER] = validateRegister;
TABLE[MessageType.REGISTERED] = validateRegistered;
TABLE[MessageType.UNREGISTER] = validateUnregister;
TABLE[MessageType.UNREGISTERED] = validateUnregistered;
TABLE[MessageType.INVOCATION] = validateInvocation;
TABLE[MessageType.INTERRUPT] = validateInterrupt;
TABLE[MessageType.YIELD] = validateYield;

/**
 * Validates a decoded WAMP message (one list from `Serializer.decode`) strictly against the spec
 * and returns it typed; the array itself is returned, not a copy. Throws `ProtocolError` with code
 * `MESSAGE_NOT_A_LIST`, `MESSAGE_EMPTY`, `MESSAGE_UNKNOWN_TYPE`, `MESSAGE_BAD_ARITY` or
 * `MESSAGE_BAD_FIELD`; `err.messageType` names the message (`"CALL"`) and `err.field` the field
 * (`"request"`, `"options"`, `"options.match"`, ...).
 *
 * Checked: the arity (optional `Arguments`/`ArgumentsKw` included), ids in [1, 2^53] (0 only as
 * the request of a revoking UNSUBSCRIBED/UNREGISTERED), dicts are plain objects, lists are arrays,
 * URIs (loose, or strict with `strictUris`; empty components only in SUBSCRIBE/REGISTER with
 * `match: "prefix"` (last component) or `"wildcard"` (any)), the request type of an ERROR,
 * `Details.roles` in HELLO and WELCOME, and the type (or value set) of every known Options/Details
 * attribute of the basic and advanced profiles present in the message (`options.timeout` a
 * non-negative integer, `options.exclude` a list of ids, `details.enc_algo` a known scheme, ...).
 * Unknown and custom (`_xxx`, `x_xxx`) attributes pass unchecked; a key holding `undefined` is
 * absent. CHALLENGE/AUTHENTICATE `Extra` contents are left to the authenticators.
 *
 * @example
 * ```ts
 * const [raw] = serializer.decode(bytes);
 * const message = parseMessage(raw);
 * if (message[0] === MessageType.CALL) {
 *   const [, request, options, procedure, args, kwargs] = message;
 * }
 * ```
 */
export function parseMessage(raw: unknown, options?: ParseMessageOptions): WampMessage {
  if (!Array.isArray(raw)) {
    throw new ProtocolError("MESSAGE_NOT_A_LIST", `a WAMP message must be a list, got ${describe(raw)}`);
  }
  if (raw.length === 0) throw new ProtocolError("MESSAGE_EMPTY", "a WAMP message must not be empty");
  const code: unknown = raw[0];
  // `(code | 0) === code` keeps the table load on the integer fast path (rejects NaN, 1.5, "48").
  const validate =
    typeof code === "number" && (code | 0) === code && code >= 0 && code < TABLE.length ? TABLE[code] : null;
  if (validate === null) {
    throw new ProtocolError("MESSAGE_UNKNOWN_TYPE", `unknown WAMP message type: ${describe(code)}`, {
      field: "type",
    });
  }
  let flags = 0;
  if (options !== undefined) {
    if (options.strictUris === true) flags |= STRICT_URIS;
    if (options.plainObjects === true) flags |= PLAIN_OBJECTS;
  }
  validate(raw, flags);
  return raw as unknown as WampMessage;
}
