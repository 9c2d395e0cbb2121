/**
 * Router authentication and authorization configuration, modelled on Crossbar.io's: roles and their
 * permissions belong to realms, authentication belongs to listeners, principals are static or come
 * from a dynamic authenticator (a WAMP procedure). Validated up front with errors naming the key.
 */
import { ConfigError } from "../errors.js";

export type MatchPolicy = "exact" | "prefix" | "wildcard";
export type Action = "call" | "register" | "publish" | "subscribe";

export interface PermissionConfig {
  uri: string;
  match?: MatchPolicy;
  allow?: Partial<Record<Action, boolean>>;
  disclose?: { caller?: boolean; publisher?: boolean };
}

export interface RoleConfig {
  name: string;
  permissions?: PermissionConfig[];
}

interface Principal {
  role: string;
  /** The realm this principal may join; any realm when absent. */
  realm?: string;
}

export interface TicketPrincipal extends Principal {
  ticket: string;
}

export interface WampcraUser extends Principal {
  /** The shared secret; with `salt`, the password the router derives the key from (PBKDF2-SHA256). */
  secret: string;
  salt?: string;
  iterations?: number;
  keylen?: number;
}

export interface CryptosignPrincipal extends Principal {
  /** Ed25519 public keys (64 hex characters) allowed to sign for this authid. */
  authorizedKeys: string[];
}

export interface ScramPrincipal extends Principal {
  /** Either the password (the router derives the keys) ... */
  password?: string;
  /** ... or the stored credentials: base64 salt, kdf parameters, StoredKey and ServerKey (base64). */
  salt?: string;
  kdf?: "pbkdf2" | "argon2id-13";
  iterations?: number;
  memory?: number;
  storedKey?: string;
  serverKey?: string;
}

/** Authentication of one listener. Methods are offered in the client's order of preference. */
export interface ListenerAuthConfig {
  anonymous?: { role: string; realm?: string };
  ticket?: { principals: Record<string, TicketPrincipal> };
  wampcra?: { users: Record<string, WampcraUser> };
  cryptosign?: { principals: Record<string, CryptosignPrincipal> };
  scram?: { principals: Record<string, ScramPrincipal> };
  /**
   * A WAMP procedure that authenticates principals not configured statically, called as
   * `authenticator(realm, authid, details)` (Crossbar's convention) on the realm `realm` (default:
   * the realm the client asks for). `methods` says which methods it serves (default ticket,
   * wampcra, cryptosign).
   */
  dynamic?: { authenticator: string; realm?: string; methods?: Array<"ticket" | "wampcra" | "cryptosign"> };
  /** Abort a session whose AUTHENTICATE does not arrive within this many ms (default 10000). */
  timeout?: number;
}

const METHOD_KEYS = new Set(["anonymous", "ticket", "wampcra", "cryptosign", "scram", "dynamic", "timeout"]);
const ACTIONS: Action[] = ["call", "register", "publish", "subscribe"];

export function validateRoles(roles: unknown, at: string): RoleConfig[] | undefined {
  if (roles === undefined) return undefined;
  if (!Array.isArray(roles)) throw new ConfigError(`${at} must be a list of roles`, at);
  const names = new Set<string>();
  return roles.map((role, i) => {
    const here = `${at}[${i}]`;
    if (typeof role !== "object" || role === null) throw new ConfigError(`${here} must be an object`, here);
    const r = role as RoleConfig;
    if (typeof r.name !== "string" || r.name.length === 0)
      throw new ConfigError(`${here}.name must be a non-empty string`, `${here}.name`);
    if (names.has(r.name))
      throw new ConfigError(`${here}.name: role "${r.name}" is defined twice`, `${here}.name`);
    names.add(r.name);
    for (const key of Object.keys(r)) {
      if (key !== "name" && key !== "permissions")
        throw new ConfigError(`unknown key "${key}" in ${here}`, `${here}.${key}`);
    }
    if (r.permissions !== undefined && !Array.isArray(r.permissions)) {
      throw new ConfigError(`${here}.permissions must be a list`, `${here}.permissions`);
    }
    for (const [j, p] of (r.permissions ?? []).entries()) validatePermission(p, `${here}.permissions[${j}]`);
    return r;
  });
}

