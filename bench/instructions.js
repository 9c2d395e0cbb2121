/**
 * A diagnostic, not a section of `npm run bench`: instructions and L1 instruction-cache misses per
 * message for the codec round trip, counted by Valgrind's callgrind, for xwamp and for the bare
 * library on the same message.
 *
 * Timing a change of a few points on this machine needs many interleaved runs in both orders, and
 * even then position in the process moves the result by several points. Callgrind's counts repeat to
 * within a few instructions from run to run, so the cost of a change to the hot path shows up
 * directly. The instruction-cache misses matter as much as the instructions. JSON.stringify and
 * JSON.parse alone already miss about 170 times per small message, because their code does not fit
 * the 32 KiB L1i cache, and every line of code the WAMP layer adds pushes out more of theirs. The
 * counts come from a simulated cache at Valgrind's addresses: compare variants with them, and confirm
 * with `node bench/codecs.js`.
 *
 *   node bench/instructions.js [json|msgpack|cbor|ubjson] [CALL|RESULT|EVENT] [small|1KiB]
 *
 * Needs `valgrind` on the PATH (Debian: apt-get install valgrind) and a built dist/. Each variant
 * runs in its own process (both at once), warmed up as the codec section warms up, under
 * `node --single-threaded` so that no compiler or GC thread runs in parallel. Callgrind counts only
 * inside `Array.prototype.findLast`, which wraps the measured loop and which nothing else here calls.
 * It takes about three minutes.
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { getSerializer } from "../dist/index.js";
import { bare, cases, warmUp } from "./codecs.js";
import { printTable } from "./lib.js";

const MESSAGES = 100_000;
const COLLECT = "Builtins_ArrayPrototypeFindLast";

function pickCase(kind, size) {
  const wanted = size.replace(/\s/g, "").toLowerCase();
  const found = cases.find((c) => c.kind === kind && c.size.replace(/\s/g, "").toLowerCase() === wanted);
  if (found === undefined)
    throw new Error(`no case ${kind} ${size} (kinds: CALL, RESULT, EVENT; sizes: small, 1KiB)`);
  return found;
}

/** In the child: warm up, then run the measured loop inside findLast. */
function child(variant, name, kind, size) {
  // A lighter warm-up than the codec section's: under Valgrind every instruction costs about 50 times
  // more, and one round already brings every path to optimized code.
  const roundTrips = warmUp({ rounds: 1, iterations: 500 });
  const serializer = getSerializer(name);
  const { message } = pickCase(kind, size);
  const once =
    variant === "xwamp" ? () => roundTrips[name](serializer, message) : () => bare[name].roundTrip(message);
  const loop = (n) => {
    for (let i = 0; i < n; i++) once();
    return true;
  };
  // The loop itself optimized before counting starts, so that it costs a handful of instructions.
  for (let i = 0; i < 20; i++) loop(2000);
  [0].findLast(() => loop(MESSAGES));
}

/** Per-message totals from a callgrind output file. */
function perMessage(file) {
  let events;
  let totals;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.startsWith("events:")) events = line.split(/\s+/).slice(1);
    else if (line.startsWith("summary:") || line.startsWith("totals:"))
      totals = line.split(/\s+/).slice(1).map(Number);
  }
  const value = (event) => totals[events.indexOf(event)] / MESSAGES;
  return { instructions: value("Ir"), misses: value("I1mr") };
}

async function count(variant, name, kind, size) {
  const out = join(tmpdir(), `xwamp-callgrind-${process.pid}-${variant}.out`);
  const args = [
    "--tool=callgrind",
    "--cache-sim=yes",
    "--collect-atstart=no",
    `--toggle-collect=${COLLECT}`,
    `--callgrind-out-file=${out}`,
    process.execPath,
    "--single-threaded",
    fileURLToPath(import.meta.url),
    "--child",
    variant,
    name,
    kind,
    size,
  ];
  try {
    await promisify(execFile)("valgrind", args, { maxBuffer: 64 * 1024 * 1024 });
    return perMessage(out);
  } finally {
    rmSync(out, { force: true });
  }
}

if (process.argv[2] === "--child") {
  const [variant, name, kind, size] = process.argv.slice(3);
  child(variant, name, kind, size);
} else {
  const [name = "json", kind = "CALL", size = "small"] = process.argv.slice(2);
  if (!Object.hasOwn(bare, name)) throw new Error(`unknown serializer ${name} (json, msgpack, cbor, ubjson)`);
  pickCase(kind, size);
  const [xwamp, reference] = await Promise.all([
    count("xwamp", name, kind, size),
    count("bare", name, kind, size),
  ]);
  const row = (what, key, digits) => {
    const difference = xwamp[key] - reference[key];
    const share = Math.abs((xwamp[key] / reference[key] - 1) * 100).toFixed(1);
    return {
      case: `${kind} ${size} · ${name}: ${what}`,
      xwamp: xwamp[key].toFixed(digits),
      reference: reference[key].toFixed(digits),
      ratio: `${difference >= 0 ? "+" : ""}${difference.toFixed(digits)}`,
      notes: `${share} % ${difference >= 0 ? "more" : "fewer"}`,
    };
  };
  printTable(`Per message, under callgrind (reference: ${bare[name].label})`, [
    row("instructions", "instructions", 0),
    row("L1i misses", "misses", 1),
  ]);
}
