/**
 * Authentication failure paths against a real router over loopback WebSocket, each asserting the
 * ABORT reason the client sees: authentication_failed (unknown authid, wrong ticket / secret /
 * signature, unauthorized key, replayed signature), no_auth_method, not_authorized (principal
 * bound to another realm, role not on the realm), timeout (no AUTHENTICATE in time) and
 * protocol_violation (AUTHENTICATE twice, or before any CHALLENGE). Refusals leak nothing: an
 * unknown authid and a wrong secret get byte-identical ABORTs. A component refused with the default
 * `isFatal` stops after one attempt.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signCryptosign, signWampcra } from "../../src/auth/client.js";
import type { WampError } from "../../src/errors.js";
import type { ListenerAuthConfig } from "../../src/router/authConfig.js";
import type { Router } from "../../src/router/router.js";
import type { RawClient } from "../router/rawClient.js";
import {
  ABORT,
  AUTHENTICATE,
  CAROL,
  CHALLENGE,
  challenged,
  expectAbort,
  issueRoles,
  lifecycle,
  MALLORY,
  openRaw,
  refusalOf,
  sendHello,
  Teardown,
  URI,
  until,
  WELCOME,
} from "./helpers.js";

const AUTH_TIMEOUT = 300;

function auth(): ListenerAuthConfig {
  return {
    anonymous: { role: "guest" },
    ticket: {
      principals: {
        alice: { ticket: "s3cret", role: "user" },
        zed: { ticket: "zed-ticket", role: "user", realm: "realm2" },
        root: { ticket: "root-ticket", role: "admin" },
      },
    },
    wampcra: {
      users: {
        bob: { secret: "pw", role: "user" },
        dave: { secret: "pw2", role: "user", salt: "salt123", iterations: 100, keylen: 32 },
      },
    },
    cryptosign: { principals: { carol: { authorizedKeys: [CAROL.publicKey], role: "user" } } },
    timeout: AUTH_TIMEOUT,
  };
}

const teardown = new Teardown();
const perTest = new Teardown();
let router: Router;
let ws: string;
let rs: string;

beforeAll(async () => {
  router = await teardown.router({
    realms: [
      { name: "realm1", roles: issueRoles() },
      { name: "realm2", roles: [{ name: "user" }] },
    ],
    listeners: [
      { type: "websocket", port: 0, auth: auth() },
      { type: "rawsocket", port: 0, auth: auth() },
    ],
  });
  [ws, rs] = router.listeners.map((l) => l.url);
});
afterEach(() => perTest.run());
afterAll(() => teardown.run());

const raw = (url = ws) => openRaw(perTest, url);

/** HELLO → CHALLENGE → AUTHENTICATE(signature) → the ABORT (returned). */
async function authenticateWith(
  details: Record<string, unknown>,
  sign: (extra: Record<string, unknown>, client: RawClient) => string,
  uri: string,
  url = ws,
): Promise<unknown[]> {
  const client = await raw(url);
  const { extra } = await challenged(client, details);
  client.send([AUTHENTICATE, sign(extra, client), {}]);
  return expectAbort(client, uri);
}

