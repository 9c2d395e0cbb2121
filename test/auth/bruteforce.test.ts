/**
 * Brute force: 1,000 wrong ticket AUTHENTICATEs over real loopback connections (20 at a time, each
 * its own connection, bounded in time). Each gets ABORT wamp.error.authentication_failed; the
 * router stays responsive (a session joined before keeps calling during and after the attack, a
 * fresh correct login works afterwards) and keeps nothing per attempt (its session count and the
 * listeners' open connections return to the baseline). Heap is reported, not asserted (GC timing
 * makes it flaky).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComponentSession } from "../../src/component/componentSession.js";
import type { Router } from "../../src/router/router.js";
import {
  ABORT,
  AUTHENTICATE,
  CHALLENGE,
  joinAs,
  openRaw,
  sendHello,
  Teardown,
  URI,
  until,
  WELCOME,
} from "./helpers.js";

const ATTEMPTS = 1000;
const CONCURRENCY = 20;
const BUDGET_MS = 30_000;

const teardown = new Teardown();
let router: Router;

beforeAll(async () => {
  router = await teardown.router({
    realms: ["realm1"],
    listeners: [
      {
        type: "websocket",
        port: 0,
        auth: { ticket: { principals: { alice: { ticket: "s3cret", role: "user" } } }, timeout: 2000 },
      },
      {
        type: "rawsocket",
        port: 0,
        auth: { ticket: { principals: { alice: { ticket: "s3cret", role: "user" } } }, timeout: 2000 },
      },
    ],
  });
});
afterAll(() => teardown.run());

/** One wrong attempt on its own connection; resolves with the ABORT reason. */
async function wrongAttempt(url: string, n: number): Promise<string> {
  const client = await openRaw(teardown, url);
  try {
    sendHello(client, { authmethods: ["ticket"], authid: "alice" });
    const challenge = await client.next((m) => m[0] === CHALLENGE || m[0] === ABORT);
    if (challenge[0] !== CHALLENGE) return `no challenge: ${JSON.stringify(challenge)}`;
    client.send([AUTHENTICATE, `guess-${n}`, {}]);
    const outcome = await client.next((m) => m[0] === ABORT || m[0] === WELCOME);
    await client.waitClosed();
    return outcome[0] === ABORT ? (outcome[2] as string) : `welcomed: ${JSON.stringify(outcome)}`;
  } finally {
    const index = teardown.raws.indexOf(client);
    if (index !== -1) teardown.raws.splice(index, 1);
    if (client.handle.isOpen) client.handle.abort();
  }
}

describe("1,000 wrong ticket attempts", () => {
  it("each is refused, the router keeps serving, and nothing is left behind", {
    timeout: 60_000,
  }, async () => {
    const [wsUrl, rsUrl] = router.listeners.map((l) => l.url);

    // A well-behaved pair joined before the attack: alice serves, alice calls.
    const callee = await joinAs(teardown, wsUrl, { ticket: { authid: "alice", ticket: "s3cret" } });
    await callee.register("com.example.ping", ([n]) => n);
    const caller = await joinAs(teardown, rsUrl, { ticket: { authid: "alice", ticket: "s3cret" } });
    const baselineSessions = router.sessionCount;
    const baselineConnections = router.listeners.map((l) => l.connections);
    expect(baselineSessions).toBe(2);

    // Keep calling through the attack.
    let calls = 0;
    let callFailures = 0;
    let attacking = true;
    const steady = (async (session: ComponentSession) => {
      while (attacking) {
        try {
          expect(await session.call("com.example.ping", [calls], {}, { timeout: 5000 })).toBe(calls);
          calls++;
        } catch {
          callFailures++;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })(caller);

    const started = Date.now();
    const outcomes = new Map<string, number>();
    let next = 0;
    let heapAfter100 = 0;
    const worker = async (w: number) => {
      while (next < ATTEMPTS && Date.now() - started < BUDGET_MS) {
        const n = next++;
        const reason = await wrongAttempt(w % 2 === 0 ? wsUrl : rsUrl, n);
        outcomes.set(reason, (outcomes.get(reason) ?? 0) + 1);
        if (n === 100) heapAfter100 = process.memoryUsage().heapUsed;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
    const elapsed = Date.now() - started;
    const callsDuringAttack = calls;
    attacking = false;
    await steady;

    expect(elapsed).toBeLessThan(BUDGET_MS);
    expect(Object.fromEntries(outcomes)).toEqual({ [URI.authenticationFailed]: ATTEMPTS });
    expect(callFailures).toBe(0);
    expect(callsDuringAttack).toBeGreaterThan(0);

    // Nothing per attempt survives it.
    await until(() => router.sessionCount === baselineSessions, "the session count is back to the baseline");
    await until(
      () => router.listeners.every((l, i) => l.connections === baselineConnections[i]),
      "the listeners' connections are back to the baseline",
    );
    expect(router.realm("realm1")?.sessions.size).toBe(baselineSessions);

    // Still serving: the old session calls, a fresh correct login works.
    expect(await caller.call("com.example.ping", ["after"])).toBe("after");
    const fresh = await joinAs(teardown, wsUrl, { ticket: { authid: "alice", ticket: "s3cret" } });
    expect(fresh.authid).toBe("alice");
    expect(await fresh.call("com.example.ping", ["fresh"])).toBe("fresh");

    const heapGrowth = (process.memoryUsage().heapUsed - heapAfter100) / 2 ** 20;
    console.info(
      `brute force: ${ATTEMPTS} refusals in ${elapsed} ms (${CONCURRENCY} concurrent), ` +
        `${callsDuringAttack} calls served meanwhile, heap ${heapGrowth >= 0 ? "+" : ""}${heapGrowth.toFixed(1)} MiB since attempt 100`,
    );
  });
});
