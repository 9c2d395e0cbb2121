/**
 * Node scripts as real child processes for the tests: the `xwamp` command (bin/xwamp.js over the
 * built dist/) and the examples. Output is collected; `waitFor` polls stdout for lines; every process
 * started is killed by `killStarted()` if it is still running.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const root = join(import.meta.dirname, "..");
const bin = join(root, "bin/xwamp.js");
const started: ChildProcessWithoutNullStreams[] = [];

export interface NodeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
  /** Resolves with the first `count` stdout lines matching `pattern`; throws after 10 s or on exit. */
  waitFor(pattern: RegExp, count?: number): Promise<string[]>;
}

/** Run `node <script> ...args` in the package root, writing `stdin` (if any) and closing it. */
export function startNode(script: string, args: string[] = [], stdin?: string): NodeProcess {
  const child = spawn(process.execPath, [script, ...args], { cwd: root });
  started.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  if (stdin !== undefined) child.stdin.end(stdin);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, count = 1): Promise<string[]> => {
    for (let i = 0; i < 400; i++) {
      const lines = stdout.split("\n").filter((l) => pattern.test(l));
      if (lines.length >= count) return lines;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no ${pattern} in output: ${stdout} ${stderr}`);
  };
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}

/** `xwamp <args>` as a process. */
export function startXwamp(args: string[], stdin?: string): NodeProcess {
  return startNode(bin, args, stdin);
}

/** Run to completion (killed after `timeoutMs`): exit code, stdout, stderr. */
export async function runNode(
  script: string,
  args: string[] = [],
  { stdin, timeoutMs = 20_000 }: { stdin?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startNode(script, args, stdin);
  const timer = setTimeout(() => p.child.kill("SIGKILL"), timeoutMs);
  const code = await p.exited.finally(() => clearTimeout(timer));
  return { code, ...p.output() };
}

/** Kill what is still running of the processes started so far (for afterEach/afterAll). */
export function killStarted(): void {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
}

/** The CLI tests run the built package: fail early, and clearly, when dist/ is missing. */
export function requireBuild(): void {
  if (!existsSync(join(root, "dist/cli/main.js")))
    throw new Error("dist/ is missing: run `npm run build` (npm test does)");
}
