/**
 * The public Component API (the seed's `Component` and `run`): `createComponent`,
 * `createComponentActor` and `run`, over `componentMachine`.
 */
import { type Actor, createActor, type InspectionEvent } from "xstate";
import { type AuthenticationConfig, validateAuthentication } from "./auth/client.js";
import type { ComponentSession } from "./component/componentSession.js";
import { defaultIsFatal, integer, resolveTransport, type TransportConfig } from "./component/config.js";
import { type ComponentEvents, Emitter } from "./component/events.js";
import { ComponentRuntime, type Declared } from "./component/runtime.js";
import type { SessionHooksObject } from "./component/sessionHooks.js";
import { ConfigError, type WampError } from "./errors.js";
import { createLogger, type Logger, type LogLevel, type LogSink, setDefaultLogLevel } from "./logging.js";
import { componentMachine } from "./machines/componentMachine.js";
import type { EventHandler, ProcedureHandler, RegisterOptions, SubscribeOptions } from "./session/index.js";

/** Component configuration (the seed's keys, camelCased; durations in ms). */
export interface ComponentConfig {
  /** Runs once joined; when it resolves the component leaves and is done. Throwing counts as a failure. */
  main?: (session: ComponentSession, extra: unknown) => unknown;
  /** One URL, one transport dict, or a list of them (tried in rotation). */
  transports: string | TransportConfig | Array<string | TransportConfig>;
  /** Free-form configuration handed to `sessionFactory` (the seed's `config`). */
  config?: Record<string, unknown>;
  /** Realm to join (default `realm1`). */
  realm?: string;
  /** Passed to `main` as its second argument (the seed's `extra`). */
  extra?: unknown;
  authentication?: AuthenticationConfig;
  /** Builds, for every connection, the object whose hooks (onConnect, onChallenge, onJoin, onLeave, ...) are called, e.g. an ApplicationSession. */
  sessionFactory?: (config: {
    realm: string;
    extra: unknown;
    config: Record<string, unknown>;
  }) => SessionHooksObject;
  /** True retires the transport that produced `error` for good. Default: auth refusals are fatal. */
  isFatal?: (error: WampError) => boolean;
  /** How long `leave` waits for the router's GOODBYE (default 5000 ms). */
  leaveTimeout?: number;
  /** Log level (default: `info`, or what `run(..., { logLevel })` set); `off` prints nothing. */
  logLevel?: LogLevel;
  /** Where log lines go (default: the console). */
  logger?: LogSink;
}

/** A component: start it, stop it, declare what it offers, listen to its events. */
export interface Component {
  /** Connect and run until done (resolves) or failed (rejects with a ComponentFailedError). */
  start(): Promise<void>;
  /** Leave (if joined) and stop; resolves when the component is done. */
  stop(): Promise<void>;
  /** Declare a procedure, registered on every join. */
  register(procedure: string, handler: ProcedureHandler, options?: RegisterOptions): Component;
  /** Declare a subscription, made on every join. */
  subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Component;
  /** Listen to `connect`, `join`, `ready`, `leave`, `disconnect`, `connectfailure`, `usererror`. Returns an unsubscribe function. */
  on<K extends keyof ComponentEvents>(
    event: K,
    listener: (...args: ComponentEvents[K]) => unknown,
  ): () => void;
  /** The underlying XState actor (subscribe to snapshots, inspect). */
  readonly actor: ComponentActor;
}

export type ComponentActor = Actor<typeof componentMachine>;

const CONFIG_KEYS = new Set([
  "main",
  "transports",
  "config",
  "realm",
  "extra",
  "authentication",
  "sessionFactory",
  "isFatal",
  "leaveTimeout",
  "logLevel",
  "logger",
]);

interface Built {
  actor: ComponentActor;
  emitter: Emitter<ComponentEvents>;
  declared: Declared;
  result: Promise<void>;
}

function build(config: ComponentConfig, inspect?: (event: InspectionEvent) => void): Built {
  if (typeof config !== "object" || config === null)
    throw new ConfigError("component config must be an object", "");
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.has(key)) throw new ConfigError(`unknown component config key "${key}"`, key);
  }
  const list = Array.isArray(config.transports)
    ? config.transports
    : config.transports === undefined
      ? []
      : [config.transports];
  if (list.length === 0)
    throw new ConfigError("transports: at least one transport is required", "transports");
  const transports = list.map((t, i) =>
    resolveTransport(t, Array.isArray(config.transports) ? `transports[${i}]` : "transports"),
  );
  const realm = config.realm ?? "realm1";
  if (typeof realm !== "string" || realm.length === 0)
    throw new ConfigError("realm must be a non-empty string", "realm");
  for (const key of ["main", "sessionFactory", "isFatal"] as const) {
    if (config[key] !== undefined && typeof config[key] !== "function")
      throw new ConfigError(`${key} must be a function`, key);
  }
  const authentication = validateAuthentication(config.authentication);
  const leaveTimeout = integer(config.leaveTimeout, 5000, "leaveTimeout", 1);
  let log: Logger;
  try {
    log = createLogger(config.logLevel, config.logger);
  } catch {
    throw new ConfigError(`logLevel must be one of trace, debug, info, warn, error, off`, "logLevel");
  }
  const emitter = new Emitter<ComponentEvents>(log);
  const declared: Declared = { registrations: [], subscriptions: [] };
  const sessionFactory = config.sessionFactory;
  const sessionConfig = { realm, extra: config.extra, config: config.config ?? {} };

  const runtime = new ComponentRuntime({
    transports,
    realm,
    extra: config.extra,
    authentication,
    main: config.main,
    isFatal: config.isFatal ?? defaultIsFatal,
    leaveTimeout,
    emitter,
    log,
    declared,
    hooksFactory: sessionFactory === undefined ? undefined : () => sessionFactory(sessionConfig),
  });
  const actor = createActor(componentMachine, {
    input: { runtime },
    ...(inspect === undefined ? {} : { inspect }),
  });
  return { actor, emitter, declared, result: runtime.result };
}

