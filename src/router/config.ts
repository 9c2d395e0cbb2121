/**
 * Validation of the router configuration (the `createRouter` object and the JSON file of
 * `xwamp router --config`). Invalid configuration is refused up front with a message naming the key.
 */
import { serializerNames } from "../codecs/index.js";
import { ConfigError } from "../errors.js";
import { validateListenerAuth, validateRoles } from "./authConfig.js";
import type { RealmConfig, RouterConfig, RouterListenerConfig } from "./router.js";

export interface ValidRouterConfig {
  realms: RealmConfig[];
  autoCreateRealms: boolean;
  listeners: RouterListenerConfig[];
  helloTimeout: number;
  goodbyeTimeout: number;
  strictUris: boolean;
  sequentialRequestIds: boolean;
}

const LISTENER_KEYS = new Set([
  "type",
  "host",
  "port",
  "unix",
  "path",
  "tls",
  "serializers",
  "maxMessageSize",
  "autoPingInterval",
  "autoPingTimeout",
  "openHandshakeTimeout",
  "perMessageDeflate",
  "allowedOrigins",
  "trustXForwardedFor",
  "maxConnections",
  "auth",
]);
const ROUTER_KEYS = new Set([
  "realms",
  "autoCreateRealms",
  "listeners",
  "helloTimeout",
  "goodbyeTimeout",
  "strictUris",
  "sequentialRequestIds",
  "log",
]);
const REALM_NAME = /^[^\s#]+$/;

/** Check `config` and fill in defaults; throws {@link ConfigError} naming the offending key. */
export function validateRouterConfig(config: RouterConfig): ValidRouterConfig {
  if (typeof config !== "object" || config === null)
    throw new ConfigError("router config must be an object", "");
  for (const key of Object.keys(config)) {
    if (!ROUTER_KEYS.has(key)) throw new ConfigError(`unknown router config key "${key}"`, key);
  }
  const realms = (config.realms ?? ["realm1"]).map((r, i) => {
    const name = typeof r === "string" ? r : typeof r === "object" && r !== null ? r.name : undefined;
    if (typeof name !== "string" || !REALM_NAME.test(name)) {
      throw new ConfigError(`realms[${i}].name must be a realm URI`, `realms[${i}].name`);
    }
    if (typeof r === "object" && r !== null) {
      for (const key of Object.keys(r)) {
        if (key !== "name" && key !== "roles")
          throw new ConfigError(`unknown key "${key}" in realms[${i}]`, `realms[${i}].${key}`);
      }
    }
    const roles = typeof r === "string" ? undefined : validateRoles(r.roles, `realms[${i}].roles`);
    return roles === undefined ? { name } : { name, roles };
  });
  if (!Array.isArray(config.listeners ?? [])) throw new ConfigError("listeners must be a list", "listeners");
  const listeners = (config.listeners ?? []).map((l, i) => validateListener(l, `listeners[${i}]`));
  return {
    realms,
    autoCreateRealms: bool(config.autoCreateRealms, false, "autoCreateRealms"),
    listeners,
    helloTimeout: duration(config.helloTimeout, 10_000, "helloTimeout"),
    goodbyeTimeout: duration(config.goodbyeTimeout, 2_000, "goodbyeTimeout"),
    strictUris: bool(config.strictUris, false, "strictUris"),
    sequentialRequestIds: bool(config.sequentialRequestIds, true, "sequentialRequestIds"),
  };
}

function validateListener(l: RouterListenerConfig, at: string): RouterListenerConfig {
  if (typeof l !== "object" || l === null) throw new ConfigError(`${at} must be an object`, at);
  for (const key of Object.keys(l)) {
    if (!LISTENER_KEYS.has(key)) throw new ConfigError(`unknown key "${key}" in ${at}`, `${at}.${key}`);
  }
  if (l.type !== "websocket" && l.type !== "rawsocket" && l.type !== "universal") {
    throw new ConfigError(`${at}.type must be "websocket", "rawsocket" or "universal"`, `${at}.type`);
  }
  if (l.port !== undefined && (!Number.isInteger(l.port) || l.port < 0 || l.port > 65535)) {
    throw new ConfigError(`${at}.port must be an integer in [0, 65535]`, `${at}.port`);
  }
  if (l.unix !== undefined && (typeof l.unix !== "string" || l.unix.length === 0)) {
    throw new ConfigError(`${at}.unix must be a socket path`, `${at}.unix`);
  }
  if (l.unix !== undefined && l.port !== undefined) {
    throw new ConfigError(`${at}: give either port or unix, not both`, `${at}.unix`);
  }
  if (l.path !== undefined && (typeof l.path !== "string" || !l.path.startsWith("/"))) {
    throw new ConfigError(`${at}.path must start with "/"`, `${at}.path`);
  }
  if (l.serializers !== undefined) {
    if (!Array.isArray(l.serializers) || l.serializers.length === 0) {
      throw new ConfigError(`${at}.serializers must be a non-empty list`, `${at}.serializers`);
    }
    for (const s of l.serializers) {
      if (!serializerNames.includes(s))
        throw new ConfigError(`${at}.serializers: unknown serializer "${s}"`, `${at}.serializers`);
    }
  }
  if (l.tls !== undefined && (typeof l.tls !== "object" || l.tls === null || !l.tls.cert || !l.tls.key)) {
    throw new ConfigError(`${at}.tls needs cert and key`, `${at}.tls`);
  }
  for (const key of [
    "maxMessageSize",
    "autoPingInterval",
    "autoPingTimeout",
    "openHandshakeTimeout",
    "maxConnections",
    "trustXForwardedFor",
  ] as const) {
    const v = l[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
      throw new ConfigError(`${at}.${key} must be a non-negative number`, `${at}.${key}`);
    }
  }
  if (
    l.allowedOrigins !== undefined &&
    (!Array.isArray(l.allowedOrigins) || l.allowedOrigins.some((o) => typeof o !== "string"))
  ) {
    throw new ConfigError(`${at}.allowedOrigins must be a list of strings`, `${at}.allowedOrigins`);
  }
  validateListenerAuth(l.auth, `${at}.auth`);
  return l;
}

function bool(value: unknown, fallback: boolean, key: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new ConfigError(`${key} must be true or false`, key);
  return value;
}

function duration(value: unknown, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${key} must be a positive number of milliseconds`, key);
  }
  return value;
}
