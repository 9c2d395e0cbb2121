/**
 * componentMachine, transition by transition: a table of (from state, event, guard) → the exact
 * microstep sequence and the context/effects that follow, plus a meta-test that walks the machine
 * definition so a transition added without a row here fails the suite.
 */

import { describe, expect, it } from "vitest";
import type { AnyStateNode, AnyTransitionDefinition } from "xstate";
import {
  ComponentFailedError,
  ProtocolViolationError,
  SessionAbortedError,
  TransportError,
  WampError,
} from "../../src/errors.js";
import { componentMachine } from "../../src/machines/componentMachine.js";
import { Harness, type HarnessOptions, WELCOME } from "./componentHarness.js";

const connectFailed = () => new TransportError("TRANSPORT_CONNECT_FAILED", "refused");

function invokeId(stateId: string): string {
  const node = componentMachine.getStateNodeById(`component.${stateId}`);
  return node.invoke[0].id;
}
const doneOf = (stateId: string) => `xstate.done.actor.${invokeId(stateId)}`;
const errorOf = (stateId: string) => `xstate.error.actor.${invokeId(stateId)}`;
const afterOf = (delay: string, stateId: string) => `xstate.after.${delay}.component.${stateId}`;

interface Row {
  /** The state node that defines the transition, without the `component.` prefix. */
  from: string;
  /** The event descriptor as the definition has it (`always` for eventless transitions). */
  event: string;
  /** The guard's name, `else` for the unguarded fallback after guarded ones, `-` for none. */
  guard: string;
  /** Harness options (policies, isFatal, leaveTimeout). */
  options?: HarnessOptions;
  /** Drive a fresh actor to the source state. */
  arrange: (h: Harness) => void | Promise<void>;
  /** The event itself. */
  act: (h: Harness) => void | Promise<void>;
  /** The microsteps `act` causes, transient states included. */
  expected: string[];
  /** Context, effects, actors. */
  check?: (h: Harness) => void;
}

