/**
 * Every authentication method end to end: an xwamp client component joins an xwamp router over
 * real loopback sockets (WebSocket and RawSocket, TLS 1.2 for channel binding), and WELCOME's
 * authid / authrole / authmethod / authprovider are what the configuration says. Covers anonymous,
 * ticket, WAMP-CRA (unsalted and salted, the router deriving the key from the configured secret),
 * WAMP-Cryptosign (with and without authid, and bound to the TLS channel with `tls-unique`),
 * WAMP-SCRAM (pbkdf2 and argon2id-13), a dynamic authenticator for ticket / wampcra / cryptosign,
 * several methods at once, and the issue's example configuration verbatim.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ClientAuthentication, signCryptosign } from "../../src/auth/client.js";
import { generateKeyPair } from "../../src/cli/keygen.js";
import type { ComponentSession } from "../../src/component/componentSession.js";
import type { Component } from "../../src/component.js";
import { ApplicationError } from "../../src/errors.js";
import type { ListenerAuthConfig } from "../../src/router/authConfig.js";
import type { Router } from "../../src/router/router.js";
import {
  AUTHENTICATE,
  CAROL,
  challenged,
  expectAbort,
  issueAuth,
  issueConfig,
  issueRoles,
  joinAs,
  lifecycle,
  openRaw,
  refusalOf,
  Teardown,
  TLS,
  URI,
  WELCOME,
} from "./helpers.js";

const DYN_KEY = generateKeyPair();
const DYN_KEY_NO_AUTHID = generateKeyPair();

/** The issue's listener auth plus a few principals this file needs. */
function labAuth(): ListenerAuthConfig {
  const auth = issueAuth();
  auth.ticket!.principals.multi = { ticket: "multi-ticket", role: "user" };
  auth.wampcra!.users.multi = { secret: "multi-secret", role: "user" };
  auth.scram!.principals.frank = { password: "pw4", role: "user", kdf: "pbkdf2", iterations: 1000 };
  return auth;
}

interface AuthenticatorCall {
  realm: unknown;
  authid: unknown;
  details: Record<string, unknown>;
}

let lab: Router;
let urls: {
  ws: string;
  rs: string;
  wss12: string;
  rss12: string;
  wss13: string;
  craOnly: string;
};
const calls: AuthenticatorCall[] = [];
let authenticator: Component;
const teardown = new Teardown();
const perTest = new Teardown();

beforeAll(async () => {
  const cryptosignOnly: ListenerAuthConfig = {
    cryptosign: { principals: { carol: { authorizedKeys: [CAROL.publicKey], role: "user" } } },
  };
  lab = await teardown.router({
    realms: [{ name: "realm1", roles: issueRoles() }],
    listeners: [
      { type: "websocket", port: 0, auth: labAuth() },
      { type: "rawsocket", port: 0, auth: labAuth() },
      { type: "websocket", port: 0, tls: { ...TLS, maxVersion: "TLSv1.2" }, auth: cryptosignOnly },
      { type: "rawsocket", port: 0, tls: { ...TLS, maxVersion: "TLSv1.2" }, auth: cryptosignOnly },
      { type: "websocket", port: 0, tls: { ...TLS, minVersion: "TLSv1.3" }, auth: cryptosignOnly },
      {
        type: "websocket",
        port: 0,
        auth: { wampcra: { users: { multi: { secret: "multi-secret", role: "guest" } } } },
      },
    ],
  });
  const [ws, rs, wss12, rss12, wss13, craOnly] = lab.listeners.map((l) => l.url);
  urls = { ws, rs, wss12, rss12, wss13, craOnly };
  expect(wss12).toMatch(/^wss:/);
  expect(rss12).toMatch(/^rss:/);

  // The dynamic authenticator: a component on realm1 (in-process, the router's development
  // default role) registering com.example.authenticate, called as (realm, authid, details).
  authenticator = teardown.component({ transports: { type: "memory", router: lab } });
  authenticator.register("com.example.authenticate", (args) => {
    const [realm, authid, details] = args as [unknown, unknown, Record<string, unknown>];
    calls.push({ realm, authid, details });
    switch (`${details.authmethod}:${authid}`) {
      case "ticket:dyn-ticket":
        if (details.ticket === "dyn-t0k3n") return "user";
        break;
      case "ticket:dyn-dict":
        if (details.ticket === "dict-t0k3n")
          return { role: "guest", authid: "renamed-by-authenticator", extra: { tier: "gold" } };
        break;
      case "wampcra:dyn-cra":
        return { secret: "dyn-pw", role: "user" };
      case "wampcra:dyn-cra-salted":
        return { secret: "dyn-pw2", role: "guest", salt: "dyn-salt", iterations: 50, keylen: 32 };
      case "cryptosign:dyn-cs":
        return { role: "user", pubkey: DYN_KEY.publicKey };
      case "cryptosign:null":
        return { role: "guest", authorizedKeys: [DYN_KEY_NO_AUTHID.publicKey], authid: "found-by-key" };
    }
    throw new ApplicationError("com.example.no_such_user");
  });
  const ready = new Promise<void>((resolve) => authenticator.on("ready", () => resolve()));
  void authenticator.start();
  await ready;
});

