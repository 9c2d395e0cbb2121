/**
 * Router authentication and roles configuration, validated through `createRouter`: every invalid
 * configuration is refused with a ConfigError whose `key` names the offending key exactly (typos
 * inside principals, `anonymous` and `dynamic` included), and the README's example shape is accepted
 * and takes effect.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import type { ListenerAuthConfig, RoleConfig } from "../../src/router/authConfig.js";
import { createRouter, type Router, type RouterConfig } from "../../src/router/router.js";
import { openRaw } from "./liveRouter.js";
import type { RawClient } from "./rawClient.js";

const KEY = "a".repeat(64);
const AUTH = "listeners[0].auth";
const ROLE = "realms[0].roles[0]";
const PERM = `${ROLE}.permissions[0]`;

const routers: Router[] = [];
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) if (c.closed === undefined) c.handle.abort();
  await Promise.all(routers.splice(0).map((r) => r.close()));
});

async function start(config: RouterConfig): Promise<Router> {
  const router = await createRouter(config);
  routers.push(router);
  return router;
}

/** The ConfigError `createRouter(config)` rejects with (fails the test when it resolves). */
async function refusal(config: RouterConfig): Promise<ConfigError> {
  let router: Router | undefined;
  try {
    router = await createRouter(config);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe("CONFIG_INVALID");
    return err as ConfigError;
  }
  await router.close();
  throw new Error("createRouter accepted an invalid configuration");
}

/** A websocket listener with `auth` (typed loosely: the point is to pass what the types forbid). */
function withAuth(auth: unknown): RouterConfig {
  return {
    realms: ["realm1"],
    listeners: [{ type: "websocket", port: 0, auth: auth as ListenerAuthConfig }],
  };
}

/** realm1 with `roles`, no listeners. */
function withRoles(roles: unknown): RouterConfig {
  return { realms: [{ name: "realm1", roles: roles as RoleConfig[] }] };
}

/** One role named `user` with one permission. */
function withPermission(permission: unknown): RouterConfig {
  return withRoles([{ name: "user", permissions: [permission] }]);
}

const ticket = (principal: unknown) => withAuth({ ticket: { principals: { alice: principal } } });
const wampcra = (user: unknown) => withAuth({ wampcra: { users: { bob: user } } });
const cryptosign = (principal: unknown) => withAuth({ cryptosign: { principals: { carol: principal } } });
const scram = (principal: unknown) => withAuth({ scram: { principals: { erin: principal } } });
const dynamic = (section: unknown) => withAuth({ dynamic: section });

