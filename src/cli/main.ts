/**
 * The `xwamp` command: `xwamp router ...` runs the embedded router; `xwamp demo` runs the router with
 * a narrated example (what `npm start` does); `xwamp help` prints usage.
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../errors.js";
import { createRouter, type Router, type RouterConfig } from "../router/router.js";
import { runDemo } from "./demo.js";
import { KEYGEN_USAGE, runKeygen } from "./keygen.js";
import { loadRouterConfig, routerConfigFromFlags } from "./routerConfig.js";

const USAGE = `xwamp — WAMP for TypeScript on Node.js

Usage:
  xwamp router [options]        run the embedded WAMP router
  xwamp demo                    run the router plus a narrated example (npm start)
  xwamp keygen [options]        authentication keys (see "Keygen" below)
  xwamp help                    show this help

Router options:
  --ws <port>                   WebSocket listener on <port>, path /ws
  --rawsocket <port>            RawSocket listener on <port>
  --unix <path>                 RawSocket listener on a Unix socket
  --realm <name>                realm to serve (repeatable; default realm1)
  --host <address>              interface to bind (default 127.0.0.1)
  --config <file.json>          full configuration (realms, listeners, auth, roles) from a JSON file

Keygen:
${KEYGEN_USAGE}`;

/** Entry point; resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return 0;
    case "router":
      return runRouter(rest);
    case "demo":
      return runDemo();
    case "keygen":
      return runKeygen(rest);
    default:
      process.stderr.write(`xwamp: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function runRouter(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseFlags>;
  try {
    values = parseFlags(argv);
  } catch (err) {
    process.stderr.write(`xwamp router: ${(err as Error).message}\n`);
    return 2;
  }
  let config: RouterConfig;
  try {
    config =
      values.config !== undefined ? await loadRouterConfig(values.config) : routerConfigFromFlags(values);
  } catch (err) {
    process.stderr.write(
      `xwamp router: ${err instanceof ConfigError ? `invalid configuration: ${err.message}` : (err as Error).message}\n`,
    );
    return 2;
  }
  let router: Router;
  try {
    router = await createRouter({
      ...config,
      log: (level, message) => {
        if (level !== "debug") process.stderr.write(`[${level}] ${message}\n`);
      },
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`xwamp router: invalid configuration: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`xwamp router: ${(err as Error).message}\n`);
    return 1;
  }
  // Handlers first, then the "listening" lines: whoever reads them may signal at once, and a signal
  // that arrived before a handler existed would kill the process instead of closing the router.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`xwamp router: ${signal}, shutting down\n`);
      router.close().then(resolve, resolve);
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  for (const l of router.listeners) process.stdout.write(`xwamp router: listening on ${l.url}\n`);
  if (router.listeners.length === 0) process.stdout.write("xwamp router: no listeners configured\n");
  await stopped;
  process.stdout.write("xwamp router: stopped\n");
  return 0;
}

function parseFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      ws: { type: "string" },
      rawsocket: { type: "string" },
      unix: { type: "string" },
      realm: { type: "string", multiple: true },
      host: { type: "string" },
      config: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  return values;
}