afterEach(() => perTest.run());
afterAll(() => teardown.run());

function expectWelcome(
  session: ComponentSession,
  expected: { authid: string | RegExp; authrole: string; authmethod: string; authprovider: string },
): void {
  const { authid, ...rest } = expected;
  expect(session.welcome).toMatchObject(rest);
  expect(session).toMatchObject(rest);
  if (typeof authid === "string") {
    expect(session.welcome.authid).toBe(authid);
    expect(session.authid).toBe(authid);
  } else expect(session.welcome.authid).toMatch(authid);
  expect(session.welcome.realm).toBe("realm1");
  expect(session.isOpen).toBe(true);
}

const VIAS = ["ws", "rs"] as const;

describe.each(VIAS)("static principals over %s", (via) => {
  it("anonymous: no authentication config → the listener's anonymous role (guest), a generated authid", async () => {
    const session = await joinAs(perTest, urls[via], undefined);
    expectWelcome(session, {
      authid: /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/,
      authrole: "guest",
      authmethod: "anonymous",
      authprovider: "static",
    });
  });

  it("anonymous cannot choose its authid (a guest must not pose as somebody else)", async () => {
    const session = await joinAs(perTest, urls[via], { anonymous: { authid: "alice" } });
    expect(session.authid).not.toBe("alice");
    expect(session.authid).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(session.authrole).toBe("guest");
    expect(session.authmethod).toBe("anonymous");
  });

  it("ticket (alice)", async () => {
    const session = await joinAs(perTest, urls[via], { ticket: { authid: "alice", ticket: "s3cret" } });
    expectWelcome(session, {
      authid: "alice",
      authrole: "user",
      authmethod: "ticket",
      authprovider: "static",
    });
    // The role works: "user" may call under com.example. (nobody registered it, so no_such_procedure).
    await expect(session.call("com.example.nobody")).rejects.toMatchObject({
      uri: "wamp.error.no_such_procedure",
    });
  });

  it("wampcra unsalted (bob)", async () => {
    const session = await joinAs(perTest, urls[via], { wampcra: { authid: "bob", secret: "pw" } });
    expectWelcome(session, {
      authid: "bob",
      authrole: "user",
      authmethod: "wampcra",
      authprovider: "static",
    });
  });

  it("wampcra salted (dave: salt123, 100 iterations, keylen 32; the router derives the key)", async () => {
    const session = await joinAs(perTest, urls[via], { wampcra: { authid: "dave", secret: "pw2" } });
    expectWelcome(session, {
      authid: "dave",
      authrole: "user",
      authmethod: "wampcra",
      authprovider: "static",
    });
  });

  it("cryptosign (carol, key pair from generateKeyPair), with and without authid", async () => {
    const named = await joinAs(perTest, urls[via], {
      cryptosign: { authid: "carol", privateKey: CAROL.privateKey },
    });
    expectWelcome(named, {
      authid: "carol",
      authrole: "user",
      authmethod: "cryptosign",
      authprovider: "static",
    });
    expect(named.authextra).toMatchObject({ pubkey: CAROL.publicKey });
    // Without an authid the router finds the principal by public key.
    const unnamed = await joinAs(perTest, urls[via], { cryptosign: { privateKey: CAROL.privateKey } });
    expectWelcome(unnamed, {
      authid: "carol",
      authrole: "user",
      authmethod: "cryptosign",
      authprovider: "static",
    });
  });

  it("scram argon2id-13 (erin) and pbkdf2 (frank); the router proves itself in WELCOME", async () => {
    const erin = await joinAs(perTest, urls[via], { scram: { authid: "erin", password: "pw3" } });
    expectWelcome(erin, { authid: "erin", authrole: "user", authmethod: "scram", authprovider: "static" });
    expect(typeof erin.authextra?.scram_server_signature).toBe("string");
    const frank = await joinAs(perTest, urls[via], { scram: { authid: "frank", password: "pw4" } });
    expectWelcome(frank, { authid: "frank", authrole: "user", authmethod: "scram", authprovider: "static" });
  });
});

