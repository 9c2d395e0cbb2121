/**
 * Path coverage of componentMachine with @xstate/graph: enumerate the shortest path to every
 * reachable (state, counters) pair of a two-transport component by pure traversal, then replay each
 * path — and every event enabled at its end — on a live actor whose transport and authenticate
 * actors and session outcomes are test-controlled fakes and whose delays run on a SimulatedClock. The live
 * actor must agree with the model at every step, and together the replays must take every
 * transition of the definition and visit every state (transient `failing` included).
 */
import { getShortestPaths, type StatePath } from "@xstate/graph";
import { describe, expect, it } from "vitest";
import { type AnyStateNode, createActor, type SnapshotFrom } from "xstate";
import type { ComponentRuntime } from "../../src/component/runtime.js";
import { ProtocolViolationError, type SessionAbortedError, TransportError } from "../../src/errors.js";
import { componentMachine } from "../../src/machines/componentMachine.js";
import {
  FakeRuntime,
  fakeConnection,
  Harness,
  type HarnessOptions,
  show,
  transitionKey,
  WELCOME,
} from "./componentHarness.js";

type Snapshot = SnapshotFrom<typeof componentMachine>;
// biome-ignore lint/suspicious/noExplicitAny: events of the traversal include xstate's own done/error/after events.
type AnyEvent = { type: string } & Record<string, any>;

const OPTIONS: HarnessOptions = {
  policies: [{ maxRetries: 0 }, { maxRetries: 1, initialRetryDelay: 300 }],
  isFatal: (e) => (e as SessionAbortedError).uri === "wamp.error.no_such_realm",
  leaveTimeout: 5000,
};

const invokeOf = (state: string) => componentMachine.getStateNodeById(`component.${state}`).invoke[0].id;
const AUTH = invokeOf("online.authenticating");

const EVENTS: AnyEvent[] = [
  { type: "START" },
  { type: "STOP" },
  { type: "transport.opened", connection: fakeConnection() },
  { type: "transport.failed", error: new TransportError("TRANSPORT_CONNECT_FAILED", "refused") },
  { type: "transport.closed", details: { clean: false, code: 1006, reason: "lost" } },
  { type: "wamp.welcome", welcome: WELCOME },
  { type: "wamp.challenge", method: "ticket", extra: {} },
  { type: "wamp.abort", reason: "wamp.error.no_such_realm", details: {} },
  { type: "wamp.goodbye", reason: "wamp.close.normal", details: {} },
  { type: "wamp.goodbye", reason: "wamp.close.system_shutdown", details: {} },
  { type: "wamp.violation", error: new ProtocolViolationError("bad") },
  { type: "user.leave", reason: "wamp.close.normal" },
  { type: "user.disconnect" },
  { type: `xstate.done.actor.${AUTH}` },
  { type: `xstate.error.actor.${AUTH}`, error: new Error("no answer") },
  { type: "session.done" },
  { type: "session.failed", error: new Error("main broke") },
  { type: "xstate.after.leaveTimeout.component.online.leaving" },
  { type: "xstate.after.retryDelay.component.reconnectWait" },
];

/** What identifies a state for the traversal: the state value and the retry bookkeeping. */
function identity(s: Snapshot): string {
  const c = s.context;
  return JSON.stringify([
    s.value,
    c.retry.map((r) => `${r.attempts}${r.retired ? "r" : ""}`),
    c.current,
    c.attemptsAtJoin,
  ]);
}

/** What the live actor must match after every step. */
function observable(s: Snapshot) {
  const c = s.context;
  return {
    value: show(s.value),
    status: s.status,
    retry: c.retry,
    current: c.current,
    delay: c.delay,
    attemptsAtJoin: c.attemptsAtJoin,
    lastError: c.lastError?.code,
    joined: c.session !== undefined,
    connected: c.connection !== undefined,
  };
}

/** The events the active state nodes define a transition for (ignored ones such as `leaving`'s STOP too). */
function enabledEvents(s: Snapshot): AnyEvent[] {
  if (s.status !== "active") return [];
  const parts = show(s.value).split(".");
  const handled = new Set<string>();
  for (let i = 0; i <= parts.length; i++) {
    const node = componentMachine.getStateNodeById(["component", ...parts.slice(0, i)].join("."));
    for (const descriptor of node.transitions.keys()) handled.add(descriptor);
  }
  return EVENTS.filter((e) => handled.has(e.type));
}

const runtime = new FakeRuntime(OPTIONS.policies ?? [], OPTIONS.isFatal ?? (() => false), 5000);
const paths = getShortestPaths(componentMachine, {
  input: { runtime: runtime as unknown as ComponentRuntime },
  events: enabledEvents as (s: Snapshot) => never[],
  serializeState: (s) => identity(s as Snapshot),
}) as StatePath<Snapshot, AnyEvent>[];

