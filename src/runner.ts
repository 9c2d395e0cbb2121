/**
 * `ApplicationSession` and `ApplicationRunner`, for code ported from Autobahn: subclass the session,
 * override its hooks, hand the class to a runner. Both are thin layers over the Component.
 */
import type { AuthenticationConfig, ChallengeReply } from "./auth/client.js";
import type { SerializerName } from "./codecs/serializer.js";
import type { ComponentSession } from "./component/componentSession.js";
import type { TransportConfig, TransportOptions } from "./component/config.js";
import type { WelcomeInfo } from "./component/runtime.js";
import type { SessionHooksObject } from "./component/sessionHooks.js";
import { type ComponentActor, createComponent } from "./component.js";
import { SessionClosedError, WampError } from "./errors.js";
import type { LogLevel } from "./logging.js";
import type {
  CallOptions,
  EventHandler,
  ProcedureHandler,
  ProgressiveCall,
  PublishOptions,
  RegisterOptions,
  Registration,
  SubscribeOptions,
  Subscription,
} from "./session/index.js";
import type { ProxyOptions } from "./transports/proxy.js";
import type { TlsClientOptions } from "./transports/tls.js";
import type { TransportDetails } from "./transports/types.js";

/** What a session class is constructed with (the seed's `ComponentConfig`). */
export interface ApplicationSessionConfig {
  realm: string;
  extra: unknown;
  config: Record<string, unknown>;
}

/**
 * A WAMP application session to subclass: override `onJoin` (and friends), use `this.call`,
 * `this.register`, ... while joined.
 *
 * @example
 * ```ts
 * class Adder extends ApplicationSession {
 *   override async onJoin() {
 *     await this.register("com.example.add2", ([a, b]) => Number(a) + Number(b));
 *   }
 * }
 * await new ApplicationRunner({ url: "ws://127.0.0.1:8080/ws", realm: "realm1" }).run(Adder);
 * ```
 */
export class ApplicationSession implements SessionHooksObject {
  readonly config: ApplicationSessionConfig;
  private current: ComponentSession | undefined;

  constructor(config: ApplicationSessionConfig = { realm: "realm1", extra: undefined, config: {} }) {
    this.config = config;
  }

  /** @internal the component attaches the live session before `onJoin` and detaches it after `onLeave`. */
  attach(session: ComponentSession | undefined): void {
    this.current = session;
  }

  /** The transport is open (HELLO follows automatically). */
  onConnect(_details: TransportDetails): void {}

  /** Answer a CHALLENGE; override for authentication (return the signature or `{ signature, extra }`). */
  onChallenge(
    method: string,
    _extra: Record<string, unknown>,
  ): ChallengeReply | string | Promise<ChallengeReply | string> {
    throw new WampError(
      "AUTHENTICATION_UNSUPPORTED",
      `${this.constructor.name}.onChallenge does not handle "${method}"`,
    );
  }

  /** Joined: register, subscribe, call. */
  onJoin(_details: WelcomeInfo): unknown {
    return undefined;
  }

  /** The session ended with `reason`. */
  onLeave(_reason: string): void {}

  /** The transport closed. */
  onDisconnect(): void {}

  /** A procedure or event handler threw. */
  onUserError(error: unknown, context: string): void {
    console.error(`[xwamp] error in ${context}:`, error);
  }

  /** The live session; throws SessionClosedError when not joined. */
  get session(): ComponentSession {
    if (this.current === undefined) throw new SessionClosedError("not joined");
    return this.current;
  }

  /** True while joined. */
  get isJoined(): boolean {
    return this.current?.isOpen === true;
  }

  call<T = unknown>(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<T> {
    return this.current === undefined ? notJoined() : this.current.call<T>(procedure, args, kwargs, options);
  }

  callProgressive(
    procedure: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: CallOptions,
  ): ProgressiveCall {
    return this.session.callProgressive(procedure, args, kwargs, options);
  }

  register(procedure: string, handler: ProcedureHandler, options?: RegisterOptions): Promise<Registration> {
    return this.current === undefined ? notJoined() : this.current.register(procedure, handler, options);
  }

  unregister(registration: Registration): Promise<void> {
    return this.current === undefined ? notJoined() : this.current.unregister(registration);
  }

  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Record<string, unknown>,
    options?: PublishOptions,
  ): Promise<number | undefined> {
    return this.current === undefined ? notJoined() : this.current.publish(topic, args, kwargs, options);
  }

  subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription> {
    return this.current === undefined ? notJoined() : this.current.subscribe(topic, handler, options);
  }

  unsubscribe(subscription: Subscription): Promise<void> {
    return this.current === undefined ? notJoined() : this.current.unsubscribe(subscription);
  }

