/**
 * End to end against the real `xwamp router` PROCESS (bin/xwamp.js over the built dist/): a
 * component with declared registrations and subscriptions survives its router being killed
 * (SIGKILL: the connection just drops) or shut down (SIGTERM: GOODBYE wamp.close.system_shutdown),
 * retries with its backoff while the router is down, and rejoins once the router is back on the
 * same ports. The component's lifecycle is observed through `actor.subscribe` and asserted as an
 * exact sequence of states; the number of failed attempts depends on timing, so that part is
 * asserted as a pattern and cross-checked against the `connectfailure` events.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Component, createComponent } from "../../src/component.js";
import type { WampError } from "../../src/errors.js";

const root = join(import.meta.dirname, "../..");
const bin = join(root, "bin/xwamp.js");

/** Bound on every wait in this file, so a broken lifecycle fails instead of hanging. */
const WAIT = 8_000;

// --- the router process --------------------------------------------------------------------------

interface RouterProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const children = new Set<ChildProcess>();
const components = new Set<Component>();

function killByPid(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Two free TCP ports on 127.0.0.1: bind on port 0, read the numbers, close, reuse them. */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
      });
    }
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === "string") throw new Error("no TCP address");
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** Spawns `xwamp router --ws <ws> --rawsocket <rs>` and resolves once both listeners are up. */
async function startRouter(ws: number, rs: number): Promise<RouterProcess> {
  const child = spawn(process.execPath, [bin, "router", "--ws", String(ws), "--rawsocket", String(rs)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stdout?.on("data", (d: string) => {
    out += d;
  });
  child.stderr?.on("data", (d: string) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const deadline = Date.now() + WAIT;
  for (;;) {
    const listening = out.split("\n").filter((l) => l.includes("listening on"));
    if (listening.length >= 2) {
      expect(listening).toEqual([
        `xwamp router: listening on ws://127.0.0.1:${ws}/ws`,
        `xwamp router: listening on rs://127.0.0.1:${rs}`,
      ]);
      break;
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      killByPid(child);
      throw new Error(`router did not start on ${ws}/${rs}:\n${out}`);
    }
    await sleep(20);
  }
  return { child, exited, output: () => out };
}

// --- the component under test --------------------------------------------------------------------

interface Observed {
  component: Component;
  /** snapshot.value as "a.b", one entry per change. */
  states: string[];
  /** When each entry of `states` was recorded (Date.now()). */
  times: number[];
  events: string[];
  failures: WampError[];
  leaves: string[];
  ready: number;
  received: unknown[][];
  logs: string[];
}

function stateName(value: unknown): string {
  if (typeof value === "string") return value;
  const [[key, inner]] = Object.entries(value as Record<string, unknown>);
  return `${key}.${stateName(inner)}`;
}

function startService(wsUrl: string): Observed {
  const o: Observed = {
    component: createComponent({
      transports: [
        {
          url: wsUrl,
          maxRetries: -1,
          initialRetryDelay: 200,
          maxRetryDelay: 1000,
          retryDelayGrowth: 2,
          retryDelayJitter: () => 0,
        },
      ],
      realm: "realm1",
      logLevel: "debug",
      logger: (level, message) => o.logs.push(`${level} ${message}`),
    }),
    states: [],
    times: [],
    events: [],
    failures: [],
    leaves: [],
    ready: 0,
    received: [],
    logs: [],
  };
  const { component } = o;
  components.add(component);
  component
    .register("com.example.add2", ([a, b]) => Number(a) + Number(b))
    .subscribe("com.example.ticks", (args) => {
      o.received.push(args);
    });
  component.on("connect", () => o.events.push("connect"));
  component.on("join", () => o.events.push("join"));
  component.on("ready", () => {
    o.events.push("ready");
    o.ready++;
  });
  component.on("leave", (_session, reason) => {
    o.events.push("leave");
    o.leaves.push(reason);
  });
  component.on("disconnect", () => o.events.push("disconnect"));
  component.on("connectfailure", (error) => {
    o.events.push("connectfailure");
    o.failures.push(error);
  });
  component.actor.subscribe((snapshot) => {
    const name = stateName(snapshot.value);
    if (o.states.at(-1) !== name) {
      o.states.push(name);
      o.times.push(Date.now());
    }
  });
  void component.start().catch(() => {});
  return o;
}

/** A short-lived second client: a component whose `main` calls add2 and publishes one tick. */
async function callAndPublish(wsUrl: string, tick: number): Promise<unknown> {
  let sum: unknown;
  const client = createComponent({
    transports: [{ url: wsUrl, maxRetries: 0 }],
    realm: "realm1",
    logLevel: "off",
    main: async (session) => {
      sum = await session.call("com.example.add2", [2, 3], {}, { timeout: 2_000 });
      await session.publish("com.example.ticks", [tick], {}, { acknowledge: true });
    },
  });
  components.add(client);
  await within("the calling client", client.start());
  components.delete(client);
  return sum;
}

async function until(what: string, predicate: () => boolean, o?: Observed): Promise<void> {
  const deadline = Date.now() + WAIT;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${o === undefined ? "" : `\nstates: ${o.states.join(" → ")}\nevents: ${o.events.join(", ")}\nlog:\n${o.logs.join("\n")}`}`,
      );
    await sleep(10);
  }
}

function within<T>(what: string, promise: Promise<T>, ms = WAIT): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The lifecycle from start to the rejoin: one failure handled (the lost session), then any number
 * of failed attempts while the router is down, then the rejoin — and, after stop(), the clean leave.
 */
const LIFECYCLE =
  /^idle → online\.connecting → online\.joining → online\.joined → reconnectWait → online\.connecting( → reconnectWait → online\.connecting)+ → online\.joining → online\.joined → online\.leaving → done$/;

/** The transport's backoff: immediate first retry after a join, then 200 × 2^(n-1) capped at 1000. */
function expectedDelay(failuresSinceJoin: number): number {
  return failuresSinceJoin === 0 ? 0 : Math.min(200 * 2 ** (failuresSinceJoin - 1), 1000);
}

function checkLifecycle(o: Observed): void {
  const where = `states: ${o.states.join(" → ")}\nevents: ${o.events.join(", ")}\nlog:\n${o.logs.join("\n")}`;
  expect(o.states.join(" → "), where).toMatch(LIFECYCLE);

  // The events follow from the states: connecting → joining is `connect`; joined is `join` and
  // `ready`; a failure is `connectfailure` (after `leave` and `disconnect` if the session was up);
  // the final stop is `leave` and `disconnect`.
  const expectedEvents: string[] = [];
  const expectedCodes: Array<"lost" | "refused"> = [];
  let failuresSinceJoin = 0;
  o.states.forEach((state, i) => {
    const previous = o.states[i - 1];
    if (state === "online.joining" && previous === "online.connecting") expectedEvents.push("connect");
    if (state === "online.joined") {
      expectedEvents.push("join", "ready");
      failuresSinceJoin = 0;
    }
    if (state === "reconnectWait") {
      if (previous === "online.joined") {
        expectedEvents.push("leave", "disconnect");
        expectedCodes.push("lost");
      } else expectedCodes.push("refused");
      expectedEvents.push("connectfailure");
      // The component waited at least its backoff delay (timers never fire early).
      const waited = o.times[i + 1] - o.times[i];
      expect(waited, `reconnectWait at #${i}\n${where}`).toBeGreaterThanOrEqual(
        expectedDelay(failuresSinceJoin) - 5,
      );
      failuresSinceJoin++;
    }
    if (state === "done") expectedEvents.push("leave", "disconnect");
  });
  expect(o.events, where).toEqual(expectedEvents);
  expect(
    o.failures.map((f) => (f.code === "TRANSPORT_CONNECT_FAILED" ? "refused" : "lost")),
    where,
  ).toEqual(expectedCodes);
  expect(expectedCodes.filter((c) => c === "refused").length, where).toBeGreaterThanOrEqual(1);
  // stop() leaves; the router answers GOODBYE with goodbye_and_out, the reason `leave` reports.
  expect(o.leaves.at(-1), where).toBe("wamp.close.goodbye_and_out");
}

