/**
 * What the interop tests share: time limits on single steps, a router with the listeners the peers
 * connect to, and running the Autobahn|Python peer scripts (`peers/*.py`), which report what they saw
 * as one JSON object per stdout line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { expect } from "vitest";
import { createRouter, type Router } from "../../src/router/router.js";
import { type PythonPeer, peerScript } from "./peers.js";

// --- time limits ---------------------------------------------------------------------------------

export interface TimeLimits {
  /** `promise`, or a rejection "timed out after <ms> ms: <what>" if it takes longer than `ms`. */
  within<T>(what: string, promise: PromiseLike<T>, ms?: number): Promise<T>;
  /** Awaits a rejection (within the limit) and returns its reason; fails if the promise resolves. */
  rejection(what: string, promise: PromiseLike<unknown>, ms?: number): Promise<unknown>;
}

/** {@link TimeLimits} whose `ms` defaults to `stepMs`. */
export function timeLimits(stepMs: number): TimeLimits {
  const within = <T>(what: string, promise: PromiseLike<T>, ms = stepMs): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      Promise.resolve(promise).finally(() => clearTimeout(timer)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  };
  const rejection = async (what: string, promise: PromiseLike<unknown>, ms = stepMs): Promise<unknown> => {
    let value: unknown;
    try {
      value = await within(what, promise, ms);
    } catch (err) {
      return err;
    }
    throw new Error(`${what}: expected a rejection, got ${JSON.stringify(value)}`);
  };
  return { within, rejection };
}

// --- the router under test ----------------------------------------------------------------------------

/**
 * An xwamp router with realm1 and, in this order, a WebSocket and a RawSocket TCP listener on free
 * loopback ports, plus a RawSocket listener on the Unix socket `unixPath` if given.
 */
export function createInteropRouter(unixPath?: string): Promise<Router> {
  return createRouter({
    realms: ["realm1"],
    listeners: [
      { type: "websocket", port: 0 },
      { type: "rawsocket", port: 0 },
      ...(unixPath === undefined ? [] : [{ type: "rawsocket" as const, unix: unixPath }]),
    ],
  });
}

// --- peer processes ----------------------------------------------------------------------------------

/** Kills `child` with SIGKILL unless it has already exited. */
export function killChild(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** A counting semaphore: at most `n` tasks (peer processes; the CI machine has two cores) at once. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

/** One JSON line a peer script printed; a line that is not JSON is kept as `{ unparsed: text }`. */
export type Line = Record<string, unknown>;

/** A peer script's run: its stdout lines, stderr and exit status. */
export interface PeerRun {
  lines: Line[];
  stderr: string;
  code: number | null;
}

/** Environment for the Python peers: UTF-8 on stdio whatever the locale, no `__pycache__` written. */
export const PYTHON_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  PYTHONIOENCODING: "utf-8",
  PYTHONDONTWRITEBYTECODE: "1",
};

export interface PythonRunOptions {
  /** The process is killed (SIGKILL) and the run rejected if it outlives this. */
  timeoutMs: number;
  /** Sees each stdout line as it arrives. */
  onLine?: (line: Line) => void;
  /** Sees the process once spawned (e.g. to kill it in a teardown). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs `peers/<script>` with `args` and collects its JSON lines. */
export function runPythonPeer(
  peer: PythonPeer,
  script: string,
  args: string[],
  { timeoutMs, onLine = () => {}, onSpawn = () => {} }: PythonRunOptions,
): Promise<PeerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(peer.python, [peerScript(script), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: PYTHON_ENV,
    });
    onSpawn(child);
    const lines: Line[] = [];
    let buffer = "";
    let stderr = "";
    const take = (raw: string) => {
      const text = raw.trim();
      if (text === "") return;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        line = { unparsed: text };
      }
      lines.push(line);
      onLine(line);
    };
    const timer = setTimeout(() => {
      killChild(child);
      const stdout = [...lines.map((l) => JSON.stringify(l)), buffer].join("\n");
      reject(
        new Error(`peer ${script} ${args.join(" ")} killed after ${timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        take(text);
      }
    });
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      take(buffer); // a last line without its newline
      resolve({ lines, stderr, code });
    });
  });
}

// --- checking a run ----------------------------------------------------------------------------------

/** A run for assertion messages: exit status, stdout lines and stderr. */
export function explain(run: PeerRun): string {
  return `exit ${run.code}\nstdout:\n${run.lines.map((l) => JSON.stringify(l)).join("\n")}\nstderr:\n${run.stderr}`;
}

/**
 * The run ended well: exit status 0, last line `{"done": true}`, and no line reporting a failure,
 * unreadable as JSON, or carrying any of the keys in `alsoBad`.
 */
export function expectCleanRun(run: PeerRun, where: string, alsoBad: readonly string[] = []): void {
  const bad = ["failed", "unparsed", ...alsoBad];
  expect(run.code, where).toBe(0);
  expect(run.lines.at(-1), where).toEqual({ done: true });
  expect(
    run.lines.filter((l) => bad.some((key) => key in l)),
    where,
  ).toEqual([]);
}

/** The workarounds the peer reported (`{"quirk": ...}` lines), in order. */
export function quirksOf(run: PeerRun): unknown[] {
  return run.lines.filter((l) => "quirk" in l).map((l) => l.quirk);
}

/** The one line with `step` (and `role`, if given); fails unless there is exactly one. */
export function stepLine(run: PeerRun, where: string, step: string, role?: string): Line {
  const found = run.lines.filter((l) => l.step === step && (role === undefined || l.role === role));
  expect(found, `${role === undefined ? "step" : role} ${step}\n${where}`).toHaveLength(1);
  return found[0];
}
