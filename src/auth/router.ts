/**
 * Router-side authentication of one listener: pick a method from the client's HELLO, issue the
 * CHALLENGE, verify the AUTHENTICATE. Static principals come from the listener configuration;
 * others may come from a dynamic authenticator procedure. Failures carry only the spec's URI, never
 * a detail that helps an attacker (unknown authid and wrong secret look the same).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import nacl from "tweetnacl";
import { WampError, WampUri } from "../errors.js";
import type { CryptosignPrincipal, ListenerAuthConfig, ScramPrincipal } from "../router/authConfig.js";
import { TRUSTED_ROLE } from "../router/authorizer.js";
import type { TransportDetails } from "../transports/types.js";
import { deriveWampcraKey } from "./client.js";
import {
  deriveScramCredentials,
  type ScramParams,
  scramAuthMessage,
  scramServerSignature,
  scramVerifyProof,
} from "./scram.js";

type Dict = Record<string, unknown>;

/** Who a session is, once authenticated. */
export interface AuthenticatedPrincipal {
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod: string;
  readonly authprovider: "static" | "dynamic";
  readonly authextra?: Dict;
  /** The realm the principal is bound to, when configured; the session must be joining it. */
  readonly realm?: string;
  /** Sessions of the no-auth development default may do everything. */
  readonly trusted?: boolean;
}

/** The router refuses: ABORT with `uri`. */
export class AuthRefusedError extends WampError {
  readonly uri: string;
  constructor(uri: string, message = "authentication refused") {
    super("AUTH_REFUSED", message);
    this.uri = uri;
  }
}

/** What to do after HELLO. */
export type AuthStep =
  | { kind: "welcome"; principal: AuthenticatedPrincipal }
  | {
      kind: "challenge";
      method: string;
      extra: Dict;
      verify(signature: string, extra: Dict): Promise<AuthenticatedPrincipal>;
    };

/** Calls the dynamic authenticator procedure: `(realm, procedure, args) → first result value`. */
export type AuthenticatorCall = (realm: string, procedure: string, args: unknown[]) => Promise<unknown>;

export interface HelloContext {
  realm: string;
  details: Dict;
  sessionId: number;
  transport: TransportDetails;
}

const SUPPORTED = ["anonymous", "ticket", "wampcra", "cryptosign", "scram"] as const;
type Method = (typeof SUPPORTED)[number];

const failed = () => new AuthRefusedError(WampUri.authenticationFailed);

/** Authentication for one listener (undefined config: anonymous development default). */
export class ListenerAuthenticator {
  constructor(
    private readonly config: ListenerAuthConfig | undefined,
    private readonly callAuthenticator: AuthenticatorCall,
  ) {}

  get timeout(): number {
    return this.config?.timeout ?? 10_000;
  }

  async begin(hello: HelloContext): Promise<AuthStep> {
    const config = this.config;
    const authid = typeof hello.details.authid === "string" ? hello.details.authid : undefined;
    if (config === undefined) {
      return {
        kind: "welcome",
        principal: {
          authid: authid ?? anonymousId(),
          authrole: TRUSTED_ROLE,
          authmethod: "anonymous",
          authprovider: "static",
          trusted: true,
        },
      };
    }
    const requested = Array.isArray(hello.details.authmethods)
      ? (hello.details.authmethods as unknown[])
      : ["anonymous"];
    for (const m of requested) {
      if (typeof m !== "string" || !(SUPPORTED as readonly string[]).includes(m) || !this.offers(m as Method))
        continue;
      switch (m as Method) {
        case "anonymous":
          return {
            kind: "welcome",
            principal: {
              // Never the authid the client asks for: an anonymous guest must not be disclosed to
              // callees and subscribers under somebody else's name.
              authid: anonymousId(),
              authrole: config.anonymous!.role,
              authmethod: "anonymous",
              authprovider: "static",
              ...realmOf(config.anonymous!.realm),
            },
          };
        case "ticket":
          return this.ticket(hello, authid);
        case "wampcra":
          return this.wampcra(hello, authid);
        case "cryptosign":
          return this.cryptosign(hello, authid);
        case "scram":
          return this.scram(hello, authid);
      }
    }
    throw new AuthRefusedError(WampUri.noAuthMethod, "no authentication method in common");
  }

