/**
 * Secrets never leave the component: with logLevel "trace" and a collecting sink, over a real
 * loopback WebSocket, for ticket, WAMP-CRA (unsalted and salted), WAMP-SCRAM and WAMP-Cryptosign,
 * joined and refused, no log line, no actor snapshot (JSON.stringify of every snapshot the actor
 * emits), no inspection event and no error contains the ticket, secret, derived key, password or
 * private key. The router's own log does not either.
 */
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AuthenticationConfig, deriveWampcraKey } from "../../src/auth/client.js";
import { createComponentActor } from "../../src/component.js";
import { ConfigError } from "../../src/errors.js";
import type { LogSink } from "../../src/logging.js";
import type { ListenerAuthConfig } from "../../src/router/authConfig.js";
import type { Router } from "../../src/router/router.js";
import { CAROL, issueRoles, Teardown } from "./helpers.js";

const TICKET = "tkt-Zq8vK1-NEVER-LOG-ME";
const CRA_SECRET = "cra-Wb3nX7-NEVER-LOG-ME";
const CRA_SALTED_SECRET = "cra2-Hj5tR2-NEVER-LOG-ME";
const SCRAM_PASSWORD = "scram-Pq2mL9-NEVER-LOG-ME";
const DERIVED = deriveWampcraKey(CRA_SALTED_SECRET, "pepper", 50, 32);
const SECRETS = [TICKET, CRA_SECRET, CRA_SALTED_SECRET, SCRAM_PASSWORD, CAROL.privateKey, DERIVED];

const CREDENTIALS: Record<string, AuthenticationConfig> = {
  ticket: { ticket: { authid: "alice", ticket: TICKET } },
  "wampcra unsalted": { wampcra: { authid: "bob", secret: CRA_SECRET } },
  "wampcra salted": { wampcra: { authid: "dave", secret: CRA_SALTED_SECRET } },
  "scram pbkdf2": { scram: { authid: "erin", password: SCRAM_PASSWORD } },
  cryptosign: { cryptosign: { authid: "carol", privateKey: CAROL.privateKey } },
};

function auth(role: string): ListenerAuthConfig {
  return {
    ticket: { principals: { alice: { ticket: TICKET, role } } },
    wampcra: {
      users: {
        bob: { secret: CRA_SECRET, role },
        dave: { secret: CRA_SALTED_SECRET, role, salt: "pepper", iterations: 50, keylen: 32 },
      },
    },
    scram: { principals: { erin: { password: SCRAM_PASSWORD, role, kdf: "pbkdf2", iterations: 1000 } } },
    cryptosign: { principals: { carol: { authorizedKeys: [CAROL.publicKey], role } } },
  };
}

const teardown = new Teardown();
const routerLog: string[] = [];
let okUrl: string;
let refusingUrl: string;
let router: Router;

beforeAll(async () => {
  router = await teardown.router({
    realms: [{ name: "realm1", roles: issueRoles() }],
    // The second listener admits the same credentials under a role realm1 does not define: the
    // router authenticates, then refuses (not_authorized).
    listeners: [
      { type: "websocket", port: 0, auth: auth("user") },
      { type: "websocket", port: 0, auth: auth("admin") },
    ],
    log: (level, message) => void routerLog.push(`${level} ${message}`),
  });
  [okUrl, refusingUrl] = router.listeners.map((l) => l.url);
});
afterAll(() => teardown.run());
afterEach(() => {
  for (const line of routerLog) expectClean(line, "router log");
});

/** JSON that survives cycles and odd values (what a careless logger would do with them). */
function dump(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return String(v);
    if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
    if (typeof v === "object" && v !== null) {
      if (seen.has(v)) return "[cycle]";
      seen.add(v);
    }
    return v;
  });
}

function expectClean(text: string, where: string): void {
  for (const secret of SECRETS) {
    if (text.includes(secret)) throw new Error(`a secret leaked into ${where}: ${text.slice(0, 300)}`);
  }
}

interface Observed {
  lines: string[];
  snapshots: string[];
  inspected: string[];
  errors: unknown[];
  welcome: Record<string, unknown> | undefined;
}

