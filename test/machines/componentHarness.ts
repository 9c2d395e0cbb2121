/**
 * A test bench for `componentMachine`: the machine with its two actors swapped for fakes the test
 * controls (`provide`), a fake ComponentRuntime that records every effect (and every session it was
 * asked to start, whose outcome the test reports), a SimulatedClock for the
 * named delays, and an inspector that records every microstep (so transient states such as
 * `failing` show up in the state sequence).
 */
import {
  type Actor,
  type AnyTransitionDefinition,
  createActor,
  fromCallback,
  fromPromise,
  SimulatedClock,
  type StateValue,
} from "xstate";
import type { ComponentRuntime, WelcomeInfo } from "../../src/component/runtime.js";
import type { WampError } from "../../src/errors.js";
import type { RetryPolicy } from "../../src/machines/backoff.js";
import { type ComponentEvent, componentMachine } from "../../src/machines/componentMachine.js";
import type { ClientConnection, ClientTransportSpec } from "../../src/transports/actor.js";
import type { TransportDetails, TransportHandle } from "../../src/transports/types.js";

export type Policy = Partial<RetryPolicy>;

export const WELCOME: WelcomeInfo = Object.freeze({
  id: 77,
  realm: "realm1",
  authid: "alice",
  authrole: "user",
  authmethod: "anonymous",
  authprovider: "static",
  routerRoles: {},
});

/** A `StateValue` as a dotted string: `online.joined`, `reconnectWait`. */
export function show(value: StateValue): string {
  if (typeof value === "string") return value;
  const [key, child] = Object.entries(value)[0];
  return child === undefined ? key : `${key}.${show(child as StateValue)}`;
}

/** A transition of the definition as `source id | event descriptor | guard` (`always` for eventless ones). */
export function transitionKey(t: AnyTransitionDefinition): string {
  const guard =
    t.guard === undefined ? "-" : typeof t.guard === "string" ? t.guard : (t.guard as { type: string }).type;
  return `${t.source.id} | ${t.eventType || "always"} | ${guard}`;
}

/** Let promise callbacks (fromPromise actors settling) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One started fake transport actor. */
export interface FakeTransport {
  /** Index of the configured transport it was asked to open. */
  readonly index: number;
  readonly sendBack: (event: ComponentEvent) => void;
  stopped: boolean;
}

/** A fake open connection: records `close()`. */
export interface FakeConnection extends ClientConnection {
  closes: number;
}

export function fakeConnection(): FakeConnection {
  const conn = {
    closes: 0,
    handle: {
      details: { kind: "memory", peer: "memory" } as unknown as TransportDetails,
      close: () => {
        conn.closes++;
      },
    } as unknown as TransportHandle,
    attach: () => {},
  };
  return conn;
}

/** The ComponentRuntime the machine sees: every effect is recorded in `calls`. */
export class FakeRuntime {
  readonly calls: string[] = [];
  readonly failures: WampError[] = [];
  finishedWith: Array<Error | undefined> = [];
  /** One entry per `startSession()` (the machine entering `online.joined`). */
  readonly sessionsStarted: number[] = [];
  readonly transports: ComponentRuntime["transports"];
  readonly leaveTimeout: number;

  constructor(
    policies: Policy[],
    private readonly fatal: (error: WampError) => boolean,
    leaveTimeout: number,
  ) {
    this.transports = policies.map((p, i) => ({
      spec: { kind: "memory", serverFactory: () => undefined as never, options: { serializer: "json" } },
      policy: {
        maxRetries: 1,
        initialRetryDelay: 1000,
        maxRetryDelay: 60_000,
        retryDelayGrowth: 1.5,
        retryDelayJitter: () => 0,
        ...p,
      },
      label: `t${i}`,
    })) as ComponentRuntime["transports"];
    this.leaveTimeout = leaveTimeout;
  }

  isFatal(error: WampError): boolean {
    return this.fatal(error);
  }
  link(): void {
    this.calls.push("link");
  }
  sendHello(): void {
    this.calls.push("hello");
  }
  sendGoodbye(reason: string, message?: string): void {
    this.calls.push(message === undefined ? `goodbye ${reason}` : `goodbye ${reason} ${message}`);
  }
  endSession(reason: string): void {
    this.calls.push(`endSession ${reason}`);
  }
  disconnected(): void {
    this.calls.push("disconnected");
  }
  connectFailure(error: WampError, index: number): void {
    this.failures.push(error);
    this.calls.push(`connectfailure ${error.code} t${index}`);
  }
  finished(error: Error | undefined): void {
    this.finishedWith.push(error);
    this.calls.push(error === undefined ? "finished" : `finished ${(error as WampError).code}`);
  }
  authenticate(): Promise<void> {
    throw new Error("the fake authenticate actor answers instead");
  }
  startSession(): void {
    this.sessionsStarted.push(this.sessionsStarted.length + 1);
  }
}

export interface HarnessOptions {
  /** Retry policies, one per transport (default: one transport, maxRetries 1, delays 1000/1.5/60000, jitter 0). */
  policies?: Policy[];
  isFatal?: (error: WampError) => boolean;
  leaveTimeout?: number;
}

export interface AuthCall {
  readonly method: string;
  readonly extra: Record<string, unknown>;
  readonly result: Deferred<void>;
}

