/**
 * Inbound dispatch on an established session: one table indexed by message code, one function per
 * code. Messages a router never sends to an established client are protocol violations.
 */
import {
  type AbortMessage,
  AUTOBAHN_EVENT_RECEIVED,
  type ErrorMessage,
  type EventMessage,
  type GoodbyeMessage,
  type InterruptMessage,
  type InvocationMessage,
  MessageType,
  messageName,
  type PublishedMessage,
  type RegisteredMessage,
  type ResultMessage,
  type SubscribedMessage,
  type UnregisteredMessage,
  type UnsubscribedMessage,
  type WampMessage,
} from "../codecs/messages/index.js";
import type { Callee } from "./callee.js";
import type { Caller } from "./caller.js";
import { violation } from "./context.js";
import type { Publisher } from "./publisher.js";
import type { Subscriber } from "./subscriber.js";

/** Everything a route may hand a message to. */
export interface Roles {
  readonly caller: Caller;
  readonly callee: Callee;
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
  lifecycle(message: GoodbyeMessage | AbortMessage): void;
}

// biome-ignore lint/suspicious/noExplicitAny: each route narrows the message to its own type.
type Route = (roles: Roles, message: any) => void;

function unexpected(_roles: Roles, message: WampMessage): void {
  const name = messageName(message[0]) ?? String(message[0]);
  throw violation(`${name} is not valid on an established client session`, name);
}

function errorForInvocation(_roles: Roles, message: ErrorMessage): void {
  // An ERROR for an INVOCATION goes callee → dealer, never to a callee.
  throw violation(`ERROR for request type ${message[1]} is not valid towards a client`, "ERROR");
}

// Indexed by the request type an ERROR answers (parseMessage admits only the seven valid ones).
const ERROR_ROUTES: Route[] = [];
for (let code = 0; code <= MessageType.INVOCATION; code++) ERROR_ROUTES.push(errorForInvocation);
ERROR_ROUTES[MessageType.CALL] = (roles, m: ErrorMessage) => roles.caller.onError(m);
ERROR_ROUTES[MessageType.REGISTER] = (roles, m: ErrorMessage) => roles.callee.onRegisterError(m);
ERROR_ROUTES[MessageType.UNREGISTER] = (roles, m: ErrorMessage) => roles.callee.onUnregisterError(m);
ERROR_ROUTES[MessageType.PUBLISH] = (roles, m: ErrorMessage) => roles.publisher.onError(m);
ERROR_ROUTES[MessageType.SUBSCRIBE] = (roles, m: ErrorMessage) => roles.subscriber.onSubscribeError(m);
ERROR_ROUTES[MessageType.UNSUBSCRIBE] = (roles, m: ErrorMessage) => roles.subscriber.onUnsubscribeError(m);

// A packed array (filled, never holey) so the lookup stays a plain indexed load.
const TABLE: Route[] = [];
for (let code = 0; code <= AUTOBAHN_EVENT_RECEIVED; code++) TABLE.push(unexpected);
TABLE[MessageType.GOODBYE] = (roles, m: GoodbyeMessage) => roles.lifecycle(m);
TABLE[MessageType.ABORT] = (roles, m: AbortMessage) => roles.lifecycle(m);
TABLE[MessageType.ERROR] = (roles, m: ErrorMessage) => ERROR_ROUTES[m[1]](roles, m);
TABLE[MessageType.RESULT] = (roles, m: ResultMessage) => roles.caller.onResult(m);
TABLE[MessageType.REGISTERED] = (roles, m: RegisteredMessage) => roles.callee.onRegistered(m);
TABLE[MessageType.UNREGISTERED] = (roles, m: UnregisteredMessage) => roles.callee.onUnregistered(m);
TABLE[MessageType.INVOCATION] = (roles, m: InvocationMessage) => roles.callee.onInvocation(m);
TABLE[MessageType.INTERRUPT] = (roles, m: InterruptMessage) => roles.callee.onInterrupt(m);
TABLE[MessageType.PUBLISHED] = (roles, m: PublishedMessage) => roles.publisher.onPublished(m);
TABLE[MessageType.SUBSCRIBED] = (roles, m: SubscribedMessage) => roles.subscriber.onSubscribed(m);
TABLE[MessageType.UNSUBSCRIBED] = (roles, m: UnsubscribedMessage) => roles.subscriber.onUnsubscribed(m);
TABLE[MessageType.EVENT] = (roles, m: EventMessage) => roles.subscriber.onEvent(m);

/**
 * Hands a validated message to its role. Throws `ProtocolViolationError` for a message that is
 * not valid now (HELLO, WELCOME, CHALLENGE, a router-bound message, a reply to no pending request).
 */
export function dispatch(roles: Roles, message: WampMessage): void {
  const code = message[0];
  (code < TABLE.length ? TABLE[code] : unexpected)(roles, message);
}
