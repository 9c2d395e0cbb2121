/**
 * Client crossover: an xwamp client component and a session of another WAMP client library talk to
 * each other THROUGH the xwamp router (in-process, with WebSocket and RawSocket listeners). Each
 * side is callee, caller, subscriber and publisher for the other:
 *
 * - xwamp registers com.example.xwamp.add / .fail and subscribes com.example.xwamp.topic;
 * - the peer registers com.example.<py|js>.mul / .fail and subscribes com.example.<py|js>.topic;
 * - each calls the other's procedures (args, kwargs, keyword results, errors with args and kwargs,
 *   a missing procedure), publishes (acknowledged, disclosed) to the other's topic, and both sides
 *   check what they got, bytes included where the serializer carries them.
 *
 * Peers: Autobahn|Python (Debian python3-autobahn, asyncio; `peers/autobahn_client_crossover.py`
 * prints JSON lines which this file asserts) over WebSocket json/msgpack/cbor and RawSocket
 * json/msgpack/cbor, and Autobahn|JS (npm autobahn, in-process) over WebSocket json/msgpack/cbor and
 * its RawSocket (JSON only). Every scenario gets its own router, so the URIs are the same in all.
 */
import { describe, expect, it } from "vitest";
import type { ComponentSession } from "../../src/component/componentSession.js";
import { type Component, createComponent } from "../../src/component.js";
import { ApplicationError } from "../../src/errors.js";
import type { Router } from "../../src/router/router.js";
import { CallResult, type EventDetails, type InvocationDetails } from "../../src/session/index.js";
import type { AbError, AbEvent, AbInvocation, AbResult, AbSession, AutobahnJs, Dict } from "./autobahn-js.js";
import {
  createInteropRouter,
  expectCleanRun,
  explain,
  killChild,
  limiter,
  quirksOf,
  runPythonPeer,
  stepLine,
  timeLimits,
} from "./helpers.js";
import { describeWithAutobahnJs, describeWithAutobahnPython } from "./peers.js";

const STEP = 5_000;
const PROCESS_TIMEOUT = 15_000;
const BYTES = Uint8Array.from([0x00, 0x01, 0xfe, 0xff]);

const { within, rejection } = timeLimits(STEP);

function hex(value: unknown): string {
  expect(value).toBeInstanceOf(Uint8Array);
  return Buffer.from(value as Uint8Array).toString("hex");
}

// --- the xwamp side --------------------------------------------------------------------------------

type Transport = "websocket" | "rawsocket";

interface Scenario {
  transport: Transport;
  serializer: "json" | "msgpack" | "cbor";
}

const name = (s: Scenario) => `${s.transport === "websocket" ? "WebSocket" : "RawSocket"} ${s.serializer}`;

interface XwampSide {
  component: Component;
  session: ComponentSession;
  adds: Array<{ args: unknown[]; kwargs: Dict; details: InvocationDetails }>;
  events: Array<{ args: unknown[]; kwargs: Dict; details: EventDetails }>;
  event: Promise<void>;
  logs: string[];
}

/** What a test must undo, newest first; each test runs its own (tests may run concurrently). */
type Defer = (cleanup: () => unknown) => void;