function validatePermission(p: PermissionConfig, at: string): void {
  if (typeof p !== "object" || p === null) throw new ConfigError(`${at} must be an object`, at);
  for (const key of Object.keys(p)) {
    if (!["uri", "match", "allow", "disclose"].includes(key))
      throw new ConfigError(`unknown key "${key}" in ${at}`, `${at}.${key}`);
  }
  if (typeof p.uri !== "string") throw new ConfigError(`${at}.uri must be a string`, `${at}.uri`);
  if (p.match !== undefined && p.match !== "exact" && p.match !== "prefix" && p.match !== "wildcard") {
    throw new ConfigError(`${at}.match must be exact, prefix or wildcard`, `${at}.match`);
  }
  if (p.allow !== undefined) {
    if (typeof p.allow !== "object" || p.allow === null)
      throw new ConfigError(`${at}.allow must be an object`, `${at}.allow`);
    for (const [k, v] of Object.entries(p.allow)) {
      if (!ACTIONS.includes(k as Action))
        throw new ConfigError(
          `${at}.allow.${k}: unknown action (call, register, publish, subscribe)`,
          `${at}.allow.${k}`,
        );
      if (typeof v !== "boolean")
        throw new ConfigError(`${at}.allow.${k} must be true or false`, `${at}.allow.${k}`);
    }
  }
  if (p.disclose !== undefined) {
    if (typeof p.disclose !== "object" || p.disclose === null)
      throw new ConfigError(`${at}.disclose must be an object`, `${at}.disclose`);
    for (const [k, v] of Object.entries(p.disclose)) {
      if (k !== "caller" && k !== "publisher")
        throw new ConfigError(`${at}.disclose.${k}: unknown key (caller, publisher)`, `${at}.disclose.${k}`);
      if (typeof v !== "boolean")
        throw new ConfigError(`${at}.disclose.${k} must be true or false`, `${at}.disclose.${k}`);
    }
  }
}

