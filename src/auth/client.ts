/**
 * Client authentication (advanced profile, "Authentication"): what HELLO announces and how a
 * CHALLENGE is answered, for anonymous, ticket, WAMP-CRA and WAMP-Cryptosign. Several methods can
 * be configured at once; HELLO lists them in configuration order and the CHALLENGE picks one.
 */
import { createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import nacl from "tweetnacl";
import { ConfigError, WampError } from "../errors.js";
import type { TransportDetails } from "../transports/types.js";
import {
  type ScramKdf,
  saltedPassword,
  scramAuthMessage,
  scramClientProof,
  scramExpectedServerSignature,
} from "./scram.js";

type Dict = Record<string, unknown>;

/** Per-method settings; the keys' order is the order of preference sent in HELLO. */
export interface AuthenticationConfig {
  anonymous?: { authid?: string; authrole?: string } | true;
  ticket?: { authid: string; ticket: string; authrole?: string };
  wampcra?: { authid: string; secret: string; authrole?: string };
  cryptosign?: {
    authid?: string;
    /** The 32-byte Ed25519 seed as 64 hex characters. */
    privateKey: string;
    authrole?: string;
    /** Ask the router to bind the signature to the TLS channel (`tls-unique`). */
    channelBinding?: "tls-unique";
    authextra?: Dict;
  };
  /** WAMP-SCRAM, Autobahn/Crossbar dialect (authmethod `scram`); the router's signature is verified. */
  scram?: { authid: string; password: string; authrole?: string };
  /** Sent in HELLO.Details.authextra (merged with what the methods add). */
  authextra?: Dict;
  /** HELLO.Details.authid when no method names one (e.g. for a method `onChallenge` answers). */
  authid?: string;
  /** HELLO.Details.authrole: the role asked for; every method must agree. */
  authrole?: string;
  /**
   * More methods to offer after the built-in ones above, answered by the session's `onChallenge`
   * (as Autobahn's `session.join(realm, authmethods, authid)`).
   */
  authmethods?: string[];
}

/** Keys of an authentication config that are not methods. */
const GENERAL_KEYS = new Set(["authextra", "authid", "authrole", "authmethods"]);

/** An AUTHENTICATE reply. */
export interface ChallengeReply {
  signature: string;
  extra?: Dict;
}

const METHODS = ["anonymous", "ticket", "wampcra", "cryptosign", "scram"] as const;
type Method = (typeof METHODS)[number];

/** Check an `authentication` config up front (ConfigError naming the key). */
export function validateAuthentication(
  config: unknown,
  at = "authentication",
): AuthenticationConfig | undefined {
  if (config === undefined) return undefined;
  if (typeof config !== "object" || config === null) throw new ConfigError(`${at} must be an object`, at);
  const c = config as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!GENERAL_KEYS.has(key) && !(METHODS as readonly string[]).includes(key)) {
      throw new ConfigError(
        `${at}.${key}: unsupported authentication method (use ${METHODS.join(", ")}, or authmethods + onChallenge)`,
        `${at}.${key}`,
      );
    }
  }
  if (
    c.authextra !== undefined &&
    (typeof c.authextra !== "object" || c.authextra === null || Array.isArray(c.authextra))
  ) {
    throw new ConfigError(`${at}.authextra must be an object`, `${at}.authextra`);
  }
  for (const key of ["authid", "authrole"]) {
    if (c[key] !== undefined && (typeof c[key] !== "string" || (c[key] as string).length === 0)) {
      throw new ConfigError(`${at}.${key} must be a non-empty string`, `${at}.${key}`);
    }
  }
  if (
    c.authmethods !== undefined &&
    (!Array.isArray(c.authmethods) || c.authmethods.some((m) => typeof m !== "string" || m.length === 0))
  ) {
    throw new ConfigError(`${at}.authmethods must be a list of method names`, `${at}.authmethods`);
  }
  const binding = (c.cryptosign as Dict | undefined)?.channelBinding;
  if (binding !== undefined && binding !== "tls-unique") {
    throw new ConfigError(
      `${at}.cryptosign.channelBinding must be "tls-unique"`,
      `${at}.cryptosign.channelBinding`,
    );
  }
  const need = (method: string, key: string) => {
    const v = (c[method] as Dict | undefined)?.[key];
    if (typeof v !== "string" || v.length === 0)
      throw new ConfigError(`${at}.${method}.${key} must be a non-empty string`, `${at}.${method}.${key}`);
  };
  if (c.ticket !== undefined) {
    need("ticket", "authid");
    need("ticket", "ticket");
  }
  if (c.wampcra !== undefined) {
    need("wampcra", "authid");
    need("wampcra", "secret");
  }
  if (c.scram !== undefined) {
    need("scram", "authid");
    need("scram", "password");
  }
  if (c.cryptosign !== undefined) {
    need("cryptosign", "privateKey");
    if (!/^[0-9a-fA-F]{64}$/.test((c.cryptosign as Dict).privateKey as string)) {
      throw new ConfigError(
        `${at}.cryptosign.privateKey must be 64 hex characters (a 32-byte Ed25519 seed)`,
        `${at}.cryptosign.privateKey`,
      );
    }
  }
  const ids = new Set<string>();
  const roles = new Set<string>();
  if (typeof c.authid === "string") ids.add(c.authid);
  if (typeof c.authrole === "string") roles.add(c.authrole);
  for (const m of METHODS) {
    const entry = c[m] as Dict | undefined;
    if (typeof entry?.authid === "string") ids.add(entry.authid);
    if (typeof entry?.authrole === "string") roles.add(entry.authrole);
  }
  if (ids.size > 1) throw new ConfigError(`${at}: every method must use the same authid`, `${at}.authid`);
  if (roles.size > 1)
    throw new ConfigError(`${at}: every method must ask for the same authrole`, `${at}.authrole`);
  return c as AuthenticationConfig;
}