describe("authentication_failed", () => {
  it("unknown authid (ticket): challenged like everybody, then refused", async () => {
    await authenticateWith(
      { authmethods: ["ticket"], authid: "mallory" },
      () => "s3cret",
      URI.authenticationFailed,
    );
  });

  it("wrong ticket, over WebSocket and RawSocket", async () => {
    for (const url of [ws, rs]) {
      await authenticateWith(
        { authmethods: ["ticket"], authid: "alice" },
        () => "S3CRET",
        URI.authenticationFailed,
        url,
      );
    }
  });

  it("wrong wampcra secret (unsalted and salted) and unknown wampcra authid", async () => {
    const wrong = (extra: Record<string, unknown>) => signWampcra("not-the-secret", extra);
    await authenticateWith({ authmethods: ["wampcra"], authid: "bob" }, wrong, URI.authenticationFailed);
    await authenticateWith({ authmethods: ["wampcra"], authid: "dave" }, wrong, URI.authenticationFailed);
    await authenticateWith({ authmethods: ["wampcra"], authid: "nobody" }, wrong, URI.authenticationFailed);
    // Salted: signing with the password instead of the derived key fails too.
    await authenticateWith(
      { authmethods: ["wampcra"], authid: "dave" },
      (extra) => signWampcra("pw2", { challenge: extra.challenge }),
      URI.authenticationFailed,
    );
  });

  it("cryptosign: a signature by another key, an unauthorized public key, a malformed signature", async () => {
    const hello = { authmethods: ["cryptosign"], authid: "carol", authextra: { pubkey: CAROL.publicKey } };
    // Carol's public key announced, Mallory's key signs.
    await authenticateWith(
      hello,
      (extra) => signCryptosign(MALLORY.privateKey, extra, undefined),
      URI.authenticationFailed,
    );
    // Mallory announces and signs with her own key for authid carol: not an authorized key.
    await authenticateWith(
      { ...hello, authextra: { pubkey: MALLORY.publicKey } },
      (extra) => signCryptosign(MALLORY.privateKey, extra, undefined),
      URI.authenticationFailed,
    );
    // ... and without an authid (lookup by key): nobody has that key.
    await authenticateWith(
      { authmethods: ["cryptosign"], authextra: { pubkey: MALLORY.publicKey } },
      (extra) => signCryptosign(MALLORY.privateKey, extra, undefined),
      URI.authenticationFailed,
    );
    // Right key, but the signed message is not the challenge (a valid signature of other bytes).
    await authenticateWith(
      hello,
      () => signCryptosign(CAROL.privateKey, { challenge: "00".repeat(32) }, undefined),
      URI.authenticationFailed,
    );
    for (const junk of ["", "zz", "00".repeat(96), "ab".repeat(97)]) {
      await authenticateWith(hello, () => junk, URI.authenticationFailed);
    }
  });

  it("a component gets the same refusal (SessionAbortedError.uri)", async () => {
    expect(await refusalOf(perTest, ws, { ticket: { authid: "alice", ticket: "nope" } })).toBe(
      URI.authenticationFailed,
    );
    expect(await refusalOf(perTest, rs, { wampcra: { authid: "bob", secret: "nope" } })).toBe(
      URI.authenticationFailed,
    );
    expect(
      await refusalOf(perTest, ws, { cryptosign: { authid: "carol", privateKey: MALLORY.privateKey } }),
    ).toBe(URI.authenticationFailed);
  });
});