const TABLE: Row[] = [
  {
    from: "idle",
    event: "START",
    guard: "-",
    arrange: () => {},
    act: (h) => h.start(),
    expected: ["online.connecting"],
    check: (h) => {
      expect(h.context.retry).toEqual([{ attempts: 1, retired: false }]);
      expect(h.context.current).toBe(0);
      expect(h.transports.map((t) => [t.index, t.stopped])).toEqual([[0, false]]);
    },
  },
  {
    from: "idle",
    event: "STOP",
    guard: "-",
    arrange: () => {},
    act: (h) => h.send({ type: "STOP" }),
    expected: ["done"],
    check: (h) => {
      expect(h.status).toBe("done");
      expect(h.transports).toHaveLength(0);
      expect(h.runtime.calls).toEqual(["disconnected", "finished"]);
    },
  },
  {
    from: "online",
    event: "transport.failed",
    guard: "-",
    arrange: (h) => h.start(),
    act: (h) => h.failed(connectFailed()),
    expected: ["failing", "reconnectWait"],
    check: (h) => {
      expect(h.context.lastError?.code).toBe("TRANSPORT_CONNECT_FAILED");
      expect(h.context.retry).toEqual([{ attempts: 1, retired: false }]);
      expect(h.context.delay).toBe(1000);
      expect(h.transports[0].stopped).toBe(true);
      expect(h.runtime.calls).toEqual(["disconnected", "connectfailure TRANSPORT_CONNECT_FAILED t0"]);
    },
  },
  {
    from: "online",
    event: "transport.closed",
    guard: "-",
    arrange: (h) => h.toJoined(),
    act: (h) => h.closed(),
    expected: ["failing", "reconnectWait"],
    check: (h) => {
      expect(h.context.lastError?.code).toBe("TRANSPORT_CLOSED");
      expect(h.runtime.calls.slice(2)).toEqual([
        "endSession wamp.close.transport_lost",
        "disconnected",
        "connectfailure TRANSPORT_CLOSED t0",
      ]);
      // The join reset the counters: the first attempt after losing a session is immediate.
      expect(h.context.delay).toBe(0);
      expect(h.context.connection).toBeUndefined();
      expect(h.context.session).toBeUndefined();
    },
  },
  {
    from: "online",
    event: "wamp.abort",
    guard: "-",
    arrange: (h) => h.toJoining(),
    act: (h) => h.abort("wamp.error.not_authorized"),
    expected: ["failing", "reconnectWait"],
    check: (h) => {
      expect(h.context.lastError).toBeInstanceOf(SessionAbortedError);
      expect(h.context.lastError?.code).toBe("SESSION_ABORTED");
      expect((h.context.lastError as SessionAbortedError).uri).toBe("wamp.error.not_authorized");
      expect(h.connection.closes).toBe(1);
    },
  },
  {
    from: "online",
    event: "wamp.violation",
    guard: "-",
    arrange: (h) => h.toJoining(),
    act: (h) => h.send({ type: "wamp.violation", error: new ProtocolViolationError("bad", "RESULT") }),
    expected: ["failing", "reconnectWait"],
    check: (h) => {
      expect(h.context.lastError?.code).toBe("PROTOCOL_VIOLATION");
      expect(h.runtime.calls).toContain("endSession wamp.error.protocol_violation");
      expect(h.connection.closes).toBe(1);
    },
  },
  {
    from: "online",
    event: "user.disconnect",
    guard: "-",
    arrange: (h) => h.toJoined(),
    act: (h) => h.send({ type: "user.disconnect" }),
    expected: ["done"],
    check: (h) => {
      expect(h.status).toBe("done");
      expect(h.connection.closes).toBe(1);
      expect(h.runtime.calls.slice(2)).toEqual(["endSession wamp.close.normal", "disconnected", "finished"]);
    },
  },
  {
    from: "online",
    event: "STOP",
    guard: "-",
    arrange: (h) => h.start(),
    act: (h) => h.send({ type: "STOP" }),
    expected: ["done"],
    check: (h) => {
      expect(h.transports[0].stopped).toBe(true);
      expect(h.runtime.finishedWith).toEqual([undefined]);
    },
  },
  {
    from: "online.connecting",
    event: "transport.opened",
    guard: "-",
    arrange: (h) => h.start(),
    act: (h) => h.opened(),
    expected: ["online.joining"],
    check: (h) => {
      expect(h.context.connection).toBe(h.connection);
      expect(h.runtime.calls).toEqual(["link", "hello"]);
    },
  },
  {
    from: "online.joining",
    event: "wamp.challenge",
    guard: "-",
    arrange: (h) => h.toJoining(),
    act: (h) => h.challenge("wampcra", { challenge: "c" }),
    expected: ["online.authenticating"],
    check: (h) => {
      expect(h.auths.map((a) => [a.method, a.extra])).toEqual([["wampcra", { challenge: "c" }]]);
    },
  },
  {
    from: "online.joining",
    event: "wamp.welcome",
    guard: "-",
    arrange: (h) => {
      h.toReconnectWait(connectFailed());
      h.advance(1000);
      h.opened();
      expect(h.context.retry).toEqual([{ attempts: 2, retired: false }]);
    },
    act: (h) => h.welcome(),
    expected: ["online.joined"],
    check: (h) => {
      expect(h.context.retry).toEqual([{ attempts: 0, retired: false }]);
      expect(h.context.session).toEqual(WELCOME);
      expect(h.context.lastError).toBeUndefined();
      expect(h.runs).toHaveLength(1);
    },
  },
  {
    from: "online.authenticating",
    event: doneOf("online.authenticating"),
    guard: "-",
    arrange: (h) => h.toAuthenticating(),
    act: (h) => h.authDone(),
    expected: ["online.joining"],
  },
  {
    from: "online.authenticating",
    event: errorOf("online.authenticating"),
    guard: "-",
    arrange: (h) => h.toAuthenticating(),
    act: (h) => h.authFailed(new WampError("AUTHENTICATION_UNSUPPORTED", "no way")),
    expected: ["failing", "reconnectWait"],
    check: (h) => {
      expect(h.context.lastError?.code).toBe("AUTHENTICATION_UNSUPPORTED");
      expect(h.connection.closes).toBe(1);
    },
  },
  {
    from: "online.joined",
    event: "wamp.goodbye",
    guard: "normalGoodbye",
    arrange: (h) => h.toJoined(),
    act: (h) => h.goodbye("wamp.close.normal"),
    expected: ["done"],
    check: (h) => {
      expect(h.runtime.calls.slice(2)).toEqual([
        "goodbye wamp.close.goodbye_and_out",
        "endSession wamp.close.normal",
        "disconnected",
        "finished",
      ]);
      expect(h.connection.closes).toBe(1);
    },
  },
  {
    from: "online.joined",
    event: "wamp.goodbye",
    guard: "else",
    arrange: (h) => h.toJoined(),
    act: (h) => h.goodbye("wamp.close.system_shutdown"),
    expected: ["failing", "reconnectWait"],
    check: (h) => {
      expect((h.context.lastError as SessionAbortedError).uri).toBe("wamp.close.system_shutdown");
      expect(h.runtime.calls.slice(2, 4)).toEqual([
        "goodbye wamp.close.goodbye_and_out",
        "endSession wamp.close.system_shutdown",
      ]);
      expect(h.context.delay).toBe(0);
    },
  },
  {
    from: "online.joined",
    event: "user.leave",
    guard: "-",
    arrange: (h) => h.toJoined(),
    act: (h) => h.send({ type: "user.leave", reason: "com.example.bye", message: "see you" }),
    expected: ["online.leaving"],
    check: (h) => expect(h.runtime.calls.slice(2)).toEqual(["goodbye com.example.bye see you"]),
  },
  {
    from: "online.joined",
    event: "STOP",
    guard: "-",
    arrange: (h) => h.toJoined(),
    act: (h) => h.send({ type: "STOP" }),
    expected: ["online.leaving"],
    check: (h) => expect(h.runtime.calls.slice(2)).toEqual(["goodbye wamp.close.normal"]),
  },
  {
    from: "online.joined",
    event: "session.done",
    guard: "-",
    arrange: (h) => h.toJoined(),
    act: (h) => h.sessionDone(),
    expected: ["online.leaving"],
    check: (h) => expect(h.runtime.calls.slice(2)).toEqual(["goodbye wamp.close.normal"]),
  },
  {
    from: "online.joined",
    event: "session.failed",
    guard: "-",
    arrange: (h) => h.toJoined(),
    act: (h) => h.sessionFailed(new Error("main broke")),
    expected: ["failing", "reconnectWait"],
    check: (h) => {
      expect(h.context.lastError).toBeInstanceOf(ComponentFailedError);
      expect(h.context.lastError?.code).toBe("COMPONENT_FAILED");
      expect((h.context.lastError!.cause as Error).message).toBe("main broke");
      // The session ends because its own code failed: the leave reason says so.
      expect(h.runtime.calls.slice(2, 3)).toEqual(["endSession wamp.error.runtime_error"]);
      expect(h.connection.closes).toBe(1);
      // The failed join does not count as a successful one: the attempt stays counted, so the
      // next one waits the backoff delay instead of rejoining at once.
      expect(h.context.retry).toEqual([{ attempts: 1, retired: false }]);
      expect(h.context.delay).toBe(1000);
    },
  },
  {
    from: "online.leaving",
    event: "wamp.goodbye",
    guard: "-",
    arrange: (h) => h.toLeaving(),
    act: (h) => h.goodbye("wamp.close.goodbye_and_out"),
    expected: ["done"],
    check: (h) => {
      expect(h.runtime.calls.slice(3)).toEqual([
        "endSession wamp.close.goodbye_and_out",
        "disconnected",
        "finished",
      ]);
      expect(h.connection.closes).toBe(1);
    },
  },
  {
    from: "online.leaving",
    event: "wamp.abort",
    guard: "-",
    arrange: (h) => h.toLeaving(),
    act: (h) => h.abort("wamp.error.protocol_violation"),
    expected: ["done"],
    check: (h) => {
      expect(h.runtime.calls.slice(3, 4)).toEqual(["endSession wamp.error.protocol_violation"]);
      expect(h.runtime.finishedWith).toEqual([undefined]);
    },
  },
  {
    from: "online.leaving",
    event: "transport.closed",
    guard: "-",
    arrange: (h) => h.toLeaving(),
    act: (h) => h.closed(),
    expected: ["done"],
    check: (h) => {
      expect(h.runtime.calls.slice(3, 4)).toEqual(["endSession wamp.close.transport_lost"]);
      expect(h.connection.closes).toBe(0);
      expect(h.runtime.finishedWith).toEqual([undefined]);
    },
  },
  {
    from: "online.leaving",
    event: "user.leave",
    guard: "-",
    arrange: (h) => h.toLeaving(),
    act: (h) => h.send({ type: "user.leave", reason: "wamp.close.normal" }),
    expected: ["online.leaving"],
    check: (h) => {
      expect(h.state).toBe("online.leaving");
      expect(h.runtime.calls.filter((c) => c.startsWith("goodbye"))).toHaveLength(1);
    },
  },
  {
    from: "online.leaving",
    event: "STOP",
    guard: "-",
    arrange: (h) => h.toLeaving(),
    act: (h) => h.send({ type: "STOP" }),
    expected: ["online.leaving"],
    check: (h) => {
      expect(h.state).toBe("online.leaving");
      expect(h.runtime.calls.filter((c) => c.startsWith("goodbye"))).toHaveLength(1);
    },
  },
  {
    from: "online.leaving",
    event: afterOf("leaveTimeout", "online.leaving"),
    guard: "-",
    options: { leaveTimeout: 3000 },
    arrange: (h) => {
      h.toLeaving();
      h.advance(2999);
      expect(h.state).toBe("online.leaving");
    },
    act: (h) => h.advance(1),
    expected: ["done"],
    check: (h) => {
      expect(h.runtime.calls.slice(3, 4)).toEqual(["endSession wamp.close.normal"]);
      expect(h.connection.closes).toBe(1);
      expect(h.runtime.finishedWith).toEqual([undefined]);
    },
  },
  {
    from: "failing",
    event: "always",
    guard: "canRetrySomewhere",
    options: { policies: [{ maxRetries: 1 }] },
    arrange: (h) => h.start(),
    act: (h) => h.failed(connectFailed()),
    expected: ["failing", "reconnectWait"],
    check: (h) => expect(h.context.delay).toBe(1000),
  },
  {
    from: "failing",
    event: "always",
    guard: "else",
    options: { policies: [{ maxRetries: 0 }] },
    arrange: (h) => h.start(),
    act: (h) => h.failed(connectFailed()),
    expected: ["failing", "failed"],
    check: (h) => {
      expect(h.status).toBe("done");
      const [error] = h.runtime.finishedWith as WampError[];
      expect(error.code).toBe("COMPONENT_FAILED");
      expect((error.cause as WampError).code).toBe("TRANSPORT_CONNECT_FAILED");
    },
  },
  {
    from: "reconnectWait",
    event: "STOP",
    guard: "-",
    arrange: (h) => h.toReconnectWait(connectFailed()),
    act: (h) => h.send({ type: "STOP" }),
    expected: ["done"],
    check: (h) => {
      h.advance(10 * 60_000);
      expect(h.transports).toHaveLength(1);
      expect(h.runtime.finishedWith).toEqual([undefined]);
    },
  },
  {
    from: "reconnectWait",
    event: afterOf("retryDelay", "reconnectWait"),
    guard: "-",
    arrange: (h) => {
      h.toReconnectWait(connectFailed());
      h.advance(999);
      expect(h.state).toBe("reconnectWait");
    },
    act: (h) => h.advance(1),
    expected: ["online.connecting"],
    check: (h) => {
      expect(h.context.retry).toEqual([{ attempts: 2, retired: false }]);
      expect(h.transports.map((t) => [t.index, t.stopped])).toEqual([
        [0, true],
        [0, false],
      ]);
    },
  },
];

