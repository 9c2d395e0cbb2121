/** Router configuration from command-line flags or a JSON file. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import type { RouterConfig } from "../router/router.js";
import type { ListenerOptions } from "../transports/listen.js";

export interface RouterFlags {
  ws?: string;
  rawsocket?: string;
  unix?: string;
  realm?: string[];
  host?: string;
}

/** `--ws 8080 --rawsocket 8081 --unix /tmp/x.sock --realm a --realm b --host ::1`. */
export function routerConfigFromFlags(flags: RouterFlags): RouterConfig {
  const host = flags.host ?? "127.0.0.1";
  const listeners: ListenerOptions[] = [];
  if (flags.ws !== undefined)
    listeners.push({ type: "websocket", host, port: portOf(flags.ws, "--ws"), path: "/ws" });
  if (flags.rawsocket !== undefined)
    listeners.push({ type: "rawsocket", host, port: portOf(flags.rawsocket, "--rawsocket") });
  if (flags.unix !== undefined) listeners.push({ type: "rawsocket", unix: flags.unix });
  if (listeners.length === 0) listeners.push({ type: "websocket", host, port: 8080, path: "/ws" });
  return { realms: flags.realm ?? ["realm1"], listeners };
}

/**
 * Read a JSON configuration file. TLS `cert`, `key` and `ca` may be PEM text or file paths (relative
 * to the configuration file).
 */
export async function loadRouterConfig(file: string): Promise<RouterConfig> {
  let config: RouterConfig;
  try {
    config = JSON.parse(await readFile(file, "utf8")) as RouterConfig;
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`, "config");
  }
  const base = dirname(resolve(file));
  for (const listener of config.listeners ?? []) {
    const tls = listener.tls as Record<string, unknown> | undefined;
    if (tls === undefined || tls === null || typeof tls !== "object") continue;
    for (const key of ["cert", "key", "ca"]) {
      const value = tls[key];
      if (typeof value === "string" && !value.includes("-----BEGIN"))
        tls[key] = await readFile(resolve(base, value), "utf8");
    }
  }
  return config;
}

function portOf(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`${flag} needs a port number, got "${value}"`, flag);
  return port;
}
