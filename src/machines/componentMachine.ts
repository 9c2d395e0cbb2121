/**
 * The component lifecycle (the seed's `Component`): connect a transport, join a realm, run, leave,
 * and on any failure wait a backoff delay and connect the next transport that can still retry.
 *
 *   idle → online.connecting → online.joining (⇄ online.authenticating) → online.joined
 *        → online.leaving → done;  any failure → failing → reconnectWait → online … or → failed
 *
 * `online` invokes the transport actor, so the socket lives exactly as long as that state.
 *
 * The machine holds only lifecycle state: per-transport retry counters, the current transport, the
 * last error and the session details. Every effect is a plain function of `ComponentRuntime`
 * (src/component/runtime.ts); messages on an open session never pass through here.
 *
 * A joined session's own code (join hooks, declared registrations, `main`) runs in the runtime, not
 * in an invoked actor: a component can sit joined for days, and an actor kept alive only to await
 * `main` would cost every idle session about 3 KB. The runtime reports the outcome as
 * `session.done` (main resolved) or `session.failed`, and only while that session is still current,
 * so a late result of an old session never reaches a newer one.
 */
import { assign, fromPromise, setup } from "xstate";
import type { ComponentRuntime, WelcomeInfo } from "../component/runtime.js";
import {
  ComponentFailedError,
  SessionAbortedError,
  TransportError,
  type WampError,
  WampUri,
} from "../errors.js";
import { type ClientConnection, clientTransportActor } from "../transports/actor.js";
import type { CloseDetails } from "../transports/types.js";
import { canRetry, INITIAL_RETRY_STATE, nextDelay, nextTransport, type RetryState } from "./backoff.js";

export interface ComponentInput {
  runtime: ComponentRuntime;
}

export interface ComponentContext {
  readonly runtime: ComponentRuntime;
  /** Retry counters, one per configured transport. */
  retry: RetryState[];
  /** Index of the transport being (or last) tried. */
  current: number;
  /** The delay before the next attempt, computed when a failure is handled. */
  delay: number;
  /** The last failure, if any. */
  lastError: WampError | undefined;
  /** The open connection while connected. */
  connection: ClientConnection | undefined;
  /** What WELCOME said (no secrets), while joined. */
  session: WelcomeInfo | undefined;
  /** Attempts the current transport had made when it last joined (restored if that join's own code fails). */
  attemptsAtJoin: number;
}

export type ComponentEvent =
  | { type: "START" }
  | { type: "STOP" }
  | { type: "transport.opened"; connection: ClientConnection }
  | { type: "transport.closed"; details: CloseDetails }
  | { type: "transport.failed"; error: WampError }
  | { type: "wamp.welcome"; welcome: WelcomeInfo }
  | { type: "wamp.challenge"; method: string; extra: Record<string, unknown> }
  | { type: "wamp.abort"; reason: string; details: Record<string, unknown> }
  | { type: "wamp.goodbye"; reason: string; details: Record<string, unknown> }
  | { type: "wamp.violation"; error: WampError }
  | { type: "user.leave"; reason: string; message?: string }
  | { type: "user.disconnect" }
  | { type: "session.done" }
  | { type: "session.failed"; error: unknown };

/** Close reasons after which a router GOODBYE means "done" rather than "reconnect". */
const NORMAL_CLOSE = new Set(["wamp.close.normal", "wamp.close.goodbye_and_out"]);