async function scoped(body: (defer: Defer) => Promise<void>): Promise<void> {
  const cleanups: Array<() => unknown> = [];
  try {
    await body((cleanup) => cleanups.push(cleanup));
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

async function startRouter(defer: Defer): Promise<Router> {
  const router = await createInteropRouter();
  defer(() => router.close());
  return router;
}

function urlOf(router: Router, transport: Transport): string {
  return router.listeners[transport === "websocket" ? 0 : 1].url;
}

/** The xwamp component: callee of com.example.xwamp.add/.fail, subscriber of com.example.xwamp.topic. */
async function startXwamp(router: Router, s: Scenario, defer: Defer): Promise<XwampSide> {
  const logs: string[] = [];
  const component = createComponent({
    transports: [{ url: urlOf(router, s.transport), serializers: [s.serializer], maxRetries: 0 }],
    realm: "realm1",
    logLevel: "debug",
    logger: (level, message) => logs.push(`${level} ${message}`),
  });
  defer(() => within("stopping the xwamp component", component.stop(), 3_000));
  const adds: XwampSide["adds"] = [];
  const events: XwampSide["events"] = [];
  let arrived!: () => void;
  const event = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  component
    .register("com.example.xwamp.add", (args, kwargs, details) => {
      adds.push({ args, kwargs, details });
      const [a, b] = args as number[];
      return kwargs.verbose === true ? new CallResult([a + b], { a, b }) : a + b;
    })
    .register("com.example.xwamp.fail", () => {
      throw new ApplicationError("com.example.xwamp.error.bad", ["reason", 7], { code: 7, detail: "ü" });
    })
    .subscribe("com.example.xwamp.topic", (args, kwargs, details) => {
      events.push({ args, kwargs, details });
      arrived();
    });
  const ready = new Promise<ComponentSession>((resolve) => component.on("ready", resolve));
  const ended = component.start().then(
    () => Promise.reject(new Error(`xwamp component done before joining\n${logs.join("\n")}`)),
    (err: unknown) => Promise.reject(new Error(`xwamp component failed: ${String(err)}\n${logs.join("\n")}`)),
  );
  ended.catch(() => {});
  const session = await within(`xwamp joins over ${name(s)}`, Promise.race([ready, ended]));
  return { component, session, adds, events, event, logs };
}

/** What the xwamp side does once the peer is ready, and what it got back. */
interface XwampCalls {
  mul: unknown;
  mulKw: unknown;
  failure: unknown;
  missing: unknown;
  publication: number;
}

async function callPeer(session: ComponentSession, peer: "py" | "js", binary: boolean): Promise<XwampCalls> {
  const p = `com.example.${peer}`;
  const mul = await within("xwamp calls mul", session.call(`${p}.mul`, [6, 7], {}, { discloseMe: true }));
  const kw: Dict = { unit: "m²", nested: { list: [1, [2]] } };
  if (binary) kw.blob = BYTES;
  const mulKw = await within("xwamp calls mul with kwargs", session.call(`${p}.mul`, [2, 21], kw));
  const failure = await rejection("xwamp calls fail", session.call(`${p}.fail`, [1]));
  const missing = await rejection("xwamp calls a missing procedure", session.call(`${p}.nobody_home`));
  const publication = await within(
    "xwamp publishes",
    session.publish(
      `${p}.topic`,
      binary ? ["from xwamp", BYTES] : ["from xwamp", "no bytes"],
      { n: 2, who: "ü" },
      { acknowledge: true, discloseMe: true },
    ),
  );
  return { mul, mulKw, failure, missing, publication };
}

/** The assertions on what the xwamp side got from the peer's procedures. */
function checkXwampCalls(calls: XwampCalls, peer: "py" | "js", binary: boolean): void {
  expect(calls.mul).toBe(42);
  const kw: Dict = { unit: "m²", nested: { list: [1, [2]] } };
  expect(calls.mulKw).toBeInstanceOf(CallResult);
  const mulKw = calls.mulKw as CallResult;
  expect(mulKw.args).toEqual([42]);
  if (binary) {
    const { blob, ...rest } = mulKw.kwargs;
    expect(hex(blob)).toBe("0001feff");
    expect(rest).toEqual(kw);
  } else expect(mulKw.kwargs).toEqual(kw);

  expect(calls.failure).toBeInstanceOf(ApplicationError);
  expect(calls.failure).toMatchObject({
    uri: `com.example.${peer}.error.bad`,
    args: ["why", 9],
    kwargs: { detail: "ü" },
  });
  expect(calls.missing).toBeInstanceOf(ApplicationError);
  expect((calls.missing as ApplicationError).uri).toBe("wamp.error.no_such_procedure");
  expect(typeof calls.publication).toBe("number");
}

// --- Autobahn|Python -------------------------------------------------------------------------------

const PYTHON_SCENARIOS: Scenario[] = [
  { transport: "websocket", serializer: "json" },
  { transport: "websocket", serializer: "msgpack" },
  { transport: "websocket", serializer: "cbor" },
  { transport: "rawsocket", serializer: "json" },
  { transport: "rawsocket", serializer: "msgpack" },
  { transport: "rawsocket", serializer: "cbor" },
];

describeWithAutobahnPython(
  "interop: xwamp client ↔ Autobahn|Python session through the xwamp router",
  (peer) => {
    const limit = limiter(2);
    describe.concurrent(`Autobahn|Python ${peer.version}`, () => {
      for (const s of PYTHON_SCENARIOS) {
        it(name(s), { timeout: 30_000 }, () =>
          scoped(async (defer) => {
            const router = await startRouter(defer);
            const xwamp = await startXwamp(router, s, defer);
            let calls: Promise<XwampCalls> | undefined;
            const run = await limit(() =>
              runPythonPeer(
                peer,
                "autobahn_client_crossover.py",
                ["--url", urlOf(router, s.transport), "--serializer", s.serializer],
                {
                  timeoutMs: PROCESS_TIMEOUT,
                  onLine: (line) => {
                    // Autobahn|Python carries bytes with every serializer (JSON: NUL + base64).
                    if (line.step !== "ready") return;
                    calls = callPeer(xwamp.session, "py", true);
                    calls.catch(() => {}); // awaited below, after the peer has exited
                  },
                  onSpawn: (child) => defer(() => killChild(child)),
                },
              ),
            );
            const where = `${explain(run)}\nxwamp log:\n${xwamp.logs.join("\n")}`;
            const step = (id: string) => stepLine(run, where, id);
            expectCleanRun(run, where, ["unexpected"]);
            // Only the known RawSocket workaround, and only on RawSocket.
            expect(quirksOf(run), where).toEqual(
              s.transport === "rawsocket" ? ["rawsocket_transport_details"] : [],
            );

            const joined = step("joined");
            expect(joined.serializer, where).toBe(s.serializer);
            expect(joined.session, where).toBeGreaterThanOrEqual(1);
            expect(joined.session, where).not.toBe(xwamp.session.id);

            // The peer called xwamp's procedures.
            expect(step("add").value, where).toBe(5);
            expect(step("add_verbose"), where).toMatchObject({ results: [42], kwresults: { a: 20, b: 22 } });
            expect(step("xwamp_error"), where).toMatchObject({
              error: "com.example.xwamp.error.bad",
              args: ["reason", 7],
              kwargs: { code: 7, detail: "ü" },
            });
            expect(step("missing").error, where).toBe("wamp.error.no_such_procedure");
            expect(xwamp.adds.map((a) => [a.args, a.kwargs])).toEqual([
              [[2, 3], {}],
              [[20, 22], { verbose: true }],
            ]);
            expect(xwamp.adds[0].details.procedure).toBe("com.example.xwamp.add");

            // The peer's event reached the xwamp subscriber, bytes as bytes.
            await within("the peer's event at xwamp", xwamp.event);
            const [event] = xwamp.events;
            expect(event.args[0]).toBe("hello");
            expect(hex(event.args[1])).toBe("0001feff");
            expect(event.kwargs).toEqual({ n: 1, who: "ü" });
            expect(event.details.topic).toBe("com.example.xwamp.topic");
            expect(event.details.publication).toBe(step("published").publication);
            // Autobahn|Python 22.7.1 cannot ask for disclose_me, so the publisher stays anonymous.
            expect(event.details.publisher).toBeUndefined();

            // xwamp called the peer's procedures and published to its topic.
            expect(calls, where).toBeDefined();
            const got = await within("the xwamp side's calls", calls!);
            checkXwampCalls(got, "py", true);
            const invoked = run.lines.filter((l) => l.step === "invoked_mul");
            expect(invoked, where).toEqual([
              {
                step: "invoked_mul",
                args: [6, 7],
                kwargs: {},
                caller: xwamp.session.id,
                procedure: "com.example.py.mul",
              },
              {
                step: "invoked_mul",
                args: [2, 21],
                kwargs: { unit: "m²", nested: { list: [1, [2]] }, blob: { $bytes: "0001feff" } },
                caller: null,
                procedure: "com.example.py.mul",
              },
            ]);
            expect(step("event"), where).toEqual({
              step: "event",
              args: ["from xwamp", { $bytes: "0001feff" }],
              kwargs: { n: 2, who: "ü" },
              topic: "com.example.py.topic",
              publication: got.publication,
              publisher: xwamp.session.id,
            });
            expect(step("left").reason, where).toBe("wamp.close.goodbye_and_out");
          }),
        );
      }
    });
  },
);

// --- Autobahn|JS -----------------------------------------------------------------------------------

const JS_SCENARIOS: Array<Scenario & { serializerClass?: string }> = [
  { transport: "websocket", serializer: "json", serializerClass: "JSONSerializer" },
  { transport: "websocket", serializer: "msgpack", serializerClass: "MsgpackSerializer" },
  { transport: "websocket", serializer: "cbor", serializerClass: "CBORSerializer" },
  { transport: "rawsocket", serializer: "json" }, // Autobahn|JS 22.11.1 RawSocket: JSON only
];

describeWithAutobahnJs("interop: xwamp client ↔ Autobahn|JS session through the xwamp router", (peer) => {
  const ab = peer.module as AutobahnJs;
  const peerLog: string[] = [];
  ab.log.warn = (...args: unknown[]) => peerLog.push(args.map((a) => JSON.stringify(a)).join(" "));

  it(`Autobahn|JS ${peer.version} has the serializers this suite uses`, () => {
    for (const s of JS_SCENARIOS)
      if (s.serializerClass !== undefined) expect(ab.serializer[s.serializerClass]).toBeTypeOf("function");
  });

  for (const s of JS_SCENARIOS) {
    it(`Autobahn|JS ${peer.version}: ${name(s)}`, () =>
      scoped(async (defer) => {
        const router = await startRouter(defer);
        const xwamp = await startXwamp(router, s, defer);
        // Autobahn|JS's JSON serializer has no binary convention: bytes only with msgpack and cbor.
        const binary = s.serializer !== "json";

        const transport =
          s.transport === "websocket"
            ? {
                type: "websocket",
                url: urlOf(router, "websocket"),
                serializers: [new (ab.serializer[s.serializerClass!] as new () => unknown)()],
              }
            : { type: "rawsocket", host: "127.0.0.1", port: router.listeners[1].port };
        const userErrors: unknown[] = [];
        const connection = new ab.Connection({
          transports: [transport],
          realm: "realm1",
          max_retries: 0,
          // Autobahn|JS reports a thrown autobahn.Error here (and logs it when nobody listens).
          on_user_error: (err: unknown) => userErrors.push(err),
        });
        let closed!: (reason: string) => void;
        const whenClosed = new Promise<string>((resolve) => {
          closed = resolve;
        });
        const session = await within(
          `Autobahn|JS joins over ${name(s)}`,
          new Promise<AbSession>((resolve, reject) => {
            connection.onopen = resolve;
            connection.onclose = (reason, details) => {
              closed(`${reason} ${details.reason}`);
              reject(new Error(`Autobahn|JS closed: ${reason}\n${peerLog.join("\n")}`));
              return true; // no retry
            };
            connection.open();
          }),
        );
        try {
          // The peer's side: callee of mul/fail, subscriber of its topic.
          const invoked: Array<{ args: unknown[]; kwargs: Dict; details: AbInvocation }> = [];
          const events: Array<{ args: unknown[]; kwargs: Dict; details: AbEvent }> = [];
          let eventArrived!: () => void;
          const eventSeen = new Promise<void>((resolve) => {
            eventArrived = resolve;
          });
          await within(
            "Autobahn|JS registers and subscribes",
            Promise.all([
              session.register("com.example.js.mul", (args, kwargs, details) => {
                invoked.push({ args, kwargs, details });
                const [a, b] = args as number[];
                return Object.keys(kwargs).length > 0 ? new ab.Result([a * b], kwargs) : a * b;
              }),
              session.register("com.example.js.fail", () => {
                throw new ab.Error("com.example.js.error.bad", ["why", 9], { detail: "ü" });
              }),
              session.subscribe("com.example.js.topic", (args, kwargs, details) => {
                events.push({ args, kwargs, details });
                eventArrived();
              }),
            ]),
          );

          // The peer calls xwamp's procedures and publishes to its topic.
          expect(await within("Autobahn|JS calls add", session.call("com.example.xwamp.add", [2, 3]))).toBe(
            5,
          );
          const verbose = (await within(
            "Autobahn|JS calls add verbosely",
            session.call("com.example.xwamp.add", [20, 22], { verbose: true }),
          )) as AbResult;
          expect(verbose).toBeInstanceOf(ab.Result);
          expect([verbose.args, verbose.kwargs]).toEqual([[42], { a: 20, b: 22 }]);
          const failure = (await rejection(
            "Autobahn|JS calls fail",
            session.call("com.example.xwamp.fail", [1]),
          )) as AbError;
          expect(failure).toBeInstanceOf(ab.Error);
          expect([failure.error, failure.args, failure.kwargs]).toEqual([
            "com.example.xwamp.error.bad",
            ["reason", 7],
            { code: 7, detail: "ü" },
          ]);
          const missing = (await rejection(
            "Autobahn|JS calls a missing procedure",
            session.call("com.example.xwamp.nobody_home"),
          )) as AbError;
          expect(missing.error).toBe("wamp.error.no_such_procedure");
          const payload = binary ? ["hello", Buffer.from(BYTES)] : ["hello", "no bytes"];
          const publication = await within(
            "Autobahn|JS publishes",
            session.publish(
              "com.example.xwamp.topic",
              payload,
              { n: 1, who: "ü" },
              {
                acknowledge: true,
                disclose_me: true,
              },
            )!, // acknowledged: a promise, not null
          );
          await within("the peer's event at xwamp", xwamp.event);
          const [event] = xwamp.events;
          expect(event.args[0]).toBe("hello");
          if (binary) expect(hex(event.args[1])).toBe("0001feff");
          else expect(event.args[1]).toBe("no bytes");
          expect(event.kwargs).toEqual({ n: 1, who: "ü" });
          expect(event.details.publication).toBe(publication.id);
          expect(event.details.publisher).toBe(session.id);
          expect(xwamp.adds.map((a) => [a.args, a.kwargs])).toEqual([
            [[2, 3], {}],
            [[20, 22], { verbose: true }],
          ]);

          // xwamp calls the peer's procedures and publishes to its topic.
          const got = await callPeer(xwamp.session, "js", binary);
          checkXwampCalls(got, "js", binary);
          expect(invoked.map((i) => [i.args, i.details.procedure, i.details.caller])).toEqual([
            [[6, 7], "com.example.js.mul", xwamp.session.id],
            [[2, 21], "com.example.js.mul", undefined],
          ]);
          await within("xwamp's event at Autobahn|JS", eventSeen);
          expect(events).toHaveLength(1);
          expect(events[0].args[0]).toBe("from xwamp");
          if (binary) expect(hex(events[0].args[1])).toBe("0001feff");
          expect(events[0].kwargs).toEqual({ n: 2, who: "ü" });
          expect(events[0].details).toMatchObject({
            publication: got.publication,
            topic: "com.example.js.topic",
            publisher: xwamp.session.id,
          });
        } finally {
          connection.close();
          await within("Autobahn|JS closes", whenClosed, 3_000).catch(() => {});
        }
        expect(await within("Autobahn|JS closes", whenClosed)).toBe("closed wamp.close.goodbye_and_out");
      }));
  }
});
