/**
 * The lifecycle of one router-side session (basic profile "Sessions", advanced "Authentication"):
 * awaiting HELLO → authenticating (choosing a method, challenged, verifying) → established →
 * closing → closed. Only lifecycle messages reach this machine; CALL/PUBLISH/... go straight from
 * the transport to the broker and dealer. Implementations of every action live in
 * `src/router/session.ts`; this file is configuration.
 */
import { assign, fromPromise, setup } from "xstate";
import type { AuthenticatedPrincipal, AuthStep } from "../auth/router.js";
import type { RouterSessionLifecycle } from "../router/session.js";

export interface RouterSessionContext extends RouterSessionInput {
  /** The pending challenge's verifier while challenged (single use). */
  step: AuthStep | undefined;
}

export interface RouterSessionInput {
  /** The plain session object whose methods implement the actions. */
  session: RouterSessionLifecycle;
  /** Close a connection that sends no HELLO within this many ms. */
  helloTimeout: number;
  /** After sending GOODBYE, wait this long for the peer's reply before closing. */
  goodbyeTimeout: number;
  /** Abort when AUTHENTICATE does not arrive this many ms after CHALLENGE. */
  authTimeout: number;
}

export type RouterSessionEvent =
  | { type: "wamp.hello"; realm: string; details: Record<string, unknown> }
  | { type: "wamp.authenticate"; signature: string; extra: Record<string, unknown> }
  | { type: "wamp.goodbye"; reason: string; details: Record<string, unknown> }
  | { type: "wamp.abort"; reason: string; details: Record<string, unknown> }
  | { type: "wamp.violation"; message: string }
  | { type: "router.shutdown"; reason: string; message?: string }
  | { type: "transport.closed" };

