/**
 * Section 2, router: the xwamp router (in-process, WebSocket on 127.0.0.1) driven by Autobahn|JS
 * clients (JSON), against raw `ws` on the same loopback: an echo for calls (a routed call is 4
 * messages, an echo round trip 2: ~0.5 is ideal) and a relay for events (a routed event is 2
 * messages, a relayed frame 2: ~1 is ideal, minus WAMP's decode/encode).
 *
 *   node bench/router.js            (after `npm run build`)
 */
import { compareAsync, pairedRatio, printTable, rate } from "./lib.js";
import { clients, startXwampRouter } from "./peers.js";
import { callWorkload, echoWorkload, eventWorkload, IN_FLIGHT, relayWorkload } from "./workloads.js";

const FANOUT = 100;

function row(label, result, refLabel, ideal) {
  const ratio = pairedRatio(result.cpu, "routed", "raw");
  const wallRatio = pairedRatio(result.wall, "routed", "raw");
  return {
    case: label,
    xwamp: rate(result.wall.routed),
    reference: `${rate(result.wall.raw)} (${refLabel})`,
    ratio: ratio.toFixed(2),
    notes: `${((ratio / ideal) * 100).toFixed(0)} % of ideal ${ideal}; wall-clock ratio ${wallRatio.toFixed(2)}`,
  };
}

export async function run() {
  const router = await startXwampRouter();
  const autobahn = clients.autobahn;
  const rows = [];

  const calls = await callWorkload(autobahn, router.url);
  const echo = await echoWorkload();
  const seq = await compareAsync({ routed: calls.seq, raw: echo.seq });
  rows.push(row("RPC calls/s, sequential", seq, "echo round trips", 0.5));
  const par = await compareAsync({ routed: calls.par, raw: echo.par });
  rows.push(row(`RPC calls/s, ${IN_FLIGHT} in flight`, par, "echo round trips", 0.5));
  await calls.close();
  await echo.close();

  for (const count of [1, FANOUT]) {
    const events = await eventWorkload(autobahn, router.url, count);
    const relay = await relayWorkload(count);
    const result = await compareAsync({ routed: events.run, raw: relay.run });
    rows.push(row(`PubSub events/s, 1 → ${count}`, result, "relayed frames", 1));
    await events.close();
    await relay.close();
  }
  await router.close();

  printTable("2. Router — xwamp router, Autobahn|JS clients (json), vs raw ws on the same loopback", rows, [
    "Rates are wall-clock. ratio = routed ÷ raw in operations per CPU-second of the process (median of",
    "  back-to-back runs): robust to the shared cores; the wall-clock ratio is in the notes.",
    "A call is 4 messages (CALL, INVOCATION, YIELD, RESULT), an echo round trip 2: ideal ≈ 0.5.",
    "Events: delivered events/s (events × subscribers); the publisher sends batches (100 to 1 subscriber,",
    "  10 to 100) and waits for delivery. The raw relay forwards each frame to every subscriber socket",
    "  untouched (no decode/encode): ideal ≈ 1.",
    "Router, clients and references share one Node process (one event loop).",
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
  process.exit(0);
}