describe("refusals leak nothing", () => {
  it("unknown authid and wrong secret: byte-identical ABORTs (ticket, wampcra, cryptosign)", async () => {
    const pairs: Array<[unknown[], unknown[]]> = [
      [
        await authenticateWith(
          { authmethods: ["ticket"], authid: "no-such-user" },
          () => "x",
          URI.authenticationFailed,
        ),
        await authenticateWith(
          { authmethods: ["ticket"], authid: "alice" },
          () => "x",
          URI.authenticationFailed,
        ),
      ],
      [
        await authenticateWith(
          { authmethods: ["wampcra"], authid: "no-such-user" },
          (e) => signWampcra("x", e),
          URI.authenticationFailed,
        ),
        await authenticateWith(
          { authmethods: ["wampcra"], authid: "bob" },
          (e) => signWampcra("x", e),
          URI.authenticationFailed,
        ),
      ],
      [
        await authenticateWith(
          { authmethods: ["cryptosign"], authid: "no-such-user", authextra: { pubkey: MALLORY.publicKey } },
          (e) => signCryptosign(MALLORY.privateKey, e, undefined),
          URI.authenticationFailed,
        ),
        await authenticateWith(
          { authmethods: ["cryptosign"], authid: "carol", authextra: { pubkey: CAROL.publicKey } },
          (e) => signCryptosign(MALLORY.privateKey, e, undefined),
          URI.authenticationFailed,
        ),
      ],
    ];
    for (const [unknown, wrong] of pairs) {
      expect(JSON.stringify(unknown)).toBe(JSON.stringify(wrong));
      expect(JSON.stringify(unknown)).not.toMatch(
        /alice|bob|carol|no-such-user|unknown|secret|password|key/i,
      );
    }
  });

  it("an unknown wampcra authid gets a challenge shaped like a real one (role, provider, salting)", async () => {
    // All users salted alike and of one role: nothing in the CHALLENGE may tell an unknown authid apart.
    const salted = await perTest.router({
      realms: [{ name: "realm1", roles: issueRoles() }],
      listeners: [
        {
          type: "websocket",
          port: 0,
          auth: {
            wampcra: {
              users: {
                dave: { secret: "pw2", role: "user", salt: "salt123", iterations: 100, keylen: 32 },
                dora: { secret: "pw5", role: "user", salt: "salt456", iterations: 100, keylen: 32 },
              },
            },
          },
        },
      ],
    });
    const url = salted.listeners[0].url;
    const shape = (extra: Record<string, unknown>) => {
      const challenge = JSON.parse(extra.challenge as string) as Record<string, unknown>;
      return {
        keys: Object.keys(extra).sort(),
        fields: Object.keys(challenge).sort(),
        authrole: challenge.authrole,
        authprovider: challenge.authprovider,
        iterations: extra.iterations,
        keylen: extra.keylen,
        saltType: typeof extra.salt,
      };
    };
    const known = await challenged(await openRaw(perTest, url), { authmethods: ["wampcra"], authid: "dave" });
    const unknown = await challenged(await openRaw(perTest, url), {
      authmethods: ["wampcra"],
      authid: "no-such-user",
    });
    expect(shape(unknown.extra)).toEqual(shape(known.extra));
    // The same unknown authid gets the same salt every time (a changing salt would give it away).
    const again = await challenged(await openRaw(perTest, url), {
      authmethods: ["wampcra"],
      authid: "no-such-user",
    });
    expect(again.extra.salt).toBe(unknown.extra.salt);
  });

  it("a dynamic authenticator refusing an unknown authid: still a CHALLENGE first, then authentication_failed", async () => {
    const dyn = await perTest.router({
      realms: ["realm1"],
      listeners: [
        {
          type: "websocket",
          port: 0,
          auth: { dynamic: { authenticator: "com.example.auth" }, cryptosign: { principals: {} } },
        },
      ],
    });
    const authenticator = perTest.component({ transports: { type: "memory", router: dyn } });
    authenticator.register("com.example.auth", (args) => {
      if (args[1] === "known") return { secret: "pw", role: "user", pubkey: CAROL.publicKey };
      throw new Error("no such user");
    });
    const ready = new Promise<void>((resolve) => authenticator.on("ready", () => resolve()));
    void authenticator.start();
    await ready;
    const url = dyn.listeners[0].url;
    for (const authid of ["known", "unknown"]) {
      const cra = await openRaw(perTest, url);
      const { extra } = await challenged(cra, { authmethods: ["wampcra"], authid });
      cra.send([AUTHENTICATE, signWampcra("wrong", extra), {}]);
      await expectAbort(cra, URI.authenticationFailed);
      const cs = await openRaw(perTest, url);
      const c = await challenged(cs, {
        authmethods: ["cryptosign"],
        authid,
        authextra: { pubkey: MALLORY.publicKey },
      });
      cs.send([AUTHENTICATE, signCryptosign(MALLORY.privateKey, c.extra, undefined), {}]);
      await expectAbort(cs, URI.authenticationFailed);
    }
  });
});

describe("no_auth_method", () => {
  it('only unsupported methods (authmethods ["foo"]), or methods this listener does not offer', async () => {
    for (const authmethods of [["foo"], ["foo", "bar"], ["scram"], ["wampcra-proxy", "cryptosign-proxy"]]) {
      const client = await raw();
      sendHello(client, { authmethods, authid: "alice" });
      await expectAbort(client, URI.noAuthMethod);
    }
    const component = await refusalOf(perTest, ws, { scram: { authid: "alice", password: "s3cret" } });
    expect(component).toBe(URI.noAuthMethod);
  });
});

