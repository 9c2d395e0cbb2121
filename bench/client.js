/**
 * Section 3, client runtime: the xwamp client against Autobahn|JS and wampy, every library talking
 * to itself (caller and callee, publisher and subscriber on the same library) through the same
 * router — xwamp's, then fox-wamp's — all on JSON. The router runs in a child process
 * (router-host.js), so this process's CPU time is the clients' alone. Plus the heap of 1,000 idle
 * joined sessions per library, measured in a child `node --expose-gc` process (memory.js).
 *
 *   node bench/client.js            (after `npm run build`)
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { bytes, compareAsync, pairedRatio, printTable, rate, SCALE } from "./lib.js";
import { clients, PEER_MISSING } from "./peers.js";
import { callWorkload, eventWorkload } from "./workloads.js";

const LIBRARIES = ["xwamp", "autobahn", "wampy"];
const PEERS = ["autobahn", "wampy"];
const IDLE = Math.max(100, Math.round(1000 * Math.min(1, SCALE)));
const execFile$ = promisify(execFile);
const script = (name) => fileURLToPath(new URL(name, import.meta.url));

/** Errors of some peers are plain objects (Autobahn|JS: { error, args, kwargs }). */
function describeError(err) {
  if (err instanceof Error) return err.message;
  if (typeof err === "object" && err !== null) return JSON.stringify(err).slice(0, 120);
  return String(err);
}

/** Start `router-host.js <kind>`; resolves with `{ name, url, close }`, or undefined when unavailable. */
async function hostRouter(kind) {
  const child = spawn(process.execPath, [script("./router-host.js"), kind], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const [line] = await once(createInterface({ input: child.stdout }), "line");
  const close = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill(), 3000);
    if (child.exitCode === null) await once(child, "exit");
    clearTimeout(timer);
  };
  if (line === "unavailable") {
    await close();
    return undefined;
  }
  return { name: kind === "fox" ? "fox-wamp router" : "xwamp router", url: line, close };
}

/** Connect every library's workloads to `url`; a library that cannot is recorded with its error. */
async function workloads(url) {
  const ready = {};
  const errors = {};
  for (const key of LIBRARIES) {
    if (!(await clients[key].available())) {
      errors[key] = PEER_MISSING;
      continue;
    }
    try {
      ready[key] = {
        calls: await callWorkload(clients[key], url, `bench.${key}`),
        events: await eventWorkload(clients[key], url, 1, `bench.${key}`),
      };
    } catch (err) {
      errors[key] = `failed: ${describeError(err)}`;
    }
  }
  return { ready, errors };
}

/** Measure one metric for every ready library, interleaved; a library failing is measured out. */
async function measure(ready, errors, pick) {
  const bodies = {};
  for (const [key, w] of Object.entries(ready)) if (errors[key] === undefined) bodies[key] = pick(w);
  try {
    return await compareAsync(bodies);
  } catch {
    // find out which library fails, and compare the others without it
    for (const [key, body] of Object.entries(bodies)) {
      try {
        await compareAsync({ [key]: body }, { runs: 1 });
      } catch (err) {
        errors[key] = `failed: ${describeError(err)}`;
        delete bodies[key];
      }
    }
    return compareAsync(bodies);
  }
}

async function memory(name, url) {
  try {
    const { stdout } = await execFile$(
      process.execPath,
      ["--expose-gc", script("./memory.js"), name, url, String(IDLE)],
      { timeout: 120_000 },
    );
    return JSON.parse(stdout.trim().split("\n").pop());
  } catch (err) {
    return { name, error: `failed: ${describeError(err)}` };
  }
}

const METRICS = [
  ["seq", "calls/s, sequential"],
  ["par", "calls/s, 100 in flight"],
  ["events", "events/s, 1 → 1"],
];