export const routerSessionMachine = setup({
  types: {
    input: {} as RouterSessionInput,
    context: {} as RouterSessionContext,
    events: {} as RouterSessionEvent,
  },
  actors: {
    beginAuth: fromPromise<
      AuthStep,
      { session: RouterSessionLifecycle; realm: string; details: Record<string, unknown> }
    >(({ input }) => input.session.beginAuth(input.realm, input.details)),
    verifyAuth: fromPromise<
      AuthenticatedPrincipal,
      { step: AuthStep | undefined; signature: string; extra: Record<string, unknown> }
    >(({ input }) => {
      if (input.step?.kind !== "challenge") return Promise.reject(new Error("no pending challenge"));
      return input.step.verify(input.signature, input.extra);
    }),
  },
  delays: {
    helloTimeout: ({ context }) => context.helloTimeout,
    goodbyeTimeout: ({ context }) => context.goodbyeTimeout,
    authTimeout: ({ context }) => context.authTimeout,
  },
  guards: {
    realmExists: ({ context, event }) =>
      event.type === "wamp.hello" && context.session.realmExists(event.realm),
    challenged: ({ event }) => (event as { output?: AuthStep }).output?.kind === "challenge",
  },
  actions: {
    rememberHello: ({ context, event }) => {
      if (event.type === "wamp.hello") context.session.rememberHello(event.realm, event.details);
    },
    keepStep: assign({ step: ({ event }) => (event as { output?: AuthStep }).output }),
    consumeStep: assign({ step: undefined }),
    sendChallenge: ({ context }) => {
      if (context.step?.kind === "challenge")
        context.session.sendChallenge(context.step.method, context.step.extra);
    },
    welcomeStep: ({ context, event }) => {
      const output = (event as { output?: AuthStep }).output;
      if (output?.kind === "welcome") context.session.welcome(output.principal);
    },
    welcomeVerified: ({ context, event }) =>
      context.session.welcome((event as unknown as { output: AuthenticatedPrincipal }).output),
    refuseRealm: ({ context, event }) => {
      if (event.type === "wamp.hello") context.session.refuseRealm(event.realm);
    },
    refuseAuth: ({ context, event }) => context.session.refuseAuth((event as { error?: unknown }).error),
    abortViolation: ({ context, event }) =>
      context.session.abortViolation(
        event.type === "wamp.violation" ? event.message : `unexpected ${event.type}`,
      ),
    abortHelloTimeout: ({ context }) => context.session.abortTimeout("no HELLO received in time"),
    abortAuthTimeout: ({ context }) => context.session.abortTimeout("no AUTHENTICATE received in time"),
    replyGoodbye: ({ context }) => context.session.replyGoodbye(),
    sayGoodbye: ({ context, event }) => {
      if (event.type === "router.shutdown") context.session.sayGoodbye(event.reason, event.message);
    },
    leave: ({ context }) => context.session.leave(),
    closeTransport: ({ context }) => context.session.closeTransport(),
  },
}).createMachine({
  id: "routerSession",
  context: ({ input }) => ({ ...input, step: undefined }),
  initial: "awaitingHello",
  on: {
    "transport.closed": { target: ".gone" },
  },
  states: {
    awaitingHello: {
      after: { helloTimeout: { target: "closed", actions: "abortHelloTimeout" } },
      on: {
        "wamp.hello": [
          { guard: "realmExists", target: "authenticating", actions: "rememberHello" },
          { target: "closed", actions: "refuseRealm" },
        ],
        "wamp.goodbye": { target: "closed", actions: "abortViolation" },
        "wamp.authenticate": { target: "closed", actions: "abortViolation" },
        "wamp.violation": { target: "closed", actions: "abortViolation" },
        "wamp.abort": { target: "closed" },
        "router.shutdown": { target: "closed" },
      },
    },
    authenticating: {
      initial: "choosing",
      states: {
        choosing: {
          invoke: {
            src: "beginAuth",
            input: ({ context, event }) => ({
              session: context.session,
              realm: event.type === "wamp.hello" ? event.realm : "",
              details: event.type === "wamp.hello" ? event.details : {},
            }),
            onDone: [
              { guard: "challenged", target: "challenged", actions: ["keepStep", "sendChallenge"] },
              { target: "#routerSession.established", actions: "welcomeStep" },
            ],
            onError: { target: "#routerSession.closed", actions: "refuseAuth" },
          },
        },
        challenged: {
          after: { authTimeout: { target: "#routerSession.closed", actions: "abortAuthTimeout" } },
          on: {
            "wamp.authenticate": { target: "verifying" },
          },
        },
        // The challenge is single use: whatever the outcome, this state is left for good, and a
        // second AUTHENTICATE meanwhile is a protocol violation (handled by the parent state).
        verifying: {
          invoke: {
            src: "verifyAuth",
            input: ({ context, event }) => ({
              step: context.step,
              signature: event.type === "wamp.authenticate" ? event.signature : "",
              extra: event.type === "wamp.authenticate" ? event.extra : {},
            }),
            onDone: { target: "#routerSession.established", actions: ["consumeStep", "welcomeVerified"] },
            onError: { target: "#routerSession.closed", actions: ["consumeStep", "refuseAuth"] },
          },
        },
      },
      on: {
        "wamp.hello": { target: "closed", actions: "abortViolation" },
        "wamp.goodbye": { target: "closed", actions: "abortViolation" },
        "wamp.authenticate": { target: "closed", actions: "abortViolation" },
        "wamp.violation": { target: "closed", actions: "abortViolation" },
        "wamp.abort": { target: "closed" },
        "router.shutdown": { target: "closed" },
      },
    },
    established: {
      on: {
        "wamp.goodbye": { target: "closed", actions: ["leave", "replyGoodbye"] },
        "wamp.hello": { target: "closed", actions: ["leave", "abortViolation"] },
        "wamp.authenticate": { target: "closed", actions: ["leave", "abortViolation"] },
        "wamp.violation": { target: "closed", actions: ["leave", "abortViolation"] },
        "wamp.abort": { target: "closed", actions: "leave" },
        "router.shutdown": { target: "closing", actions: ["leave", "sayGoodbye"] },
      },
    },
    closing: {
      after: { goodbyeTimeout: { target: "closed" } },
      on: {
        "wamp.goodbye": { target: "closed" },
        "wamp.abort": { target: "closed" },
        "wamp.violation": { target: "closed" },
        "wamp.hello": { target: "closed" },
        "wamp.authenticate": { target: "closed" },
      },
    },
    closed: {
      entry: "closeTransport",
    },
    gone: {
      entry: "leave",
      type: "final",
    },
  },
});