describe("not_authorized", () => {
  it("a principal bound to another realm", async () => {
    await authenticateWith({ authmethods: ["ticket"], authid: "zed" }, () => "zed-ticket", URI.notAuthorized);
    // ... joins the realm it is bound to.
    const client = await raw();
    const { extra } = await challenged(client, { authmethods: ["ticket"], authid: "zed" }, "realm2");
    expect(extra).toEqual({});
    client.send([AUTHENTICATE, "zed-ticket", {}]);
    expect((await lifecycle(client))[0]).toBe(WELCOME);
  });

  it("a role the realm does not define", async () => {
    await authenticateWith(
      { authmethods: ["ticket"], authid: "root" },
      () => "root-ticket",
      URI.notAuthorized,
    );
    // anonymous is "guest", which realm2 does not define.
    const client = await raw();
    sendHello(client, {}, "realm2");
    await expectAbort(client, URI.notAuthorized);
  });

  it("a component gets wamp.error.not_authorized", async () => {
    expect(await refusalOf(perTest, ws, { ticket: { authid: "root", ticket: "root-ticket" } })).toBe(
      URI.notAuthorized,
    );
  });
});

describe("timeout", () => {
  it(`no AUTHENTICATE within auth.timeout (${AUTH_TIMEOUT} ms): ABORT wamp.error.timeout, connection closed`, async () => {
    const client = await raw();
    await challenged(client, { authmethods: ["ticket"], authid: "alice" });
    const started = Date.now();
    await expectAbort(client, URI.timeout);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(AUTH_TIMEOUT - 50);
    expect(waited).toBeLessThan(AUTH_TIMEOUT + 3000);
    await until(() => router.sessionCount === 0, "the timed-out session is gone");
  });
});

describe("protocol_violation", () => {
  it("AUTHENTICATE twice (back to back, the first one right)", async () => {
    const client = await raw();
    await challenged(client, { authmethods: ["ticket"], authid: "alice" });
    client.send([AUTHENTICATE, "s3cret", {}]);
    client.send([AUTHENTICATE, "s3cret", {}]);
    // The second one lands while the first is verified, or after WELCOME: either way a violation.
    const first = await lifecycle(client);
    const abort = first[0] === ABORT ? first : await lifecycle(client);
    expect(abort[0]).toBe(ABORT);
    expect(abort[2]).toBe(URI.protocolViolation);
    await client.waitClosed();
  });

  it("AUTHENTICATE twice: a second answer to a spent challenge after a refusal is never read", async () => {
    const client = await raw();
    await challenged(client, { authmethods: ["ticket"], authid: "alice" });
    client.send([AUTHENTICATE, "wrong", {}]);
    client.send([AUTHENTICATE, "s3cret", {}]);
    const abort = await lifecycle(client);
    expect(abort[0]).toBe(ABORT);
    // Either refused outright or a violation; never a WELCOME for the second try.
    expect([URI.authenticationFailed, URI.protocolViolation]).toContain(abort[2]);
    await client.waitClosed();
    expect(client.received.filter((m) => m[0] === WELCOME)).toEqual([]);
  });

  it("AUTHENTICATE before HELLO", async () => {
    const client = await raw();
    client.send([AUTHENTICATE, "s3cret", {}]);
    await expectAbort(client, URI.protocolViolation);
  });

  it("AUTHENTICATE after an anonymous WELCOME (no challenge was ever sent)", async () => {
    const client = await raw();
    sendHello(client, {});
    expect((await lifecycle(client))[0]).toBe(WELCOME);
    client.send([AUTHENTICATE, "s3cret", {}]);
    await expectAbort(client, URI.protocolViolation);
  });

  it("AUTHENTICATE right behind HELLO, before the CHALLENGE (router still choosing)", async () => {
    // A dynamic authenticator that takes its time keeps the router in "choosing" for a while.
    const slow = await perTest.router({
      realms: ["realm1"],
      listeners: [
        { type: "websocket", port: 0, auth: { dynamic: { authenticator: "com.example.slowauth" } } },
      ],
    });
    const authenticator = perTest.component({ transports: { type: "memory", router: slow } });
    authenticator.register("com.example.slowauth", async () => {
      await new Promise((r) => setTimeout(r, 300));
      return { secret: "pw", role: "user" };
    });
    const ready = new Promise<void>((resolve) => authenticator.on("ready", () => resolve()));
    void authenticator.start();
    await ready;
    const client = await openRaw(perTest, slow.listeners[0].url);
    sendHello(client, { authmethods: ["wampcra"], authid: "bob" });
    client.send([AUTHENTICATE, "anything", {}]);
    await expectAbort(client, URI.protocolViolation);
    expect(client.received.filter((m) => m[0] === CHALLENGE)).toEqual([]);
  });
});