/**
 * The client side of one authentication exchange (one connection): builds HELLO, answers the
 * CHALLENGE, checks the router's proof in WELCOME (SCRAM). Holds per-connection nonces.
 *
 * @example
 * ```ts
 * const auth = new ClientAuthentication({ ticket: { authid: "alice", ticket: "s3cret" } });
 * handle.send(auth.hello("realm1", CLIENT_ROLES));
 * ```
 */
export class ClientAuthentication {
  private readonly scramNonce = randomBytes(16).toString("base64");
  private scramState: { salted: Buffer; authMessage: string } | undefined;

  constructor(private readonly auth: AuthenticationConfig | undefined) {}

  /** Serialized (logs, snapshots): the method names only, never the credentials. */
  toJSON(): Dict {
    return { authmethods: this.methods() };
  }

  /** The methods HELLO offers: the configured built-in ones in key order, then `authmethods`. */
  private methods(): string[] {
    const auth = this.auth ?? {};
    const builtIn = Object.keys(auth).filter((k) => (METHODS as readonly string[]).includes(k));
    const extra = (auth.authmethods ?? []).filter((m) => !builtIn.includes(m));
    return [...builtIn, ...extra];
  }

  /** HELLO for `realm` announcing `roles` and the configured methods. */
  hello(realm: string, roles: Dict): unknown[] {
    const auth = this.auth;
    const details: Dict = { roles, agent: "xwamp" };
    if (auth !== undefined) {
      const methods = this.methods();
      if (methods.length > 0) details.authmethods = methods;
      if (auth.authid !== undefined) details.authid = auth.authid;
      if (auth.authrole !== undefined) details.authrole = auth.authrole;
      for (const m of methods as Method[]) {
        if (!(METHODS as readonly string[]).includes(m)) continue;
        const entry = auth[m];
        if (typeof entry === "object" && entry !== null) {
          if (entry.authid !== undefined && details.authid === undefined) details.authid = entry.authid;
          if (entry.authrole !== undefined && details.authrole === undefined)
            details.authrole = entry.authrole;
        }
      }
      const authextra: Dict = { ...auth.authextra };
      if (auth.cryptosign !== undefined) {
        Object.assign(authextra, auth.cryptosign.authextra);
        authextra.pubkey = publicKeyOf(auth.cryptosign.privateKey);
        if (auth.cryptosign.channelBinding !== undefined)
          authextra.channel_binding = auth.cryptosign.channelBinding;
      }
      if (auth.scram !== undefined) authextra.nonce = this.scramNonce;
      if (Object.keys(authextra).length > 0) details.authextra = authextra;
    }
    return [1, realm, details];
  }

  /**
   * Answer a CHALLENGE for `method` with the configured method, else the custom `onChallenge`.
   * Throws a WampError (code AUTHENTICATION_UNSUPPORTED) when nothing can answer; secrets never
   * appear in it.
   */
  async respond(
    method: string,
    extra: Dict,
    custom:
      | ((method: string, extra: Dict) => ChallengeReply | string | Promise<ChallengeReply | string>)
      | undefined,
    transport: TransportDetails | undefined,
  ): Promise<ChallengeReply> {
    const auth = this.auth;
    switch (method) {
      case "ticket":
        if (auth?.ticket !== undefined) return { signature: auth.ticket.ticket };
        break;
      case "wampcra":
        if (auth?.wampcra !== undefined) return { signature: signWampcra(auth.wampcra.secret, extra) };
        break;
      case "cryptosign":
        if (auth?.cryptosign !== undefined)
          return { signature: signCryptosign(auth.cryptosign.privateKey, extra, transport) };
        break;
      case "scram":
        if (auth?.scram !== undefined) return this.scram(auth.scram, extra);
        break;
    }
    if (custom !== undefined) {
      const reply = await custom(method, extra);
      return typeof reply === "string" ? { signature: reply } : reply;
    }
    throw new WampError("AUTHENTICATION_UNSUPPORTED", `no way to answer a "${method}" challenge`);
  }