/** Run a component actor to completion (done or failed) and collect everything it let out. */
async function observe(url: string, authentication: AuthenticationConfig): Promise<Observed> {
  const seen: Observed = { lines: [], snapshots: [], inspected: [], errors: [], welcome: undefined };
  const sink: LogSink = (level, message, fields) =>
    void seen.lines.push(`${level} ${message} ${dump(fields)}`);
  const actor = createComponentActor(
    {
      transports: { url, maxRetries: 1, initialRetryDelay: 5, retryDelayJitter: () => 0 },
      authentication,
      logLevel: "trace",
      logger: sink,
      isFatal: () => false, // retry once: the second attempt must not leak either
      main: async (session) => {
        seen.welcome = { ...session.welcome };
        await session.call("com.example.nobody").catch((err: unknown) => seen.errors.push(err));
      },
    },
    {
      inspect: (event) => {
        const e = event as { type: string; event?: unknown; snapshot?: unknown };
        seen.inspected.push(dump({ type: e.type, event: e.event, snapshot: e.snapshot }));
      },
    },
  );
  const finished = new Promise<void>((resolve) => {
    actor.subscribe({
      next: (snapshot) => {
        seen.snapshots.push(JSON.stringify(snapshot));
        if (snapshot.status !== "active") resolve();
      },
      error: (err) => {
        seen.errors.push(err);
        resolve();
      },
      complete: () => resolve(),
    });
  });
  actor.start();
  await finished;
  const context = actor.getSnapshot().context;
  if (context.lastError !== undefined) seen.errors.push(context.lastError);
  return seen;
}

function expectNothingLeaked(seen: Observed): void {
  for (const line of seen.lines) expectClean(line, "a log line");
  for (const snapshot of seen.snapshots) expectClean(snapshot, "an actor snapshot");
  for (const event of seen.inspected) expectClean(event, "an inspection event");
  for (const error of seen.errors) {
    const err = error as Error;
    expectClean(`${err?.message} ${err?.stack} ${dump(error)} ${inspect(error, { depth: 6 })}`, "an error");
  }
}

describe.each(Object.entries(CREDENTIALS))("%s", (_name, authentication) => {
  it("joined at trace level: nothing leaks (logs, snapshots, inspection, errors)", async () => {
    const seen = await observe(okUrl, authentication);
    expect(seen.welcome, seen.lines.join("\n")).toMatchObject({ authrole: "user" });
    expect(seen.lines.some((l) => l.startsWith("trace send"))).toBe(true);
    expect(seen.lines.some((l) => l.startsWith("trace receive"))).toBe(true);
    // The AUTHENTICATE went out, redacted.
    expect(seen.lines.some((l) => l.includes('[5,"<redacted>",{}]'))).toBe(true);
    expect(seen.snapshots.length).toBeGreaterThan(3);
    expectNothingLeaked(seen);
  });

  it("refused (not_authorized after authenticating; a wrong credential): nothing leaks", async () => {
    const refused = await observe(refusingUrl, authentication);
    expect(refused.welcome).toBeUndefined();
    expect(refused.errors.length).toBeGreaterThan(0);
    expect(refused.lines.some((l) => l.includes("wamp.error.not_authorized"))).toBe(true);
    expectNothingLeaked(refused);

    // The wrong credential must not appear either: make it one of the secrets' look-alikes.
    const wrong = JSON.parse(
      JSON.stringify(authentication).replaceAll("NEVER-LOG-ME", "NEVER-LOG-ME-2"),
    ) as AuthenticationConfig;
    if (wrong.cryptosign !== undefined) wrong.cryptosign.privateKey = CAROL.privateKey.replace(/^../, "00");
    const failed = await observe(okUrl, wrong);
    expect(failed.welcome).toBeUndefined();
    expectNothingLeaked(failed);
    const wrongSecret = JSON.stringify(wrong).match(/"(?:ticket|secret|password|privateKey)":"([^"]+)"/)?.[1];
    expect(wrongSecret).toBeDefined();
    const everything = [
      ...failed.lines,
      ...failed.snapshots,
      ...failed.inspected,
      ...failed.errors.map((e) => inspect(e)),
    ];
    for (const text of everything) expect(text.includes(wrongSecret!)).toBe(false);
  });
});

describe("configuration errors", () => {
  it("a malformed private key is refused without echoing it", () => {
    const almost = `${CAROL.privateKey.slice(0, 62)}zz`;
    let caught: unknown;
    try {
      createComponentActor({ transports: okUrl, authentication: { cryptosign: { privateKey: almost } } });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(inspect(caught)).not.toContain(almost);
    expect(inspect(caught)).not.toContain(almost.slice(0, 40));
  });

  it("mixed authids are refused without echoing the secrets", () => {
    let caught: unknown;
    try {
      createComponentActor({
        transports: okUrl,
        authentication: {
          ticket: { authid: "a", ticket: TICKET },
          wampcra: { authid: "b", secret: CRA_SECRET },
        },
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expectClean(inspect(caught), "a ConfigError");
  });
});
