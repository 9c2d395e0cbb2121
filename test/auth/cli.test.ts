/**
 * The authentication side of the `xwamp` command as a real process (bin/xwamp.js over the built
 * dist/; `npm run build` first): `xwamp keygen` (key pair, `--public`, `--wampcra`) against
 * publicKeyOf / deriveWampcraKey / Autobahn|Python's derive_key, and `xwamp router --config` with
 * the issue's example configuration, joined by components with the keys keygen printed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deriveWampcraKey, publicKeyOf } from "../../src/auth/client.js";
import { killStarted, requireBuild, startXwamp } from "../nodeProcess.js";
import { issueConfig, joinAs, refusalOf, Teardown, URI } from "./helpers.js";

const teardown = new Teardown();
const xwamp = startXwamp;

beforeAll(requireBuild);
afterEach(() => teardown.run());
afterAll(killStarted);

/** Run to completion; stdout, stderr, exit code. */
async function run(args: string[], stdin?: string) {
  const p = xwamp(args, stdin);
  const code = await p.exited;
  return { code, ...p.output() };
}

/** `xwamp keygen` → the printed pair. */
async function keygen(): Promise<{ privateKey: string; publicKey: string }> {
  const { code, stdout } = await run(["keygen"]);
  expect(code).toBe(0);
  const privateKey = /^private key: ([0-9a-f]{64})$/m.exec(stdout)?.[1];
  const publicKey = /^public key: +([0-9a-f]{64})$/m.exec(stdout)?.[1];
  expect(privateKey, stdout).toBeDefined();
  expect(publicKey, stdout).toBeDefined();
  return { privateKey: privateKey!, publicKey: publicKey! };
}

describe("xwamp keygen", () => {
  it("prints a fresh Ed25519 pair whose public key --public (argument or stdin) and publicKeyOf agree on", async () => {
    const [a, b] = await Promise.all([keygen(), keygen()]);
    expect(b.privateKey).not.toBe(a.privateKey);
    expect(publicKeyOf(a.privateKey)).toBe(a.publicKey);
    const [fromArg, fromStdin, vector] = await Promise.all([
      run(["keygen", "--public", a.privateKey]),
      run(["keygen", "--public", "-"], `${a.privateKey}\n`),
      // The spec's first test-vector key: Autobahn|Python's CryptosignKey.public_key() value.
      run(["keygen", "--public", "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510"]),
    ]);
    expect(fromArg).toMatchObject({ code: 0, stdout: `${a.publicKey}\n` });
    expect(fromStdin).toMatchObject({ code: 0, stdout: `${a.publicKey}\n` });
    expect(vector.stdout).toBe("1adfc8bfe1d35616e64dffbd900096f23b066f914c8c2ffbb66f6075b96e116d\n");
  });

  it("--wampcra equals deriveWampcraKey and Autobahn|Python's derive_key", async () => {
    // auth.derive_key(b"pw2", b"salt123", 100, 32) and auth.derive_key(b"pw2", b"salt123") (1000, 32).
    const [dave, defaults, short] = await Promise.all([
      run(["keygen", "--wampcra", "pw2", "--salt", "salt123", "--iterations", "100", "--keylen", "32"]),
      run(["keygen", "--wampcra", "pw2", "--salt", "salt123"]),
      run(["keygen", "--wampcra", "Grüße", "--salt", "NaCl", "--iterations", "10", "--keylen", "16"]),
    ]);
    expect(dave).toMatchObject({ code: 0, stdout: "+ZL1aSaWhnb6yH9TIc1e6aksA0PidGrK2B/XOQuxG0A=\n" });
    expect(deriveWampcraKey("pw2", "salt123", 100, 32)).toBe("+ZL1aSaWhnb6yH9TIc1e6aksA0PidGrK2B/XOQuxG0A=");
    expect(defaults.stdout).toBe("FPq3jKUYqh4/eXo808mVkZYqESS1PLnsGjdKoErdd7E=\n");
    expect(short.stdout).toBe("dys3ICdUYpmsdgd+Jbr0UA==\n");
    expect(deriveWampcraKey("Grüße", "NaCl", 10, 16)).toBe("dys3ICdUYpmsdgd+Jbr0UA==");
  });

  it("refuses bad input with exit code 2, without echoing the key", async () => {
    const [noSalt, badKey, badNumber, unknown] = await Promise.all([
      run(["keygen", "--wampcra", "pw2"]),
      run(["keygen", "--public", "abc123secret"]),
      run(["keygen", "--wampcra", "pw2", "--salt", "s", "--iterations", "0"]),
      run(["keygen", "--frobnicate"]),
    ]);
    expect([noSalt.code, badKey.code, badNumber.code, unknown.code]).toEqual([2, 2, 2, 2]);
    expect(badKey.stderr + badKey.stdout).not.toContain("abc123secret");
  });
});

describe("xwamp router --config with the issue's example configuration", () => {
  it("serves every configured method; keys from keygen work", { timeout: 30_000 }, async () => {
    const carol = await keygen();
    const dir = mkdtempSync(join(tmpdir(), "xwamp-auth-cli-"));
    const file = join(dir, "router.json");
    writeFileSync(file, JSON.stringify(issueConfig(carol.publicKey), null, 2));
    const p = xwamp(["router", "--config", file]);
    const lines = await p.waitFor(/listening on/, 2);
    const [ws, rs] = lines.map((l) => l.split("listening on ")[1]);
    expect(ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    expect(rs).toMatch(/^rs:\/\/127\.0\.0\.1:\d+$/);

    const cases: Array<[Parameters<typeof joinAs>[2], string, string]> = [
      [undefined, "guest", "anonymous"],
      [{ ticket: { authid: "alice", ticket: "s3cret" } }, "user", "ticket"],
      [{ wampcra: { authid: "bob", secret: "pw" } }, "user", "wampcra"],
      [{ wampcra: { authid: "dave", secret: "pw2" } }, "user", "wampcra"],
      [{ cryptosign: { authid: "carol", privateKey: carol.privateKey } }, "user", "cryptosign"],
      [{ scram: { authid: "erin", password: "pw3" } }, "user", "scram"],
    ];
    for (const [authentication, authrole, authmethod] of cases) {
      const session = await joinAs(teardown, ws, authentication);
      expect(session.welcome).toMatchObject({ authrole, authmethod, authprovider: "static" });
    }
    expect((await joinAs(teardown, rs, undefined)).welcome).toMatchObject({ authrole: "user" });
    expect(await refusalOf(teardown, ws, { ticket: { authid: "alice", ticket: "wrong" } })).toBe(
      URI.authenticationFailed,
    );
    // No authenticator registered yet: an unknown ticket user asks com.example.authenticate, which
    // does not exist: refused the same way.
    expect(await refusalOf(teardown, ws, { ticket: { authid: "zoe", ticket: "z" } })).toBe(
      URI.authenticationFailed,
    );
    await teardown.run();

    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    const { stdout, stderr } = p.output();
    expect(stderr).toContain("authentication refused");
    for (const secret of ["s3cret", "pw2", "pw3", carol.privateKey])
      expect(stdout + stderr).not.toContain(secret);
  });
});
