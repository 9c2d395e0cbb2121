/**
 * One small adapter per client library (xwamp, Autobahn|JS, wampy) and per router (xwamp, fox-wamp),
 * so that every bench drives them the same way. All clients speak WAMP-over-JSON on WebSocket.
 *
 * A client: { call(procedure, args) → Promise, register(procedure, fn(args)) → Promise,
 *             publish(topic, args) (no acknowledge where the library allows it),
 *             subscribe(topic, fn(args)) → Promise, close() → Promise }.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { createComponent, createRouter } from "../dist/index.js";

const require = createRequire(import.meta.url);
const interopRequire = createRequire(fileURLToPath(new URL("../interop/package.json", import.meta.url)));

export const REALM = "realm1";
export const PEER_MISSING = "n/a (peer not installed: npm ci --prefix interop)";

// ---------------------------------------------------------------------------------------------
// Routers

/** The xwamp router, in-process, WebSocket on 127.0.0.1 with a free port. */
export async function startXwampRouter() {
  const router = await createRouter({ realms: [REALM], listeners: [{ type: "websocket", port: 0 }] });
  return { name: "xwamp router", url: router.listeners[0].url, close: () => router.close() };
}

/** fox-wamp's router, in-process on 127.0.0.1 with a free port; undefined when not installed. */
export async function startFoxRouter() {
  let FoxRouter;
  try {
    FoxRouter = interopRequire("fox-wamp");
  } catch {
    return undefined;
  }
  const router = new FoxRouter();
  const server = router.listenWAMP({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address();
  return {
    name: "fox-wamp router",
    url: `ws://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Clients

/** xwamp: a Component whose `main` holds the session open until close(). */
async function xwampClient(url) {
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  let joined;
  const sessionReady = new Promise((resolve) => {
    joined = resolve;
  });
  const component = createComponent({
    transports: { url, serializer: "json", maxRetries: 0 },
    realm: REALM,
    logLevel: "off",
    main: (session) => {
      joined(session);
      return held;
    },
  });
  const ended = component.start().then(() => {
    throw new Error("xwamp component ended before joining");
  });
  const session = await Promise.race([sessionReady, ended]);
  ended.catch(() => {});
  return {
    call: (procedure, args) => session.call(procedure, args),
    register: (procedure, fn) => session.register(procedure, (args) => fn(args)),
    publish: (topic, args) => session.publish(topic, args),
    subscribe: (topic, fn) => session.subscribe(topic, (args) => fn(args)),
    close: async () => {
      release();
      await component.stop();
    },
  };
}

let autobahnModule;
function autobahn() {
  if (autobahnModule === undefined) {
    // Autobahn|JS binds console.warn when loaded and warns on every closed connection: keep the
    // table readable by giving it a silent one.
    const warn = console.warn;
    console.warn = () => {};
    try {
      autobahnModule = require("autobahn");
    } finally {
      console.warn = warn;
    }
  }
  return autobahnModule;
}

/** Autobahn|JS 22 (CommonJS), JSON serializer, ES6 promises, no reconnection. */
async function autobahnClient(url) {
  const ab = autobahn();
  const connection = new ab.Connection({
    url,
    realm: REALM,
    serializers: [new ab.serializer.JSONSerializer()],
    use_es6_promises: true,
    max_retries: 0,
    retry_if_unreachable: false,
  });
  const session = await new Promise((resolve, reject) => {
    connection.onopen = resolve;
    connection.onclose = (reason, details) => {
      reject(new Error(`autobahn connection closed: ${reason} ${JSON.stringify(details)}`));
      return true; // no retry
    };
    connection.open();
  });
  return {
    call: (procedure, args) => session.call(procedure, args),
    register: (procedure, fn) => session.register(procedure, (args) => fn(args)),
    publish: (topic, args) => session.publish(topic, args),
    subscribe: (topic, fn) => session.subscribe(topic, (args) => fn(args)),
    close: async () => {
      await new Promise((resolve) => {
        connection.onclose = () => {
          resolve();
          return true;
        };
        if (connection.close() !== undefined) resolve(); // already closed
      });
    },
  };
}

let wampyModule;
/** wampy's exports, or undefined when the interop peers are not installed. */
export async function loadWampy() {
  if (wampyModule === undefined) {
    try {
      wampyModule = await import(interopRequire.resolve("wampy"));
    } catch {
      wampyModule = null;
    }
  }
  return wampyModule ?? undefined;
}

/** wampy 8 (JSON by default), on the `ws` package, no reconnection. */
async function wampyClient(url) {
  const { Wampy } = await loadWampy();
  const wampy = new Wampy(url, { realm: REALM, ws: WebSocket, autoReconnect: false, uriValidation: "loose" });
  await wampy.connect();
  return {
    call: async (procedure, args) => (await wampy.call(procedure, args)).argsList?.[0],
    // a wampy procedure returns { argsList } to answer with positional results
    register: (procedure, fn) => wampy.register(procedure, ({ argsList }) => ({ argsList: [fn(argsList)] })),
    // wampy 8.0.2 always sets acknowledge: true on PUBLISH (no way to turn it off)
    publish: (topic, args) => wampy.publish(topic, args),
    subscribe: (topic, fn) => wampy.subscribe(topic, ({ argsList }) => fn(argsList)),
    close: () => wampy.disconnect(),
  };
}

/** Client libraries by name; `available()` says whether the library can be loaded here. */
export const clients = {
  xwamp: { name: "xwamp", connect: xwampClient, available: async () => true },
  autobahn: { name: "Autobahn|JS", connect: autobahnClient, available: async () => true },
  wampy: { name: "wampy", connect: wampyClient, available: async () => (await loadWampy()) !== undefined },
};

/** Connect `count` clients, at most `concurrency` handshakes at a time. */
export async function connectMany(client, url, count, concurrency = 50) {
  const connected = [];
  for (let i = 0; i < count; i += concurrency) {
    const batch = Math.min(concurrency, count - i);
    connected.push(...(await Promise.all(Array.from({ length: batch }, () => client.connect(url)))));
  }
  return connected;
}