  /** WELCOME arrived: for SCRAM, the router must prove it knows our credentials too. */
  checkWelcome(authextra: Dict | undefined): void {
    const state = this.scramState;
    if (state === undefined) return;
    const expected = Buffer.from(scramExpectedServerSignature(state.salted, state.authMessage), "base64");
    const claimed =
      typeof authextra?.scram_server_signature === "string"
        ? Buffer.from(authextra.scram_server_signature, "base64")
        : undefined;
    if (claimed === undefined || claimed.length !== expected.length || !timingSafeEqual(claimed, expected)) {
      throw new WampError("AUTHENTICATION_FAILED", "the router's SCRAM signature is wrong");
    }
  }

  private async scram(config: { authid: string; password: string }, extra: Dict): Promise<ChallengeReply> {
    const nonce = extra.nonce;
    const salt = extra.salt;
    const iterations = extra.iterations;
    const kdf = extra.kdf;
    if (
      typeof nonce !== "string" ||
      !nonce.startsWith(this.scramNonce) ||
      typeof salt !== "string" ||
      typeof iterations !== "number"
    ) {
      throw new WampError("AUTHENTICATION_FAILED", "malformed SCRAM challenge");
    }
    if (kdf !== "pbkdf2" && kdf !== "argon2id-13")
      throw new WampError("AUTHENTICATION_UNSUPPORTED", `unknown SCRAM kdf "${String(kdf)}"`);
    const params = {
      salt,
      kdf: kdf as ScramKdf,
      iterations,
      ...(typeof extra.memory === "number" ? { memory: extra.memory } : {}),
    };
    const salted = await saltedPassword(config.password, params);
    const authMessage = scramAuthMessage(config.authid, this.scramNonce, nonce, params, null);
    this.scramState = { salted, authMessage };
    return { signature: scramClientProof(salted, authMessage), extra: { nonce } };
  }
}

/**
 * WAMP-CRA (advanced profile, "Challenge Response Authentication"): HMAC-SHA256 of the challenge
 * string, keyed with the secret or, when the challenge carries a salt, with the PBKDF2-SHA256
 * derived key in base64 (as Autobahn derives it).
 */
export function signWampcra(secret: string, extra: Dict): string {
  const challenge = extra.challenge;
  if (typeof challenge !== "string")
    throw new WampError("AUTHENTICATION_FAILED", "WAMP-CRA challenge without a challenge string");
  const key =
    typeof extra.salt === "string"
      ? deriveWampcraKey(secret, extra.salt, num(extra.iterations, 1000), num(extra.keylen, 32))
      : secret;
  return createHmac("sha256", key).update(challenge).digest("base64");
}

/** The salted WAMP-CRA key: base64(PBKDF2-SHA256(secret, salt, iterations, keylen)). */
export function deriveWampcraKey(secret: string, salt: string, iterations = 1000, keylen = 32): string {
  return pbkdf2Sync(secret, salt, iterations, keylen, "sha256").toString("base64");
}

/**
 * WAMP-Cryptosign: sign the 32-byte challenge (XORed with the TLS channel id when channel binding
 * is in use) with Ed25519; the reply is the signature followed by the signed message, in hex.
 */
export function signCryptosign(
  privateKeyHex: string,
  extra: Dict,
  transport: TransportDetails | undefined,
): string {
  const challengeHex = extra.challenge;
  if (typeof challengeHex !== "string" || !/^[0-9a-fA-F]{64}$/.test(challengeHex)) {
    throw new WampError("AUTHENTICATION_FAILED", "cryptosign challenge must be 32 bytes in hex");
  }
  let message = Buffer.from(challengeHex, "hex");
  if (extra.channel_binding === "tls-unique") {
    const channelId = transport?.channelId;
    if (channelId === undefined)
      throw new WampError(
        "AUTHENTICATION_FAILED",
        "tls-unique channel binding requested but this connection has none",
      );
    const bound = Buffer.alloc(32);
    const id = Buffer.from(channelId);
    if (id.length !== 32)
      throw new WampError("AUTHENTICATION_FAILED", "tls-unique channel id must be 32 bytes");
    for (let i = 0; i < 32; i++) bound[i] = message[i] ^ id[i];
    message = bound;
  }
  const keyPair = nacl.sign.keyPair.fromSeed(Buffer.from(privateKeyHex, "hex"));
  const signature = nacl.sign.detached(message, keyPair.secretKey);
  return Buffer.from(signature).toString("hex") + message.toString("hex");
}

/** The Ed25519 public key (hex) of a 32-byte seed (hex). */
export function publicKeyOf(privateKeyHex: string): string {
  return Buffer.from(nacl.sign.keyPair.fromSeed(Buffer.from(privateKeyHex, "hex")).publicKey).toString("hex");
}

function num(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : fallback;
}
