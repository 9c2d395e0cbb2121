/**
 * The xwamp error hierarchy. Every error carries a stable string `code`; tests and callers branch on
 * `err.code`, never on message text.
 */

/** WAMP URIs the spec defines for errors and close reasons (basic profile §"Predefined URIs"). */
export const WampUri = {
  // Interaction errors
  invalidUri: "wamp.error.invalid_uri",
  noSuchProcedure: "wamp.error.no_such_procedure",
  procedureAlreadyExists: "wamp.error.procedure_already_exists",
  noSuchRegistration: "wamp.error.no_such_registration",
  noSuchSubscription: "wamp.error.no_such_subscription",
  invalidArgument: "wamp.error.invalid_argument",
  canceled: "wamp.error.canceled",
  timeout: "wamp.error.timeout",
  unavailable: "wamp.error.unavailable",
  noAvailableCallee: "wamp.error.no_available_callee",
  runtimeError: "wamp.error.runtime_error",
  // Session close / abort
  systemShutdown: "wamp.close.system_shutdown",
  closeRealm: "wamp.close.close_realm",
  closeNormal: "wamp.close.normal",
  goodbyeAndOut: "wamp.close.goodbye_and_out",
  protocolViolation: "wamp.error.protocol_violation",
  // Authorization / authentication
  notAuthorized: "wamp.error.not_authorized",
  authorizationFailed: "wamp.error.authorization_failed",
  authenticationFailed: "wamp.error.authentication_failed",
  noAuthMethod: "wamp.error.no_auth_method",
  noSuchRealm: "wamp.error.no_such_realm",
  noSuchRole: "wamp.error.no_such_role",
  noSuchPrincipal: "wamp.error.no_such_principal",
  noSuchSession: "wamp.error.no_such_session",
} as const;

/** Base class: every error xwamp throws on purpose is a `WampError` with a stable `code`. */
export class WampError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Stable codes of {@link ProtocolError}. Grouped by layer: `SERIALIZER_*` (bytes ⇄ lists),
 * `MESSAGE_*` (lists ⇄ typed messages), `RAWSOCKET_*` (framing and handshake).
 */
export type ProtocolErrorCode =
  // serializers
  | "SERIALIZER_DECODE_FAILED"
  | "SERIALIZER_ENCODE_FAILED"
  | "SERIALIZER_NOT_A_LIST"
  | "SERIALIZER_EMPTY_BATCH"
  | "SERIALIZER_BAD_BATCH"
  | "SERIALIZER_UNKNOWN"
  // message model
  | "MESSAGE_EMPTY"
  | "MESSAGE_UNKNOWN_TYPE"
  | "MESSAGE_BAD_ARITY"
  | "MESSAGE_BAD_FIELD"
  | "MESSAGE_NOT_A_LIST"
  // rawsocket
  | "RAWSOCKET_BAD_MAGIC"
  | "RAWSOCKET_RESERVED_BITS"
  | "RAWSOCKET_BAD_HANDSHAKE"
  | "RAWSOCKET_BAD_FRAME_TYPE"
  | "RAWSOCKET_FRAME_TOO_LARGE"
  | "RAWSOCKET_HANDSHAKE_REFUSED";

/**
 * Malformed input on the wire: bad bytes, a bad frame, a message that violates the spec.
 * `messageType` and `field` name the offending message and field where known.
 */
export class ProtocolError extends WampError {
  declare readonly code: ProtocolErrorCode;
  readonly messageType: string | undefined;
  readonly field: string | undefined;
  constructor(
    code: ProtocolErrorCode,
    message: string,
    details?: { messageType?: string; field?: string; cause?: unknown },
  ) {
    super(code, message, details?.cause === undefined ? undefined : { cause: details.cause });
    this.messageType = details?.messageType;
    this.field = details?.field;
  }
}

/** Invalid configuration or arguments given by the program (not the peer). */
export class ConfigError extends WampError {
  readonly key: string | undefined;
  constructor(message: string, key?: string) {
    super("CONFIG_INVALID", message);
    this.key = key;
  }
}

/**
 * An application-level error: a WAMP ERROR with a URI, positional and keyword arguments. Thrown by
 * handlers to send such an ERROR, and raised to callers when one arrives.
 *
 * @example
 * ```ts
 * throw new ApplicationError("com.example.error.not_found", ["no such user"], { id: 7 });
 * ```
 */
export class ApplicationError extends WampError {
  readonly uri: string;
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;
  constructor(uri: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) {
    super("APPLICATION_ERROR", typeof args[0] === "string" ? `${uri}: ${args[0]}` : uri);
    this.uri = uri;
    this.args = args;
    this.kwargs = kwargs;
  }
}

