/**
 * A fake router for the session unit tests: it records what the session sends (checking each
 * message against the message model) and feeds replies through `parseMessage`, as the owner does.
 */
import { type Dict, parseMessage } from "../../src/codecs/messages/index.js";
import type { ProtocolViolationError } from "../../src/errors.js";
import { Session } from "../../src/session/index.js";

export const FULL_DEALER = {
  features: {
    call_canceling: true,
    progressive_call_results: true,
    call_timeout: true,
    caller_identification: true,
  },
};
export const FULL_BROKER = {
  features: {
    publisher_identification: true,
    pattern_based_subscription: true,
    subscription_revocation: true,
  },
};

export interface Peer {
  session: Session;
  sent: unknown[][];
  violations: ProtocolViolationError[];
  userErrors: { error: unknown; context: string }[];
  lifecycle: unknown[][];
  /** Delivers a router message to the session. */
  feed(message: unknown[]): void;
  /** The last message sent, checking its type. */
  last(type: number): unknown[];
  /** Every message sent since the previous `take()`. */
  take(): unknown[][];
}

export function createPeer(routerRoles: Dict = { dealer: FULL_DEALER, broker: FULL_BROKER }): Peer {
  const sent: unknown[][] = [];
  const violations: ProtocolViolationError[] = [];
  const userErrors: { error: unknown; context: string }[] = [];
  const lifecycle: unknown[][] = [];
  let taken = 0;
  const session = new Session(
    {
      id: 4242,
      realm: "realm1",
      authid: "alice",
      authrole: "user",
      authmethod: "anonymous",
      authprovider: "static",
      authextra: { x: 1 },
      routerRoles,
    },
    {
      send: (message) => {
        parseMessage(message);
        sent.push(message);
      },
      onProtocolViolation: (error) => violations.push(error),
      onUserError: (error, context) => userErrors.push({ error, context }),
      onLifecycle: (message) => lifecycle.push([...message]),
    },
  );
  return {
    session,
    sent,
    violations,
    userErrors,
    lifecycle,
    feed(message) {
      session.receive(parseMessage(message));
    },
    last(type) {
      const message = sent[sent.length - 1];
      if (message === undefined || message[0] !== type) {
        throw new Error(`expected message type ${type} last, got ${JSON.stringify(message)}`);
      }
      return message;
    },
    take() {
      const fresh = sent.slice(taken);
      taken = sent.length;
      return fresh;
    },
  };
}

/** Lets pending promise reactions (handler results, rejections) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** The rejection of `promise`, failing the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error("expected a rejection");
}
