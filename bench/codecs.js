/**
 * Section 1, codecs: xwamp's encode → decode → parseMessage against the bare serializer library on
 * the same message (the limit), and against Autobahn|JS's serializer where it has one.
 *
 * The whole measurement runs in CODEC_PROCESSES fresh Node processes (default 3) and every figure
 * shown is the median over them: within one process the paired runs agree closely, but from one
 * process to the next the small-message ratios move by up to ±10 points, which is as much as the
 * target leaves. Two causes: JIT state and code placement differ per process, and the host's load
 * changes: at times a whole process runs V8's JSON code (C++) up to 70 % slower, in CPU time, while
 * a plain integer loop keeps its speed. Such a process shows as a reference rate far below the
 * others', and the table says when that happened.
 *
 *   node bench/codecs.js            (after `npm run build`)
 *   CODEC_PROCESSES=1 node bench/codecs.js
 */
import { deepStrictEqual } from "node:assert";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Ubjson } from "@shelacek/ubjson";
import { Encoder as CborEncoder } from "cbor-x";
import { Packr } from "msgpackr";
import { getSerializer, parseMessage } from "../dist/index.js";
import { compareSync, measureAsyncOp, median, pairedRatio, percent, printTable, rate } from "./lib.js";

const require = createRequire(import.meta.url);
const autobahnSerializers = require("autobahn/lib/serializer.js");

const TARGET = 0.15;

// ---------------------------------------------------------------------------------------------
// Messages: CALL, RESULT, EVENT with a small payload (a few scalars) and a ~1 KiB one.

const small = [42, 3.14, "hello", true];

const big = [
  {
    id: 5647382910,
    name: "sensor-array-7",
    active: true,
    ratio: 0.7312,
    tags: ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"],
    readings: [12, 15.5, 18, 21.25, 19, 17.75, 16, 14.5, 13, 12.25, 11, 10.5, 9, 8.75, 8, 7.5],
    location: { lat: 48.8566, lon: 2.3522, site: "Paris, building C, 3rd floor", zone: 7 },
    owner: { user: "jdoe", email: "jdoe@example.com", roles: ["admin", "operator"], since: 1609459200 },
    history: [
      { at: 1700000000, level: "info", text: "calibrated against the reference probe" },
      { at: 1700000600, level: "warn", text: "reading drifted by 0.4 degrees, recalibrating" },
      { at: 1700001200, level: "info", text: "back within tolerance" },
    ],
    note: "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.",
  },
  "second positional argument",
  [1, 2, 3, 4, 5],
];

function messages(args, size) {
  const kwargs = size === "1 KiB" ? { unit: "celsius", precision: 2, source: "bench" } : undefined;
  const withKw = (list) => (kwargs === undefined ? list : [...list, kwargs]);
  return [
    ["CALL", withKw([48, 7814135, {}, "com.example.sensors.report", args])],
    ["RESULT", withKw([50, 7814135, {}, args])],
    ["EVENT", withKw([36, 5647382910, 998877665544, {}, args])],
  ].map(([kind, message]) => ({ kind, size, message }));
}

export const cases = [...messages(small, "small"), ...messages(big, "1 KiB")];

// ---------------------------------------------------------------------------------------------
// The bare libraries, configured as xwamp configures them (src/codecs/*.ts).

// src/codecs/msgpack.ts decodes with these Unpackr options (its encoder is xwamp's own code)
const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: "number",
  structuredClone: false,
});
// src/codecs/cbor.ts decodes with these Decoder options (its encoder is xwamp's own code)
const cborx = new CborEncoder({
  useRecords: false,
  mapsAsObjects: true,
  int64AsNumber: true,
  copyBuffers: true,
});

export const bare = {
  json: { label: "JSON.stringify/parse", roundTrip: (m) => JSON.parse(JSON.stringify(m)) },
  msgpack: { label: "msgpackr pack/unpack", roundTrip: (m) => packr.unpack(packr.pack(m)) },
  cbor: { label: "cbor-x encode/decode", roundTrip: (m) => cborx.decode(cborx.encode(m)) },
  // xwamp's UBJSON is its own code (src/codecs/ubjson.ts); @shelacek/ubjson is the library it replaced
  ubjson: { label: "@shelacek/ubjson", roundTrip: (m) => Ubjson.decode(Ubjson.encode(m)) },
};

const autobahn = {
  json: { label: "Autobahn|JS JSON", ser: new autobahnSerializers.JSONSerializer() },
  msgpack: { label: "Autobahn|JS msgpack5", ser: new autobahnSerializers.MsgpackSerializer() },
  // serialize() is async (cbor.encodeAsync): measured awaited, one after the other
  cbor: { label: "Autobahn|JS cbor (async)", ser: new autobahnSerializers.CBORSerializer(), async: true },
};

/**
 * xwamp's round trip as a fresh function per serializer. One shared function would see all four
 * serializer objects and go megamorphic, a cost of this harness that the bare references (one
 * function per library) would not pay. `new Function` compiles a separate function each time, with
 * its own type feedback, as a transport bound to one serializer has. parseMessage gets the options
 * xwamp's router and client pass for that serializer (`plainObjects` for json and ubjson).
 */
function xwampRoundTrip(serializer) {
  const make = new Function(
    "parseMessage",
    "options",
    "return (serializer, message) => parseMessage(serializer.decode(serializer.encode(message))[0], options);",
  );
  return make(parseMessage, serializer.plainObjects ? { plainObjects: true } : undefined);
}

/**
 * Every serializer's round trip (one {@link xwampRoundTrip} each), brought to a steady state: every
 * code path sees every message kind, and the bare libraries run too, before anything is timed, as in
 * a long-running peer (otherwise the first case measured pays for JIT tiering and deopts).
 */
