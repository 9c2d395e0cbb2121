#!/usr/bin/env node
/*
 * Interop peer: the fox-wamp WAMP router (npm `fox-wamp`, installed under interop/node_modules by
 * `npm ci --prefix interop`), started on a loopback WebSocket port.
 *
 *   node fox_wamp_router.cjs [--port N] [--host 127.0.0.1] [--trace] [--auth]
 *
 * Prints one JSON line once listening: {"listening": "ws://127.0.0.1:<port>/", "version": "<x.y.z>"}
 * (port 0, the default, picks a free port). --trace turns on fox-wamp's own message log (stderr).
 * Exits 0 on SIGTERM / SIGINT, 1 if fox-wamp cannot be loaded or cannot listen.
 *
 * fox-wamp serves WAMP over WebSocket with the wamp.2.json subprotocol only, and creates realms on
 * demand (any realm name joins, anonymously, when no auth handler is set).
 *
 * --auth installs an auth handler through fox-wamp's hooks (`<method>_extra` builds the CHALLENGE
 * extra, `<method>_auth` checks AUTHENTICATE) with two principals: ticket `alice` / `s3cret`, and
 * WAMP-CRA `bob` / secret `pw` (the challenge is a JSON string; the signature is the base64
 * HMAC-SHA256 of it keyed with the secret, as the spec's WAMP-CRA section says).
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

const { createHmac, randomBytes, timingSafeEqual } = require("node:crypto");
const sameText = (a, b) => {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
};
const challenges = new WeakMap();
const authHandler = {
  getAuthMethods: () => ["ticket", "wampcra"],
  ticket_auth(_realm, details, secret, _extra, cb) {
    if (details.authid === "alice" && sameText(secret, "s3cret")) cb(undefined, { role: "user" });
    else cb(new Error("authentication_failed"));
  },
  wampcra_extra(_realm, details, cb) {
    const challenge = JSON.stringify({
      authid: details.authid,
      authrole: "user",
      authmethod: "wampcra",
      authprovider: "fox-wamp-test",
      nonce: randomBytes(16).toString("base64"),
      timestamp: new Date().toISOString(),
    });
    challenges.set(details, challenge);
    cb(undefined, { challenge });
  },
  wampcra_auth(_realm, details, signature, _extra, cb) {
    const challenge = challenges.get(details);
    challenges.delete(details);
    const expected =
      challenge === undefined ? "" : createHmac("sha256", "pw").update(challenge).digest("base64");
    if (details.authid === "bob" && challenge !== undefined && sameText(signature, expected))
      cb(undefined, { role: "user" });
    else cb(new Error("authentication_failed"));
  },
  authorize: () => true,
};
const server = router.listenWAMP({ host, port }, args.includes("--auth") ? authHandler : undefined);
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