const INVALID: Array<{ what: string; config: RouterConfig; key: string }> = [
  // listener auth: its shape and method keys
  { what: "auth not an object", config: withAuth("anonymous"), key: AUTH },
  { what: "auth a list", config: withAuth([{ anonymous: { role: "x" } }]), key: AUTH },
  { what: "unknown auth method key", config: withAuth({ tikcet: {} }), key: `${AUTH}.tikcet` },
  {
    what: "unknown method scram-sha256",
    config: withAuth({ "scram-sha256": {} }),
    key: `${AUTH}.scram-sha256`,
  },
  {
    what: "auth error on the second listener",
    config: {
      listeners: [
        { type: "websocket", port: 0, auth: { anonymous: { role: "guest" } } },
        { type: "rawsocket", port: 0, auth: { anonymous: {} } as unknown as ListenerAuthConfig },
      ],
    },
    key: "listeners[1].auth.anonymous.role",
  },
  // anonymous
  { what: "anonymous without role", config: withAuth({ anonymous: {} }), key: `${AUTH}.anonymous.role` },
  {
    what: "anonymous role empty",
    config: withAuth({ anonymous: { role: "" } }),
    key: `${AUTH}.anonymous.role`,
  },
  { what: "anonymous not an object", config: withAuth({ anonymous: "guest" }), key: `${AUTH}.anonymous` },
  {
    what: "anonymous with a typo (rol)",
    config: withAuth({ anonymous: { rol: "guest" } }),
    key: `${AUTH}.anonymous.rol`,
  },
  {
    what: "anonymous with an unknown key",
    config: withAuth({ anonymous: { role: "guest", authid: "x" } }),
    key: `${AUTH}.anonymous.authid`,
  },
  {
    what: "anonymous realm not a string",
    config: withAuth({ anonymous: { role: "guest", realm: 1 } }),
    key: `${AUTH}.anonymous.realm`,
  },
  // ticket
  { what: "ticket section null", config: withAuth({ ticket: null }), key: `${AUTH}.ticket` },
  { what: "ticket principals missing", config: withAuth({ ticket: {} }), key: `${AUTH}.ticket.principals` },
  {
    what: "ticket principals null",
    config: withAuth({ ticket: { principals: null } }),
    key: `${AUTH}.ticket.principals`,
  },
  {
    what: "ticket principals a list",
    config: withAuth({ ticket: { principals: [{ ticket: "t", role: "user" }] } }),
    key: `${AUTH}.ticket.principals`,
  },
  {
    what: "ticket principals a string",
    config: withAuth({ ticket: { principals: "alice" } }),
    key: `${AUTH}.ticket.principals`,
  },
  {
    what: "ticket section with an unknown key",
    config: withAuth({ ticket: { principals: {}, principal: {} } }),
    key: `${AUTH}.ticket.principal`,
  },
  {
    what: "ticket principal not an object",
    config: ticket("s3cret"),
    key: `${AUTH}.ticket.principals.alice`,
  },
  {
    what: "ticket principal without role",
    config: ticket({ ticket: "s3cret" }),
    key: `${AUTH}.ticket.principals.alice.role`,
  },
  {
    what: "ticket principal without ticket",
    config: ticket({ role: "user" }),
    key: `${AUTH}.ticket.principals.alice.ticket`,
  },
  {
    what: "ticket principal with a typo (tiket)",
    config: ticket({ tiket: "s3cret", role: "user" }),
    key: `${AUTH}.ticket.principals.alice.tiket`,
  },
  {
    what: "ticket principal with a typo (rol)",
    config: ticket({ ticket: "s3cret", rol: "user" }),
    key: `${AUTH}.ticket.principals.alice.rol`,
  },
  {
    what: "ticket principal with a wampcra key (secret)",
    config: ticket({ ticket: "s3cret", role: "user", secret: "pw" }),
    key: `${AUTH}.ticket.principals.alice.secret`,
  },
  // wampcra
  {
    what: "wampcra users not an object",
    config: withAuth({ wampcra: { users: ["bob"] } }),
    key: `${AUTH}.wampcra.users`,
  },
  {
    what: "wampcra with principals instead of users",
    config: withAuth({ wampcra: { principals: { bob: { secret: "pw", role: "user" } } } }),
    key: `${AUTH}.wampcra.principals`,
  },
  {
    what: "wampcra user without role",
    config: wampcra({ secret: "pw" }),
    key: `${AUTH}.wampcra.users.bob.role`,
  },
  {
    what: "wampcra user without secret",
    config: wampcra({ role: "user" }),
    key: `${AUTH}.wampcra.users.bob.secret`,
  },
  {
    what: "wampcra user with a typo (secrte)",
    config: wampcra({ secrte: "pw", role: "user" }),
    key: `${AUTH}.wampcra.users.bob.secrte`,
  },
  {
    what: "wampcra user iterations 0",
    config: wampcra({ secret: "pw", role: "user", salt: "s", iterations: 0 }),
    key: `${AUTH}.wampcra.users.bob.iterations`,
  },
  {
    what: "wampcra user keylen 1.5",
    config: wampcra({ secret: "pw", role: "user", salt: "s", keylen: 1.5 }),
    key: `${AUTH}.wampcra.users.bob.keylen`,
  },
  // cryptosign
  {
    what: "cryptosign principals not an object",
    config: withAuth({ cryptosign: { principals: 7 } }),
    key: `${AUTH}.cryptosign.principals`,
  },
  {
    what: "cryptosign principal without role",
    config: cryptosign({ authorizedKeys: [KEY] }),
    key: `${AUTH}.cryptosign.principals.carol.role`,
  },
  {
    what: "cryptosign authorizedKeys empty",
    config: cryptosign({ authorizedKeys: [], role: "user" }),
    key: `${AUTH}.cryptosign.principals.carol.authorizedKeys`,
  },
  {
    what: "cryptosign authorizedKeys missing",
    config: cryptosign({ role: "user" }),
    key: `${AUTH}.cryptosign.principals.carol.authorizedKeys`,
  },
  {
    what: "cryptosign authorizedKeys a string",
    config: cryptosign({ authorizedKeys: KEY, role: "user" }),
    key: `${AUTH}.cryptosign.principals.carol.authorizedKeys`,
  },
  {
    what: "cryptosign authorizedKeys[0] 63 hex",
    config: cryptosign({ authorizedKeys: [KEY.slice(1)], role: "user" }),
    key: `${AUTH}.cryptosign.principals.carol.authorizedKeys[0]`,
  },
  {
    what: "cryptosign authorizedKeys[1] 65 hex",
    config: cryptosign({ authorizedKeys: [KEY, `${KEY}a`], role: "user" }),
    key: `${AUTH}.cryptosign.principals.carol.authorizedKeys[1]`,
  },
  {
    what: "cryptosign authorizedKeys[1] not hex",
    config: cryptosign({ authorizedKeys: [KEY, "g".repeat(64)], role: "user" }),
    key: `${AUTH}.cryptosign.principals.carol.authorizedKeys[1]`,
  },
  {
    what: "cryptosign authorizedKeys[2] not a string",
    config: cryptosign({ authorizedKeys: [KEY, KEY, 42], role: "user" }),
    key: `${AUTH}.cryptosign.principals.carol.authorizedKeys[2]`,
  },
  {
    what: "cryptosign principal with a typo (authorizedKey)",
    config: cryptosign({ authorizedKey: [KEY], role: "user" }),
    key: `${AUTH}.cryptosign.principals.carol.authorizedKey`,
  },
  // scram
  {
    what: "scram principal without role",
    config: scram({ password: "pw" }),
    key: `${AUTH}.scram.principals.erin.role`,
  },
  {
    what: "scram without password or stored keys",
    config: scram({ role: "user", kdf: "pbkdf2" }),
    key: `${AUTH}.scram.principals.erin.password`,
  },
  {
    what: "scram password not a string",
    config: scram({ role: "user", password: 1234 }),
    key: `${AUTH}.scram.principals.erin.password`,
  },
  {
    what: "scram storedKey without serverKey",
    config: scram({ role: "user", storedKey: "c3RvcmVk", salt: "c2FsdA==" }),
    key: `${AUTH}.scram.principals.erin.serverKey`,
  },
  {
    what: "scram stored keys without salt",
    config: scram({ role: "user", storedKey: "c3RvcmVk", serverKey: "c2VydmVy" }),
    key: `${AUTH}.scram.principals.erin.salt`,
  },
  {
    what: "scram kdf scrypt",
    config: scram({ role: "user", password: "pw", kdf: "scrypt" }),
    key: `${AUTH}.scram.principals.erin.kdf`,
  },
  {
    what: "scram kdf argon2id (without -13)",
    config: scram({ role: "user", password: "pw", kdf: "argon2id" }),
    key: `${AUTH}.scram.principals.erin.kdf`,
  },
  {
    what: "scram memory -1",
    config: scram({ role: "user", password: "pw", kdf: "argon2id-13", memory: -1 }),
    key: `${AUTH}.scram.principals.erin.memory`,
  },
  {
    what: "scram principal with a typo (pasword)",
    config: scram({ role: "user", pasword: "pw" }),
    key: `${AUTH}.scram.principals.erin.pasword`,
  },
  // dynamic
  { what: "dynamic not an object", config: dynamic("com.example.auth"), key: `${AUTH}.dynamic` },
  { what: "dynamic without authenticator", config: dynamic({}), key: `${AUTH}.dynamic.authenticator` },
  {
    what: "dynamic authenticator empty",
    config: dynamic({ authenticator: "" }),
    key: `${AUTH}.dynamic.authenticator`,
  },
  {
    what: "dynamic with a typo (authentictor)",
    config: dynamic({ authentictor: "com.example.auth" }),
    key: `${AUTH}.dynamic.authentictor`,
  },
  {
    what: "dynamic with an unknown key",
    config: dynamic({ authenticator: "com.example.auth", role: "user" }),
    key: `${AUTH}.dynamic.role`,
  },
  {
    what: "dynamic.methods with an unknown method",
    config: dynamic({ authenticator: "com.example.auth", methods: ["ticket", "scram"] }),
    key: `${AUTH}.dynamic.methods[1]`,
  },
  {
    what: "dynamic.methods with anonymous",
    config: dynamic({ authenticator: "com.example.auth", methods: ["anonymous"] }),
    key: `${AUTH}.dynamic.methods[0]`,
  },
  {
    what: "dynamic.methods not a list",
    config: dynamic({ authenticator: "com.example.auth", methods: "ticket" }),
    key: `${AUTH}.dynamic.methods`,
  },
  {
    what: "dynamic realm empty",
    config: dynamic({ authenticator: "com.example.auth", realm: "" }),
    key: `${AUTH}.dynamic.realm`,
  },
  // timeout
  {
    what: "timeout 0",
    config: withAuth({ anonymous: { role: "guest" }, timeout: 0 }),
    key: `${AUTH}.timeout`,
  },
  {
    what: "timeout -1",
    config: withAuth({ anonymous: { role: "guest" }, timeout: -1 }),
    key: `${AUTH}.timeout`,
  },
  {
    what: "timeout 1.5",
    config: withAuth({ anonymous: { role: "guest" }, timeout: 1.5 }),
    key: `${AUTH}.timeout`,
  },
  {
    what: "timeout a string",
    config: withAuth({ anonymous: { role: "guest" }, timeout: "10000" }),
    key: `${AUTH}.timeout`,
  },
  // roles
  { what: "roles not a list", config: withRoles({ user: {} }), key: "realms[0].roles" },
  { what: "role not an object", config: withRoles(["user"]), key: ROLE },
  { what: "role without name", config: withRoles([{ permissions: [] }]), key: `${ROLE}.name` },
  {
    what: "duplicate role name",
    config: withRoles([{ name: "user" }, { name: "guest" }, { name: "user" }]),
    key: "realms[0].roles[2].name",
  },
  {
    what: "unknown key in a role",
    config: withRoles([{ name: "user", perms: [] }]),
    key: `${ROLE}.perms`,
  },
  {
    what: "permissions not a list",
    config: withRoles([{ name: "user", permissions: {} }]),
    key: `${ROLE}.permissions`,
  },
  { what: "permission not an object", config: withPermission("com.example."), key: PERM },
  { what: "permission without uri", config: withPermission({ match: "prefix" }), key: `${PERM}.uri` },
  {
    what: "bad permission match",
    config: withPermission({ uri: "com.example.", match: "regex" }),
    key: `${PERM}.match`,
  },
  {
    what: "allow.call not boolean",
    config: withPermission({ uri: "com.example.", allow: { call: "yes" } }),
    key: `${PERM}.allow.call`,
  },
  {
    what: "allow.subscribe 1",
    config: withPermission({ uri: "com.example.", allow: { call: true, subscribe: 1 } }),
    key: `${PERM}.allow.subscribe`,
  },
  {
    what: "unknown action in allow",
    config: withPermission({ uri: "com.example.", allow: { execute: true } }),
    key: `${PERM}.allow.execute`,
  },
  {
    what: "unknown disclose key",
    config: withPermission({ uri: "com.example.", disclose: { subscriber: true } }),
    key: `${PERM}.disclose.subscriber`,
  },
  {
    what: "disclose.caller not boolean",
    config: withPermission({ uri: "com.example.", disclose: { caller: "true" } }),
    key: `${PERM}.disclose.caller`,
  },
  {
    what: "unknown key in a permission",
    config: withPermission({ uri: "com.example.", cache: true }),
    key: `${PERM}.cache`,
  },
  {
    what: "bad permission in the second realm's second role",
    config: {
      realms: [
        "realm1",
        {
          name: "realm2",
          roles: [{ name: "a" }, { name: "b", permissions: [{ uri: "x", match: "glob" as "exact" }] }],
        },
      ],
    },
    key: "realms[1].roles[1].permissions[0].match",
  },
];