// --- the tests -----------------------------------------------------------------------------------

beforeAll(() => {
  if (!existsSync(join(root, "dist/cli/main.js")))
    throw new Error("dist/ is missing: run `npm run build` (npm test does)");
});

afterEach(async () => {
  for (const component of components) await within("stopping a component", component.stop(), 3_000);
  components.clear();
  for (const child of children) killByPid(child);
  children.clear();
});

describe("e2e: a component and the `xwamp router` process", () => {
  for (const signal of ["SIGKILL", "SIGTERM"] as const) {
    it(`rejoins and re-registers after the router is ${signal === "SIGKILL" ? "killed (SIGKILL)" : "shut down (SIGTERM)"} and restarted on the same ports`, {
      timeout: 20_000,
    }, async () => {
      const [wsPort, rsPort] = await freePorts(2);
      const wsUrl = `ws://127.0.0.1:${wsPort}/ws`;
      let router = await startRouter(wsPort, rsPort);

      const service = startService(wsUrl);
      await until("the first join", () => service.ready === 1, service);
      expect(await callAndPublish(wsUrl, 1)).toBe(5);
      await until("the first tick", () => service.received.length === 1, service);

      const gone = router.child;
      process.kill(gone.pid!, signal);
      const exit = await within("the router's exit", router.exited);
      if (signal === "SIGKILL") expect(exit.signal).toBe("SIGKILL");
      else {
        // A clean shutdown: the router said GOODBYE, the component answered, the process exited 0.
        expect(exit, router.output()).toEqual({ code: 0, signal: null });
        expect(router.output()).toContain("xwamp router: stopped");
      }

      // Lost: the session ended, the transport closed, and the component is retrying (not done).
      await until("the loss to be handled", () => service.events.includes("disconnect"), service);
      expect(service.leaves[0]).toBe(
        signal === "SIGKILL" ? "wamp.close.transport_lost" : "wamp.close.system_shutdown",
      );
      const lost = service.failures[0];
      if (signal === "SIGTERM") {
        expect(lost.code).toBe("SESSION_ABORTED");
        expect((lost as WampError & { uri?: string }).uri).toBe("wamp.close.system_shutdown");
      } else expect(lost.code).toMatch(/^TRANSPORT_/);

      // At least one attempt is refused while the router is down.
      await until(
        "a refused attempt",
        () => service.failures.some((f) => f.code === "TRANSPORT_CONNECT_FAILED"),
        service,
      );
      expect(service.states).not.toContain("done");
      expect(service.states).not.toContain("failed");

      // Counted from here, so a join that slipped in while the old router was closing would not count.
      const readyBefore = service.ready;
      router = await startRouter(wsPort, rsPort);
      await until("the rejoin", () => service.ready === readyBefore + 1, service);
      expect(await callAndPublish(wsUrl, 2)).toBe(5);
      await until("the second tick", () => service.received.length === 2, service);
      expect(service.received).toEqual([[1], [2]]);

      await within("stopping the component", service.component.stop());
      components.delete(service.component);
      checkLifecycle(service);

      process.kill(router.child.pid!, "SIGTERM");
      expect(await within("the second router's exit", router.exited)).toEqual({ code: 0, signal: null });
    });
  }
});
