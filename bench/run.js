/**
 * `npm run bench`: builds (package.json), then runs every section, each in its own Node process so
 * that one section's JIT state, heap and sockets do not colour the next. Each section prints one
 * table.
 *
 *   node bench/run.js [codecs|router|client ...]     (default: all three)
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { environment } from "./lib.js";

const SECTIONS = { codecs: "./codecs.js", router: "./router.js", client: "./client.js" };

const wanted = process.argv.slice(2);
const names = wanted.length === 0 ? Object.keys(SECTIONS) : wanted;
for (const name of names) {
  if (!Object.hasOwn(SECTIONS, name)) {
    console.error(`unknown section "${name}" (known: ${Object.keys(SECTIONS).join(", ")})`);
    process.exit(2);
  }
}

console.log(`# xwamp benchmarks — ${environment()}`);
const started = Date.now();
let failed = 0;
for (const name of names) {
  const script = fileURLToPath(new URL(SECTIONS[name], import.meta.url));
  const sectionStart = Date.now();
  const result = spawnSync(process.execPath, [script], { stdio: "inherit" });
  const seconds = ((Date.now() - sectionStart) / 1000).toFixed(0);
  if (result.status !== 0) {
    failed++;
    console.log(`\n(section ${name} failed: exit ${result.status ?? result.signal}, after ${seconds} s)`);
  } else {
    console.log(`\n(section ${name}: ${seconds} s)`);
  }
}
console.log(`\nTotal ${((Date.now() - started) / 1000).toFixed(0)} s.`);
process.exitCode = failed === 0 ? 0 : 1;