export function validateListenerAuth(auth: unknown, at: string): ListenerAuthConfig | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth !== "object" || auth === null || Array.isArray(auth))
    throw new ConfigError(`${at} must be an object`, at);
  const a = auth as ListenerAuthConfig;
  for (const key of Object.keys(a)) {
    if (!METHOD_KEYS.has(key))
      throw new ConfigError(`${at}.${key}: unknown authentication method`, `${at}.${key}`);
  }
  if (a.anonymous !== undefined) {
    object(a.anonymous, `${at}.anonymous`, PRINCIPAL_KEYS.anonymous);
    role(a.anonymous, `${at}.anonymous`);
  }
  principals<TicketPrincipal>(a.ticket, "principals", `${at}.ticket`, PRINCIPAL_KEYS.ticket, (p, here) => {
    role(p, here);
    str(p.ticket, `${here}.ticket`);
  });
  principals<WampcraUser>(a.wampcra, "users", `${at}.wampcra`, PRINCIPAL_KEYS.wampcra, (p, here) => {
    role(p, here);
    str(p.secret, `${here}.secret`);
    if (p.salt !== undefined) str(p.salt, `${here}.salt`);
    posInt(p.iterations, `${here}.iterations`);
    posInt(p.keylen, `${here}.keylen`);
  });
  principals<CryptosignPrincipal>(
    a.cryptosign,
    "principals",
    `${at}.cryptosign`,
    PRINCIPAL_KEYS.cryptosign,
    (p, here) => {
      role(p, here);
      if (!Array.isArray(p.authorizedKeys) || p.authorizedKeys.length === 0) {
        throw new ConfigError(`${here}.authorizedKeys must be a non-empty list`, `${here}.authorizedKeys`);
      }
      for (const [i, k] of p.authorizedKeys.entries()) {
        if (typeof k !== "string" || !/^[0-9a-fA-F]{64}$/.test(k)) {
          throw new ConfigError(
            `${here}.authorizedKeys[${i}] must be an Ed25519 public key (64 hex characters)`,
            `${here}.authorizedKeys[${i}]`,
          );
        }
      }
    },
  );
  principals<ScramPrincipal>(a.scram, "principals", `${at}.scram`, PRINCIPAL_KEYS.scram, (p, here) => {
    role(p, here);
    const stored = p.storedKey !== undefined || p.serverKey !== undefined;
    if (p.password === undefined && !stored)
      throw new ConfigError(`${here} needs a password or storedKey/serverKey/salt`, `${here}.password`);
    if (p.password !== undefined) str(p.password, `${here}.password`);
    if (stored) {
      str(p.storedKey, `${here}.storedKey`);
      str(p.serverKey, `${here}.serverKey`);
      str(p.salt, `${here}.salt`);
    }
    if (p.kdf !== undefined && p.kdf !== "pbkdf2" && p.kdf !== "argon2id-13") {
      throw new ConfigError(`${here}.kdf must be "pbkdf2" or "argon2id-13"`, `${here}.kdf`);
    }
    posInt(p.iterations, `${here}.iterations`);
    posInt(p.memory, `${here}.memory`);
  });
  if (a.dynamic !== undefined) {
    const here = `${at}.dynamic`;
    object(a.dynamic, here, PRINCIPAL_KEYS.dynamic);
    str(a.dynamic.authenticator, `${here}.authenticator`);
    if (a.dynamic.realm !== undefined) str(a.dynamic.realm, `${here}.realm`);
    const methods: unknown = a.dynamic.methods;
    if (methods !== undefined && !Array.isArray(methods))
      throw new ConfigError(`${here}.methods must be a list`, `${here}.methods`);
    for (const [i, m] of (methods ?? []).entries()) {
      if (m !== "ticket" && m !== "wampcra" && m !== "cryptosign") {
        throw new ConfigError(
          `${here}.methods[${i}] must be ticket, wampcra or cryptosign`,
          `${here}.methods[${i}]`,
        );
      }
    }
  }
  posInt(a.timeout, `${at}.timeout`);
  return a;
}

/** The keys each principal (and the anonymous and dynamic sections) may have: a typo is refused, not ignored. */
const PRINCIPAL_KEYS = {
  anonymous: ["role", "realm"],
  ticket: ["role", "realm", "ticket"],
  wampcra: ["role", "realm", "secret", "salt", "iterations", "keylen"],
  cryptosign: ["role", "realm", "authorizedKeys"],
  scram: ["role", "realm", "password", "salt", "kdf", "iterations", "memory", "storedKey", "serverKey"],
  dynamic: ["authenticator", "realm", "methods"],
} as const;

function principals<T>(
  section: unknown,
  key: string,
  at: string,
  allowed: readonly string[],
  check: (p: T, here: string) => void,
): void {
  if (section === undefined) return;
  object(section, at, [key]);
  const map = (section as Record<string, unknown>)[key];
  if (typeof map !== "object" || map === null || Array.isArray(map))
    throw new ConfigError(`${at}.${key} must be an object of authid → principal`, `${at}.${key}`);
  for (const [authid, p] of Object.entries(map)) {
    const here = `${at}.${key}.${authid}`;
    object(p, here, allowed);
    check(p as T, here);
  }
}

/** `value` must be a plain object whose keys are all in `allowed`; names `<at>.<key>` otherwise. */
function object(value: unknown, at: string, allowed: readonly string[]): void {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ConfigError(`${at} must be an object`, at);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw new ConfigError(`unknown key "${key}" in ${at} (${allowed.join(", ")})`, `${at}.${key}`);
  }
}

function role(p: { role?: unknown; realm?: unknown }, at: string): void {
  str(p.role, `${at}.role`);
  if (p.realm !== undefined) str(p.realm, `${at}.realm`);
}

function str(v: unknown, key: string): void {
  if (typeof v !== "string" || v.length === 0)
    throw new ConfigError(`${key} must be a non-empty string`, key);
}

function posInt(v: unknown, key: string): void {
  if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v <= 0)) {
    throw new ConfigError(`${key} must be a positive integer`, key);
  }
}