export function warmUp({ rounds = 3, iterations = 2000 } = {}) {
  const names = Object.keys(bare);
  const roundTrips = Object.fromEntries(names.map((name) => [name, xwampRoundTrip(getSerializer(name))]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const serializer = getSerializer(name);
      for (const { message } of cases) {
        for (let i = 0; i < iterations; i++) {
          roundTrips[name](serializer, message);
          bare[name].roundTrip(message);
        }
      }
    }
  }
  return roundTrips;
}

// ---------------------------------------------------------------------------------------------

/**
 * One process's measurements: for every case and serializer, the rates and overhead against the
 * bare library, and against Autobahn|JS where it has the serializer.
 */
export async function measure() {
  const records = [];
  const names = Object.keys(bare);
  const roundTrips = warmUp();
  for (const name of names) {
    const serializer = getSerializer(name);
    const roundTrip = roundTrips[name];
    for (const { kind, size, message } of cases) {
      const xwamp = () => roundTrip(serializer, message);
      // sanity: every variant round-trips the message before it is timed
      deepStrictEqual(xwamp(), message);
      const label = `${kind} ${size} · ${name}`;
      const rates = compareSync({ xwamp, bare: () => bare[name].roundTrip(message) });
      const record = {
        label,
        name,
        xwamp: rates.xwamp,
        bare: rates.bare,
        overhead: pairedRatio(rates, "bare", "xwamp") - 1, // xwamp time / bare time − 1
      };
      const peer = autobahn[name];
      if (peer !== undefined) {
        if (peer.async) {
          record.peer = await measureAsyncOp(async () =>
            peer.ser.unserialize(await peer.ser.serialize(message)),
          );
          record.peerXwamp = rates.xwamp;
          record.peerOverhead = record.peer / rates.xwamp - 1;
        } else {
          const both = compareSync({ xwamp, peer: () => peer.ser.unserialize(peer.ser.serialize(message)) });
          record.peer = both.peer;
          record.peerXwamp = both.xwamp;
          record.peerOverhead = pairedRatio(both, "peer", "xwamp") - 1;
        }
      }
      records.push(record);
    }
  }
  return records;
}

// Bare rates of one case further apart than this between processes mean the machine, not the code,
// changed speed (see the top of this file).
const UNSTEADY = 1.2;

const PROCESSES = Math.max(1, Number(process.env.CODEC_PROCESSES ?? 3) || 1);

/** Measure in PROCESSES fresh processes (or here, for one) and print the medians. */
export async function run() {
  let runs;
  if (PROCESSES === 1) {
    runs = [await measure()];
  } else {
    runs = [];
    for (let i = 0; i < PROCESSES; i++) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
        env: { ...process.env, CODEC_MEASURE_ONLY: "1" },
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
      });
      runs.push(JSON.parse(out.trim().split("\n").pop()));
    }
  }
  const rows = [];
  const misses = [];
  const unsteady = [];
  for (let r = 0; r < runs[0].length; r++) {
    const all = runs.map((records) => records[r]);
    const { label, name } = all[0];
    const bareRates = all.map((record) => record.bare);
    if (Math.max(...bareRates) > UNSTEADY * Math.min(...bareRates)) unsteady.push(label);
    const pick = (key) => median(all.map((record) => record[key]));
    const overhead = pick("overhead");
    const spread =
      all.length > 1
        ? ` (${all
            .map((record) => record.overhead)
            .sort((a, b) => a - b)
            .map((o) => percent(o).replace(" ", ""))
            .join(", ")})`
        : "";
    const met = overhead <= TARGET;
    if (!met) misses.push(label);
    rows.push({
      case: `${label} vs ${bare[name].label}`,
      xwamp: rate(pick("xwamp")),
      reference: rate(pick("bare")),
      ratio: percent(overhead),
      notes: `${met ? "ok (≤ +15 %)" : "MISSED (> +15 %)"}${spread}`,
    });
    const peer = autobahn[name];
    if (peer === undefined) {
      rows.push({ case: `${label} vs Autobahn|JS`, reference: "n/a", notes: "Autobahn|JS has no UBJSON" });
      continue;
    }
    const peerOverhead = pick("peerOverhead");
    rows.push({
      case: `${label} vs ${peer.label}`,
      xwamp: rate(pick("peerXwamp")),
      reference: rate(pick("peer")),
      ratio: percent(peerOverhead),
      notes: peerOverhead <= 0 ? `xwamp ${(1 / (1 + peerOverhead)).toFixed(1)}× as fast` : "xwamp slower",
    });
  }
  printTable("1. Codecs — messages per CPU-second, encode + decode (+ parseMessage for xwamp)", rows, [
    "ratio = xwamp time / reference time − 1 (overhead; negative = xwamp faster). Target vs the bare library: ≤ +15 %.",
    `Median over ${runs.length} fresh process${runs.length === 1 ? "" : "es"} (CODEC_PROCESSES); the notes list each process's overhead.`,
    "Bare libraries use xwamp's decoder options; xwamp encodes msgpack/cbor/ubjson with its own encoders (ids > 2^32 stay integers).",
    "UBJSON: xwamp's codec is its own; the reference is @shelacek/ubjson (writes ints > 2^31 as float64).",
    `Target missed: ${misses.length === 0 ? "none" : misses.join("; ")}`,
    ...(unsteady.length === 0
      ? []
      : [
          `Reference rate differed by more than ${Math.round((UNSTEADY - 1) * 100)} % between processes (the machine's speed changed; rerun before relying on these rows): ${unsteady.join("; ")}`,
        ]),
  ]);
  return { misses };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.env.CODEC_MEASURE_ONLY === "1") console.log(JSON.stringify(await measure()));
  else await run();
  process.exit(0);
}
