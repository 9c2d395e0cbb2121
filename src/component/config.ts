/**
 * Component configuration: the seed's `Component(...)` keys and transport dicts, camelCased, with
 * durations in milliseconds. Everything is validated up front; a bad value throws a ConfigError
 * naming the key (e.g. `transports[1].maxRetries`).
 */
import { serializerNames } from "../codecs/index.js";
import type { SerializerName } from "../codecs/serializer.js";
import { ConfigError, type WampError } from "../errors.js";
import type { RetryPolicy } from "../machines/backoff.js";
import type { ClientTransportSpec } from "../transports/actor.js";
import type { ProxyOptions } from "../transports/proxy.js";
import type { TlsClientOptions } from "../transports/tls.js";
import type { TransportHandlerFactory } from "../transports/types.js";

/** Transport options (the seed's `options` key): WebSocket/RawSocket settings. */
export interface TransportOptions {
  /** Largest message accepted, in bytes. */
  maxMessageSize?: number;
  /** Keep-alive ping interval (ms); 0 disables. */
  autoPingInterval?: number;
  /** Drop the connection when a ping gets no answer within this many ms. */
  autoPingTimeout?: number;
  /** Give up an opening handshake after this many ms. */
  openHandshakeTimeout?: number;
  /** WebSocket permessage-deflate (default off). */
  perMessageDeflate?: boolean;
  /** Extra HTTP headers for the WebSocket opening handshake. */
  headers?: Record<string, string>;
}

/** Where to connect, when not derived from the URL (the seed's `endpoint`). */
export type EndpointConfig =
  | { type: "tcp"; host: string; port: number; timeout?: number; tls?: boolean | TlsClientOptions }
  | { type: "unix"; path: string; timeout?: number };

/** One transport of a component (the seed's transport dict). */
export interface TransportConfig {
  /** `websocket` (default), `rawsocket`, or `memory` (in-process, needs `router`). */
  type?: "websocket" | "rawsocket" | "memory";
  /** `ws://`, `wss://`, `rs://`, `rss://` or `rs://unix:/path`. */
  url?: string;
  endpoint?: EndpointConfig;
  /** Retries after the first attempt; -1 = unlimited (default 15). */
  maxRetries?: number;
  /** ms before the first retry (default 1000). */
  initialRetryDelay?: number;
  /** ms cap of the exponential delay (default 60000). */
  maxRetryDelay?: number;
  /** Growth factor per retry (default 1.5). */
  retryDelayGrowth?: number;
  /** Random extra delay per retry, ms (default `() => Math.random() * 1000`). */
  retryDelayJitter?: () => number;
  /** The one serializer to use (RawSocket) or to offer (WebSocket). */
  serializer?: SerializerName;
  /** Serializers to offer, most preferred first (WebSocket); RawSocket uses the first. */
  serializers?: SerializerName[];
  options?: TransportOptions;
  /** HTTP CONNECT proxy (WebSocket). */
  proxy?: ProxyOptions;
  /** TLS settings for `wss://` / `rss://`. */
  tls?: TlsClientOptions;
  /** For `type: "memory"`: something with a `handlerFactory` (e.g. a Router). */
  router?: { handlerFactory: TransportHandlerFactory };
}

/** A transport after validation: what to open and how to retry. */
export interface ResolvedTransport {
  readonly spec: ClientTransportSpec;
  readonly policy: RetryPolicy;
  /** For logs and errors: the URL or a description. */
  readonly label: string;
}

const TRANSPORT_KEYS = new Set([
  "type",
  "url",
  "endpoint",
  "maxRetries",
  "initialRetryDelay",
  "maxRetryDelay",
  "retryDelayGrowth",
  "retryDelayJitter",
  "serializer",
  "serializers",
  "options",
  "proxy",
  "tls",
  "router",
]);
const OPTION_KEYS = new Set([
  "maxMessageSize",
  "autoPingInterval",
  "autoPingTimeout",
  "openHandshakeTimeout",
  "perMessageDeflate",
  "headers",
]);

export const DEFAULT_RETRY: Omit<RetryPolicy, "retryDelayJitter"> = Object.freeze({
  maxRetries: 15,
  initialRetryDelay: 1000,
  maxRetryDelay: 60_000,
  retryDelayGrowth: 1.5,
});

/** The seed's default jitter: up to one second, shared by every transport that sets none. */
const defaultJitter = (): number => Math.random() * 1000;

