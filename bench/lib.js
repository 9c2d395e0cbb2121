/**
 * Shared helpers of the benchmarks: timing (warm-up, then the median of several runs), rate
 * formatting and the one table format every section prints.
 *
 * BENCH_SCALE (default 1) scales every duration: `BENCH_SCALE=0.3 npm run bench` for a quick look.
 */
import { performance } from "node:perf_hooks";

export const SCALE = Number(process.env.BENCH_SCALE ?? "1") > 0 ? Number(process.env.BENCH_SCALE ?? "1") : 1;

/** `ms` scaled by BENCH_SCALE, at least 5 ms. */
export function ms(value) {
  return Math.max(5, Math.round(value * SCALE));
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const sleep = (millis) => new Promise((resolve) => setTimeout(resolve, millis));

/** Resolves on the next turn of the event loop (lets sockets flush between batches). */
export const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * CPU time of this process (user + system, all threads) in ms. Synchronous benchmarks are timed
 * with it rather than the wall clock: the cores are shared, and time spent preempted by other
 * processes is not ours. (GC helper threads count: their work is part of the cost.)
 */
export function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Synchronous micro-benchmark of several variants of the same work, interleaved run by run so that
 * what noise remains hits every variant alike. Each variant is a function doing one operation.
 * Timed in CPU time ({@link cpuMs}). Returns the median ops per CPU-second per variant name, and
 * those of every run (`samples`) for {@link pairedRatio}.
 */
export function compareSync(variants, { warmupMs = ms(40), runMs = ms(15), runs = 11 } = {}) {
  const names = Object.keys(variants);
  const batch = {};
  for (const name of names) {
    const fn = variants[name];
    // warm-up doubles as calibration: how many operations fill one run
    let count = 0;
    const start = cpuMs();
    let elapsed = 0;
    while (elapsed < warmupMs) {
      for (let i = 0; i < 64; i++) fn();
      count += 64;
      elapsed = cpuMs() - start;
    }
    batch[name] = Math.max(64, Math.round((count * runMs) / elapsed));
  }
  const rates = Object.fromEntries(names.map((name) => [name, []]));
  for (let run = 0; run < runs; run++) {
    for (const name of names) {
      const fn = variants[name];
      const n = batch[name];
      const start = cpuMs();
      for (let i = 0; i < n; i++) fn();
      rates[name].push((n * 1000) / (cpuMs() - start));
    }
  }
  const result = Object.fromEntries(names.map((name) => [name, median(rates[name])]));
  Object.defineProperty(result, "samples", { value: rates });
  return result;
}

/**
 * Median over runs of `samples[a][i] / samples[b][i]`: runs i of both variants ran back to back, so
 * each quotient compares like with like when the load of the machine drifts.
 */
export function pairedRatio(result, a, b) {
  const xs = result.samples[a];
  const ys = result.samples[b];
  return median(xs.map((x, i) => x / ys[i]));
}

/** Like {@link compareSync} for one asynchronous operation (awaited one after the other), in CPU time. */
export async function measureAsyncOp(fn, { warmupMs = ms(40), runMs = ms(15), runs = 11 } = {}) {
  const warm = cpuMs() + warmupMs;
  while (cpuMs() < warm) await fn();
  const rates = [];
  for (let run = 0; run < runs; run++) {
    let n = 0;
    const start = cpuMs();
    let now = start;
    while (now < start + runMs) {
      await fn();
      n++;
      now = cpuMs();
    }
    rates.push((n * 1000) / (now - start));
  }
  return median(rates);
}

/**
 * Throughput of asynchronous workloads, interleaved run by run like {@link compareSync}: each body
 * `body(deadline)` works until `performance.now()` passes `deadline` and resolves with how many
 * operations it completed. One warm-up run each, then `runs` runs each. Every run is timed twice:
 * by the wall clock and by this process's CPU time. Returns `{ wall, cpu }`, each the median ops/s
 * (ops per CPU-second for `cpu`) per name, with `samples` for {@link pairedRatio}.
 */
export async function compareAsync(bodies, { warmupMs = ms(200), runMs = ms(250), runs = 7 } = {}) {
  const names = Object.keys(bodies);
  for (const name of names) await bounded(name, bodies[name](performance.now() + warmupMs), warmupMs);
  const wall = Object.fromEntries(names.map((name) => [name, []]));
  const cpu = Object.fromEntries(names.map((name) => [name, []]));
  for (let run = 0; run < runs; run++) {
    for (const name of names) {
      const start = performance.now();
      const startCpu = cpuMs();
      const count = await bounded(name, bodies[name](start + runMs), runMs);
      wall[name].push((count * 1000) / (performance.now() - start));
      cpu[name].push((count * 1000) / (cpuMs() - startCpu));
    }
  }
  const summary = (rates) => {
    const result = Object.fromEntries(names.map((name) => [name, median(rates[name])]));
    Object.defineProperty(result, "samples", { value: rates });
    return result;
  };
  return { wall: summary(wall), cpu: summary(cpu) };
}

/** `promise`, or a rejection when it is not settled 10 s after its `budgetMs` (a stuck peer). */
function bounded(name, promise, budgetMs) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name}: no answer ${budgetMs + 10_000} ms into the run`)),
      budgetMs + 10_000,
    );
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * Keep `concurrency` operations outstanding until `deadline`: every completion starts the next one.
 * Resolves with the number completed.
 */
export async function inFlight(op, concurrency, deadline) {
  let done = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      await op();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}

/** Sequential variant of {@link inFlight}. */
export async function sequential(op, deadline) {
  let done = 0;
  while (performance.now() < deadline) {
    await op();
    done++;
  }
  return done;
}

/** Waits until `predicate()` holds, polling on every turn of the event loop; rejects after `timeoutMs`. */
export async function until(predicate, timeoutMs = 10_000, what = "condition") {
  const give = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > give) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}

/** `12.3 k/s`, `1.23 M/s`. */
export function rate(opsPerSec) {
  if (typeof opsPerSec !== "number" || !Number.isFinite(opsPerSec)) return String(opsPerSec ?? "n/a");
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)} M/s`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)} k/s`;
  return `${opsPerSec.toFixed(0)} /s`;
}

/** `+12.3 %` (signed). */
export function percent(fraction) {
  const value = fraction * 100;
  return `${value >= 0 ? "+" : ""}${value.toFixed(1)} %`;
}

export function bytes(count) {
  if (count >= 1024 * 1024) return `${(count / 1024 / 1024).toFixed(2)} MiB`;
  if (count >= 1024) return `${(count / 1024).toFixed(1)} KiB`;
  return `${Math.round(count)} B`;
}

/**
 * Prints one table: columns case | xwamp | reference | ratio | notes. `rows` are objects with those
 * keys (strings). `legend` lines are printed under the table.
 */
export function printTable(title, rows, legend = []) {
  const header = { case: "case", xwamp: "xwamp", reference: "reference", ratio: "ratio", notes: "notes" };
  const cols = Object.keys(header);
  const all = [header, ...rows];
  const width = Object.fromEntries(
    cols.map((c) => [c, Math.max(...all.map((r) => String(r[c] ?? "").length))]),
  );
  const right = new Set(["xwamp", "reference", "ratio"]);
  const line = (r) =>
    `| ${cols
      .map((c) => {
        const text = String(r[c] ?? "");
        return right.has(c) && r !== header ? text.padStart(width[c]) : text.padEnd(width[c]);
      })
      .join(" | ")} |`;
  const out = [`\n## ${title}\n`, line(header), `|${cols.map((c) => "-".repeat(width[c] + 2)).join("|")}|`];
  for (const r of rows) out.push(line(r));
  if (legend.length > 0) out.push("", ...legend);
  console.log(out.join("\n"));
}

/** One-line description of the machine, printed once by run.js. */
export function environment() {
  return `node ${process.version}, ${process.platform}/${process.arch}, BENCH_SCALE=${SCALE}`;
}
