/**
 * Client memory, run as a child process by client.js:
 *
 *   node --expose-gc bench/memory.js <xwamp|autobahn|wampy> <router url> <count>
 *
 * Loads the library and opens (then closes) one warm-up connection, takes heapUsed after gc, joins
 * `count` idle sessions, takes heapUsed after gc again and prints one JSON line with the delta.
 */
import { performance } from "node:perf_hooks";
import { cpuMs } from "./lib.js";
import { clients, connectMany } from "./peers.js";

const [name, url, countText] = process.argv.slice(2);
const count = Number(countText);
const client = clients[name];

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