/** Validate one transport (string URL or dict) into what the machine needs. */
export function resolveTransport(t: string | TransportConfig, at: string): ResolvedTransport {
  const config: TransportConfig = typeof t === "string" ? { url: t } : t;
  if (typeof config !== "object" || config === null)
    throw new ConfigError(`${at} must be a URL or an object`, at);
  for (const key of Object.keys(config)) {
    if (!TRANSPORT_KEYS.has(key)) throw new ConfigError(`unknown key "${key}" in ${at}`, `${at}.${key}`);
  }
  const policy: RetryPolicy = {
    maxRetries: integer(config.maxRetries, DEFAULT_RETRY.maxRetries, `${at}.maxRetries`, -1),
    initialRetryDelay: nonNegative(
      config.initialRetryDelay,
      DEFAULT_RETRY.initialRetryDelay,
      `${at}.initialRetryDelay`,
    ),
    maxRetryDelay: nonNegative(config.maxRetryDelay, DEFAULT_RETRY.maxRetryDelay, `${at}.maxRetryDelay`),
    retryDelayGrowth: nonNegative(
      config.retryDelayGrowth,
      DEFAULT_RETRY.retryDelayGrowth,
      `${at}.retryDelayGrowth`,
    ),
    retryDelayJitter: config.retryDelayJitter ?? defaultJitter,
  };
  if (typeof policy.retryDelayJitter !== "function") {
    throw new ConfigError(
      `${at}.retryDelayJitter must be a function of no arguments`,
      `${at}.retryDelayJitter`,
    );
  }
  if (config.serializer !== undefined) serializerName(config.serializer, `${at}.serializer`);
  for (const [i, s] of (config.serializers ?? []).entries()) serializerName(s, `${at}.serializers[${i}]`);
  if (
    config.serializers !== undefined &&
    (!Array.isArray(config.serializers) || config.serializers.length === 0)
  ) {
    throw new ConfigError(`${at}.serializers must be a non-empty list`, `${at}.serializers`);
  }
  const options = config.options ?? {};
  if (typeof options !== "object" || options === null)
    throw new ConfigError(`${at}.options must be an object`, `${at}.options`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key))
      throw new ConfigError(`unknown key "${key}" in ${at}.options`, `${at}.options.${key}`);
  }
  const serializers =
    config.serializers ?? (config.serializer === undefined ? undefined : [config.serializer]);
  if (config.endpoint !== undefined) validateEndpoint(config.endpoint, `${at}.endpoint`);
  if (config.proxy !== undefined) validateProxy(config.proxy, `${at}.proxy`);

  const type = config.type ?? inferType(config.url);
  if (type === "memory") {
    if (config.router === undefined || typeof config.router.handlerFactory !== "function") {
      throw new ConfigError(`${at}.router is required for a memory transport`, `${at}.router`);
    }
    const serializer = serializers?.[0];
    return {
      spec: {
        kind: "memory",
        serverFactory: config.router.handlerFactory,
        options: serializer === undefined ? {} : { serializer },
      },
      policy,
      label: "memory",
    };
  }
  if (type === "websocket") {
    if (typeof config.url !== "string" || !/^wss?:\/\//.test(config.url)) {
      throw new ConfigError(`${at}.url must be a ws:// or wss:// URL for a websocket transport`, `${at}.url`);
    }
    const url = websocketUrl(config.url, config.endpoint, at);
    const endpoint = config.endpoint;
    const endpointTls = endpoint?.type === "tcp" ? endpoint.tls : undefined;
    if (endpointTls !== undefined && endpointTls !== false && !url.startsWith("wss")) {
      throw new ConfigError(
        `${at}.endpoint.tls needs a wss:// url (the scheme decides TLS for WebSocket)`,
        `${at}.endpoint.tls`,
      );
    }
    const tls = typeof endpointTls === "object" ? { ...endpointTls, ...config.tls } : config.tls;
    // The seed's endpoint timeout bounds the connection attempt: for WebSocket, the opening handshake.
    const timeout =
      endpoint?.timeout !== undefined && options.openHandshakeTimeout === undefined
        ? { openHandshakeTimeout: endpoint.timeout }
        : {};
    return {
      spec: {
        kind: "websocket",
        options: {
          url,
          ...(serializers === undefined ? {} : { serializers }),
          ...options,
          ...timeout,
          ...(config.proxy === undefined ? {} : { proxy: config.proxy }),
          ...(tls === undefined ? {} : { tls }),
        },
      },
      policy,
      label: config.url,
    };
  }
  if (type === "rawsocket") {
    if (config.url === undefined && config.endpoint === undefined) {
      throw new ConfigError(`${at} needs a url (rs://, rss://, rs://unix:/path) or an endpoint`, `${at}.url`);
    }
    if (config.url !== undefined && !/^rss?:\/\//.test(config.url)) {
      throw new ConfigError(
        `${at}.url must be an rs:// or rss:// URL for a rawsocket transport`,
        `${at}.url`,
      );
    }
    const { headers: _h, perMessageDeflate: _p, ...rsOptions } = options;
    return {
      spec: {
        kind: "rawsocket",
        options: {
          ...(config.url === undefined ? {} : { url: config.url }),
          ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
          ...(serializers === undefined ? {} : { serializers }),
          ...rsOptions,
          ...(config.tls === undefined ? {} : { tls: config.tls }),
        },
      },
      policy,
      label: config.url ?? describeEndpoint(config.endpoint!),
    };
  }
  throw new ConfigError(`${at}.type must be "websocket", "rawsocket" or "memory"`, `${at}.type`);
}

