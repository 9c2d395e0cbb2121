/**
 * The plain side of a component: everything the component machine's actions do. It links a
 * connection to the session data plane, builds HELLO, answers challenges, runs the join hooks,
 * declared registrations and subscriptions and `main`, and reports lifecycle events. The machine
 * decides *when*; this module knows *how*. No per-message work passes through the machine.
 */

import { type AuthenticationConfig, ClientAuthentication } from "../auth/client.js";
import {
  type AbortMessage,
  type GoodbyeMessage,
  MessageType,
  type ParseMessageOptions,
  parseMessage,
} from "../codecs/messages/index.js";
import { ProtocolError, ProtocolViolationError, type WampError, WampUri } from "../errors.js";
import type { Logger } from "../logging.js";
import type { ComponentEvent } from "../machines/componentMachine.js";
import type { SessionHooks } from "../session/context.js";
import type { EventHandler, ProcedureHandler, RegisterOptions, SubscribeOptions } from "../session/index.js";
import { CLIENT_ROLES } from "../session/roles.js";
import type { ClientConnection } from "../transports/actor.js";
import { ComponentSession, type SessionControl } from "./componentSession.js";
import type { ResolvedTransport } from "./config.js";
import type { ComponentEvents, Emitter } from "./events.js";
import type { SessionHooksObject } from "./sessionHooks.js";

/** parseMessage's options for lists from a decoder that builds only plain objects (json, ubjson). */
const PLAIN_OBJECTS: ParseMessageOptions = Object.freeze({ plainObjects: true });

type Dict = Record<string, unknown>;

/** What a component without `main` "returns": it stays joined until it leaves or is stopped. */
const NO_MAIN = Symbol("no main");

/** What WELCOME told us (no secrets): kept in the machine's context and shown in snapshots. */
export interface WelcomeInfo {
  readonly id: number;
  readonly realm: string;
  readonly authid: string | undefined;
  readonly authrole: string | undefined;
  readonly authmethod: string | undefined;
  readonly authprovider: string | undefined;
  readonly routerRoles: Readonly<Dict>;
}

export interface Declared {
  readonly registrations: Array<{
    procedure: string;
    handler: ProcedureHandler;
    options: RegisterOptions | undefined;
  }>;
  readonly subscriptions: Array<{
    topic: string;
    handler: EventHandler;
    options: SubscribeOptions | undefined;
  }>;
}

export interface RuntimeOptions {
  transports: ResolvedTransport[];
  realm: string;
  extra: unknown;
  authentication: AuthenticationConfig | undefined;
  main: ((session: ComponentSession, extra: unknown) => unknown) | undefined;
  isFatal: (error: WampError) => boolean;
  leaveTimeout: number;
  emitter: Emitter<ComponentEvents>;
  log: Logger;
  declared: Declared;
  /** Makes the hooks object (e.g. an ApplicationSession) anew for every connection. */
  hooksFactory: (() => SessionHooksObject) | undefined;
}

/**
 * One per component. It is also what the component's sessions report to (their {@link SessionHooks}
 * and {@link SessionControl}), so a joined session costs no callback objects of its own.
 */
export class ComponentRuntime implements SessionHooks, SessionControl {
  readonly transports: ResolvedTransport[];
  readonly leaveTimeout: number;
  private connection: ClientConnection | undefined;
  /** Sends an event to the component's machine while a connection is linked. */
  private toMachine: ((event: ComponentEvent) => void) | undefined;
  private session: ComponentSession | undefined;
  private hooks: SessionHooksObject | undefined;
  private auth: ClientAuthentication | undefined;
  /** Settles when the component is done (resolves) or failed (rejects): what `start()` returns. */
  readonly result: Promise<void>;
  private settle!: (error: Error | undefined) => void;
  /** What the session sends through (the current connection's handle). */
  private readonly sendMessage = (message: unknown[]) => this.write(message);

  constructor(private readonly o: RuntimeOptions) {
    this.transports = o.transports;
    this.leaveTimeout = o.leaveTimeout;
    this.result = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.result.catch(() => {}); // a failure nobody awaits must not crash the process
  }

  /**
   * What a snapshot shows of the runtime (it lives in the machine's context): never the options,
   * which hold the authentication secrets.
   */
  toJSON(): Dict {
    return { realm: this.o.realm, transports: this.transports.map((t) => t.label) };
  }

  isFatal(error: WampError): boolean {
    try {
      return this.o.isFatal(error) === true;
    } catch (err) {
      this.o.log.warn("isFatal threw; treating the error as not fatal", { error: String(err) });
      return false;
    }
  }

