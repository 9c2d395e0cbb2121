/**
 * xwamp — WAMP (routed RPC + PubSub) for TypeScript on Node.js, built as an actor runtime on
 * XState v5. Public exports only.
 */

export {
  type AuthenticationConfig,
  type ChallengeReply,
  deriveWampcraKey,
  publicKeyOf,
  signCryptosign,
  signWampcra,
} from "./auth/client.js";
// Serializers and the message model
export {
  getSerializer,
  type RawSocketSerializerId,
  type Serializer,
  type SerializerName,
  serializerForRawSocketId,
  serializerForSubprotocol,
  serializerNames,
} from "./codecs/index.js";
export * from "./codecs/messages/index.js";
export * as rawsocket from "./codecs/rawsocket/index.js";
export { ComponentSession } from "./component/componentSession.js";
export type { EndpointConfig, TransportConfig, TransportOptions } from "./component/config.js";
export type { ComponentEvents } from "./component/events.js";
export type { WelcomeInfo } from "./component/runtime.js";
// The client: Component, run, ApplicationSession, ApplicationRunner, the session data plane
export {
  type Component,
  type ComponentActor,
  type ComponentConfig,
  createComponent,
  createComponentActor,
  run,
} from "./component.js";
// Errors
export {
  ApplicationError,
  CallTimeoutError,
  CanceledError,
  ComponentFailedError,
  ConfigError,
  ProtocolError,
  type ProtocolErrorCode,
  ProtocolViolationError,
  SessionAbortedError,
  SessionClosedError,
  TransportError,
  type TransportErrorCode,
  WampError,
  WampUri,
} from "./errors.js";
export { createLogger, type Logger, type LogLevel, type LogSink, setDefaultLogLevel } from "./logging.js";
export { canRetry, nextDelay, nextTransport, type RetryPolicy, type RetryState } from "./machines/backoff.js";
export { type ComponentEvent, componentMachine } from "./machines/componentMachine.js";
export { routerSessionMachine } from "./machines/routerSessionMachine.js";
// The embedded router
export { createRouter, type RealmConfig, type Router, type RouterConfig } from "./router/router.js";
export {
  ApplicationRunner,
  type ApplicationRunnerOptions,
  ApplicationSession,
  type ApplicationSessionConfig,
  type SessionMaker,
} from "./runner.js";
export * from "./session/index.js";
// Transports and server factories
export {
  type ClientConnection,
  type ClientTransportSpec,
  clientTransportActor,
  openClientTransport,
  type TransportEvent,
} from "./transports/actor.js";
export { type Listener, type ListenerOptions, listen } from "./transports/listen.js";
export { type MemoryTransportOptions, openMemoryTransport } from "./transports/memory.js";
export type { ProxyOptions } from "./transports/proxy.js";
export { openRawSocket, type RawSocketClientOptions } from "./transports/rawsocket/client.js";
export {
  createRawSocketAcceptor,
  type RawSocketAcceptor,
  type RawSocketAcceptorOptions,
} from "./transports/rawsocket/server.js";
export type { TlsClientOptions, TlsServerOptions } from "./transports/tls.js";
export type {
  CloseDetails,
  TransportDetails,
  TransportHandle,
  TransportHandler,
  TransportHandlerFactory,
  TransportKind,
} from "./transports/types.js";
export { openWebSocket, type WebSocketClientOptions } from "./transports/websocket/client.js";
export {
  createWebSocketAcceptor,
  type WebSocketAcceptor,
  type WebSocketAcceptorOptions,
} from "./transports/websocket/server.js";
