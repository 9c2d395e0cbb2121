/**
 * `Session`: the data plane of an established client session. It starts after WELCOME and ends
 * with `close()`; HELLO, CHALLENGE, GOODBYE and ABORT belong to the owner (the control plane).
 */
import type { AbortMessage, Dict, GoodbyeMessage, WampMessage } from "../codecs/messages/index.js";
import { isDict } from "../codecs/messages/index.js";
import { ProtocolViolationError, SessionClosedError } from "../errors.js";
import { Callee } from "./callee.js";
import { Caller, type CallOptions } from "./caller.js";
import { SessionContext, type SessionHooks } from "./context.js";
import { dispatch, type Roles } from "./dispatch.js";
import type { ProgressiveCall } from "./progressiveCall.js";
import { Publisher, type PublishOptions } from "./publisher.js";
import type { ProcedureHandler, RegisterOptions, Registration } from "./registration.js";
import { Subscriber } from "./subscriber.js";
import type { EventHandler, SubscribeOptions, Subscription } from "./subscription.js";

/**
 * What WELCOME established (basic profile, "Sessions › WELCOME"; advanced profile,
 * "Authentication").
 *
 * @example
 * ```ts
 * const [, id, welcome] = welcomeMessage;
 * const details: SessionDetails = {
 *   id, realm: "realm1", authid: welcome.authid as string, authrole: welcome.authrole as string,
 *   authmethod: welcome.authmethod as string, routerRoles: welcome.roles as Record<string, unknown>,
 * };
 * ```
 */
export interface SessionDetails {
  readonly id: number;
  readonly realm: string;
  readonly authid?: string | undefined;
  readonly authrole?: string | undefined;
  readonly authmethod?: string | undefined;
  readonly authprovider?: string | undefined;
  readonly authextra?: Readonly<Dict> | undefined;
  /** `WELCOME.Details.roles`: `{ broker: { features: {...} }, dealer: { features: {...} } }`. */
  readonly routerRoles: Readonly<Dict>;
}

/**
 * How a {@link Session} talks to its owner: `send` puts a message on the transport, the hooks
 * report what the owner must handle.
 *
 * @example
 * ```ts
 * const options: SessionOptions = {
 *   send: (message) => handle.send(message),
 *   onLifecycle: (message) => machine.send({ type: "wamp.message", message }),
 *   onProtocolViolation: (err) => handle.send([3, { message: err.message }, "wamp.error.protocol_violation"]),
 * };
 * ```
 */
export interface SessionOptions extends SessionHooks {
  /** Sends one message (called as a plain function: pass an arrow or a bound function). */
  send(message: unknown[]): void;
}

const NO_FEATURES: Readonly<Dict> = Object.freeze({});

/**
 * The roles of one session, each made on first use (a session that never subscribes holds no
 * subscriber), and the lifecycle route as a method: no object literal and closure per session.
 */
class SessionRoles implements Roles {
  private readonly ctx: SessionContext;
  private callerRole: Caller | undefined = undefined;
  private calleeRole: Callee | undefined = undefined;
  private publisherRole: Publisher | undefined = undefined;
  private subscriberRole: Subscriber | undefined = undefined;

  constructor(ctx: SessionContext) {
    this.ctx = ctx;
  }

  get caller(): Caller {
    this.callerRole ??= new Caller(this.ctx);
    return this.callerRole;
  }

  get callee(): Callee {
    this.calleeRole ??= new Callee(this.ctx);
    return this.calleeRole;
  }

  get publisher(): Publisher {
    this.publisherRole ??= new Publisher(this.ctx);
    return this.publisherRole;
  }

  get subscriber(): Subscriber {
    this.subscriberRole ??= new Subscriber(this.ctx);
    return this.subscriberRole;
  }

  lifecycle(message: GoodbyeMessage | AbortMessage): void {
    this.ctx.hooks.onLifecycle?.(message);
  }

  /** Closes the roles made so far (one never made has nothing pending). */
  close(): void {
    this.callerRole?.close();
    this.calleeRole?.close();
    this.publisherRole?.close();
    this.subscriberRole?.close();
  }
}

