/**
 * Every example in examples/ runs to completion as a real process (over the built dist/, imported
 * as "xwamp" through the package's exports) and says what it is meant to say.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { killStarted, root, runNode } from "./nodeProcess.js";

afterAll(killStarted);

function runExample(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runNode(join(root, "examples", file));
}

const expectations: Record<string, string[]> = {
  "rpc-pubsub.mjs": ["frontend: add2(2, 3) = 5", "backend: news xwamp is up", "done"],
  "application-runner.mjs": [
    "client: 10 / 4 = 2.5",
    "client: 1 / 0 failed with com.example.error.division_by_zero",
    "calculator: left, wamp.close.goodbye_and_out",
    "done",
  ],
  "authenticated.mjs": [
    "alice: joined as alice/user via ticket",
    "carol: joined as carol/user via cryptosign",
    "carol: secret = 42",
    "guest: secret refused: wamp.error.not_authorized",
    "mallory: refused: wamp.error.authentication_failed",
    "done",
  ],
  "actor.mjs": [
    'state: {"online":"joined"}',
    "-- restarting the router",
    'state: "reconnectWait"',
    'state: "done"',
    "done",
  ],
};

describe("examples", () => {
  for (const [file, lines] of Object.entries(expectations)) {
    it(`${file} runs to completion`, async () => {
      const { code, stdout, stderr } = await runExample(file);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      for (const line of lines) expect(stdout).toContain(line);
    });
  }

  it("the actor example rejoins after the router restart", async () => {
    const { stdout } = await runExample("actor.mjs");
    const states = stdout.split("\n").filter((l) => l.startsWith("state:"));
    const restart = stdout.split("\n").indexOf("-- restarting the router");
    expect(restart).toBeGreaterThan(0);
    expect(states.lastIndexOf('state: {"online":"joined"}')).toBeGreaterThan(
      states.indexOf('state: "reconnectWait"'),
    );
  });
});
