/**
 * Client memory, run as a child process by client.js:
 *
 *   node --expose-gc bench/memory.js <xwamp|autobahn|wampy|ws-floor|xstate-floor> <router url> <count>
 *
 * Loads the library and opens (then closes) one warm-up connection, takes heapUsed after gc, joins
 * `count` idle sessions, takes heapUsed after gc again and prints one JSON line with the delta.
 *
 * Two floors show what xwamp's design holds per session before any xwamp code: `ws-floor` is a bare
 * `ws` connection that sends HELLO and waits for WELCOME by hand (what every client on `ws` pays);
 * `xstate-floor` is xwamp's component machine with a transport actor that opens nothing, driven to
 * `online.joined` (what one XState actor per component plus one transport actor cost, no socket).
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { createActor, fromCallback } from "xstate";
import { componentMachine } from "../dist/machines/componentMachine.js";
import { cpuMs } from "./lib.js";
import { clients, connectMany, REALM } from "./peers.js";

const [name, url, countText] = process.argv.slice(2);
const count = Number(countText);

/** A joined session on a bare `ws` socket: HELLO out, WELCOME in, nothing else. */
async function wsFloor(routerUrl) {
  const ws = new WebSocket(routerUrl, ["wamp.2.json"], { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.once("open", () => {
      ws.send(
        JSON.stringify([1, REALM, { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } }]),
      );
      ws.once("message", (data) =>
        JSON.parse(String(data))[0] === 2 ? resolve() : reject(new Error("no WELCOME")),
      );
    });
  });
  ws.on("message", () => {});
  return { close: async () => ws.terminate() };
}

/** xwamp's component machine in online.joined with an inert transport actor and runtime. */
const inertConnection = { handle: { close() {}, details: {} }, attach() {} };
const floorMachine = componentMachine.provide({
  actors: {
    transport: fromCallback(({ sendBack }) => {
      sendBack({ type: "transport.opened", connection: inertConnection });
      return () => {};
    }),
  },
});
const inertRuntime = {
  transports: [
    {
      spec: {},
      policy: {
        maxRetries: 0,
        initialRetryDelay: 0,
        maxRetryDelay: 0,
        retryDelayGrowth: 1,
        retryDelayJitter: () => 0,
      },
      label: "inert",
    },
  ],
  leaveTimeout: 1000,
  isFatal: () => false,
  link() {},
  sendHello() {},
  startSession() {},
  sendGoodbye() {},
  endSession() {},
  disconnected() {},
  connectFailure() {},
  finished() {},
};
async function xstateFloor() {
  const actor = createActor(floorMachine, { input: { runtime: inertRuntime } });
  actor.start();
  actor.send({ type: "START" });
  actor.send({ type: "wamp.welcome", welcome: { id: 1, realm: REALM } });
  if (actor.getSnapshot().value?.online !== "joined") throw new Error("xstate floor: not joined");
  return { close: async () => actor.stop() };
}

const floors = {
  "ws-floor": { name: "ws floor", connect: wsFloor, available: async () => true },
  "xstate-floor": { name: "XState floor", connect: xstateFloor, available: async () => true },
};
const client = clients[name] ?? floors[name];

if (typeof global.gc !== "function") throw new Error("run with node --expose-gc");

async function settledHeap() {
  // several rounds: weak references and finalizers free more on the next pass
  for (let i = 0; i < 4; i++) {
    global.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

try {
  if (!(await client.available())) throw new Error("peer not installed");
  // module loading and first-use caches are not per-connection costs
  await (await client.connect(url)).close();
  const before = await settledHeap();
  const started = performance.now();
  const startedCpu = cpuMs();
  const sessions = await connectMany(client, url, count);
  const joinMs = performance.now() - started;
  const joinCpuMs = cpuMs() - startedCpu;
  await new Promise((resolve) => setTimeout(resolve, 200)); // let handshake leftovers settle
  const after = await settledHeap();
  console.log(JSON.stringify({ name, count: sessions.length, heapDelta: after - before, joinMs, joinCpuMs }));
} catch (err) {
  console.log(JSON.stringify({ name, error: String(err?.message ?? err) }));
}
// the router sees the connections drop; no need for 1,000 goodbyes
process.exit(0);