/**
 * Create a component.
 *
 * @example
 * ```ts
 * const component = createComponent({
 *   transports: ["ws://127.0.0.1:8080/ws", { url: "rs://127.0.0.1:8081", serializer: "msgpack", maxRetries: 5 }],
 *   realm: "realm1",
 *   main: async (session) => console.log(await session.call("com.example.add2", [2, 3])),
 * });
 * component.register("com.example.add2", ([a, b]) => Number(a) + Number(b));
 * await component.start();
 * ```
 */
export function createComponent(config: ComponentConfig): Component {
  const { actor, emitter, declared, result } = build(config);
  return new ComponentHandle(actor, emitter, declared, result);
}

/** The {@link Component} API over a component actor (methods on the prototype: one object per component). */
class ComponentHandle implements Component {
  private started = false;

  constructor(
    readonly actor: ComponentActor,
    private readonly emitter: Emitter<ComponentEvents>,
    private readonly declared: Declared,
    private readonly result: Promise<void>,
  ) {}

  start(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.actor.start();
      this.actor.send({ type: "START" });
    }
    return this.result;
  }

  stop(): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.actor.start();
    }
    // A finished actor is stopped; sending it STOP would only print XState's warning.
    if (this.actor.getSnapshot().status === "active") this.actor.send({ type: "STOP" });
    return this.result.catch(() => {});
  }

  register(procedure: string, handler: ProcedureHandler, options?: RegisterOptions): Component {
    this.declared.registrations.push({ procedure, handler, options });
    return this;
  }

  subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Component {
    this.declared.subscriptions.push({ topic, handler, options });
    return this;
  }

  on<K extends keyof ComponentEvents>(
    event: K,
    listener: (...args: ComponentEvents[K]) => unknown,
  ): () => void {
    return this.emitter.on(event, listener);
  }
}

/**
 * The component as a bare XState actor: `.start()` connects, `.send({ type: "STOP" })` stops,
 * `.subscribe(snapshot => ...)` observes the lifecycle.
 *
 * @example
 * ```ts
 * const actor = createComponentActor({ transports: "ws://127.0.0.1:8080/ws" }, { inspect: console.log });
 * actor.subscribe((snapshot) => console.log(snapshot.value));
 * actor.start();
 * ```
 */
export function createComponentActor(
  config: ComponentConfig,
  options: { inspect?: (event: InspectionEvent) => void } = {},
): ComponentActor {
  const { actor } = build(config, options.inspect);
  const start = actor.start.bind(actor);
  actor.start = () => {
    start();
    actor.send({ type: "START" });
    return actor;
  };
  return actor;
}

/**
 * Run components until all are done (the seed's `run`). SIGINT/SIGTERM make every component leave
 * cleanly. Rejects if any component fails. `stopAtClose: true` ends the process when all are done
 * (the seed stops its reactor; default false, since Node exits by itself once nothing is left).
 *
 * @example
 * ```ts
 * await run([createComponent({ transports: "ws://127.0.0.1:8080/ws", main })], { logLevel: "info" });
 * ```
 */
export async function run(
  components: Component | Component[],
  options: { logLevel?: LogLevel; stopAtClose?: boolean } = {},
): Promise<void> {
  const list = Array.isArray(components) ? components : [components];
  if (options.logLevel !== undefined) setDefaultLogLevel(options.logLevel);
  const log = createLogger(options.logLevel);
  const stopAll = (signal: string) => {
    log.info(`${signal}: stopping ${list.length} component(s)`);
    for (const c of list) void c.stop();
  };
  const onSigint = () => stopAll("SIGINT");
  const onSigterm = () => stopAll("SIGTERM");
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigterm);
  let failure: unknown;
  try {
    const results = await Promise.allSettled(list.map((c) => c.start()));
    failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }
  // The seed stops the reactor here; Node's equivalent is ending the process.
  if (options.stopAtClose === true) process.exit(failure === undefined ? 0 : 1);
  if (failure !== undefined) throw failure;
}
