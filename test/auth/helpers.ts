/**
 * Helpers for the authentication and authorization tests: the issue's example configuration (realm
 * roles "user" and "guest"; a listener offering anonymous, ticket, wampcra, cryptosign, scram and a
 * dynamic authenticator), components that join or get refused over real loopback sockets, and a raw
 * client for the failure paths (hand-written HELLO / AUTHENTICATE, the ABORT it gets back).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { AuthenticationConfig } from "../../src/auth/client.js";
import { generateKeyPair } from "../../src/cli/keygen.js";
import type { ComponentSession } from "../../src/component/componentSession.js";
import type { TransportConfig } from "../../src/component/config.js";
import { type Component, type ComponentConfig, createComponent } from "../../src/component.js";
import type { WampError } from "../../src/errors.js";
import type { ListenerAuthConfig, RoleConfig } from "../../src/router/authConfig.js";
import { createRouter, type Router, type RouterConfig } from "../../src/router/router.js";
import { openRawSocket } from "../../src/transports/rawsocket/client.js";
import { openWebSocket } from "../../src/transports/websocket/client.js";
import { RawClient } from "../router/rawClient.js";

export const HELLO = 1;
export const WELCOME = 2;
export const ABORT = 3;
export const CHALLENGE = 4;
export const AUTHENTICATE = 5;
export const ERROR = 8;

export const URI = {
  authenticationFailed: "wamp.error.authentication_failed",
  noAuthMethod: "wamp.error.no_auth_method",
  notAuthorized: "wamp.error.not_authorized",
  timeout: "wamp.error.timeout",
  protocolViolation: "wamp.error.protocol_violation",
} as const;

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url)), "utf8");

/** The test certificate (CN localhost, SAN 127.0.0.1) and its key. */
export const TLS = { cert: fixture("cert.pem"), key: fixture("key.pem") };

/** Carol's Ed25519 key pair (what `xwamp keygen` prints), and a key nobody authorized. */
export const CAROL = generateKeyPair();
export const MALLORY = generateKeyPair();

/** The issue's realm roles: "user" may do everything under com.example., "guest" only call and subscribe under com.public. */
export function issueRoles(): RoleConfig[] {
  return [
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
  ];
}

/** The issue's listener `auth` (carol's key filled in). */
export function issueAuth(carolPublicKey = CAROL.publicKey): ListenerAuthConfig {
  return {
    anonymous: { role: "guest" },
    ticket: { principals: { alice: { ticket: "s3cret", role: "user" } } },
    wampcra: {
      users: {
        bob: { secret: "pw", role: "user" },
        dave: { secret: "pw2", role: "user", salt: "salt123", iterations: 100, keylen: 32 },
      },
    },
    cryptosign: { principals: { carol: { authorizedKeys: [carolPublicKey], role: "user" } } },
    scram: { principals: { erin: { password: "pw3", role: "user", kdf: "argon2id-13" } } },
    dynamic: { authenticator: "com.example.authenticate" },
  };
}

/**
 * The issue's example configuration, as JSON would carry it, with port 0 instead of 8080/8081 (the
 * OS picks free ports).
 */
export function issueConfig(carolPublicKey = CAROL.publicKey): RouterConfig {
  return {
    realms: [{ name: "realm1", roles: issueRoles() }],
    listeners: [
      { type: "websocket", port: 0, path: "/ws", auth: issueAuth(carolPublicKey) },
      { type: "rawsocket", port: 0, auth: { anonymous: { role: "user" } } },
    ],
  };
}

/** Routers, components and raw clients to tear down after each test. */
export class Teardown {
  readonly routers: Router[] = [];
  readonly components: Component[] = [];
  readonly raws: RawClient[] = [];

  async router(config: RouterConfig): Promise<Router> {
    const router = await createRouter(config);
    this.routers.push(router);
    return router;
  }

  component(config: ComponentConfig): Component {
    const c = createComponent({ logLevel: "off", ...config });
    this.components.push(c);
    return c;
  }

  async run(): Promise<void> {
    for (const raw of this.raws.splice(0)) if (raw.handle?.isOpen) raw.handle.abort();
    await Promise.all(this.components.splice(0).map((c) => c.stop()));
    await Promise.all(this.routers.splice(0).map((r) => r.close()));
  }
}