/** Rows for events a state handles with a guard that does not pass: nothing happens. */
const NO_TRANSITION: Row[] = [
  {
    // main resolving after the user already asked to leave: the leave in progress goes on.
    from: "online.leaving",
    event: "session.done",
    guard: "(unhandled)",
    arrange: (h) => h.toLeaving(),
    act: (h) => h.sessionDone(),
    expected: [],
    check: (h) => {
      expect(h.state).toBe("online.leaving");
      expect(h.runtime.calls.filter((c) => c.startsWith("goodbye"))).toHaveLength(1);
    },
  },
];

const key = (from: string, event: string, guard: string) => `${from} | ${event} | ${guard}`;

function definedTransitions(): string[] {
  const keys: string[] = [];
  const visit = (node: AnyStateNode) => {
    const from = node.id.replace(/^component\.?/, "");
    const guardOf = (t: AnyTransitionDefinition, list: readonly AnyTransitionDefinition[]) => {
      if (t.guard !== undefined)
        return typeof t.guard === "string" ? t.guard : (t.guard as { type: string }).type;
      return list.some((other) => other.guard !== undefined) ? "else" : "-";
    };
    for (const [event, list] of node.transitions) {
      for (const t of list) keys.push(key(from, event, guardOf(t, list)));
    }
    for (const t of node.always ?? []) keys.push(key(from, "always", guardOf(t, node.always ?? [])));
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(componentMachine.root);
  return keys;
}

describe("componentMachine transition table", () => {
  for (const row of [...TABLE, ...NO_TRANSITION]) {
    it(`${row.from} --${row.event}${row.guard === "-" ? "" : ` [${row.guard}]`}--> ${row.expected.join(" → ") || "(stays)"}`, async () => {
      const h = new Harness(row.options);
      await row.arrange(h);
      await h.step(() => {}); // settle the arrangement
      const steps = await h.step(() => row.act(h));
      expect(steps).toEqual(row.expected);
      row.check?.(h);
    });
  }

  it("covers every transition of the machine definition (add a row when you add a transition)", () => {
    const inTable = new Set(TABLE.map((r) => key(r.from, r.event, r.guard)));
    const defined = definedTransitions();
    expect(defined.length).toBeGreaterThan(20);
    expect(defined.filter((k) => !inTable.has(k))).toEqual([]);
    // ...and the table has no stale rows either.
    expect([...inTable].filter((k) => !defined.includes(k))).toEqual([]);
  });

  it("covers every state", () => {
    const states = new Set<string>();
    const visit = (node: AnyStateNode) => {
      if (node.id !== "component") states.add(node.id.replace(/^component\./, ""));
      for (const child of Object.values(node.states)) visit(child);
    };
    visit(componentMachine.root);
    const reached = new Set(TABLE.flatMap((r) => [r.from, ...r.expected.flatMap(prefixes)]));
    expect([...states].filter((s) => !reached.has(s))).toEqual([]);
  });
});

/** `online.joined` → [`online`, `online.joined`]. */
function prefixes(value: string): string[] {
  const parts = value.split(".");
  return parts.map((_, i) => parts.slice(0, i + 1).join("."));
}

describe("componentMachine paths", () => {
  it("starts in idle, with no transport actor", () => {
    const h = new Harness();
    expect(h.state).toBe("idle");
    expect(h.status).toBe("active");
    expect(h.transports).toHaveLength(0);
  });

  it("STOP from every state ends in done (joined leaves first; leaving keeps leaving)", async () => {
    const cases: Array<[string, (h: Harness) => void, string[]]> = [
      ["idle", () => {}, ["done"]],
      ["online.connecting", (h) => h.start(), ["done"]],
      ["online.joining", (h) => h.toJoining(), ["done"]],
      ["online.authenticating", (h) => h.toAuthenticating(), ["done"]],
      ["online.joined", (h) => h.toJoined(), ["online.leaving"]],
      ["online.leaving", (h) => h.toLeaving(), ["online.leaving"]],
      ["reconnectWait", (h) => h.toReconnectWait(connectFailed()), ["done"]],
    ];
    for (const [state, arrange, expected] of cases) {
      const h = new Harness();
      arrange(h);
      await h.step(() => {});
      expect(h.state, state).toBe(state);
      expect(await h.step(() => h.send({ type: "STOP" })), state).toEqual(expected);
      if (state.startsWith("online.")) {
        // joined and leaving finish once the router answers GOODBYE.
        if (h.status === "active") h.goodbye("wamp.close.goodbye_and_out");
        expect(h.status, state).toBe("done");
        expect(
          h.transports.every((t) => t.stopped),
          state,
        ).toBe(true);
      }
      expect(h.runtime.finishedWith, state).toEqual([undefined]);
    }
    // done and failed are final states: the actor has stopped, so a STOP has nothing to do.
    const failed = new Harness({ policies: [{ maxRetries: 0 }] });
    failed.start();
    failed.failed(connectFailed());
    expect([failed.state, failed.status]).toEqual(["failed", "done"]);
    expect(failed.runtime.finishedWith.map((e) => (e as WampError).code)).toEqual(["COMPONENT_FAILED"]);
  });

  it("rotates across transports, each with its own counters, until all are exhausted", async () => {
    const h = new Harness({
      policies: [
        { maxRetries: 1, initialRetryDelay: 1000 },
        { maxRetries: 2, initialRetryDelay: 100, retryDelayGrowth: 2 },
      ],
    });
    const trace: Array<[number, number, number[]]> = []; // [transport tried, delay after, attempts]
    h.start();
    for (;;) {
      const tried = h.transport.index;
      h.failed(connectFailed());
      trace.push([tried, h.context.delay, h.context.retry.map((r) => r.attempts)]);
      if (h.state !== "reconnectWait") break;
      h.advance(h.context.delay);
      expect(h.state).toBe("online.connecting");
    }
    expect(trace).toEqual([
      [0, 0, [1, 0]], // t1 has never been tried: immediately
      [1, 1000, [1, 1]], // back to t0, its first retry
      [0, 100, [2, 1]], // t0 exhausted (2 attempts = 1 retry) → t1, its first retry
      [1, 200, [2, 2]], // t0 skipped; t1 again, second retry (growth 2)
      [1, 200, [2, 3]], // t1 exhausted too → failed (delay unchanged)
    ]);
    expect(h.state).toBe("failed");
    expect(h.transports.map((t) => t.index)).toEqual([0, 1, 0, 1, 1]);
    expect(h.runtime.calls.filter((c) => c.startsWith("connectfailure"))).toHaveLength(5);
  });

  it("a fatal error retires the transport at once: exactly one attempt despite maxRetries 5", async () => {
    const h = new Harness({
      policies: [{ maxRetries: 5 }],
      isFatal: (e) => (e as SessionAbortedError).uri === "wamp.error.no_such_realm",
    });
    h.toJoining();
    expect(await h.step(() => h.abort("wamp.error.no_such_realm"))).toEqual(["failing", "failed"]);
    expect(h.context.retry).toEqual([{ attempts: 1, retired: true }]);
    const [error] = h.runtime.finishedWith as WampError[];
    expect(error.code).toBe("COMPONENT_FAILED");
    expect((error.cause as SessionAbortedError).uri).toBe("wamp.error.no_such_realm");
  });

  it("a fatal error on one transport moves on to the next, which keeps its own counters", async () => {
    const h = new Harness({
      policies: [{ maxRetries: 5 }, { maxRetries: 5 }],
      isFatal: (e) => e.code === "SESSION_ABORTED",
    });
    h.toJoining();
    expect(await h.step(() => h.abort("wamp.error.not_authorized"))).toEqual(["failing", "reconnectWait"]);
    expect(h.context.current).toBe(1);
    expect(h.context.retry).toEqual([
      { attempts: 1, retired: true },
      { attempts: 0, retired: false },
    ]);
    h.advance(h.context.delay);
    expect(h.transport.index).toBe(1);
    h.failed(connectFailed());
    expect(h.context.current).toBe(1); // t0 is retired: t1 again
    expect(h.context.delay).toBe(1000);
  });

  it("a successful join resets that transport's counters (and only that one's)", async () => {
    const h = new Harness({ policies: [{ maxRetries: 3 }, { maxRetries: 3 }] });
    h.start();
    h.failed(connectFailed()); // t0: 1
    h.advance(h.context.delay);
    h.failed(connectFailed()); // t1: 1
    h.advance(h.context.delay);
    h.failed(connectFailed()); // t0: 2
    h.advance(h.context.delay);
    expect(h.context.current).toBe(1);
    h.opened();
    h.welcome();
    expect(h.context.retry).toEqual([
      { attempts: 2, retired: false },
      { attempts: 0, retired: false },
    ]);
    // Losing the session: rotate to t0 (2 attempts → 1500 ms).
    expect(await h.step(() => h.closed())).toEqual(["failing", "reconnectWait"]);
    expect(h.context.current).toBe(0);
    expect(h.context.delay).toBe(1500);
  });

  it("a main that always fails exhausts maxRetries with growing delays (no hot rejoin loop)", async () => {
    const h = new Harness({ policies: [{ maxRetries: 2 }] });
    const delays: number[] = [];
    h.start();
    for (let join = 0; join < 5 && h.status === "active"; join++) {
      h.opened();
      h.welcome();
      await h.sessionFailed(new Error("main broke"));
      delays.push(h.context.delay);
      if (h.state === "reconnectWait") h.advance(h.context.delay);
    }
    expect(h.runs).toHaveLength(3); // maxRetries 2 → 3 attempts, each joined
    expect(delays).toEqual([1000, 1500, 1500]);
    expect(h.state).toBe("failed");
    expect((h.runtime.finishedWith[0] as WampError).code).toBe("COMPONENT_FAILED");
  });

  it("transport.closed keeps the transport's own error when it has one", async () => {
    const h = new Harness();
    h.toJoined();
    await h.step(() => h.closed(new TransportError("TRANSPORT_PING_TIMEOUT", "no pong")));
    expect(h.context.lastError?.code).toBe("TRANSPORT_PING_TIMEOUT");
  });

  it("a challenge round-trip: joining → authenticating → joining → joined", async () => {
    const h = new Harness();
    h.toJoining();
    const steps = [
      ...(await h.step(() => h.challenge("ticket"))),
      ...(await h.step(() => h.authDone())),
      ...(await h.step(() => h.welcome())),
    ];
    expect(steps).toEqual(["online.authenticating", "online.joining", "online.joined"]);
    expect(h.auths).toHaveLength(1);
  });

  it("the full happy path: idle → connecting → joining → joined → leaving → done", async () => {
    const h = new Harness();
    h.toJoined();
    await h.sessionDone();
    h.goodbye("wamp.close.goodbye_and_out");
    expect(h.microsteps).toEqual([
      "online.connecting",
      "online.joining",
      "online.joined",
      "online.leaving",
      "done",
    ]);
    expect(h.runtime.calls).toEqual([
      "link",
      "hello",
      "goodbye wamp.close.normal",
      "endSession wamp.close.goodbye_and_out",
      "disconnected",
      "finished",
    ]);
  });
});