function inferType(url: string | undefined): TransportConfig["type"] {
  if (url !== undefined && /^rss?:\/\//.test(url)) return "rawsocket";
  return "websocket";
}

/** A WebSocket endpoint dict overrides where to connect; the URL keeps the path (and Host). */
function websocketUrl(url: string, endpoint: EndpointConfig | undefined, at: string): string {
  if (endpoint === undefined) return url;
  const parsed = new URL(url);
  if (endpoint.type === "unix")
    return `${parsed.protocol === "wss:" ? "wss" : "ws"}+unix:${endpoint.path}:${parsed.pathname}`;
  if (endpoint.type === "tcp") {
    parsed.hostname = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
    parsed.port = String(endpoint.port);
    return parsed.toString();
  }
  throw new ConfigError(`${at}.endpoint.type must be "tcp" or "unix"`, `${at}.endpoint.type`);
}

function validateEndpoint(e: EndpointConfig, at: string): void {
  if (typeof e !== "object" || e === null) throw new ConfigError(`${at} must be an object`, at);
  const d = e as unknown as Record<string, unknown>;
  const allowed = e.type === "tcp" ? ["type", "host", "port", "timeout", "tls"] : ["type", "path", "timeout"];
  if (e.type !== "tcp" && e.type !== "unix")
    throw new ConfigError(`${at}.type must be "tcp" or "unix"`, `${at}.type`);
  for (const key of Object.keys(d))
    if (!allowed.includes(key)) throw new ConfigError(`unknown key "${key}" in ${at}`, `${at}.${key}`);
  if (e.type === "tcp") {
    if (typeof e.host !== "string" || e.host.length === 0)
      throw new ConfigError(`${at}.host must be a host name or address`, `${at}.host`);
    if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65535)
      throw new ConfigError(`${at}.port must be an integer in [1, 65535]`, `${at}.port`);
    if (e.tls !== undefined && typeof e.tls !== "boolean" && (typeof e.tls !== "object" || e.tls === null)) {
      throw new ConfigError(`${at}.tls must be true, false or TLS options`, `${at}.tls`);
    }
  } else if (typeof e.path !== "string" || e.path.length === 0) {
    throw new ConfigError(`${at}.path must be a socket path`, `${at}.path`);
  }
  if (e.timeout !== undefined) nonNegative(e.timeout, 0, `${at}.timeout`);
}

function validateProxy(p: ProxyOptions, at: string): void {
  if (typeof p !== "object" || p === null) throw new ConfigError(`${at} must be { host, port }`, at);
  if (typeof p.host !== "string" || p.host.length === 0)
    throw new ConfigError(`${at}.host must be a host name or address`, `${at}.host`);
  if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
    throw new ConfigError(`${at}.port must be an integer in [1, 65535]`, `${at}.port`);
}

function describeEndpoint(e: EndpointConfig): string {
  return e.type === "unix" ? `rs://unix:${e.path}` : `rs://${e.host}:${e.port}`;
}

function serializerName(value: unknown, key: string): void {
  if (!serializerNames.includes(value as SerializerName)) {
    throw new ConfigError(
      `${key}: unknown serializer "${String(value)}" (one of ${serializerNames.join(", ")})`,
      key,
    );
  }
}

export function integer(value: unknown, fallback: number, key: string, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`${key} must be an integer ≥ ${min}`, key);
  }
  return value;
}

export function nonNegative(value: unknown, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${key} must be a non-negative number`, key);
  }
  return value;
}

/** The WAMP URIs that, by default, retire a transport: the router refused who we are. */
export const FATAL_URIS: ReadonlySet<string> = new Set([
  "wamp.error.not_authorized",
  "wamp.error.authentication_failed",
  "wamp.error.authorization_failed",
  "wamp.error.no_such_realm",
  "wamp.error.no_such_role",
  "wamp.error.no_auth_method",
  "wamp.error.no_such_principal",
]);

/**
 * The default `isFatal`: authentication and authorization refusals are fatal (unlike Autobahn,
 * where nothing is), everything else is retried.
 */
export function defaultIsFatal(error: WampError): boolean {
  const uri = (error as { uri?: unknown }).uri;
  return typeof uri === "string" && FATAL_URIS.has(uri);
}