  private offers(method: Method): boolean {
    const c = this.config!;
    const dynamic =
      c.dynamic !== undefined &&
      (c.dynamic.methods ?? ["ticket", "wampcra", "cryptosign"]).includes(method as "ticket");
    return c[method] !== undefined || dynamic;
  }

  private dynamicFor(method: "ticket" | "wampcra" | "cryptosign"): ListenerAuthConfig["dynamic"] | undefined {
    const d = this.config!.dynamic;
    return d !== undefined && (d.methods ?? ["ticket", "wampcra", "cryptosign"]).includes(method)
      ? d
      : undefined;
  }

  private async askAuthenticator(
    hello: HelloContext,
    method: string,
    authid: string | undefined,
    extra: Dict,
  ): Promise<Dict> {
    const dynamic = this.config!.dynamic!;
    const details = {
      authmethod: method,
      authextra: hello.details.authextra ?? {},
      session: hello.sessionId,
      transport: { peer: hello.transport.peer, type: hello.transport.kind },
      ...extra,
    };
    let answer: unknown;
    try {
      answer = await this.callAuthenticator(dynamic.realm ?? hello.realm, dynamic.authenticator, [
        hello.realm,
        authid ?? null,
        details,
      ]);
    } catch {
      throw failed();
    }
    if (typeof answer === "string") return { role: answer };
    if (typeof answer === "object" && answer !== null && !Array.isArray(answer)) return answer as Dict;
    throw failed();
  }

  private ticket(hello: HelloContext, authid: string | undefined): AuthStep {
    if (authid === undefined) throw failed();
    const entry = this.config!.ticket?.principals[authid];
    const dynamic = entry === undefined ? this.dynamicFor("ticket") : undefined;
    return {
      kind: "challenge",
      method: "ticket",
      extra: {},
      verify: async (signature) => {
        if (entry !== undefined) {
          if (!sameString(signature, entry.ticket)) throw failed();
          return principal(authid, entry.role, "ticket", "static", entry.realm);
        }
        if (dynamic === undefined) throw failed();
        const answer = await this.askAuthenticator(hello, "ticket", authid, { ticket: signature });
        return fromAnswer(answer, authid, "ticket");
      },
    };
  }

  private async wampcra(hello: HelloContext, authid: string | undefined): Promise<AuthStep> {
    if (authid === undefined) throw failed();
    let user:
      | {
          secret: string;
          role: string;
          realm?: string;
          salt?: string;
          iterations?: number;
          keylen?: number;
          provider: "static" | "dynamic";
        }
      | undefined;
    const entry = this.config!.wampcra?.users[authid];
    if (entry !== undefined) user = { ...entry, provider: "static" };
    else if (this.dynamicFor("wampcra") !== undefined) {
      // A refusal waits for the AUTHENTICATE (below), as for an unknown static authid.
      const answer = await this.askAuthenticator(hello, "wampcra", authid, {}).catch(() => undefined);
      if (answer !== undefined && typeof answer.secret === "string" && typeof answer.role === "string")
        user = {
          secret: answer.secret,
          role: answer.role,
          provider: "dynamic",
          ...(typeof answer.realm === "string" ? { realm: answer.realm } : {}),
          ...(typeof answer.salt === "string" ? { salt: answer.salt } : {}),
          ...(typeof answer.iterations === "number" ? { iterations: answer.iterations } : {}),
          ...(typeof answer.keylen === "number" ? { keylen: answer.keylen } : {}),
        };
    }
    // An unknown authid gets a challenge too, shaped like a configured user's (role, salting) but
    // with a throwaway secret, so it looks like a wrong secret.
    const shape = user ?? this.wampcraDecoy(authid);
    const challenge = JSON.stringify({
      authid,
      authrole: shape.role,
      authmethod: "wampcra",
      authprovider: shape.provider,
      nonce: randomBytes(16).toString("base64"),
      timestamp: new Date().toISOString(),
      session: hello.sessionId,
    });
    const extra: Dict = { challenge };
    let key = shape.secret;
    if (shape.salt !== undefined) {
      const iterations = shape.iterations ?? 1000;
      const keylen = shape.keylen ?? 32;
      Object.assign(extra, { salt: shape.salt, iterations, keylen });
      key = deriveWampcraKey(shape.secret, shape.salt, iterations, keylen);
    }
    const expected = createHmac("sha256", key).update(challenge).digest("base64");
    return {
      kind: "challenge",
      method: "wampcra",
      extra,
      verify: async (signature) => {
        if (user === undefined || !sameString(signature, expected)) throw failed();
        return principal(authid, user.role, "wampcra", user.provider, user.realm);
      },
    };
  }

