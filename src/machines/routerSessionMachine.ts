/**
 * The lifecycle of one router-side session (basic profile "Sessions"): awaiting HELLO → established
 * → closing → closed. Only lifecycle messages reach this machine; CALL/PUBLISH/... go straight from
 * the transport to the broker and dealer. Implementations of every action live in
 * `src/router/session.ts`; this file is configuration.
 */
import { setup } from "xstate";
import type { RouterSessionLifecycle } from "../router/session.js";

export interface RouterSessionInput {
  /** The plain session object whose methods implement the actions. */
  session: RouterSessionLifecycle;
  /** Close a connection that sends no HELLO within this many ms. */
  helloTimeout: number;
  /** After sending GOODBYE, wait this long for the peer's reply before closing. */
  goodbyeTimeout: number;
}

export type RouterSessionEvent =
  | { type: "wamp.hello"; realm: string; details: Record<string, unknown> }
  | { type: "wamp.goodbye"; reason: string; details: Record<string, unknown> }
  | { type: "wamp.abort"; reason: string; details: Record<string, unknown> }
  | { type: "wamp.violation"; message: string }
  | { type: "router.shutdown"; reason: string; message?: string }
  | { type: "transport.closed" };

export const routerSessionMachine = setup({
  types: {
    input: {} as RouterSessionInput,
    context: {} as RouterSessionInput,
    events: {} as RouterSessionEvent,
  },
  delays: {
    helloTimeout: ({ context }) => context.helloTimeout,
    goodbyeTimeout: ({ context }) => context.goodbyeTimeout,
  },
  guards: {
    canJoin: ({ context, event }) =>
      event.type === "wamp.hello" && context.session.canJoin(event.realm, event.details),
  },
  actions: {
    join: ({ context, event }) => {
      if (event.type === "wamp.hello") context.session.join(event.realm, event.details);
    },
    refuseJoin: ({ context, event }) => {
      if (event.type === "wamp.hello") context.session.refuseJoin(event.realm, event.details);
    },
    abortViolation: ({ context, event }) =>
      context.session.abortViolation(
        event.type === "wamp.violation" ? event.message : `unexpected ${event.type}`,
      ),
    abortHelloTimeout: ({ context }) => context.session.abortHelloTimeout(),
    replyGoodbye: ({ context }) => context.session.replyGoodbye(),
    sayGoodbye: ({ context, event }) => {
      if (event.type === "router.shutdown") context.session.sayGoodbye(event.reason, event.message);
    },
    leave: ({ context }) => context.session.leave(),
    closeTransport: ({ context }) => context.session.closeTransport(),
  },
}).createMachine({
  id: "routerSession",
  context: ({ input }) => input,
  initial: "awaitingHello",
  on: {
    "transport.closed": { target: ".gone" },
  },
  states: {
    awaitingHello: {
      after: { helloTimeout: { target: "closed", actions: "abortHelloTimeout" } },
      on: {
        "wamp.hello": [
          { guard: "canJoin", target: "established", actions: "join" },
          { target: "closed", actions: "refuseJoin" },
        ],
        "wamp.goodbye": { target: "closed", actions: "abortViolation" },
        "wamp.violation": { target: "closed", actions: "abortViolation" },
        "wamp.abort": { target: "closed" },
        "router.shutdown": { target: "closed" },
      },
    },
    established: {
      on: {
        "wamp.goodbye": { target: "closed", actions: ["leave", "replyGoodbye"] },
        "wamp.hello": { target: "closed", actions: ["leave", "abortViolation"] },
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