describe("dynamic authenticator (com.example.authenticate, called as (realm, authid, details))", () => {
  it("ticket: a role string admits; details carry the method, the ticket and the transport", async () => {
    calls.length = 0;
    const session = await joinAs(perTest, urls.ws, { ticket: { authid: "dyn-ticket", ticket: "dyn-t0k3n" } });
    expectWelcome(session, {
      authid: "dyn-ticket",
      authrole: "user",
      authmethod: "ticket",
      authprovider: "dynamic",
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].realm).toBe("realm1");
    expect(calls[0].authid).toBe("dyn-ticket");
    expect(calls[0].details).toMatchObject({
      authmethod: "ticket",
      ticket: "dyn-t0k3n",
      session: session.id,
      transport: { type: "websocket" },
    });
  });

  it("ticket: a dict may rename the authid, pick the role and add authextra", async () => {
    const session = await joinAs(perTest, urls.rs, { ticket: { authid: "dyn-dict", ticket: "dict-t0k3n" } });
    expectWelcome(session, {
      authid: "renamed-by-authenticator",
      authrole: "guest",
      authmethod: "ticket",
      authprovider: "dynamic",
    });
    expect(session.authextra).toMatchObject({ tier: "gold" });
  });

  it("ticket: the authenticator throwing (unknown user / wrong ticket) is authentication_failed", async () => {
    expect(await refusalOf(perTest, urls.ws, { ticket: { authid: "dyn-ticket", ticket: "wrong" } })).toBe(
      URI.authenticationFailed,
    );
    expect(await refusalOf(perTest, urls.ws, { ticket: { authid: "dyn-nobody", ticket: "x" } })).toBe(
      URI.authenticationFailed,
    );
  });

  it("wampcra: the authenticator returns the secret (unsalted and salted)", async () => {
    const plain = await joinAs(perTest, urls.ws, { wampcra: { authid: "dyn-cra", secret: "dyn-pw" } });
    expectWelcome(plain, {
      authid: "dyn-cra",
      authrole: "user",
      authmethod: "wampcra",
      authprovider: "dynamic",
    });
    const salted = await joinAs(perTest, urls.rs, {
      wampcra: { authid: "dyn-cra-salted", secret: "dyn-pw2" },
    });
    expectWelcome(salted, {
      authid: "dyn-cra-salted",
      authrole: "guest",
      authmethod: "wampcra",
      authprovider: "dynamic",
    });
    expect(await refusalOf(perTest, urls.ws, { wampcra: { authid: "dyn-cra", secret: "nope" } })).toBe(
      URI.authenticationFailed,
    );
  });

  it("cryptosign: the authenticator returns the public key(s) for the authid, or finds the authid by key", async () => {
    calls.length = 0;
    const named = await joinAs(perTest, urls.ws, {
      cryptosign: { authid: "dyn-cs", privateKey: DYN_KEY.privateKey },
    });
    expectWelcome(named, {
      authid: "dyn-cs",
      authrole: "user",
      authmethod: "cryptosign",
      authprovider: "dynamic",
    });
    expect(calls[0].details).toMatchObject({
      authmethod: "cryptosign",
      authextra: { pubkey: DYN_KEY.publicKey },
    });
    const byKey = await joinAs(perTest, urls.rs, {
      cryptosign: { privateKey: DYN_KEY_NO_AUTHID.privateKey },
    });
    expectWelcome(byKey, {
      authid: "found-by-key",
      authrole: "guest",
      authmethod: "cryptosign",
      authprovider: "dynamic",
    });
    // A key the authenticator does not list for the authid.
    expect(
      await refusalOf(perTest, urls.ws, {
        cryptosign: { authid: "dyn-cs", privateKey: generateKeyPair().privateKey },
      }),
    ).toBe(URI.authenticationFailed);
  });
});