  /** What an unknown WAMP-CRA authid is challenged like: a configured user picked by the authid. */
  private wampcraDecoy(authid: string) {
    const users = Object.values(this.config!.wampcra?.users ?? {});
    const digest = createHmac("sha256", MOCK_KEY).update(`wampcra:${authid}`).digest();
    const like = users.length === 0 ? undefined : users[digest.readUInt32BE(0) % users.length];
    return {
      secret: randomBytes(32).toString("base64"),
      role: like?.role ?? "",
      provider: "static" as const,
      salt: like?.salt === undefined ? undefined : digest.subarray(4, 16).toString("base64"),
      iterations: like?.iterations,
      keylen: like?.keylen,
    };
  }

  private async cryptosign(hello: HelloContext, authid: string | undefined): Promise<AuthStep> {
    const authextra = (hello.details.authextra ?? {}) as Dict;
    const pubkey = typeof authextra.pubkey === "string" ? authextra.pubkey.toLowerCase() : undefined;
    if (pubkey === undefined || !/^[0-9a-f]{64}$/.test(pubkey)) throw failed();
    const wantsBinding = authextra.channel_binding;
    if (wantsBinding !== undefined && wantsBinding !== null && wantsBinding !== "tls-unique") throw failed();
    let found: { authid: string; entry: CryptosignPrincipal; provider: "static" | "dynamic" } | undefined;
    const principals = this.config!.cryptosign?.principals ?? {};
    if (authid !== undefined) {
      const entry = principals[authid];
      if (entry !== undefined && hasKey(entry, pubkey)) found = { authid, entry, provider: "static" };
    } else {
      for (const [id, entry] of Object.entries(principals)) {
        if (hasKey(entry, pubkey)) {
          found = { authid: id, entry, provider: "static" };
          break;
        }
      }
    }
    if (found === undefined && this.dynamicFor("cryptosign") !== undefined) {
      // A refusal waits for the AUTHENTICATE, as for an unknown static key.
      const answer = (await this.askAuthenticator(hello, "cryptosign", authid, {}).catch(() => ({}))) as Dict;
      const keys = Array.isArray(answer.authorizedKeys)
        ? answer.authorizedKeys
        : typeof answer.pubkey === "string"
          ? [answer.pubkey]
          : [];
      if (
        typeof answer.role === "string" &&
        keys.some((k) => typeof k === "string" && k.toLowerCase() === pubkey)
      ) {
        const id = typeof answer.authid === "string" ? answer.authid : (authid ?? pubkey);
        found = {
          authid: id,
          entry: {
            authorizedKeys: keys as string[],
            role: answer.role,
            ...(typeof answer.realm === "string" ? { realm: answer.realm } : {}),
          },
          provider: "dynamic",
        };
      }
    }
    const challenge = randomBytes(32);
    let expectedMessage = challenge;
    const extra: Dict = { challenge: challenge.toString("hex"), channel_binding: null };
    if (wantsBinding === "tls-unique") {
      const channelId = hello.transport.channelId;
      if (channelId === undefined || channelId.length !== 32) throw failed();
      expectedMessage = Buffer.alloc(32);
      for (let i = 0; i < 32; i++) expectedMessage[i] = challenge[i] ^ channelId[i];
      extra.channel_binding = "tls-unique";
    }
    return {
      kind: "challenge",
      method: "cryptosign",
      extra,
      verify: async (signature) => {
        if (found === undefined || !/^[0-9a-fA-F]{192}$/.test(signature)) throw failed();
        const bytes = Buffer.from(signature, "hex");
        const sig = bytes.subarray(0, 64);
        const message = bytes.subarray(64);
        if (!timingSafeEqual(message, expectedMessage)) throw failed();
        if (!nacl.sign.detached.verify(message, sig, Buffer.from(pubkey, "hex"))) throw failed();
        return principal(found.authid, found.entry.role, "cryptosign", found.provider, found.entry.realm, {
          pubkey,
        });
      },
    };
  }