export class Harness {
  readonly runtime: FakeRuntime;
  readonly clock = new SimulatedClock();
  readonly actor: Actor<typeof componentMachine>;
  readonly transports: FakeTransport[] = [];
  readonly auths: AuthCall[] = [];
  readonly connection = fakeConnection();
  /** The state value after every microstep that took a transition, in order (transient ones too). */
  readonly microsteps: string[] = [];
  /** Every transition taken (see {@link transitionKey}). */
  readonly taken: string[] = [];

  constructor(options: HarnessOptions = {}) {
    this.runtime = new FakeRuntime(
      options.policies ?? [{}],
      options.isFatal ?? (() => false),
      options.leaveTimeout ?? 5000,
    );
    const machine = componentMachine.provide({
      actors: {
        transport: fromCallback<{ type: "transport.close" }, ClientTransportSpec>(({ input, sendBack }) => {
          const fake: FakeTransport = {
            index: this.runtime.transports.findIndex((t) => t.spec === input),
            sendBack: sendBack as (event: ComponentEvent) => void,
            stopped: false,
          };
          this.transports.push(fake);
          return () => {
            fake.stopped = true;
          };
        }),
        authenticate: fromPromise<
          void,
          { runtime: ComponentRuntime; method: string; extra: Record<string, unknown> }
        >(({ input }) => {
          const result = deferred<void>();
          this.auths.push({ method: input.method, extra: input.extra, result });
          return result.promise;
        }),
      },
    });
    this.actor = createActor(machine, {
      input: { runtime: this.runtime as unknown as ComponentRuntime },
      clock: this.clock,
      inspect: (event) => {
        // A microstep without transitions (e.g. a done event whose guard fails) changes no state.
        if (
          event.type === "@xstate.microstep" &&
          event.actorRef === this.actor &&
          event._transitions.length > 0
        ) {
          this.microsteps.push(show((event.snapshot as unknown as { value: StateValue }).value));
          for (const t of event._transitions) this.taken.push(transitionKey(t));
        }
      },
    });
    this.actor.start();
  }

  /** The sessions started so far (one per entry into `online.joined`). */
  get runs(): number[] {
    return this.runtime.sessionsStarted;
  }

  get state(): string {
    return show(this.actor.getSnapshot().value);
  }

  get context() {
    return this.actor.getSnapshot().context;
  }

  get status() {
    return this.actor.getSnapshot().status;
  }

  /** The live (not stopped) fake transport actor. */
  get transport(): FakeTransport {
    const live = this.transports.filter((t) => !t.stopped);
    if (live.length !== 1) throw new Error(`expected one live transport actor, found ${live.length}`);
    return live[0];
  }

  /** Runs `act`, then returns the microsteps it caused. */
  async step(act: () => unknown): Promise<string[]> {
    const before = this.microsteps.length;
    await act();
    await flush();
    return this.microsteps.slice(before);
  }

  send(event: ComponentEvent): void {
    this.actor.send(event);
  }

  // ---- the things the fake transport, the router and the clock do -------------------------------

  opened(): void {
    this.transport.sendBack({ type: "transport.opened", connection: this.connection });
  }
  failed(error: WampError): void {
    this.transport.sendBack({ type: "transport.failed", error });
  }
  closed(error?: WampError): void {
    this.transport.sendBack({
      type: "transport.closed",
      details:
        error === undefined
          ? { clean: false, code: 1006, reason: "lost" }
          : { clean: false, code: 1006, reason: "lost", error },
    });
  }
  welcome(): void {
    this.send({ type: "wamp.welcome", welcome: WELCOME });
  }
  challenge(method = "ticket", extra: Record<string, unknown> = {}): void {
    this.send({ type: "wamp.challenge", method, extra });
  }
  abort(reason: string): void {
    this.send({ type: "wamp.abort", reason, details: {} });
  }
  goodbye(reason: string): void {
    this.send({ type: "wamp.goodbye", reason, details: {} });
  }
  /** What the runtime reports when the current session's `main` resolves. */
  async sessionDone(): Promise<void> {
    this.send({ type: "session.done" });
    await flush();
  }
  /** What the runtime reports when the current session's own code (hooks, main) throws. */
  async sessionFailed(error: unknown): Promise<void> {
    this.send({ type: "session.failed", error });
    await flush();
  }
  async authDone(): Promise<void> {
    this.auths[this.auths.length - 1].result.resolve();
    await flush();
  }
  async authFailed(error: unknown): Promise<void> {
    this.auths[this.auths.length - 1].result.reject(error);
    await flush();
  }
  /** Advance the simulated clock. */
  advance(ms: number): void {
    this.clock.increment(ms);
  }

  // ---- common prefixes -----------------------------------------------------------------------------

  /** idle → online.connecting */
  start(): void {
    this.send({ type: "START" });
  }
  /** → online.joining */
  toJoining(): void {
    this.start();
    this.opened();
  }
  /** → online.authenticating */
  toAuthenticating(): void {
    this.toJoining();
    this.challenge();
  }
  /** → online.joined */
  toJoined(): void {
    this.toJoining();
    this.welcome();
  }
  /** → online.leaving */
  toLeaving(): void {
    this.toJoined();
    this.send({ type: "user.leave", reason: "wamp.close.normal" });
  }
  /** → reconnectWait, after one failed attempt */
  toReconnectWait(error: WampError): void {
    this.start();
    this.failed(error);
  }
}