describe("invalid auth and roles configuration", () => {
  it.each(INVALID)("$what → ConfigError naming $key", async ({ config, key }) => {
    expect((await refusal(config)).key).toBe(key);
  });
});

/** The README's example, on port 0 with a real Ed25519 public key. */
function readmeConfig(): RouterConfig {
  return {
    realms: [
      {
        name: "realm1",
        roles: [
          {
            name: "user",
            permissions: [
              {
                uri: "com.example.",
                match: "prefix",
                allow: { call: true, register: true, publish: true, subscribe: true },
                disclose: { caller: true, publisher: true },
              },
            ],
          },
          {
            name: "guest",
            permissions: [
              {
                uri: "com.public.",
                match: "prefix",
                allow: { call: true, register: false, publish: false, subscribe: true },
              },
            ],
          },
        ],
      },
    ],
    listeners: [
      {
        type: "websocket",
        port: 0,
        path: "/ws",
        auth: {
          anonymous: { role: "guest" },
          ticket: { principals: { alice: { ticket: "s3cret", role: "user" } } },
          wampcra: {
            users: {
              bob: { secret: "pw", role: "user" },
              dave: { secret: "pw2", role: "user", salt: "salt123", iterations: 100, keylen: 32 },
            },
          },
          cryptosign: { principals: { carol: { authorizedKeys: [KEY.toUpperCase()], role: "user" } } },
          scram: { principals: { erin: { password: "pw3", role: "user", kdf: "argon2id-13" } } },
          dynamic: { authenticator: "com.example.authenticate" },
        },
      },
      { type: "rawsocket", port: 0, auth: { anonymous: { role: "user" } } },
    ],
  };
}