  /** The transport is open: route its messages here, report `connect`. */
  link(connection: ClientConnection, send: (event: ComponentEvent) => void): void {
    this.connection = connection;
    this.toMachine = send;
    this.hooks = this.o.hooksFactory?.();
    // Decided once per connection, not per message.
    const parseOptions = connection.handle.details.serializer.plainObjects ? PLAIN_OBJECTS : undefined;
    connection.attach((raw) => this.receive(raw, connection, send, parseOptions));
    this.o.log.debug("transport open", {
      peer: connection.handle.details.peer,
      serializer: connection.handle.details.serializer.name,
    });
    this.o.emitter.emit("connect", connection.handle.details);
    this.hooks?.onConnect?.(connection.handle.details);
  }

  sendHello(): void {
    this.auth = new ClientAuthentication(this.o.authentication);
    this.write(this.auth.hello(this.o.realm, CLIENT_ROLES));
  }

  /** CHALLENGE → AUTHENTICATE (rejects when no method can answer; the machine counts it as a failure). */
  async authenticate(method: string, extra: Dict): Promise<void> {
    const hooks = this.hooks;
    const custom = hooks?.onChallenge === undefined ? undefined : hooks.onChallenge.bind(hooks);
    const auth = this.auth ?? new ClientAuthentication(this.o.authentication);
    const reply = await auth.respond(method, extra, custom, this.connection?.handle.details);
    this.write([MessageType.AUTHENTICATE, reply.signature, reply.extra ?? {}]);
  }

  /**
   * After WELCOME: join hooks, declared registrations and subscriptions, `ready`, then `main`.
   * Reports `session.done` when `main` resolves and `session.failed` when any of it throws, but only
   * while this session is still the current one (a late result of an ended session is dropped).
   */
  startSession(): void {
    const session = this.session;
    const send = this.toMachine;
    if (send === undefined) return;
    if (session === undefined) {
      send({ type: "session.failed", error: new ProtocolViolationError("joined without a session") });
      return;
    }
    // No async function stays suspended on `main` (a joined component may idle for days).
    this.setUpSession(session)
      .then(() =>
        // A session that ended while it was being set up never gets a `main`.
        this.o.main === undefined || this.session !== session ? NO_MAIN : this.o.main(session, this.o.extra),
      )
      .then(
        (outcome) => {
          if (outcome !== NO_MAIN && this.session === session) send({ type: "session.done" });
        },
        (error: unknown) => {
          if (this.session === session) send({ type: "session.failed", error });
        },
      );
  }

  /** Join listeners and hooks, declared registrations and subscriptions, then `ready`. */
  private async setUpSession(session: ComponentSession): Promise<void> {
    await this.o.emitter.emitAsync("join", session, session.welcome);
    this.hooks?.attach?.(session);
    await this.hooks?.onJoin?.(session.welcome);
    for (const r of this.o.declared.registrations) await session.register(r.procedure, r.handler, r.options);
    for (const s of this.o.declared.subscriptions) await session.subscribe(s.topic, s.handler, s.options);
    await this.o.emitter.emitAsync("ready", session);
  }

  sendGoodbye(reason: string, message?: string): void {
    this.write([MessageType.GOODBYE, message === undefined ? {} : { message }, reason]);
  }

  /** The session is over (for whatever reason): reject its pending requests, report `leave`. */
  endSession(reason: string): void {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    session.close();
    this.o.log.info(`session ${session.id} left realm ${session.realm} (${reason})`);
    this.o.emitter.emit("leave", session, reason);
    this.hooks?.onLeave?.(reason);
    this.hooks?.attach?.(undefined);
  }

  /** The transport is gone. */
  disconnected(): void {
    const connection = this.connection;
    if (connection === undefined) return;
    this.connection = undefined;
    this.toMachine = undefined;
    this.o.emitter.emit("disconnect", connection.handle.details);
    this.hooks?.onDisconnect?.();
  }

  connectFailure(error: WampError, transportIndex: number): void {
    this.o.log.warn(
      `connection attempt on ${this.transports[transportIndex].label} failed: ${error.message}`,
      { code: error.code },
    );
    this.o.emitter.emit("connectfailure", error);
  }

  finished(error: Error | undefined): void {
    this.settle(error);
  }

  // ---- internals -------------------------------------------------------------------------------

  private write(message: unknown[]): void {
    if (this.o.log.enabled("trace")) this.o.log.trace("send", { message: redact(message) });
    this.connection?.handle.send(message);
  }

