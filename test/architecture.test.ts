/**
 * The dependency rules of DESIGN.md, checked on the source: the data plane (codecs, session) never
 * imports xstate; machines never import codecs (they don't touch bytes); the public index exports
 * only from src.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const src = join(import.meta.dirname, "../src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Module specifiers of value imports (type-only imports are erased and don't count). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+"([^"]+)";/gms)) {
    if (m[2] === undefined) specs.push(m[3]);
  }
  return specs;
}

describe("DESIGN.md dependency rules", () => {
  it("src/codecs and src/session never import xstate", () => {
    const offenders = [...filesUnder(join(src, "codecs")), ...filesUnder(join(src, "session"))].filter((f) =>
      valueImports(f).some((s) => s === "xstate" || s.startsWith("xstate/")),
    );
    expect(offenders.map((f) => relative(src, f))).toEqual([]);
  });

  it("src/machines never imports the codecs (machines don't touch bytes)", () => {
    const offenders = filesUnder(join(src, "machines")).filter((f) =>
      valueImports(f).some((s) => s.includes("/codecs/")),
    );
    expect(offenders.map((f) => relative(src, f))).toEqual([]);
  });

  it("the checks see real imports (a sanity check of the scanner)", () => {
    expect(valueImports(join(src, "machines/componentMachine.ts"))).toContain("xstate");
    expect(valueImports(join(src, "codecs/index.ts")).length).toBeGreaterThan(0);
  });
});