export const componentMachine = setup({
  types: {
    input: {} as ComponentInput,
    context: {} as ComponentContext,
    events: {} as ComponentEvent,
  },
  actors: {
    transport: clientTransportActor,
    authenticate: fromPromise<
      void,
      { runtime: ComponentRuntime; method: string; extra: Record<string, unknown> }
    >(({ input }) => input.runtime.authenticate(input.method, input.extra)),
  },
  delays: {
    retryDelay: ({ context }) => context.delay,
    leaveTimeout: ({ context }) => context.runtime.leaveTimeout,
  },
  guards: {
    canRetrySomewhere: ({ context }) =>
      context.retry.some((s, i) => canRetry(s, context.runtime.transports[i].policy)),
    normalGoodbye: ({ event }) => event.type === "wamp.goodbye" && NORMAL_CLOSE.has(event.reason),
  },
  actions: {
    countAttempt: assign({
      retry: ({ context }) =>
        context.retry.map((s, i) => (i === context.current ? { ...s, attempts: s.attempts + 1 } : s)),
    }),
    keepConnection: assign({
      connection: ({ event }) => (event.type === "transport.opened" ? event.connection : undefined),
    }),
    disconnected: ({ context }) => context.runtime.disconnected(),
    dropConnection: assign({ connection: undefined, session: undefined }),
    // Inbound messages go to the session's data plane; only lifecycle ones come back as events.
    link: ({ context, event, self }) => {
      if (event.type === "transport.opened") context.runtime.link(event.connection, (e) => self.send(e));
    },
    sendHello: ({ context }) => context.runtime.sendHello(),
    startSession: ({ context }) => context.runtime.startSession(),
    joined: assign({
      session: ({ event }) => (event.type === "wamp.welcome" ? event.welcome : undefined),
      attemptsAtJoin: ({ context }) => context.retry[context.current].attempts,
      retry: ({ context }) => context.retry.map((s, i) => (i === context.current ? INITIAL_RETRY_STATE : s)),
      lastError: undefined,
    }),
    // A join whose own code (join listeners, onJoin, declared registrations, main) fails was not a
    // successful one: without this, a main that always throws would rejoin forever at delay 0.
    undoJoinReset: assign({
      retry: ({ context }) =>
        context.retry.map((s, i) =>
          i === context.current ? { ...s, attempts: Math.max(s.attempts, context.attemptsAtJoin) } : s,
        ),
    }),
    sendGoodbye: ({ context, event }) =>
      context.runtime.sendGoodbye(
        event.type === "user.leave" ? event.reason : "wamp.close.normal",
        event.type === "user.leave" ? event.message : undefined,
      ),
    replyGoodbye: ({ context }) => context.runtime.sendGoodbye("wamp.close.goodbye_and_out"),
    closeTransport: ({ context }) => context.connection?.handle.close(),
    endSession: ({ context, event }) => context.runtime.endSession(reasonOf(event)),
    recordFailure: assign({
      lastError: ({ context, event }) => failureOf(event) ?? context.lastError,
    }),
    reportFailure: ({ context }) => {
      if (context.lastError !== undefined) context.runtime.connectFailure(context.lastError, context.current);
    },
    retireIfFatal: assign({
      retry: ({ context }) =>
        context.lastError !== undefined && context.runtime.isFatal(context.lastError)
          ? context.retry.map((s, i) => (i === context.current ? { ...s, retired: true } : s))
          : context.retry,
    }),
    chooseNext: assign(({ context }) => {
      const policies = context.runtime.transports.map((t) => t.policy);
      const next = nextTransport(context.retry, policies, context.current) ?? context.current;
      return { current: next, delay: nextDelay(context.retry[next], policies[next]) };
    }),
    notifyDone: ({ context }) => context.runtime.finished(undefined),
    notifyFailed: ({ context }) =>
      context.runtime.finished(
        new ComponentFailedError(
          `no transport left to try (last error: ${context.lastError?.message ?? "none"})`,
          context.lastError,
        ),
      ),
  },
}).createMachine({
  id: "component",
  context: ({ input }) => ({
    runtime: input.runtime,
    retry: input.runtime.transports.map(() => INITIAL_RETRY_STATE),
    current: 0,
    delay: 0,
    lastError: undefined,
    connection: undefined,
    session: undefined,
    attemptsAtJoin: 0,
  }),
  initial: "idle",
  states: {
    idle: {
      on: {
        START: { target: "online" },
        STOP: { target: "done" },
      },
    },
    online: {
      entry: "countAttempt",
      invoke: {
        src: "transport",
        id: "transport",
        input: ({ context }) => context.runtime.transports[context.current].spec,
      },
      initial: "connecting",
      states: {
        connecting: {
          on: {
            "transport.opened": { target: "joining", actions: ["keepConnection", "link", "sendHello"] },
          },
        },
        joining: {
          on: {
            "wamp.challenge": { target: "authenticating" },
            "wamp.welcome": { target: "joined" },
          },
        },
        authenticating: {
          invoke: {
            src: "authenticate",
            input: ({ context, event }) => ({
              runtime: context.runtime,
              method: event.type === "wamp.challenge" ? event.method : "",
              extra: event.type === "wamp.challenge" ? event.extra : {},
            }),
            onDone: { target: "joining" },
            onError: {
              target: "#component.failing",
              actions: [
                assign({ lastError: ({ event }) => asWampError(event.error) }),
                "endSession",
                "closeTransport",
              ],
            },
          },
        },
        joined: {
          entry: ["joined", "startSession"],
          on: {
            "wamp.goodbye": [
              {
                guard: "normalGoodbye",
                target: "#component.done",
                actions: ["replyGoodbye", "endSession", "closeTransport"],
              },
              {
                target: "#component.failing",
                actions: ["recordFailure", "replyGoodbye", "endSession", "closeTransport"],
              },
            ],
            "session.done": { target: "leaving" },
            "session.failed": {
              target: "#component.failing",
              actions: [
                assign({ lastError: ({ event }) => asWampError(event.error) }),
                "undoJoinReset",
                "endSession",
                "closeTransport",
              ],
            },
            "user.leave": { target: "leaving" },
            STOP: { target: "leaving" },
          },
        },
        leaving: {
          entry: "sendGoodbye",
          after: { leaveTimeout: { target: "#component.done", actions: ["endSession", "closeTransport"] } },
          on: {
            "wamp.goodbye": { target: "#component.done", actions: ["endSession", "closeTransport"] },
            "wamp.abort": { target: "#component.done", actions: ["endSession", "closeTransport"] },
            "transport.closed": { target: "#component.done", actions: "endSession" },
            "user.leave": {},
            STOP: {},
          },
        },
      },
      on: {
        "transport.failed": { target: "failing", actions: "recordFailure" },
        "transport.closed": { target: "failing", actions: ["recordFailure", "endSession"] },
        "wamp.abort": { target: "failing", actions: ["recordFailure", "endSession", "closeTransport"] },
        "wamp.violation": { target: "failing", actions: ["recordFailure", "endSession", "closeTransport"] },
        "user.disconnect": { target: "done", actions: ["endSession", "closeTransport"] },
        STOP: { target: "done", actions: ["endSession", "closeTransport"] },
      },
    },
    failing: {
      entry: ["disconnected", "dropConnection", "reportFailure", "retireIfFatal"],
      always: [
        { guard: "canRetrySomewhere", target: "reconnectWait", actions: "chooseNext" },
        { target: "failed" },
      ],
    },
    reconnectWait: {
      after: { retryDelay: { target: "online" } },
      on: { STOP: { target: "done" } },
    },
    done: { type: "final", entry: ["disconnected", "dropConnection", "notifyDone"] },
    failed: { type: "final", entry: "notifyFailed" },
  },
});

