/**
 * Locating real interop peers (implementations nobody here wrote) and deciding what to do when one
 * is missing: locally the suite skips with a loud warning; in CI (`CI` set) it fails, so a broken CI
 * image can never turn the interop suite silently green.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

/** True when running in CI: `CI` set to anything but "" / "0" / "false". */
export const inCI = process.env.CI !== undefined && !["", "0", "false"].includes(process.env.CI);

export interface PythonPeer {
  /** Interpreter that can import the peer's packages. */
  readonly python: string;
  /** `autobahn.__version__`. */
  readonly version: string;
}

/** The Debian packages `.ci/run` installs for the Autobahn|Python peer. */
export const AUTOBAHN_PYTHON_INSTALL =
  "apt-get install python3-autobahn python3-msgpack python3-cbor2 python3-ubjson python3-nacl";

/**
 * Finds a Python with Autobahn|Python and all its serializers importable. The `python3` on PATH may
 * be a different interpreter without the Debian packages, so `/usr/bin/python3` is tried by default;
 * `XWAMP_AUTOBAHN_PYTHON` replaces it (the only interpreter then tried).
 */
export function findAutobahnPython(): PythonPeer | undefined {
  const override = process.env.XWAMP_AUTOBAHN_PYTHON;
  const candidates = override !== undefined && override !== "" ? [override] : ["/usr/bin/python3"];
  for (const python of candidates) {
    const probe = spawnSync(
      python,
      ["-c", "import autobahn, msgpack, cbor2, ubjson, txaio; print(autobahn.__version__)"],
      { encoding: "utf8", timeout: 30_000 },
    );
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return undefined;
}

/** Autobahn|JS, the npm devDependency. */
export const AUTOBAHN_JS_INSTALL = "npm install --save-dev autobahn@22.11.1";

export interface NodePeer {
  /** The package's CommonJS exports, untyped (Autobahn|JS: see `autobahn-js.ts` for the surface used). */
  readonly module: unknown;
  readonly version: string;
}

/** Loads the CommonJS package `autobahn` (Autobahn|JS) if it is installed. */
export function loadAutobahnJs(): NodePeer | undefined {
  try {
    const module = createRequire(import.meta.url)("autobahn") as { version?: unknown };
    return { module, version: String(module.version) };
  } catch {
    return undefined;
  }
}

/** Absolute path of a helper script in `test/interop/peers/`. */
export function peerScript(name: string): string {
  return fileURLToPath(new URL(`./peers/${name}`, import.meta.url));
}

/**
 * `describe(title, body)` when the peer was found. When it was not: in CI, a failing test naming the
 * fix; locally, a loud warning and a skipped suite.
 */
export function describeWithPeer<P>(
  title: string,
  peer: P | undefined,
  missing: { name: string; install: string },
  body: (peer: P) => void,
): void {
  if (peer !== undefined) {
    describe(title, () => body(peer));
    return;
  }
  const message = `${missing.name} peer missing: ${missing.install} — interop tests SKIPPED`;
  if (inCI) {
    describe(title, () => {
      it(`${missing.name} peer is installed (required when CI is set)`, () => {
        throw new Error(message.replace("SKIPPED", "cannot be skipped in CI"));
      });
    });
    return;
  }
  const bar = "!".repeat(Math.min(message.length, 100));
  console.warn(`\n${bar}\n${message}\n${bar}\n`);
  describe.skip(title, () => {
    it(`${missing.name} interop (peer missing)`, () => {});
  });
}

/**
 * Third-party npm peers that must not be devDependencies of xwamp (fox-wamp compiles sqlite3, wampy
 * pulls in its own CLI stack): they live in `interop/package.json` and install into
 * `interop/node_modules`.
 */
export const INTEROP_PEERS_INSTALL = "npm ci --prefix interop (interop/package.json)";

/** Root of the separately installed interop peers. */
export const interopModules = fileURLToPath(new URL("../../interop/node_modules/", import.meta.url));

export interface InteropPackage {
  /** The package's folder under `interop/node_modules`. */
  readonly dir: string;
  readonly version: string;
}

/** Finds `name` under `interop/node_modules` (installed by {@link INTEROP_PEERS_INSTALL}). */
export function findInteropPackage(name: string): InteropPackage | undefined {
  const dir = join(interopModules, name);
  try {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: unknown };
    return { dir, version: String(manifest.version) };
  } catch {
    return undefined;
  }
}

/** {@link describeWithPeer} for Autobahn|Python ({@link findAutobahnPython}). */
export function describeWithAutobahnPython(title: string, body: (peer: PythonPeer) => void): void {
  describeWithPeer(
    title,
    findAutobahnPython(),
    { name: "Autobahn|Python", install: AUTOBAHN_PYTHON_INSTALL },
    body,
  );
}

/** {@link describeWithPeer} for Autobahn|JS ({@link loadAutobahnJs}). */
export function describeWithAutobahnJs(title: string, body: (peer: NodePeer) => void): void {
  describeWithPeer(title, loadAutobahnJs(), { name: "Autobahn|JS", install: AUTOBAHN_JS_INSTALL }, body);
}
