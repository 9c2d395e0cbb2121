/** createComponentActor: the component as a bare XState actor, observed through snapshots and inspection. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type InspectionEvent, type StateValue, waitFor } from "xstate";
import { type ComponentActor, createComponentActor } from "../../src/component.js";
import type { Router } from "../../src/router/router.js";
import { rsUrl, startRouter, wsUrl } from "./helpers.js";

let router: Router;
const actors: ComponentActor[] = [];

beforeEach(async () => {
  router = await startRouter();
});
afterEach(async () => {
  for (const a of actors.splice(0)) if (a.getSnapshot().status === "active") a.send({ type: "STOP" });
  await router.close();
});

/** `{online: "joined"}` → `online.joined` */
function show(value: StateValue): string {
  return typeof value === "string"
    ? value
    : Object.entries(value)
        .map(([k, v]) => `${k}.${show(v as StateValue)}`)
        .join();
}

describe("createComponentActor", () => {
  it("reports idle → connecting → joining → joined → leaving → done; STOP ends it", async () => {
    const actor = createComponentActor({ transports: wsUrl(router), logLevel: "off" });
    actors.push(actor);
    const seen: string[] = [];
    actor.subscribe((snapshot) => {
      const value = show(snapshot.value);
      if (seen[seen.length - 1] !== value) seen.push(value);
    });
    expect(show(actor.getSnapshot().value)).toBe("idle");
    actor.start();
    await waitFor(actor, (s) => s.matches({ online: "joined" }), { timeout: 5000 });
    expect(actor.getSnapshot().context.session?.realm).toBe("realm1");
    expect(router.realm("realm1")?.sessions.size).toBe(1);
    actor.send({ type: "STOP" });
    await waitFor(actor, (s) => s.status === "done", { timeout: 5000 });
    expect(seen).toEqual([
      "idle",
      "online.connecting",
      "online.joining",
      "online.joined",
      "online.leaving",
      "done",
    ]);
    expect(router.realm("realm1")?.sessions.size).toBe(0);
  });

  it("passes the inspect option to XState: actor, event and snapshot inspection events arrive", async () => {
    const inspected: InspectionEvent[] = [];
    const actor = createComponentActor(
      { transports: wsUrl(router), logLevel: "off" },
      { inspect: (event) => void inspected.push(event) },
    );
    actors.push(actor);
    actor.start();
    await waitFor(actor, (s) => s.matches({ online: "joined" }), { timeout: 5000 });
    actor.send({ type: "STOP" });
    await waitFor(actor, (s) => s.status === "done", { timeout: 5000 });
    const types = new Set(inspected.map((e) => e.type));
    for (const t of ["@xstate.actor", "@xstate.event", "@xstate.snapshot", "@xstate.microstep"]) {
      expect(types.has(t as InspectionEvent["type"]), t).toBe(true);
    }
    const events = inspected
      .filter((e): e is Extract<InspectionEvent, { type: "@xstate.event" }> => e.type === "@xstate.event")
      .filter((e) => e.actorRef === actor)
      .map((e) => e.event.type);
    expect(events).toEqual(
      expect.arrayContaining(["START", "transport.opened", "wamp.welcome", "STOP", "wamp.goodbye"]),
    );
  });

  for (const [kind, url] of [
    ["WebSocket", () => wsUrl(router)],
    ["RawSocket", () => rsUrl(router)],
    ["in-memory", () => ({ type: "memory" as const, router })],
  ] as const) {
    it(`a joined snapshot serializes as JSON over ${kind} (what inspectors do), showing no socket`, async () => {
      const actor = createComponentActor({ transports: url(), logLevel: "off" });
      actors.push(actor);
      actor.start();
      await waitFor(actor, (s) => s.matches({ online: "joined" }), { timeout: 5000 });
      const json = JSON.parse(JSON.stringify(actor.getSnapshot())) as {
        context: { connection: { handle: { details: { peer: string }; isOpen: boolean } } };
      };
      expect(json.context.connection.handle.isOpen).toBe(true);
      expect(typeof json.context.connection.handle.details.peer).toBe("string");
      expect(JSON.stringify(json)).not.toMatch(/_socket|_receiver|_readableState/);
    });
  }
});