/** Stable codes of {@link TransportError}. */
export type TransportErrorCode =
  | "TRANSPORT_CONNECT_FAILED"
  | "TRANSPORT_HANDSHAKE_FAILED"
  | "TRANSPORT_NO_SUBPROTOCOL"
  | "TRANSPORT_TIMEOUT"
  | "TRANSPORT_PING_TIMEOUT"
  | "TRANSPORT_MESSAGE_TOO_LARGE"
  | "TRANSPORT_CLOSED"
  | "TRANSPORT_PROXY_FAILED"
  | "TRANSPORT_REFUSED";

/** A transport could not be opened, or broke. */
export class TransportError extends WampError {
  declare readonly code: TransportErrorCode;
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * The client session is closed (it left, was aborted, broke the protocol, or lost its transport).
 * Every request still pending when it closed is rejected with this error, and so is every call,
 * register, publish or subscribe made afterwards; `cause` tells why it closed, where known.
 *
 * @example
 * ```ts
 * try {
 *   await session.call("com.example.add2", [2, 3]);
 * } catch (err) {
 *   if (err instanceof WampError && err.code === "SESSION_CLOSED") scheduleRetry();
 * }
 * ```
 */
export class SessionClosedError extends WampError {
  declare readonly code: "SESSION_CLOSED";
  constructor(message = "the WAMP session is closed", options?: { cause?: unknown }) {
    super("SESSION_CLOSED", message, options);
  }
}

/**
 * The router broke the protocol on an established session (basic profile, "Protocol Errors"): a
 * reply to a request that is not pending, an INVOCATION for an unknown registration, a HELLO or
 * WELCOME after the session opened, ... The session owner answers with ABORT
 * `wamp.error.protocol_violation`. `messageType` names the offending message (`"RESULT"`).
 *
 * @example
 * ```ts
 * onProtocolViolation(err) {
 *   transport.send([3, { message: err.message }, WampUri.protocolViolation]);
 * }
 * ```
 */
export class ProtocolViolationError extends WampError {
  declare readonly code: "PROTOCOL_VIOLATION";
  readonly messageType: string | undefined;
  constructor(message: string, messageType?: string) {
    super("PROTOCOL_VIOLATION", message);
    this.messageType = messageType;
  }
}

/**
 * A call this client canceled through its `AbortSignal`. It is an {@link ApplicationError} with uri
 * `wamp.error.canceled`, exactly what a dealer answers to a CANCEL, so `err.uri` is the one test
 * for "canceled" whichever side settled the call; `cause` is the signal's abort reason.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const pending = session.call("com.example.slow", [], {}, { signal: controller.signal });
 * controller.abort();
 * await pending.catch((err) => err.uri); // "wamp.error.canceled"
 * ```
 */
export class CanceledError extends ApplicationError {
  constructor(reason?: unknown) {
    super(WampUri.canceled);
    if (reason !== undefined) this.cause = reason;
  }
}

/**
 * A call whose `timeout` expired on this client before the dealer answered. It is an
 * {@link ApplicationError} with uri `wamp.error.timeout`, exactly what a dealer answers when it
 * times the call out itself (advanced profile, "Call Timeouts"); `timeout` is the limit in ms.
 *
 * @example
 * ```ts
 * await session.call("com.example.slow", [], {}, { timeout: 500 }).catch((err) => err.uri); // "wamp.error.timeout"
 * ```
 */
export class CallTimeoutError extends ApplicationError {
  readonly timeout: number;
  constructor(timeout: number) {
    super(WampUri.timeout, [`no result within ${timeout} ms`]);
    this.timeout = timeout;
  }
}

/**
 * The router refused or ended the session: an ABORT (while joining) or a GOODBYE (while joined) with
 * a reason URI, e.g. `wamp.error.no_such_realm`, `wamp.error.not_authorized`,
 * `wamp.close.system_shutdown`.
 *
 * @example
 * ```ts
 * component.on("connectfailure", (err) => {
 *   if (err instanceof SessionAbortedError && err.uri === WampUri.noSuchRealm) console.error("wrong realm");
 * });
 * ```
 */
export class SessionAbortedError extends WampError {
  declare readonly code: "SESSION_ABORTED";
  readonly uri: string;
  readonly details: Record<string, unknown>;
  constructor(uri: string, details: Record<string, unknown> = {}) {
    super("SESSION_ABORTED", typeof details.message === "string" ? `${uri}: ${details.message}` : uri);
    this.uri = uri;
    this.details = details;
  }
}

/**
 * A component gave up: every transport is exhausted or retired. `cause` is the last error, `errors`
 * the last error of each transport (undefined for one that never failed).
 *
 * @example
 * ```ts
 * await component.start().catch((err) => err.code === "COMPONENT_FAILED" && console.error(err.cause));
 * ```
 */
export class ComponentFailedError extends WampError {
  declare readonly code: "COMPONENT_FAILED";
  constructor(message: string, cause?: unknown) {
    super("COMPONENT_FAILED", message, cause === undefined ? undefined : { cause });
  }
}