describe("cryptosign bound to the TLS channel (tls-unique, TLS 1.2)", () => {
  for (const name of ["wss12", "rss12"] as const) {
    it(`a component joins over ${name === "wss12" ? "WebSocket" : "RawSocket"} TLS 1.2 with channelBinding "tls-unique"`, async () => {
      const session = await joinAs(
        perTest,
        { url: urls[name], maxRetries: 0, tls: { ca: TLS.cert } },
        { cryptosign: { authid: "carol", privateKey: CAROL.privateKey, channelBinding: "tls-unique" } },
      );
      expectWelcome(session, {
        authid: "carol",
        authrole: "user",
        authmethod: "cryptosign",
        authprovider: "static",
      });
    });
  }

  it("the binding is real: CHALLENGE says tls-unique, and the unbound signature of the same challenge fails", async () => {
    const honest = await openRaw(perTest, urls.wss12);
    const hello = {
      authmethods: ["cryptosign"],
      authid: "carol",
      authextra: { pubkey: CAROL.publicKey, channel_binding: "tls-unique" },
    };
    const a = await challenged(honest, hello);
    expect(a.extra.channel_binding).toBe("tls-unique");
    expect(honest.handle.details.channelId).toHaveLength(32);
    honest.send([AUTHENTICATE, signCryptosign(CAROL.privateKey, a.extra, honest.handle.details), {}]);
    expect((await lifecycle(honest))[0]).toBe(WELCOME);

    const naive = await openRaw(perTest, urls.wss12);
    const b = await challenged(naive, hello);
    // Signing the bare challenge (as if there were no binding) must not pass.
    naive.send([
      AUTHENTICATE,
      signCryptosign(CAROL.privateKey, { challenge: b.extra.challenge }, undefined),
      {},
    ]);
    await expectAbort(naive, URI.authenticationFailed);
  });

  it("no tls-unique to bind to (plain TCP, TLS 1.3): authentication_failed", async () => {
    const auth = {
      cryptosign: { authid: "carol", privateKey: CAROL.privateKey, channelBinding: "tls-unique" as const },
    };
    expect(await refusalOf(perTest, urls.ws, auth)).toBe(URI.authenticationFailed);
    expect(await refusalOf(perTest, { url: urls.wss13, maxRetries: 0, tls: { ca: TLS.cert } }, auth)).toBe(
      URI.authenticationFailed,
    );
    // Unbound over TLS 1.3 works.
    const session = await joinAs(
      perTest,
      { url: urls.wss13, maxRetries: 0, tls: { ca: TLS.cert } },
      { cryptosign: { authid: "carol", privateKey: CAROL.privateKey } },
    );
    expect(session.authmethod).toBe("cryptosign");
  });
});