  /** Leave the realm; the runner is then done. */
  leave(reason?: string, message?: string): Promise<void> {
    return this.current === undefined ? Promise.resolve() : this.current.leave(reason, message);
  }

  /** Drop the transport. */
  disconnect(): void {
    this.current?.disconnect();
  }
}

function notJoined<T>(): Promise<T> {
  return Promise.reject(new SessionClosedError("not joined"));
}

/** Options of {@link ApplicationRunner} (the seed's arguments, camelCased, ms). */
export interface ApplicationRunnerOptions {
  url: string;
  realm?: string;
  extra?: unknown;
  serializers?: SerializerName[];
  /** TLS settings for wss:// (the seed's `ssl`). */
  ssl?: TlsClientOptions;
  proxy?: ProxyOptions;
  headers?: Record<string, string>;
  /** WebSocket options: maxMessageSize, autoPingInterval, autoPingTimeout, openHandshakeTimeout, perMessageDeflate. */
  websocketOptions?: Omit<TransportOptions, "headers">;
  maxRetries?: number;
  initialRetryDelay?: number;
  maxRetryDelay?: number;
  retryDelayGrowth?: number;
  retryDelayJitter?: () => number;
  /**
   * How to authenticate (the Component's `authentication`). For methods the session answers itself
   * in `onChallenge`, name them here, as Autobahn's `self.join(realm, authmethods, authid)` does:
   * `{ authmethods: ["ticket"], authid: "alice" }`.
   */
  authentication?: AuthenticationConfig;
}

/** A session class or a factory of sessions. */
export type SessionMaker =
  | (new (
      config: ApplicationSessionConfig,
    ) => ApplicationSession)
  | ((config: ApplicationSessionConfig) => ApplicationSession);

/**
 * Host one session class on one router URL (the seed's `ApplicationRunner`).
 *
 * @example
 * ```ts
 * const runner = new ApplicationRunner({ url: "ws://127.0.0.1:8080/ws", realm: "realm1" });
 * await runner.run(MySession, { autoReconnect: true });
 * ```
 */
export class ApplicationRunner {
  /** The component's actor of the last `run` (for observing or stopping it). */
  actor: ComponentActor | undefined;

  constructor(readonly options: ApplicationRunnerOptions) {}

  /**
   * Connect, join and run the session until it leaves (resolves) or the connection cannot be made
   * (rejects). Without `autoReconnect` a lost or refused connection is not retried.
   */
  run(make: SessionMaker, runOptions: { autoReconnect?: boolean; logLevel?: LogLevel } = {}): Promise<void> {
    const o = this.options;
    const transport: TransportConfig = {
      url: o.url,
      maxRetries: runOptions.autoReconnect === true ? (o.maxRetries ?? -1) : 0,
      ...(o.initialRetryDelay === undefined ? {} : { initialRetryDelay: o.initialRetryDelay }),
      ...(o.maxRetryDelay === undefined ? {} : { maxRetryDelay: o.maxRetryDelay }),
      ...(o.retryDelayGrowth === undefined ? {} : { retryDelayGrowth: o.retryDelayGrowth }),
      ...(o.retryDelayJitter === undefined ? {} : { retryDelayJitter: o.retryDelayJitter }),
      ...(o.serializers === undefined ? {} : { serializers: o.serializers }),
      ...(o.ssl === undefined ? {} : { tls: o.ssl }),
      ...(o.proxy === undefined ? {} : { proxy: o.proxy }),
      options: { ...o.websocketOptions, ...(o.headers === undefined ? {} : { headers: o.headers }) },
    };
    const component = createComponent({
      transports: [transport],
      realm: o.realm ?? "realm1",
      extra: o.extra,
      ...(o.authentication === undefined ? {} : { authentication: o.authentication }),
      logLevel: runOptions.logLevel ?? "info",
      sessionFactory: (config) => construct(make, config),
      // maxRetries 0 alone is not enough: a join resets the counters, so a session lost after
      // joining would get one more attempt. Without autoReconnect every failure is final.
      ...(runOptions.autoReconnect === true ? {} : { isFatal: () => true }),
    });
    this.actor = component.actor;
    return component.start();
  }

  /** Leave and stop the running session. */
  stop(): void {
    // A finished actor is stopped; sending it STOP would only print XState's warning.
    if (this.actor?.getSnapshot().status === "active") this.actor.send({ type: "STOP" });
  }
}

function construct(make: SessionMaker, config: ApplicationSessionConfig): ApplicationSession {
  // A class constructor cannot be called without `new`; plain factories can.
  return isClass(make)
    ? new (make as new (c: ApplicationSessionConfig) => ApplicationSession)(config)
    : (make as (c: ApplicationSessionConfig) => ApplicationSession)(config);
}

function isClass(fn: unknown): boolean {
  return typeof fn === "function" && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}
