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
    super(
      "APPLICATION_ERROR",
      typeof args[0] === "string" ? `${uri}: ${args[0]}` : uri,
    );
    this.uri = uri;
    this.args = args;
    this.kwargs = kwargs;
  }
}