describe("valid auth and roles configuration", () => {
  it("accepts the README's example and applies it (anonymous roles per listener, a ticket principal)", async () => {
    const router = await start(readmeConfig());
    expect(router.listeners.map((l) => l.type)).toEqual(["websocket", "rawsocket"]);

    const guest = await openRaw(router, "websocket");
    clients.push(guest);
    const welcome = await guest.join("realm1", { authmethods: ["anonymous"] });
    expect((welcome[2] as Record<string, unknown>).authrole).toBe("guest");
    expect((welcome[2] as Record<string, unknown>).authmethod).toBe("anonymous");

    const user = await openRaw(router, "rawsocket");
    clients.push(user);
    expect(((await user.join("realm1"))[2] as Record<string, unknown>).authrole).toBe("user");

    const alice = await openRaw(router, "websocket");
    clients.push(alice);
    alice.send([1, "realm1", { roles: { caller: {} }, authmethods: ["ticket"], authid: "alice" }]);
    expect((await alice.expect(4))[1]).toBe("ticket");
    alice.send([5, "s3cret", {}]);
    const details = (await alice.expect(2))[2] as Record<string, unknown>;
    expect(details.authid).toBe("alice");
    expect(details.authrole).toBe("user");
  });

  it.each<{ what: string; auth: ListenerAuthConfig }>([
    { what: "an empty auth section", auth: {} },
    {
      what: "realm-bound principals",
      auth: { ticket: { principals: { a: { ticket: "t", role: "r", realm: "realm1" } } } },
    },
    {
      what: "scram stored credentials",
      auth: {
        scram: {
          principals: {
            e: {
              role: "user",
              kdf: "pbkdf2",
              iterations: 4096,
              salt: "c2FsdA==",
              storedKey: "c3RvcmVk",
              serverKey: "c2VydmVy",
            },
          },
        },
      },
    },
    {
      what: "dynamic with realm and methods, plus a timeout",
      auth: {
        dynamic: {
          authenticator: "com.example.auth",
          realm: "realm1",
          methods: ["ticket", "wampcra", "cryptosign"],
        },
        timeout: 2500,
      },
    },
    { what: "empty principal maps", auth: { ticket: { principals: {} }, cryptosign: { principals: {} } } },
  ])("accepts $what", async ({ auth }) => {
    const router = await start(withAuth(auth));
    expect(router.listeners).toHaveLength(1);
  });

  it("accepts roles without permissions and permissions with only a uri", async () => {
    const router = await start(withRoles([{ name: "a" }, { name: "b", permissions: [{ uri: "com.b" }] }]));
    expect(router.realm("realm1")).toBeDefined();
  });
});