/**
 * The client side of an established WAMP session: call and register procedures, publish and
 * subscribe to topics. The owner constructs it after WELCOME, feeds it every inbound message that
 * `parseMessage` validated through {@link Session.receive}, and calls {@link Session.close} when
 * the session ends; from then on every pending request is rejected with a `SessionClosedError`
 * (code `SESSION_CLOSED`) and every new one fails fast with it.
 *
 * Results follow one convention: exactly one positional result and no keyword results → that
 * value; no result → `undefined`; otherwise a `CallResult { args, kwargs }`. Errors from the router
 * are `ApplicationError`s carrying `uri`, `args` and `kwargs`.
 *
 * @example
 * ```ts
 * const session = new Session(details, { send: (message) => handle.send(message) });
 * handler.onMessage = (raw) => session.receive(parseMessage(raw));
 *
 * await session.register("com.example.add2", ([a, b]: number[]) => a + b);
 * console.log(await session.call("com.example.add2", [2, 3])); // 5
 * await session.subscribe("com.example.news", ([headline]) => console.log(headline));
 * await session.publish("com.example.news", ["hello"], {}, { acknowledge: true });
 * ```
 */
export class Session {
  /** The session id the router assigned. */
  readonly id: number;
  readonly realm: string;
  readonly authid: string | undefined;
  readonly authrole: string | undefined;
  readonly authmethod: string | undefined;
  readonly authprovider: string | undefined;
  readonly authextra: Readonly<Dict> | undefined;
  /** `WELCOME.Details.roles` as received. */
  readonly routerRoles: Readonly<Dict>;
  private readonly ctx: SessionContext;
  private readonly roles: SessionRoles;

  constructor(details: SessionDetails, options: SessionOptions) {
    this.id = details.id;
    this.realm = details.realm;
    this.authid = details.authid;
    this.authrole = details.authrole;
    this.authmethod = details.authmethod;
    this.authprovider = details.authprovider;
    this.authextra = details.authextra;
    this.routerRoles = details.routerRoles;
    const ctx = new SessionContext(options.send, options, this.features("dealer"));
    this.ctx = ctx;
    this.roles = new SessionRoles(ctx);
  }

  /** True until {@link Session.close}. */
  get isOpen(): boolean {
    return this.ctx.closedError === undefined;
  }

  /**
   * The features the router announced for `role` (`{}` when it announced none).
   *
   * @example
   * ```ts
   * if (session.features("dealer").call_canceling === true) controller.abort();
   * ```
   */
  features(role: "broker" | "dealer"): Readonly<Dict> {
    const entry = this.routerRoles[role];
    if (!isDict(entry)) return NO_FEATURES;
    return isDict(entry.features) ? entry.features : NO_FEATURES;
  }

