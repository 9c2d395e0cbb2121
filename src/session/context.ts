/**
 * What every role of a client session shares: the send function, the request id counter, the
 * closed state and the owner's hooks. Roles never talk to each other; they talk to this.
 */
import type { AbortMessage, Dict, GoodbyeMessage } from "../codecs/messages/index.js";
import { ConfigError, ProtocolViolationError, SessionClosedError } from "../errors.js";
import { RequestIds } from "./ids.js";

/**
 * Callbacks through which a {@link Session} reports to its owner (the control plane).
 *
 * @example
 * ```ts
 * const hooks: SessionHooks = {
 *   onProtocolViolation: (err) => handle.send([3, { message: err.message }, "wamp.error.protocol_violation"]),
 *   onLifecycle: (message) => actor.send({ type: message[0] === 6 ? "wamp.goodbye" : "wamp.abort", message }),
 *   onUserError: (err, context) => log.warn(context, err),
 * };
 * ```
 */
export interface SessionHooks {
  /**
   * The router broke the protocol. The session has already closed itself (every pending request is
   * rejected); the owner sends ABORT `wamp.error.protocol_violation` and drops the transport.
   */
  onProtocolViolation?(error: ProtocolViolationError): void;
  /** A GOODBYE or ABORT arrived: closing the session is the owner's business. */
  onLifecycle?(message: GoodbyeMessage | AbortMessage): void;
  /**
   * A user callback failed: a procedure threw something other than an `ApplicationError`, an event
   * handler threw or rejected, an `onProgress` or `onRevoked` callback threw. `context` names it.
   * Default: `console.error`.
   */
  onUserError?(error: unknown, context: string): void;
}

/** Also the session's request id counter ({@link SessionContext.ids}): one object fewer per session. */
export class SessionContext extends RequestIds {
  readonly send: (message: unknown[]) => void;
  readonly hooks: SessionHooks;
  /** Whether the dealer announced call_canceling: only then may a CANCEL be sent at all. */
  readonly dealerCanCancel: boolean;
  /** Set once by `close()`; its presence is the closed state. */
  closedError: SessionClosedError | undefined = undefined;

  constructor(send: (message: unknown[]) => void, hooks: SessionHooks, dealerFeatures: Dict) {
    super();
    this.send = send;
    this.hooks = hooks;
    this.dealerCanCancel = dealerFeatures.call_canceling === true;
  }

  /** The request id counter every role draws from. */
  get ids(): RequestIds {
    return this;
  }

  /** A fresh error per rejection (for its stack), all sharing the cause of the close. */
  closed(): SessionClosedError {
    const first = this.closedError;
    return first === undefined
      ? new SessionClosedError()
      : new SessionClosedError(first.message, { cause: first.cause });
  }

  userError(error: unknown, context: string): void {
    const hooks = this.hooks;
    try {
      if (hooks.onUserError === undefined) console.error(`xwamp: ${context} failed:`, error);
      else hooks.onUserError(error, context);
    } catch {
      // A failing error hook must not break the dispatch of the message that triggered it.
    }
  }
}

export function violation(message: string, messageType: string): ProtocolViolationError {
  return new ProtocolViolationError(message, messageType);
}

/** Checks the payload a program passes in, so a wrong call fails with a typed error before sending. */
export function checkPayload(args: unknown, kwargs: unknown): ConfigError | undefined {
  if (args !== undefined && !Array.isArray(args)) return new ConfigError("args must be an array", "args");
  if (kwargs !== undefined && (typeof kwargs !== "object" || kwargs === null || Array.isArray(kwargs))) {
    return new ConfigError("kwargs must be a plain object", "kwargs");
  }
  return undefined;
}
