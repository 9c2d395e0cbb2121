/** run(): several components at once, failure propagation, SIGINT/SIGTERM as a clean leave. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Component, run } from "../../src/component.js";
import { WampError } from "../../src/errors.js";
import type { Router } from "../../src/router/router.js";
import { closedPort, fast, quietComponent, record, rsUrl, startRouter, until, wsUrl } from "./helpers.js";

let router: Router;
const components: Component[] = [];

beforeEach(async () => {
  router = await startRouter();
});
afterEach(async () => {
  await Promise.all(components.splice(0).map((c) => c.stop()));
  await router.close();
});

function component(config: Parameters<typeof quietComponent>[0]): Component {
  const c = quietComponent(config);
  components.push(c);
  return c;
}

describe("run", () => {
  it("resolves when every component is done", async () => {
    const done: string[] = [];
    const c1 = component({ transports: wsUrl(router), main: async () => void done.push("c1") });
    const c2 = component({
      transports: rsUrl(router),
      main: async (session) => {
        await new Promise((r) => setTimeout(r, 20));
        done.push("c2");
        await session.leave();
      },
    });
    await run([c1, c2], { logLevel: "off" });
    expect(done.sort()).toEqual(["c1", "c2"]);
    expect(router.realm("realm1")?.sessions.size).toBe(0);
  });

  it("accepts a single component", async () => {
    await run(component({ transports: wsUrl(router), main: async () => {} }), { logLevel: "off" });
  });

  it("rejects with the failure of a component, after the others are done", async () => {
    const ok = component({ transports: wsUrl(router), main: async () => {} });
    const bad = component({ transports: fast(`ws://127.0.0.1:${await closedPort()}/ws`, { maxRetries: 1 }) });
    const error = await run([ok, bad], { logLevel: "off" }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WampError);
    expect((error as WampError).code).toBe("COMPONENT_FAILED");
    expect(ok.actor.getSnapshot().value).toBe("done");
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} makes every component leave cleanly; run resolves and removes its listeners`, async () => {
      const before = process.listenerCount(signal);
      const c1 = component({ transports: wsUrl(router) });
      const c2 = component({ transports: rsUrl(router) });
      const e1 = record(c1);
      const e2 = record(c2);
      const running = run([c1, c2], { logLevel: "off" });
      await until(() => e1.count("ready") === 1 && e2.count("ready") === 1, "both ready");
      expect(router.realm("realm1")?.sessions.size).toBe(2);
      expect(process.listenerCount(signal)).toBe(before + 1); // run's own handler is there
      process.emit(signal, signal);
      await running;
      expect(e1.leaveReasons).toEqual(["wamp.close.goodbye_and_out"]);
      expect(e2.leaveReasons).toEqual(["wamp.close.goodbye_and_out"]);
      expect(router.realm("realm1")?.sessions.size).toBe(0);
      expect(process.listenerCount(signal)).toBe(before);
    });
  }
});