/** A transport that tries exactly once (a refusal is then the component's only attempt). */
export function once(url: string, extra: Partial<TransportConfig> = {}): TransportConfig {
  return { url, maxRetries: 0, ...extra };
}

/**
 * Start a component with `authentication` and wait for its first outcome: the joined session, or
 * the error of its first failed attempt (connectfailure).
 */
export async function attempt(
  teardown: Teardown,
  transport: string | TransportConfig,
  authentication: AuthenticationConfig | undefined,
  extra: Partial<ComponentConfig> = {},
): Promise<{ session?: ComponentSession; error?: WampError; component: Component }> {
  const component = teardown.component({
    transports: typeof transport === "string" ? once(transport) : transport,
    ...(authentication === undefined ? {} : { authentication }),
    ...extra,
  });
  const outcome = new Promise<{ session?: ComponentSession; error?: WampError }>((resolve) => {
    component.on("join", (session) => resolve({ session }));
    component.on("connectfailure", (error) => resolve({ error }));
  });
  void component.start().catch(() => {});
  return { ...(await outcome), component };
}

/** Join with `authentication`; fails the test with the refusal when the router says no. */
export async function joinAs(
  teardown: Teardown,
  transport: string | TransportConfig,
  authentication: AuthenticationConfig | undefined,
  extra: Partial<ComponentConfig> = {},
): Promise<ComponentSession> {
  const { session, error } = await attempt(teardown, transport, authentication, extra);
  if (session === undefined) throw new Error(`join refused: ${error?.code} ${error?.message}`);
  return session;
}

/** The URI of the refusal a component gets for `authentication` (its first attempt must fail). */
export async function refusalOf(
  teardown: Teardown,
  transport: string | TransportConfig,
  authentication: AuthenticationConfig | undefined,
  extra: Partial<ComponentConfig> = {},
): Promise<string | undefined> {
  const { session, error } = await attempt(teardown, transport, authentication, extra);
  expect(session, "the router should have refused").toBeUndefined();
  return (error as { uri?: string } | undefined)?.uri;
}

/** Every role a raw client announces in HELLO. */
export const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };

/** A raw client on `url` (ws://, wss://, rs://, rss://), TLS trusting the test certificate. */
export async function openRaw(teardown: Teardown, url: string): Promise<RawClient> {
  const client = new RawClient();
  teardown.raws.push(client);
  if (url.startsWith("ws"))
    await openWebSocket({ url, serializers: ["json"], tls: { ca: TLS.cert } }, client);
  else await openRawSocket({ url, serializer: "json", tls: { ca: TLS.cert } }, client);
  return client;
}

/** Send HELLO with `details` (roles added) on `realm`. */
export function sendHello(client: RawClient, details: Record<string, unknown>, realm = "realm1"): void {
  client.send([HELLO, realm, { roles: ROLES, ...details }]);
}

/** The next CHALLENGE, WELCOME or ABORT. */
export function lifecycle(client: RawClient, timeoutMs = 5000): Promise<unknown[]> {
  return client.next((m) => m[0] === CHALLENGE || m[0] === WELCOME || m[0] === ABORT, timeoutMs);
}

/** Expect an ABORT with `uri` and return it (the connection is then closed by the router). */
export async function expectAbort(client: RawClient, uri: string): Promise<unknown[]> {
  const message = await lifecycle(client);
  expect(message[0], JSON.stringify(message)).toBe(ABORT);
  expect(message[2]).toBe(uri);
  await client.waitClosed();
  return message;
}

/** HELLO, then the CHALLENGE the router must answer with (fails the test otherwise). */
export async function challenged(
  client: RawClient,
  details: Record<string, unknown>,
  realm = "realm1",
): Promise<{ method: string; extra: Record<string, unknown> }> {
  sendHello(client, details, realm);
  const message = await lifecycle(client);
  expect(message[0], JSON.stringify(message)).toBe(CHALLENGE);
  return { method: message[1] as string, extra: message[2] as Record<string, unknown> };
}

/** Wait (bounded) until `predicate` holds. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves `false` when `promise` does not settle within `ms` (for "nothing arrives" checks). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}