  private async scram(hello: HelloContext, authid: string | undefined): Promise<AuthStep> {
    const authextra = (hello.details.authextra ?? {}) as Dict;
    const clientNonce = authextra.nonce;
    if (authid === undefined || typeof clientNonce !== "string" || clientNonce.length === 0) throw failed();
    const channelBinding = authextra.channel_binding;
    if (channelBinding !== undefined && channelBinding !== null) throw failed(); // not supported
    const entry = this.config!.scram?.principals[authid];
    const { params, storedKey, serverKey } = await scramCredentials(entry, authid);
    const serverNonce = clientNonce + randomBytes(16).toString("base64");
    const extra: Dict = {
      nonce: serverNonce,
      salt: params.salt,
      kdf: params.kdf,
      iterations: params.iterations,
    };
    if (params.memory !== undefined) extra.memory = params.memory;
    return {
      kind: "challenge",
      method: "scram",
      extra,
      verify: async (signature, authExtra) => {
        if (entry === undefined) throw failed();
        if (authExtra.nonce !== undefined && authExtra.nonce !== serverNonce) throw failed();
        const authMessage = scramAuthMessage(authid, clientNonce, serverNonce, params, null);
        if (!scramVerifyProof(storedKey, authMessage, signature)) throw failed();
        const serverSignature = scramServerSignature(serverKey, authMessage);
        return principal(authid, entry.role, "scram", "static", entry.realm, {
          scram_server_signature: serverSignature,
          verifier: `v=${serverSignature}`,
        });
      },
    };
  }
}

const scramCache = new WeakMap<ScramPrincipal, Promise<{ storedKey: string; serverKey: string }>>();

/** Stored SCRAM credentials; derived once from a configured password. Unknown users get a mock. */
async function scramCredentials(
  entry: ScramPrincipal | undefined,
  authid: string,
): Promise<{ params: ScramParams; storedKey: string; serverKey: string }> {
  if (entry === undefined) {
    // A stable fake salt per authid, so probing cannot tell unknown users apart (spec "Nonces/Salts").
    const salt = createHmac("sha256", MOCK_KEY).update(authid).digest().subarray(0, 16).toString("base64");
    return { params: { salt, kdf: "pbkdf2", iterations: 4096 }, storedKey: "", serverKey: "" };
  }
  const params: ScramParams = {
    salt:
      entry.salt ??
      createHmac("sha256", MOCK_KEY).update(`salt:${authid}`).digest().subarray(0, 16).toString("base64"),
    kdf: entry.kdf ?? "pbkdf2",
    iterations: entry.iterations ?? (entry.kdf === "argon2id-13" ? 2 : 4096),
    ...(entry.kdf === "argon2id-13" ? { memory: entry.memory ?? 1024 } : {}),
  };
  if (entry.storedKey !== undefined && entry.serverKey !== undefined) {
    return { params, storedKey: entry.storedKey, serverKey: entry.serverKey };
  }
  let derived = scramCache.get(entry);
  if (derived === undefined) {
    derived = deriveScramCredentials(entry.password!, params);
    scramCache.set(entry, derived);
  }
  return { params, ...(await derived) };
}

const MOCK_KEY = randomBytes(32);

function fromAnswer(answer: Dict, authid: string, method: string): AuthenticatedPrincipal {
  if (typeof answer.role !== "string") throw failed();
  return principal(
    typeof answer.authid === "string" ? answer.authid : authid,
    answer.role,
    method,
    "dynamic",
    typeof answer.realm === "string" ? answer.realm : undefined,
    typeof answer.extra === "object" && answer.extra !== null ? (answer.extra as Dict) : undefined,
  );
}

function principal(
  authid: string,
  authrole: string,
  authmethod: string,
  authprovider: "static" | "dynamic",
  realm: string | undefined,
  authextra?: Dict,
): AuthenticatedPrincipal {
  return {
    authid,
    authrole,
    authmethod,
    authprovider,
    ...realmOf(realm),
    ...(authextra === undefined ? {} : { authextra }),
  };
}

function realmOf(realm: string | undefined): { realm?: string } {
  return realm === undefined ? {} : { realm };
}

function hasKey(entry: CryptosignPrincipal, pubkey: string): boolean {
  return entry.authorizedKeys.some((k) => k.toLowerCase() === pubkey);
}

/** Constant-time string comparison (length leaks, content does not). */
function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

function anonymousId(): string {
  return randomBytes(9)
    .toString("base64url")
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "X")
    .replace(/(.{4})(.{4})(.{4})/, "$1-$2-$3");
}
