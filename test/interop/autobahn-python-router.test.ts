/**
 * Router interop with Autobahn|Python (asyncio; Debian python3-autobahn 22.7.1): Autobahn|Python
 * sessions register, call, publish and subscribe THROUGH one xwamp router, over
 *
 * - WebSocket with every serializer, plain and batched (wamp.2.{json,msgpack,cbor,ubjson}[.batched]),
 * - RawSocket over TCP and over a Unix socket with json, msgpack, cbor and ubjson.
 *
 * Each scenario runs `peers/autobahn_router_peer.py --role both`: two sessions on two connections, a
 * backend (callee + subscriber) and a frontend (caller + publisher), reporting what Autobahn handed
 * them as JSON lines; this file checks those values. Two scenarios also run the roles as two
 * separate processes. At most two Python processes run at a time (the CI box has two cores); each is
 * killed by PID if it outlives its timeout.
 */
import type { ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Router } from "../../src/router/router.js";
import {
  createInteropRouter,
  expectCleanRun,
  explain,
  killChild,
  type Line,
  limiter,
  type PeerRun,
  quirksOf,
  runPythonPeer,
  stepLine,
} from "./helpers.js";
import { describeWithAutobahnPython, type PythonPeer } from "./peers.js";

/**
 * Limits for one peer process: the script gives up after PEER_TIMEOUT_S (each network step after
 * STEP_TIMEOUT_S) and reports why; PROCESS_TIMEOUT is the backstop that kills it. A scenario takes
 * about half a second; the margins are for a loaded two-core CI box.
 */
const PEER_TIMEOUT_S = 25;
const STEP_TIMEOUT_S = 15;
const PROCESS_TIMEOUT = 40_000;
const PARALLEL = 2;

const unixPath = join(tmpdir(), `xwamp-autobahn-py-${process.pid}.sock`);

// --- what the peer sends (mirrors ECHO_ARGS / ECHO_KWARGS in the script, JSON-safe) ---------------

const ECHO_ARGS = [
  1,
  "zwei",
  { $bytes: "0001feff" },
  2 ** 53,
  -(2 ** 31) - 1,
  1.5,
  null,
  true,
  { nested: [1, [2, { x: null }]] },
  "ü€𝄞",
];
const ECHO_KWARGS = { k: "Grüße 🌍", blob: { $bytes: "cafe" }, empty: {}, list: [] };

// --- running the peer ----------------------------------------------------------------------------

const children = new Set<ChildProcess>();

/** Runs the script; `onLine` sees each stdout line as it arrives. */
function runPeer(peer: PythonPeer, args: string[], onLine?: (line: Line) => void): Promise<PeerRun> {
  return runPythonPeer(peer, "autobahn_router_peer.py", args, {
    timeoutMs: PROCESS_TIMEOUT,
    onLine,
    onSpawn: (child) => children.add(child),
  });
}

// --- checking a run --------------------------------------------------------------------------------

function step(run: PeerRun, role: string, name: string): Line {
  return stepLine(run, explain(run), name, role);
}

/** The assertions every scenario shares; `runs` holds one "both" run or a backend and a frontend run. */
function checkScenario(runs: PeerRun[], serializer: string): void {
  const all: PeerRun = {
    lines: runs.flatMap((r) => r.lines),
    stderr: runs.map((r) => r.stderr).join("\n"),
    code: runs.find((r) => r.code !== 0)?.code ?? 0,
  };
  const where = explain(all);
  for (const r of runs) expectCleanRun(r, where);

  // Joined, with the requested (batched) serializer actually in use.
  const backJoin = step(all, "backend", "joined");
  const frontJoin = step(all, "frontend", "joined");
  for (const j of [backJoin, frontJoin]) {
    expect(j.serializer, where).toBe(serializer);
    expect(j.realm, where).toBe("realm1");
    expect(j.session, where).toBeGreaterThanOrEqual(1);
    expect(j.session, where).toBeLessThanOrEqual(2 ** 53);
  }
  expect(backJoin.session, where).not.toBe(frontJoin.session);

  // RPC
  expect(step(all, "frontend", "add2").value, where).toBe(5);
  const echo = step(all, "frontend", "echo");
  expect(echo.results, where).toEqual(ECHO_ARGS);
  expect(echo.kwresults, where).toEqual(ECHO_KWARGS);
  expect(step(all, "frontend", "echo_one").value, where).toBe("solo");
  expect(step(all, "frontend", "echo_kwargs_only"), where).toMatchObject({
    results: [],
    kwresults: { only: "kw" },
  });

  // ApplicationError from the callee reaches the caller with URI, args and kwargs.
  expect(step(all, "frontend", "error"), where).toMatchObject({
    error: "com.example.error.bad",
    args: ["reason", 7],
    kwargs: { code: 7, detail: "ü" },
  });
  expect(step(all, "frontend", "no_such_procedure").error, where).toBe("wamp.error.no_such_procedure");

  // Progressive call results, in order, then the final result.
  const progress = step(all, "frontend", "progress");
  expect(progress.updates, where).toEqual([
    { args: [3], kwargs: { left: 3 } },
    { args: [2], kwargs: { left: 2 } },
    { args: [1], kwargs: { left: 1 } },
  ]);
  expect(progress.final, where).toEqual({ results: ["liftoff"], kwresults: { progressive: true } });
  expect(step(all, "frontend", "no_progress").final, where).toEqual({
    results: ["liftoff"],
    kwresults: { progressive: false },
  });

  // PubSub: acknowledged publications reach the subscriber with args/kwargs; the publisher is
  // excluded unless it says exclude_me: false.
  const publications = step(all, "frontend", "published").publications as number[];
  expect(publications, where).toHaveLength(2);
  expect(publications[0], where).not.toBe(publications[1]);
  const events = all.lines.filter((l) => l.role === "backend" && l.step === "event");
  const topic = events[0]?.topic;
  expect(
    events.map((e) => [e.args, e.kwargs, e.publication, e.topic]),
    where,
  ).toEqual([
    [["hello", 42], { n: 1, who: "ü" }, publications[0], topic],
    [["again"], {}, publications[1], topic],
  ]);
  expect(step(all, "frontend", "own_events").events, where).toEqual([{ args: ["again"], kwargs: {} }]);

  // Both leave; the router answers GOODBYE with wamp.close.goodbye_and_out.
  expect(step(all, "frontend", "left").reason, where).toBe("wamp.close.goodbye_and_out");
  expect(step(all, "backend", "left").reason, where).toBe("wamp.close.goodbye_and_out");
}

