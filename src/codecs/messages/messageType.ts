/**
 * WAMP message type codes: the first element of every message.
 */

/**
 * Message type codes of the basic profile ("Messages › Message Codes and Direction") and the
 * advanced profile ("Messages › Additional Messages": CHALLENGE, AUTHENTICATE, CANCEL, INTERRUPT).
 * EVENT_RECEIVED (acknowledged event delivery) is not yet ratified: 37 is its intended code, and
 * Autobahn|Python currently sends {@link AUTOBAHN_EVENT_RECEIVED} (337) instead; both are accepted.
 *
 * @example
 * ```ts
 * if (message[0] === MessageType.CALL) handleCall(message);
 * ```
 */
export const MessageType = {
  HELLO: 1,
  WELCOME: 2,
  ABORT: 3,
  CHALLENGE: 4,
  AUTHENTICATE: 5,
  GOODBYE: 6,
  ERROR: 8,
  PUBLISH: 16,
  PUBLISHED: 17,
  SUBSCRIBE: 32,
  SUBSCRIBED: 33,
  UNSUBSCRIBE: 34,
  UNSUBSCRIBED: 35,
  EVENT: 36,
  EVENT_RECEIVED: 37,
  CALL: 48,
  CANCEL: 49,
  RESULT: 50,
  REGISTER: 64,
  REGISTERED: 65,
  UNREGISTER: 66,
  UNREGISTERED: 67,
  INVOCATION: 68,
  INTERRUPT: 69,
  YIELD: 70,
} as const;

/**
 * A message name, e.g. `"CALL"`.
 *
 * @example
 * ```ts
 * const name: MessageTypeName = messageName(message[0]) ?? "ERROR";
 * ```
 */
export type MessageTypeName = keyof typeof MessageType;

/**
 * A message type code, e.g. `48`.
 *
 * @example
 * ```ts
 * const code: MessageTypeCode = MessageType.CALL;
 * ```
 */
export type MessageTypeCode = (typeof MessageType)[MessageTypeName];

/**
 * The code Autobahn|Python uses for EVENT_RECEIVED while it is an implementation-specific message
 * (extension range [256, 1023], basic profile "Messages › Extension Messages"; the conformance
 * vector `testsuite/singlemessage/advanced/eventreceived.json` uses it).
 *
 * @example
 * ```ts
 * const ack = [peerIsAutobahn ? AUTOBAHN_EVENT_RECEIVED : MessageType.EVENT_RECEIVED, publication];
 * ```
 */
export const AUTOBAHN_EVENT_RECEIVED = 337;

const NAMES: (MessageTypeName | undefined)[] = [];
for (const name of Object.keys(MessageType) as MessageTypeName[]) NAMES[MessageType[name]] = name;

/**
 * The name of a message type code, or `undefined` for an unknown code.
 *
 * @example
 * ```ts
 * messageName(48); // "CALL"
 * messageName(337); // "EVENT_RECEIVED"
 * messageName(7); // undefined
 * ```
 */
export function messageName(code: number): MessageTypeName | undefined {
  if (code === AUTOBAHN_EVENT_RECEIVED) return "EVENT_RECEIVED";
  return Number.isInteger(code) && code >= 0 ? NAMES[code] : undefined;
}