describe("several methods at once", () => {
  it("HELLO lists the configured methods in order, with one authid", () => {
    const hello = new ClientAuthentication({
      wampcra: { authid: "multi", secret: "multi-secret" },
      ticket: { authid: "multi", ticket: "multi-ticket" },
      cryptosign: { authid: "multi", privateKey: CAROL.privateKey },
    }).hello("realm1", { caller: {} });
    expect(hello[2]).toMatchObject({ authmethods: ["wampcra", "ticket", "cryptosign"], authid: "multi" });
  });

  it("the router picks the first method the client lists that it offers", async () => {
    const craFirst = await joinAs(perTest, urls.ws, {
      wampcra: { authid: "multi", secret: "multi-secret" },
      ticket: { authid: "multi", ticket: "multi-ticket" },
    });
    expect(craFirst.authmethod).toBe("wampcra");
    const ticketFirst = await joinAs(perTest, urls.rs, {
      ticket: { authid: "multi", ticket: "multi-ticket" },
      wampcra: { authid: "multi", secret: "multi-secret" },
    });
    expect(ticketFirst.authmethod).toBe("ticket");
    // A listener offering only wampcra skips the ticket the client prefers.
    const fallback = await joinAs(perTest, urls.craOnly, {
      ticket: { authid: "multi", ticket: "multi-ticket" },
      wampcra: { authid: "multi", secret: "multi-secret" },
    });
    expectWelcome(fallback, {
      authid: "multi",
      authrole: "guest",
      authmethod: "wampcra",
      authprovider: "static",
    });
    // A method the listener lacks is skipped: this one offers only cryptosign.
    const skipped = await joinAs(
      perTest,
      { url: urls.wss13, maxRetries: 0, tls: { ca: TLS.cert } },
      {
        ticket: { authid: "carol", ticket: "x" },
        cryptosign: { authid: "carol", privateKey: CAROL.privateKey },
      },
    );
    expect(skipped.authmethod).toBe("cryptosign");
    // The first offered method decides: an unknown SCRAM user is refused, no fallback to anonymous.
    expect(
      await refusalOf(perTest, urls.ws, {
        scram: { authid: "nobody", password: "x" },
        anonymous: { authid: "nobody" },
      }),
    ).toBe(URI.authenticationFailed);
  });
});

describe("the issue's example configuration, verbatim (ports 0)", () => {
  let router: Router;
  let ws: string;
  let rs: string;
  const local = new Teardown();

  beforeAll(async () => {
    router = await local.router(issueConfig());
    [ws, rs] = router.listeners.map((l) => l.url);
    // Its dynamic authenticator registered by alice (role user may register under com.example.).
    const alice = local.component({
      transports: ws,
      authentication: { ticket: { authid: "alice", ticket: "s3cret" } },
    });
    alice.register("com.example.authenticate", (args) => {
      const [realm, authid, details] = args as [string, string, Record<string, unknown>];
      return realm === "realm1" && authid === "zoe" && details.ticket === "z" ? "guest" : undefined;
    });
    const ready = new Promise<void>((resolve) => alice.on("ready", () => resolve()));
    void alice.start();
    await ready;
  });
  afterAll(() => local.run());

  it("admits every principal with the configured role", async () => {
    const cases: Array<[Parameters<typeof joinAs>[2], string, string, string, string]> = [
      [undefined, "", "guest", "anonymous", "static"],
      [{ ticket: { authid: "alice", ticket: "s3cret" } }, "alice", "user", "ticket", "static"],
      [{ wampcra: { authid: "bob", secret: "pw" } }, "bob", "user", "wampcra", "static"],
      [{ wampcra: { authid: "dave", secret: "pw2" } }, "dave", "user", "wampcra", "static"],
      [
        { cryptosign: { authid: "carol", privateKey: CAROL.privateKey } },
        "carol",
        "user",
        "cryptosign",
        "static",
      ],
      [{ scram: { authid: "erin", password: "pw3" } }, "erin", "user", "scram", "static"],
      [{ ticket: { authid: "zoe", ticket: "z" } }, "zoe", "guest", "ticket", "dynamic"],
    ];
    for (const [authentication, authid, authrole, authmethod, authprovider] of cases) {
      const session = await joinAs(perTest, ws, authentication);
      expect(session.welcome, authmethod).toMatchObject({ authrole, authmethod, authprovider });
      if (authid !== "") expect(session.authid).toBe(authid);
    }
    // The RawSocket listener admits anonymous sessions as "user".
    const onRs = await joinAs(perTest, rs, undefined);
    expect(onRs.welcome).toMatchObject({ authrole: "user", authmethod: "anonymous" });
    // The authenticator returning nothing (null) for someone else: refused.
    expect(await refusalOf(perTest, ws, { ticket: { authid: "zoe", ticket: "wrong" } })).toBe(
      URI.authenticationFailed,
    );
  });
});