// --- the matrix ------------------------------------------------------------------------------------

type TransportKind = "WebSocket" | "RawSocket TCP" | "RawSocket Unix";

interface Scenario {
  transport: TransportKind;
  serializer: string;
}

const UNBATCHED = ["json", "msgpack", "cbor", "ubjson"];
const SCENARIOS: Scenario[] = [
  ...UNBATCHED.flatMap((s) => [s, `${s}.batched`]).map((serializer) => ({
    transport: "WebSocket" as const,
    serializer,
  })),
  ...UNBATCHED.map((serializer) => ({ transport: "RawSocket TCP" as const, serializer })),
  ...UNBATCHED.map((serializer) => ({ transport: "RawSocket Unix" as const, serializer })),
];

describeWithAutobahnPython("interop: Autobahn|Python sessions through the xwamp router", (peer) => {
  let router: Router;
  const urls = {} as Record<TransportKind, string>;
  const limit = limiter(PARALLEL);

  beforeAll(async () => {
    router = await createInteropRouter(unixPath);
    [urls.WebSocket, urls["RawSocket TCP"], urls["RawSocket Unix"]] = router.listeners.map((l) => l.url);
  });

  afterAll(async () => {
    for (const child of children) killChild(child);
    await router?.close();
  });

  const prefixOf = (s: Scenario, extra = "") =>
    `com.example.abpy.${`${s.transport}.${s.serializer}${extra}`.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}`;
  const argsOf = (s: Scenario, role: string, extra = "") => [
    "--url",
    urls[s.transport],
    "--serializer",
    s.serializer,
    "--role",
    role,
    "--prefix",
    prefixOf(s, extra),
    "--timeout",
    String(PEER_TIMEOUT_S),
    "--step-timeout",
    String(STEP_TIMEOUT_S),
  ];

  describe.concurrent(`Autobahn|Python ${peer.version}: callee+subscriber and caller+publisher sessions`, () => {
    for (const s of SCENARIOS) {
      it(`${s.transport} ${s.serializer}`, { timeout: 120_000 }, async () => {
        const run = await limit(() => runPeer(peer, argsOf(s, "both")));
        checkScenario([run], s.serializer);
        // Only the peer's RawSocket client may need a workaround (22.7.1 does: transport_details).
        const quirks = quirksOf(run);
        const allowed = s.transport === "WebSocket" ? [] : ["rawsocket_transport_details"];
        expect(quirks.filter((q) => !allowed.includes(q as string))).toEqual([]);
      });
    }
  });

  // Sequential: each scenario runs its two processes side by side (the limiter is not used here,
  // so the two slots it guards are not taken by two backends waiting for frontends).
  describe("two processes: backend (callee+subscriber) and frontend (caller+publisher)", () => {
    const split: Scenario[] = [
      { transport: "WebSocket", serializer: "cbor.batched" },
      { transport: "RawSocket Unix", serializer: "msgpack" },
    ];
    for (const s of split) {
      it(`${s.transport} ${s.serializer}`, { timeout: 120_000 }, async () => {
        let ready!: () => void;
        const backendReady = new Promise<void>((r) => {
          ready = r;
        });
        const backend = runPeer(peer, argsOf(s, "backend", ".split"), (line) => {
          if (line.step === "ready") ready();
        });
        await Promise.race([
          backendReady,
          backend.then((r) => {
            throw new Error(`backend exited before it was ready\n${explain(r)}`);
          }),
        ]);
        const frontend = await runPeer(peer, argsOf(s, "frontend", ".split"));
        checkScenario([await backend, frontend], s.serializer);
      });
    }
  });
});