describe("replay", () => {
  it("a valid wampcra signature from one connection is refused on another", async () => {
    const first = await raw();
    const a = await challenged(first, { authmethods: ["wampcra"], authid: "bob" });
    const signature = signWampcra("pw", a.extra);
    first.send([AUTHENTICATE, signature, {}]);
    expect((await lifecycle(first))[0]).toBe(WELCOME);

    const second = await raw();
    const b = await challenged(second, { authmethods: ["wampcra"], authid: "bob" });
    expect(b.extra.challenge).not.toBe(a.extra.challenge);
    second.send([AUTHENTICATE, signature, {}]);
    await expectAbort(second, URI.authenticationFailed);
  });

  it("a valid cryptosign signature from one connection is refused on another", async () => {
    const hello = { authmethods: ["cryptosign"], authid: "carol", authextra: { pubkey: CAROL.publicKey } };
    const first = await raw();
    const a = await challenged(first, hello);
    const signature = signCryptosign(CAROL.privateKey, a.extra, undefined);
    first.send([AUTHENTICATE, signature, {}]);
    expect((await lifecycle(first))[0]).toBe(WELCOME);

    const second = await raw(rs);
    await challenged(second, hello);
    second.send([AUTHENTICATE, signature, {}]);
    await expectAbort(second, URI.authenticationFailed);
  });
});

describe("a component refused with the default isFatal", () => {
  it("stops after ONE attempt even with maxRetries 5; start() rejects with COMPONENT_FAILED, cause.uri the refusal", async () => {
    for (const [authentication, uri] of [
      [{ ticket: { authid: "alice", ticket: "wrong" } }, URI.authenticationFailed],
      [{ ticket: { authid: "root", ticket: "root-ticket" } }, URI.notAuthorized],
      [{ scram: { authid: "alice", password: "x" } }, URI.noAuthMethod],
    ] as const) {
      const component = perTest.component({
        transports: {
          url: ws,
          maxRetries: 5,
          initialRetryDelay: 10,
          maxRetryDelay: 20,
          retryDelayJitter: () => 0,
        },
        authentication,
      });
      let connects = 0;
      const failures: WampError[] = [];
      component.on("connect", () => void connects++);
      component.on("connectfailure", (error) => void failures.push(error));
      const error = (await component.start().then(
        () => undefined,
        (err: unknown) => err,
      )) as WampError & { cause?: { uri?: string } };
      expect(error?.code).toBe("COMPONENT_FAILED");
      expect(error.cause?.uri).toBe(uri);
      expect(connects).toBe(1);
      expect(failures.map((f) => (f as { uri?: string }).uri)).toEqual([uri]);
    }
  });

  it("a custom isFatal can retry instead (every attempt refused again)", async () => {
    const component = perTest.component({
      transports: {
        url: ws,
        maxRetries: 2,
        initialRetryDelay: 5,
        maxRetryDelay: 10,
        retryDelayJitter: () => 0,
      },
      authentication: { ticket: { authid: "alice", ticket: "wrong" } },
      isFatal: () => false,
    });
    let connects = 0;
    component.on("connect", () => void connects++);
    await expect(component.start()).rejects.toMatchObject({ code: "COMPONENT_FAILED" });
    expect(connects).toBe(3);
  });
});