export async function run() {
  const rows = [];
  const behind = [];
  for (const kind of ["xwamp", "fox"]) {
    const router = await hostRouter(kind);
    if (router === undefined) {
      rows.push({ case: "fox-wamp router", reference: PEER_MISSING });
      continue;
    }
    const { ready, errors } = await workloads(router.url);
    const results = {
      seq: await measure(ready, errors, (w) => w.calls.seq),
      par: await measure(ready, errors, (w) => w.calls.par),
      events: await measure(ready, errors, (w) => w.events.run),
    };
    for (const w of Object.values(ready)) {
      await w.calls.close();
      await w.events.close();
    }
    await router.close();
    for (const [metric, label] of METRICS) {
      const { wall, cpu } = results[metric];
      const shown = (key) => errors[key] ?? (wall[key] === undefined ? "n/a" : rate(wall[key]));
      for (const peer of PEERS) {
        const row = { case: `${router.name} · ${label} · vs ${clients[peer].name}` };
        row.xwamp = shown("xwamp");
        row.reference = shown(peer);
        const notes = [];
        if (errors.xwamp === undefined && errors[peer] === undefined) {
          const ratio = pairedRatio(cpu, "xwamp", peer);
          row.ratio = `${ratio.toFixed(2)}×`;
          notes.push(ratio >= 1 ? "ok (xwamp ahead)" : "MISSED (xwamp behind)");
          notes.push(`wall-clock ${pairedRatio(wall, "xwamp", peer).toFixed(2)}×`);
          if (ratio < 1) behind.push(row.case);
        }
        if (peer === "wampy" && metric === "events") notes.push("wampy always acks PUBLISH");
        row.notes = notes.join("; ");
        rows.push(row);
      }
    }
  }

  const router = await hostRouter("xwamp");
  const mem = {};
  for (const key of LIBRARIES) {
    mem[key] = (await clients[key].available()) ? await memory(key, router.url) : { error: PEER_MISSING };
  }
  const floor = {
    ws: await memory("ws-floor", router.url),
    xstate: await memory("xstate-floor", router.url),
  };
  await router.close();
  const perSession = (m) => m.error ?? bytes(m.heapDelta / m.count);
  for (const peer of PEERS) {
    const row = { case: `heap per idle joined session (${IDLE}) · vs ${clients[peer].name}` };
    row.xwamp = perSession(mem.xwamp);
    row.reference = perSession(mem[peer]);
    if (mem.xwamp.error === undefined && mem[peer].error === undefined) {
      const ratio = mem.xwamp.heapDelta / mem.xwamp.count / (mem[peer].heapDelta / mem[peer].count);
      row.ratio = `${ratio.toFixed(2)}×`;
      row.notes = ratio <= 1 ? "ok (xwamp smaller)" : "MISSED (xwamp bigger)";
      if (ratio > 1) behind.push(row.case);
    }
    rows.push(row);
  }
  if (floor.ws.error === undefined && floor.xstate.error === undefined) {
    const sum = floor.ws.heapDelta / floor.ws.count + floor.xstate.heapDelta / floor.xstate.count;
    rows.push({
      case: "of which the design's floor: a ws connection + XState actors",
      xwamp: bytes(sum),
      reference: `${perSession(floor.ws)} + ${perSession(floor.xstate)}`,
      ratio:
        mem.xwamp.error === undefined
          ? `${((mem.xwamp.heapDelta / mem.xwamp.count / sum) * 100).toFixed(0)} %`
          : "",
      notes: "not a peer: a bare ws session and the component + transport actors, no xwamp code",
    });
  }
  const joined = (k) =>
    mem[k].joinMs === undefined
      ? `${clients[k].name} n/a`
      : `${clients[k].name} ${(mem[k].joinMs / 1000).toFixed(1)} s (${(mem[k].joinCpuMs / 1000).toFixed(1)} CPU-s)`;

  printTable("3. Client — xwamp vs Autobahn|JS vs wampy, same router, json", rows, [
    "Rates are wall-clock. ratio = xwamp ÷ peer in operations per CPU-second of the client process (router in",
    "  another process; median of back-to-back runs; > 1: xwamp ahead); the wall-clock ratio is in the notes.",
    "Caller and callee (publisher and subscriber) use the same library.",
    `Heap: heapUsed delta after gc for ${IDLE} joined sessions in a child --expose-gc process, ÷ ${IDLE},`,
    "  each library's WebSocket included (xwamp, wampy: ws 8; Autobahn|JS: its own ws 7). Ratio: xwamp ÷ peer.",
    "  Floor row: a bare ws socket joined by hand, plus xwamp's component machine with an inert transport",
    "  actor in online.joined (no socket); its ratio is xwamp's total as a share of that floor.",
    `Joining ${IDLE} sessions (50 at a time): ${LIBRARIES.map(joined).join(", ")}.`,
    `Target missed: ${behind.length === 0 ? "none" : behind.join("; ")}`,
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
  process.exit(0);
}
