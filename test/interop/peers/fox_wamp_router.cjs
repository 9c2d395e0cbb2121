#!/usr/bin/env node
/*
 * Interop peer: the fox-wamp WAMP router (npm `fox-wamp`, installed under interop/node_modules by
 * `npm ci --prefix interop`), started on a loopback WebSocket port.
 *
 *   node fox_wamp_router.cjs [--port N] [--host 127.0.0.1] [--trace]
 *
 * Prints one JSON line once listening: {"listening": "ws://127.0.0.1:<port>/", "version": "<x.y.z>"}
 * (port 0, the default, picks a free port). --trace turns on fox-wamp's own message log (stderr).
 * Exits 0 on SIGTERM / SIGINT, 1 if fox-wamp cannot be loaded or cannot listen.
 *
 * fox-wamp serves WAMP over WebSocket with the wamp.2.json subprotocol only, and creates realms on
 * demand (any realm name joins, anonymously, when no auth handler is set).
 */
"use strict";

const path = require("node:path");

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
}
const port = Number(option("--port", "0"));
const host = option("--host", "127.0.0.1");

const root = path.resolve(__dirname, "../../..");
const dir = path.join(root, "interop/node_modules/fox-wamp");

let FoxRouter;
let version;
try {
  FoxRouter = require(dir);
  version = require(path.join(dir, "package.json")).version;
} catch (err) {
  process.stderr.write(`fox-wamp cannot be loaded from ${dir}: ${err?.message}\n`);
  process.exit(1);
}

const router = new FoxRouter();
if (args.includes("--trace")) router.setLogTrace(true);
const server = router.listenWAMP({ host, port });
server.on("listening", () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ listening: `ws://${host}:${address.port}/`, version })}\n`);
});
server.on("error", (err) => {
  process.stderr.write(`fox-wamp cannot listen on ${host}:${port}: ${err.message}\n`);
  process.exit(1);
});

function stop() {
  for (const client of server.clients) client.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
