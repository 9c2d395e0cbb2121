/**
 * Authentication interop: Autobahn|Python clients (asyncio Component with its documented
 * `authentication={...}` config; Debian python3-autobahn 22.7.1) join the xwamp router with ticket,
 * WAMP-CRA (unsalted and salted), WAMP-Cryptosign (with and without authid, and bound to the TLS 1.2
 * channel with tls-unique), WAMP-SCRAM argon2id-13 and anonymous; WELCOME's authid / authrole /
 * authmethod / authprovider are checked as Autobahn reports them, and each wrong credential is
 * refused with the ABORT reason Autobahn sees. All scenarios run in one peer process
 * (`peers/autobahn_auth_peer.py`), killed by PID if it outlives its timeout.
 *
 * Peer gap: Debian's package lacks argon2-cffi, so Autobahn's AuthScram is unavailable; the script
 * stands in libsodium's Argon2id (PyNaCl) for argon2-cffi's hash function and reports the quirk
 * `argon2_shim`. Autobahn 22.7.1's pbkdf2 SCRAM client cannot work at all (it hands the salt to
 * its pbkdf2 as a str, which raises), so only argon2id-13 is tried.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { generateKeyPair } from "../../src/cli/keygen.js";
import type { Router } from "../../src/router/router.js";
import { CAROL, issueConfig, Teardown, TLS } from "../auth/helpers.js";
import { expectCleanRun, explain, type PeerRun, quirksOf, runPythonPeer } from "./helpers.js";
import { describeWithAutobahnPython, type PythonPeer } from "./peers.js";

const PROCESS_TIMEOUT = 60_000;
const caFile = join(tmpdir(), `xwamp-autobahn-auth-ca-${process.pid}.pem`);

interface Scenario {
  name: string;
  url: string;
  realm?: string;
  authentication: Record<string, Record<string, unknown>>;
}

function runPeer(peer: PythonPeer, scenarios: Scenario[]): Promise<PeerRun> {
  return runPythonPeer(
    peer,
    "autobahn_auth_peer.py",
    ["--scenarios", JSON.stringify(scenarios), "--ca", caFile, "--timeout", "50"],
    { timeoutMs: PROCESS_TIMEOUT },
  );
}

describeWithAutobahnPython("interop: Autobahn|Python authenticates to the xwamp router", (peer) => {
  const teardown = new Teardown();
  let router: Router;
  let ws: string;
  let wss12: string;
  const stranger = generateKeyPair();

  beforeAll(async () => {
    writeFileSync(caFile, TLS.cert);
    const config = issueConfig();
    config.listeners!.push({
      type: "websocket",
      port: 0,
      tls: { ...TLS, maxVersion: "TLSv1.2" },
      auth: { cryptosign: { principals: { carol: { authorizedKeys: [CAROL.publicKey], role: "user" } } } },
    });
    router = await teardown.router(config);
    ws = router.listeners[0].url;
    wss12 = router.listeners[2].url;
    // The issue config's dynamic authenticator, served in-process.
    const authenticator = teardown.component({ transports: { type: "memory", router } });
    authenticator.register("com.example.authenticate", (args) => {
      const [, authid, details] = args as [string, string, Record<string, unknown>];
      if (authid === "pyuser" && details.ticket === "py-t0k3n") return "guest";
      throw new Error("no such user");
    });
    const ready = new Promise<void>((resolve) => authenticator.on("ready", () => resolve()));
    void authenticator.start();
    await ready;
  });
  afterAll(() => teardown.run());

  it(`Autobahn|Python ${peer.version}: every method joins with the configured identity, every wrong credential is refused`, {
    timeout: 90_000,
  }, async () => {
    const ok = (name: string, authentication: Scenario["authentication"], url = ws): Scenario => ({
      name,
      url,
      authentication,
    });
    const scenarios: Scenario[] = [
      ok("anonymous", { anonymous: {} }),
      ok("ticket", { ticket: { authid: "alice", ticket: "s3cret" } }),
      ok("ticket wrong", { ticket: { authid: "alice", ticket: "S3CRET" } }),
      ok("ticket unknown authid", { ticket: { authid: "mallory", ticket: "s3cret" } }),
      ok("ticket dynamic", { ticket: { authid: "pyuser", ticket: "py-t0k3n" } }),
      ok("ticket dynamic wrong", { ticket: { authid: "pyuser", ticket: "nope" } }),
      ok("wampcra unsalted", { wampcra: { authid: "bob", secret: "pw" } }),
      ok("wampcra unsalted wrong", { wampcra: { authid: "bob", secret: "pW" } }),
      ok("wampcra salted", { wampcra: { authid: "dave", secret: "pw2" } }),
      ok("wampcra salted wrong", { wampcra: { authid: "dave", secret: "pw" } }),
      ok("cryptosign", { cryptosign: { authid: "carol", privkey: CAROL.privateKey } }),
      ok("cryptosign by key", { cryptosign: { privkey: CAROL.privateKey } }),
      ok("cryptosign wrong key", { cryptosign: { authid: "carol", privkey: stranger.privateKey } }),
      ok(
        "cryptosign tls-unique",
        {
          cryptosign: {
            authid: "carol",
            privkey: CAROL.privateKey,
            authextra: { channel_binding: "tls-unique" },
          },
        },
        wss12,
      ),
      ok(
        "cryptosign tls-unique wrong key",
        {
          cryptosign: {
            authid: "carol",
            privkey: stranger.privateKey,
            authextra: { channel_binding: "tls-unique" },
          },
        },
        wss12,
      ),
      ok("scram argon2id-13", { scram: { authid: "erin", password: "pw3" } }),
      ok("scram argon2id-13 wrong", { scram: { authid: "erin", password: "pw4" } }),
      ok("no auth method in common", { ticket: { authid: "alice", ticket: "s3cret" } }, wss12),
    ];
    const run = await runPeer(peer, scenarios);
    const where = explain(run);
    expectCleanRun(run, where);
    expect(
      quirksOf(run).filter((q) => q !== "argon2_shim"),
      where,
    ).toEqual([]);
    const by = new Map(run.lines.filter((l) => typeof l.name === "string").map((l) => [l.name as string, l]));
    expect([...by.keys()], where).toEqual(scenarios.map((s) => s.name));

    const joined = (
      name: string,
      authid: string | RegExp,
      authrole: string,
      authmethod: string,
      authprovider = "static",
    ) => {
      const line = by.get(name)!;
      expect(line, `${name}\n${where}`).toMatchObject({
        outcome: "joined",
        authrole,
        authmethod,
        authprovider,
      });
      if (typeof authid === "string") expect(line.authid, name).toBe(authid);
      else expect(line.authid, name).toMatch(authid);
      expect(line.left, name).toBe("wamp.close.goodbye_and_out");
    };
    const refused = (name: string, reason: string) =>
      expect(by.get(name), `${name}\n${where}`).toMatchObject({ outcome: "refused", reason });

    joined("anonymous", /^[A-Z0-9-]+$/, "guest", "anonymous");
    joined("ticket", "alice", "user", "ticket");
    joined("ticket dynamic", "pyuser", "guest", "ticket", "dynamic");
    joined("wampcra unsalted", "bob", "user", "wampcra");
    joined("wampcra salted", "dave", "user", "wampcra");
    joined("cryptosign", "carol", "user", "cryptosign");
    joined("cryptosign by key", "carol", "user", "cryptosign");
    joined("cryptosign tls-unique", "carol", "user", "cryptosign");
    joined("scram argon2id-13", "erin", "user", "scram");
    // Autobahn checked the router's SCRAM signature (AuthScram.on_welcome) before joining.
    expect(
      (by.get("scram argon2id-13")!.authextra as Record<string, unknown>).scram_server_signature,
    ).toEqual(expect.any(String));

    for (const name of [
      "ticket wrong",
      "ticket unknown authid",
      "ticket dynamic wrong",
      "wampcra unsalted wrong",
      "wampcra salted wrong",
      "cryptosign wrong key",
      "cryptosign tls-unique wrong key",
      "scram argon2id-13 wrong",
    ]) {
      refused(name, "wamp.error.authentication_failed");
    }
    refused("no auth method in common", "wamp.error.no_auth_method");
  });
});