  /**
   * Calls a procedure. Resolves with the result (see the convention on {@link Session}); rejects
   * with an `ApplicationError` when the call fails, a `CallTimeoutError` (uri
   * `wamp.error.timeout`) when `timeout` expires, a `CanceledError` (uri `wamp.error.canceled`)
   * when `signal` aborts, a `SessionClosedError` when the session ends first.
   *
   * @example
   * ```ts
   * const sum = await session.call<number>("com.example.add2", [2, 3], {}, { timeout: 1_000 });
   * ```
   */
  call<T = unknown>(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<T> {
    return this.roles.caller.call(procedure, args, kwargs, options) as Promise<T>;
  }

  /**
   * Calls a procedure asking for progressive results, consumed as an async iterable: each
   * progressive result, then the final one (unless empty). Errors are thrown from the loop;
   * leaving the loop early cancels the call.
   *
   * @example
   * ```ts
   * for await (const chunk of session.callProgressive("com.example.download", ["file.bin"])) {
   *   write(chunk);
   * }
   * ```
   */
  callProgressive(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: CallOptions,
  ): ProgressiveCall {
    return this.roles.caller.callProgressive(procedure, args, kwargs, options);
  }

  /**
   * Registers a procedure. Resolves with the {@link Registration} on REGISTERED; rejects with an
   * `ApplicationError` (e.g. `wamp.error.procedure_already_exists`).
   *
   * @example
   * ```ts
   * const registration = await session.register("com.example.add2", ([a, b]: number[]) => a + b);
   * ```
   */
  register(procedure: string, handler: ProcedureHandler, options?: RegisterOptions): Promise<Registration> {
    return this.roles.callee.register(procedure, handler, options);
  }

  /**
   * Unregisters a procedure (same as `registration.unregister()`).
   *
   * @example
   * ```ts
   * await session.unregister(registration);
   * ```
   */
  unregister(registration: Registration): Promise<void> {
    if (this.ctx.closedError !== undefined) return Promise.reject(this.ctx.closed());
    return registration.unregister();
  }

  /**
   * Publishes an event. Without `acknowledge` it resolves (with `undefined`) as soon as the message
   * is sent; with `acknowledge: true` it resolves with the publication id on PUBLISHED and rejects
   * with an `ApplicationError` on ERROR.
   *
   * @example
   * ```ts
   * await session.publish("com.example.news", ["fire and forget"]);
   * const publication = await session.publish("com.example.news", ["acked"], {}, { acknowledge: true });
   * ```
   */
  publish(
    topic: string,
    args: unknown[] | undefined,
    kwargs: Record<string, unknown> | undefined,
    options: PublishOptions & { acknowledge: true },
  ): Promise<number>;
  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: PublishOptions,
  ): Promise<number | undefined>;
  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: PublishOptions,
  ): Promise<number | undefined> {
    return this.roles.publisher.publish(topic, args, kwargs, options);
  }

  /**
   * Subscribes a handler to a topic. Resolves with the {@link Subscription} on SUBSCRIBED. Several
   * subscriptions to the same topic share one router subscription; the last one to unsubscribe
   * sends UNSUBSCRIBE.
   *
   * @example
   * ```ts
   * const subscription = await session.subscribe("com.example.news", ([headline]) => console.log(headline));
   * ```
   */
  subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription> {
    return this.roles.subscriber.subscribe(topic, handler, options);
  }

  /**
   * Unsubscribes a handler (same as `subscription.unsubscribe()`).
   *
   * @example
   * ```ts
   * await session.unsubscribe(subscription);
   * ```
   */
  unsubscribe(subscription: Subscription): Promise<void> {
    if (this.ctx.closedError !== undefined) return Promise.reject(this.ctx.closed());
    return subscription.unsubscribe();
  }

  /**
   * Handles one inbound message, already validated by `parseMessage`. GOODBYE and ABORT go to
   * `onLifecycle`. A message not valid now (a HELLO, WELCOME or CHALLENGE, a message only a router
   * receives, a reply to no pending request, an INVOCATION for an unknown registration, ...)
   * closes the session and is reported to `onProtocolViolation`. Ignored once closed.
   *
   * @example
   * ```ts
   * transportHandler.onMessage = (raw) => session.receive(parseMessage(raw));
   * ```
   */
  receive(message: WampMessage): void {
    if (this.ctx.closedError !== undefined) return;
    try {
      dispatch(this.roles, message);
    } catch (err) {
      if (!(err instanceof ProtocolViolationError)) throw err;
      this.close(err);
      this.ctx.hooks.onProtocolViolation?.(err);
    }
  }

  /**
   * Ends the data plane: every pending request (calls, registers, unregisters, subscribes,
   * unsubscribes, acknowledged publishes) rejects with a `SessionClosedError` whose `cause` is
   * `reason`, running procedure handlers see their `signal` abort, and every later method call
   * fails fast with a `SessionClosedError`. Sends nothing; idempotent.
   *
   * @example
   * ```ts
   * transportHandler.onClose = (details) => session.close(details.error ?? details.reason);
   * ```
   */
  close(reason?: unknown): void {
    const ctx = this.ctx;
    if (ctx.closedError !== undefined) return;
    const suffix =
      reason instanceof Error ? `: ${reason.message}` : typeof reason === "string" ? `: ${reason}` : "";
    ctx.closedError = new SessionClosedError(
      `the WAMP session is closed${suffix}`,
      reason === undefined ? undefined : { cause: reason },
    );
    this.roles.close();
  }
}