/** Perform `event` on the live harness the way the real world would cause it. */
async function perform(h: Harness, event: AnyEvent): Promise<void> {
  const type = event.type;
  if (type.startsWith("transport.")) {
    h.transport.sendBack(
      (type === "transport.opened" ? { ...event, connection: h.connection } : event) as never,
    );
  } else if (type === `xstate.done.actor.${AUTH}`) await h.authDone();
  else if (type === `xstate.error.actor.${AUTH}`) await h.authFailed(event.error);
  else if (type === "session.done") await h.sessionDone();
  else if (type === "session.failed") await h.sessionFailed(event.error);
  else if (type.startsWith("xstate.after.leaveTimeout")) h.advance(h.runtime.leaveTimeout);
  else if (type.startsWith("xstate.after.retryDelay")) h.advance(h.context.delay);
  else h.send(event as never);
}

/** One inert actor scope for the pure model (a fresh one per transition costs more than the step). */
const scope = (() => {
  const self = createActor(componentMachine, { input: { runtime: runtime as unknown as ComponentRuntime } });
  return {
    self,
    logger: () => {},
    id: "",
    sessionId: "model",
    defer: () => {},
    system: self.system,
    stopChild: () => {},
    emit: () => {},
    actionExecutor: () => {},
  } as unknown as Parameters<typeof componentMachine.transition>[2];
})();

function initialModel(): Snapshot {
  return componentMachine.getInitialSnapshot(scope, { runtime: runtime as unknown as ComponentRuntime });
}

describe("componentMachine paths (@xstate/graph)", () => {
  it("the traversal reaches every stable state of the machine", () => {
    const reached = new Set(paths.map((p) => show(p.state.value)));
    expect([...reached].sort()).toEqual(
      [
        "done",
        "failed",
        "idle",
        "online.authenticating",
        "online.connecting",
        "online.joined",
        "online.joining",
        "online.leaving",
        "reconnectWait",
      ].sort(),
    );
    expect(paths.length).toBeGreaterThan(100);
  });

  it("a live actor agrees with the model along every path, and takes every transition", async () => {
    const taken = new Set<string>();
    const visited = new Set<string>();
    const eventsOf = (path: StatePath<Snapshot, AnyEvent>) =>
      path.steps.map((s) => s.event).filter((e) => e.type !== "xstate.init");
    const key = (events: AnyEvent[]) => events.map((e) => JSON.stringify(e)).join(" ");

    /** Replays `events` on a fresh live actor, checking it against the model after every step. */
    const replay = async (events: AnyEvent[]) => {
      const h = new Harness(OPTIONS);
      let model = initialModel();
      for (const [i, event] of events.entries()) {
        await perform(h, event);
        model = componentMachine.transition(model, event as never, scope);
        const live = observable(h.actor.getSnapshot());
        const expected = observable(model);
        if (JSON.stringify(live) !== JSON.stringify(expected)) {
          expect(
            live,
            events
              .slice(0, i + 1)
              .map((e) => e.type)
              .join(" → "),
          ).toEqual(expected);
        }
      }
      for (const t of h.taken) taken.add(t);
      for (const m of h.microsteps) visited.add(m);
      return model;
    };

    // Shortest paths form a tree (every prefix is the shortest path to its own end), so replaying
    // the leaves checks every step of every path.
    const prefixes = new Set<string>();
    for (const path of paths) {
      const events = eventsOf(path);
      for (let i = 0; i < events.length; i++) prefixes.add(key(events.slice(0, i)));
    }
    for (const path of paths) {
      if (prefixes.has(key(eventsOf(path)))) continue;
      expect(identity(await replay(eventsOf(path)))).toBe(identity(path.state));
    }

    // Then one step further: every event each state handles, from the nearest instance of that state.
    const edges = new Set<string>();
    for (const path of [...paths].sort((a, b) => a.steps.length - b.steps.length)) {
      for (const event of enabledEvents(path.state)) {
        const edge = `${show(path.state.value)} ${JSON.stringify(event)}`;
        if (edges.has(edge)) continue;
        edges.add(edge);
        await replay([...eventsOf(path), event]);
      }
    }

    expect([...visited].filter((v) => !v.includes(".")).sort()).toEqual(
      ["done", "failed", "failing", "reconnectWait"].sort(),
    );
    expect(definedTransitions().filter((k) => !taken.has(k))).toEqual([]);
  });
});

function definedTransitions(): string[] {
  const keys: string[] = [];
  const visit = (node: AnyStateNode) => {
    for (const list of node.transitions.values()) for (const t of list) keys.push(transitionKey(t));
    for (const t of node.always ?? []) keys.push(transitionKey(t));
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(componentMachine.root);
  return keys;
}