  private receive(
    raw: unknown[],
    connection: ClientConnection,
    send: (event: ComponentEvent) => void,
    parseOptions: ParseMessageOptions | undefined,
  ): void {
    if (this.o.log.enabled("trace")) this.o.log.trace("receive", { message: redact(raw) });
    let message: ReturnType<typeof parseMessage>;
    try {
      message = parseMessage(raw, parseOptions);
    } catch (err) {
      const error = err instanceof ProtocolError ? err : new ProtocolViolationError(String(err));
      connection.handle.send([MessageType.ABORT, { message: error.message }, WampUri.protocolViolation]);
      send({ type: "wamp.violation", error });
      return;
    }
    const session = this.session;
    if (session !== undefined) {
      session.receive(message);
      return;
    }
    switch (message[0]) {
      case MessageType.WELCOME:
        try {
          this.auth?.checkWelcome(message[2].authextra as Dict | undefined);
          this.auth = undefined; // the handshake is over: nothing of it stays with an idle session
        } catch (err) {
          connection.handle.send([
            MessageType.ABORT,
            { message: (err as Error).message },
            WampUri.authenticationFailed,
          ]);
          send({
            type: "wamp.abort",
            reason: WampUri.authenticationFailed,
            details: { message: (err as Error).message },
          });
          return;
        }
        this.session = this.createSession(message[1], message[2]);
        send({ type: "wamp.welcome", welcome: this.session.welcome });
        return;
      case MessageType.CHALLENGE:
        send({ type: "wamp.challenge", method: message[1], extra: message[2] });
        return;
      case MessageType.ABORT:
        send({ type: "wamp.abort", reason: message[2], details: message[1] });
        return;
      default: {
        const error = new ProtocolViolationError(`unexpected message type ${message[0]} before WELCOME`);
        connection.handle.send([MessageType.ABORT, { message: error.message }, WampUri.protocolViolation]);
        send({ type: "wamp.violation", error });
      }
    }
  }

  // ---- what the current session reports (SessionHooks, SessionControl) ---------------------------

  /** SessionOptions.send: what the session sends goes out on the current connection. */
  get send(): (message: unknown[]) => void {
    return this.sendMessage;
  }

  onLifecycle(m: GoodbyeMessage | AbortMessage): void {
    this.toMachine?.(
      m[0] === MessageType.GOODBYE
        ? { type: "wamp.goodbye", reason: m[2], details: m[1] }
        : { type: "wamp.abort", reason: m[2], details: m[1] },
    );
  }

  onProtocolViolation(error: ProtocolViolationError): void {
    this.connection?.handle.send([MessageType.ABORT, { message: error.message }, WampUri.protocolViolation]);
    this.toMachine?.({ type: "wamp.violation", error });
  }

  onUserError(error: unknown, context: string): void {
    this.o.log.warn(
      `error in a handler (${context}): ${error instanceof Error ? error.message : String(error)}`,
    );
    this.o.emitter.emit("usererror", error, context);
    this.hooks?.onUserError?.(error, context);
  }

  leave(reason: string, message?: string): void {
    this.toMachine?.({ type: "user.leave", reason, ...(message === undefined ? {} : { message }) });
  }

  disconnect(): void {
    this.toMachine?.({ type: "user.disconnect" });
  }

  private createSession(id: number, details: Dict): ComponentSession {
    const welcome: WelcomeInfo = {
      id,
      realm: typeof details.realm === "string" ? details.realm : this.o.realm,
      authid: str(details.authid),
      authrole: str(details.authrole),
      authmethod: str(details.authmethod),
      authprovider: str(details.authprovider),
      routerRoles: shareRoles(details.roles),
    };
    const session = new ComponentSession(
      { ...welcome, authextra: details.authextra as Dict | undefined },
      this,
      this,
      welcome,
    );
    this.o.log.info(`joined realm ${welcome.realm} as session ${id}`, {
      authid: welcome.authid,
      authrole: welcome.authrole,
    });
    return session;
  }
}

/**
 * Every session to one router is told the same roles: keep one frozen copy of them rather than one
 * per session (a few hundred bytes each, which adds up over thousands of idle sessions).
 */
let lastRoles: Readonly<Dict> | undefined;
const EMPTY_ROLES: Readonly<Dict> = Object.freeze({});

export function shareRoles(roles: unknown): Readonly<Dict> {
  if (typeof roles !== "object" || roles === null) return EMPTY_ROLES;
  if (lastRoles !== undefined && sameValue(lastRoles, roles, 0)) return lastRoles;
  if (!freezable(roles, 0)) return roles as Dict; // too deep to be worth sharing
  lastRoles = deepFreeze(roles) as Dict;
  return lastRoles;
}

/** Roles are a few levels deep; anything deeper is not shared (and not walked). */
const MAX_ROLES_DEPTH = 8;

function sameValue(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (depth >= MAX_ROLES_DEPTH || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!sameValue((a as Dict)[k], (b as Dict)[k], depth + 1)) return false;
  }
  return true;
}

function freezable(value: unknown, depth: number): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (depth >= MAX_ROLES_DEPTH || ArrayBuffer.isView(value)) return false;
  for (const v of Object.values(value)) if (!freezable(v, depth + 1)) return false;
  return true;
}

function deepFreeze(value: unknown): unknown {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** AUTHENTICATE carries a secret-derived signature; never log it. */
function redact(message: unknown[]): unknown[] {
  return message[0] === MessageType.AUTHENTICATE ? [message[0], "<redacted>", {}] : message;
}
