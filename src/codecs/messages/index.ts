/**
 * The WAMP message model: one labelled readonly tuple type per message kind, the type codes, and
 * `parseMessage`, which validates a decoded list into a typed message.
 */
export {
  AUTOBAHN_EVENT_RECEIVED,
  MessageType,
  type MessageTypeCode,
  type MessageTypeName,
  messageName,
} from "./messageType.js";
export { type ParseMessageOptions, parseMessage, type WampMessage } from "./parse.js";
export type {
  EventMessage,
  EventReceivedMessage,
  PublishedMessage,
  PublishMessage,
  PubSubMessage,
  SubscribedMessage,
  SubscribeMessage,
  UnsubscribedMessage,
  UnsubscribeMessage,
} from "./pubsub.js";
export type {
  CallMessage,
  CancelMessage,
  InterruptMessage,
  InvocationMessage,
  RegisteredMessage,
  RegisterMessage,
  ResultMessage,
  RpcMessage,
  UnregisteredMessage,
  UnregisterMessage,
  YieldMessage,
} from "./rpc.js";
export type {
  AbortMessage,
  AuthenticateMessage,
  ChallengeMessage,
  ErrorMessage,
  ErrorRequestType,
  GoodbyeMessage,
  HelloMessage,
  SessionMessage,
  WelcomeMessage,
} from "./session.js";
export { type Dict, type EmptyComponents, isDict, isId, isUri, MAX_ID } from "./validators.js";