function reasonOf(event: ComponentEvent): string {
  switch (event.type) {
    case "wamp.goodbye":
    case "wamp.abort":
      return event.reason;
    case "user.leave":
      return event.reason;
    case "transport.closed":
      return "wamp.close.transport_lost";
    case "wamp.violation":
      return WampUri.protocolViolation;
    case "STOP":
    case "user.disconnect":
      return "wamp.close.normal";
    case "session.failed":
      // The session's own code failed (main, a join listener, a declared registration).
      return WampUri.runtimeError;
    default:
      // Answering a challenge failed.
      return (event as { type: string }).type.startsWith("xstate.error")
        ? WampUri.runtimeError
        : "wamp.close.normal";
  }
}

function failureOf(event: ComponentEvent): WampError | undefined {
  switch (event.type) {
    case "transport.failed":
      return event.error;
    case "transport.closed":
      return (
        event.details.error ??
        new TransportError(
          "TRANSPORT_CLOSED",
          `connection lost: ${event.details.reason || event.details.code || "closed"}`,
        )
      );
    case "wamp.abort":
    case "wamp.goodbye":
      return new SessionAbortedError(event.reason, event.details);
    case "wamp.violation":
      return event.error;
    default:
      return undefined;
  }
}

function asWampError(error: unknown): WampError {
  return error instanceof Error && typeof (error as WampError).code === "string"
    ? (error as WampError)
    : new ComponentFailedError(error instanceof Error ? error.message : String(error), error);
}
