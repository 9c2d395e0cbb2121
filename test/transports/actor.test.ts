/**
 * The client transport actor (`clientTransportActor`) invoked by a tiny parent machine, against real
 * loopback listeners (and the in-memory pair): it reports only lifecycle events to its parent
 * (`transport.opened` with the details, `transport.closed`, `transport.failed`), messages go through
 * `connection.attach(receiver)`, and stopping the parent closes the connection, even mid-connect.
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Actor, assign, createActor, sendTo, setup, waitFor } from "xstate";
import { TransportError } from "../../src/errors.js";
import {
  type ClientTransportSpec,
  clientTransportActor,
  type TransportEvent,
} from "../../src/transports/actor.js";
import { type Listener, listen } from "../../src/transports/listen.js";
import type {
  CloseDetails,
  TransportHandle,
  TransportHandler,
  TransportHandlerFactory,
} from "../../src/transports/types.js";

type Kind = "websocket" | "rawsocket" | "memory";
const KINDS: Kind[] = ["websocket", "rawsocket", "memory"];

/** What a server-side handler does when its connection opens or a message arrives. */
interface Behaviour {
  onOpen?(handle: TransportHandle): void;
  onMessage?(message: unknown[], handle: TransportHandle): void;
}

/** A server-side handler that records everything it is given. */
class Recorder implements TransportHandler {
  handle: TransportHandle | undefined;
  readonly messages: unknown[][] = [];
  closed: CloseDetails | undefined;
  constructor(private readonly behaviour: Behaviour) {}
  onOpen(handle: TransportHandle): void {
    this.handle = handle;
    this.behaviour.onOpen?.(handle);
  }
  onMessage(message: unknown[]): void {
    this.messages.push(message);
    this.behaviour.onMessage?.(message, this.handle!);
  }
  onClose(details: CloseDetails): void {
    this.closed = details;
  }
}

/** A server of the given kind whose handlers are {@link Recorder}s following `behaviour`. */
interface Fixture {
  readonly recorders: Recorder[];
  behaviour: Behaviour;
  readonly spec: ClientTransportSpec;
  /** The peer the client should report. */
  readonly peer: string;
  readonly serializer: string;
}

const cleanups: Array<() => unknown> = [];
const actors: Array<Actor<typeof parent>> = [];

afterEach(async () => {
  for (const a of actors.splice(0)) a.stop();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fixture(kind: Kind): Promise<Fixture> {
  const recorders: Recorder[] = [];
  const f = { recorders, behaviour: {} as Behaviour } as Fixture & { behaviour: Behaviour };
  const factory: TransportHandlerFactory = () => {
    const r = new Recorder(f.behaviour);
    recorders.push(r);
    return r;
  };
  if (kind === "memory") {
    return Object.assign(f, {
      spec: { kind, serverFactory: factory, options: { serializer: "json" } } as const,
      peer: "memory",
      serializer: "json",
    });
  }
  const listener: Listener = await listen({ type: kind, port: 0 }, factory);
  cleanups.push(() => listener.close());
  const spec: ClientTransportSpec =
    kind === "websocket"
      ? { kind, options: { url: listener.url, serializers: ["msgpack"] } }
      : { kind, options: { url: listener.url, serializer: "cbor" } };
  return Object.assign(f, {
    spec,
    peer: `tcp4:127.0.0.1:${listener.port}`,
    serializer: kind === "websocket" ? "msgpack" : "cbor",
  });
}

/** The parent: invokes the transport actor and records every event it sends back. */
const parent = setup({
  types: {
    input: {} as ClientTransportSpec,
    context: {} as { spec: ClientTransportSpec; events: TransportEvent[] },
    events: {} as TransportEvent | { type: "close"; code?: number; reason?: string },
  },
  actors: { t: clientTransportActor },
}).createMachine({
  context: ({ input }) => ({ spec: input, events: [] }),
  invoke: { id: "t", src: "t", input: ({ context }) => context.spec },
  on: {
    "transport.opened": { actions: assign({ events: ({ context, event }) => [...context.events, event] }) },
    "transport.closed": { actions: assign({ events: ({ context, event }) => [...context.events, event] }) },
    "transport.failed": { actions: assign({ events: ({ context, event }) => [...context.events, event] }) },
    close: {
      actions: sendTo("t", ({ event }) => ({
        type: "transport.close" as const,
        code: event.code,
        reason: event.reason,
      })),
    },
  },
});

function run(spec: ClientTransportSpec) {
  const actor = createActor(parent, { input: spec });
  actors.push(actor);
  actor.start();
  return actor;
}

function eventsOf(actor: Actor<typeof parent>): TransportEvent[] {
  return actor.getSnapshot().context.events;
}

/** Wait (bounded) for the parent to have received an event of `type`; returns it. */
async function received<T extends TransportEvent["type"]>(
  actor: Actor<typeof parent>,
  type: T,
): Promise<Extract<TransportEvent, { type: T }>> {
  const snapshot = await waitFor(actor, (s) => s.context.events.some((e) => e.type === type), {
    timeout: 5000,
  });
  return snapshot.context.events.find((e) => e.type === type) as Extract<TransportEvent, { type: T }>;
}

/** Wait (bounded) until `predicate` holds. */
async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One full turn of the event loop: whatever was already due has run. */
const turn = () => new Promise((r) => setImmediate(r));

describe.each(KINDS)("clientTransportActor over %s", (kind) => {
  it("reports transport.opened with the connection's details", async () => {
    const f = await fixture(kind);
    const actor = run(f.spec);
    const opened = await received(actor, "transport.opened");
    expect(opened.details).toBe(opened.connection.handle.details);
    expect(opened.details.kind).toBe(kind);
    expect(opened.details.serializer.name).toBe(f.serializer);
    expect(opened.details.peer).toBe(f.peer);
    expect(opened.details.secure).toBe(false);
    expect(opened.details.subprotocol).toBe(kind === "rawsocket" ? undefined : `wamp.2.${f.serializer}`);
    expect(opened.connection.handle.isOpen).toBe(true);
    await until(() => f.recorders[0]?.handle !== undefined, "the server side opened");
    expect(f.recorders).toHaveLength(1);
    expect(eventsOf(actor).map((e) => e.type)).toEqual(["transport.opened"]);
  });

  it("delivers messages through connection.attach, never through the parent", async () => {
    const f = await fixture(kind);
    f.behaviour = {
      onMessage: (m, h) => {
        if (m[0] === "ping") h.send(["pong", m[1]]);
      },
    };
    const actor = run(f.spec);
    const { connection } = await received(actor, "transport.opened");
    const got: unknown[][] = [];
    connection.attach((m) => got.push(m));
    for (let i = 1; i <= 3; i++) connection.handle.send(["ping", i]);
    await until(() => got.length === 3, "three replies");
    expect(got).toEqual([
      ["pong", 1],
      ["pong", 2],
      ["pong", 3],
    ]);
    expect(f.recorders[0].messages).toEqual([
      ["ping", 1],
      ["ping", 2],
      ["ping", 3],
    ]);
    expect(eventsOf(actor).map((e) => e.type)).toEqual(["transport.opened"]);
  });

  it("queues messages that arrive before attach and delivers them, in order, on attach", async () => {
    const f = await fixture(kind);
    // The server sends at once and then closes: transport.closed proves everything sent has arrived.
    f.behaviour = {
      onMessage: (m, h) => {
        if (m[0] !== "go") return;
        h.send(["one"]);
        h.send(["two", { n: 2 }]);
        h.send(["three"]);
        h.close(1000, "done");
      },
    };
    const actor = run(f.spec);
    const { connection } = await received(actor, "transport.opened");
    connection.handle.send(["go"]);
    await received(actor, "transport.closed");
    const got: unknown[][] = [];
    connection.attach((m) => got.push(m));
    expect(got).toEqual([["one"], ["two", { n: 2 }], ["three"]]);
    // The queue was handed over once: a second receiver gets nothing replayed.
    const again: unknown[][] = [];
    connection.attach((m) => again.push(m));
    expect(again).toEqual([]);
  });

  it("stopping the parent closes the connection; the server's onClose fires and the parent hears nothing more", async () => {
    const f = await fixture(kind);
    const actor = run(f.spec);
    const { connection } = await received(actor, "transport.opened");
    await until(() => f.recorders[0]?.handle !== undefined, "the server side opened");
    actor.stop();
    await until(() => f.recorders[0].closed !== undefined, "the server side closed");
    expect(f.recorders[0].closed!.clean).toBe(true);
    expect(connection.handle.isOpen).toBe(false);
    expect(eventsOf(actor).map((e) => e.type)).toEqual(["transport.opened"]);
  });

  it("the peer closing yields transport.closed with the close details", async () => {
    const f = await fixture(kind);
    f.behaviour = { onMessage: (m, h) => m[0] === "bye" && h.close(1000, "bye") };
    const actor = run(f.spec);
    const { connection } = await received(actor, "transport.opened");
    connection.handle.send(["bye"]);
    const { details } = await received(actor, "transport.closed");
    expect(details.clean).toBe(true);
    expect(details.error).toBeUndefined();
    if (kind === "websocket") {
      expect(details.code).toBe(1000);
      expect(details.reason).toBe("bye");
    } else {
      expect(details.code).toBeUndefined();
    }
    expect(connection.handle.isOpen).toBe(false);
    expect(eventsOf(actor).map((e) => e.type)).toEqual(["transport.opened", "transport.closed"]);
  });

  // In memory, a server that closes in its onOpen closes before openClientTransport's await resumes;
  // the actor holds that close until transport.opened has been sent.
  it("a peer that closes as soon as it opens: transport.opened comes first, then transport.closed", async () => {
    const f = await fixture(kind);
    f.behaviour = {
      onOpen: (h) => {
        h.send(["hello"]);
        h.close(1000, "at once");
      },
    };
    const actor = run(f.spec);
    await received(actor, "transport.closed");
    expect(eventsOf(actor).map((e) => e.type)).toEqual(["transport.opened", "transport.closed"]);
  });

  it("a transport.close event from the parent closes the connection with that code and reason", async () => {
    const f = await fixture(kind);
    const actor = run(f.spec);
    await received(actor, "transport.opened");
    await until(() => f.recorders[0]?.handle !== undefined, "the server side opened");
    actor.send({ type: "close", code: 1000, reason: "leaving" });
    const { details } = await received(actor, "transport.closed");
    expect(details.clean).toBe(true);
    await until(() => f.recorders[0].closed !== undefined, "the server side closed");
    if (kind === "websocket") {
      expect(f.recorders[0].closed!.code).toBe(1000);
      expect(f.recorders[0].closed!.reason).toBe("leaving");
    }
  });

  it("a refused connection yields transport.failed with TRANSPORT_CONNECT_FAILED", async () => {
    let spec: ClientTransportSpec;
    if (kind === "memory") {
      // The in-memory analogue of a refusal: the server side cannot be created.
      const boom = new Error("no server");
      spec = {
        kind,
        serverFactory: () => {
          throw boom;
        },
      };
    } else {
      const port = await closedPort();
      spec =
        kind === "websocket"
          ? { kind, options: { url: `ws://127.0.0.1:${port}/ws` } }
          : { kind, options: { url: `rs://127.0.0.1:${port}` } };
    }
    const actor = run(spec);
    const { error } = await received(actor, "transport.failed");
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe("TRANSPORT_CONNECT_FAILED");
    expect(eventsOf(actor).map((e) => e.type)).toEqual(["transport.failed"]);
  });
});

describe("stopping the parent while the transport is still connecting", () => {
  it.each(["websocket", "rawsocket"] as const)(
    "%s: a server that accepts but never answers the handshake sees the socket closed, and the parent hears nothing",
    async (kind) => {
      const silent = await silentServer();
      const spec: ClientTransportSpec =
        kind === "websocket"
          ? { kind, options: { url: `ws://127.0.0.1:${silent.port}/ws`, serializers: ["json"] } }
          : { kind, options: { url: `rs://127.0.0.1:${silent.port}`, serializer: "json" } };
      const actor = run(spec);
      // The opening handshake request has arrived in full, and is left unanswered.
      await until(
        () =>
          kind === "websocket"
            ? silent.received().toString("latin1").endsWith("\r\n\r\n")
            : silent.received().length >= 4,
        "the handshake request arrived",
      );
      actor.stop();
      await until(() => silent.closed() === 1, "the client's socket closed");
      await turn();
      expect(eventsOf(actor)).toEqual([]);
      expect(silent.connections()).toBe(1);
      // Nothing beyond the handshake request was ever sent.
      const bytes = silent.received();
      if (kind === "websocket") {
        const text = bytes.toString("latin1");
        expect(text.startsWith("GET /ws HTTP/1.1\r\n")).toBe(true);
        expect(text.indexOf("\r\n\r\n")).toBe(text.length - 4);
      } else {
        expect(bytes.length).toBe(4);
        expect(bytes[0]).toBe(0x7f);
      }
    },
  );

  it("memory: stopping before the pair is open closes it at once; the parent hears nothing", async () => {
    const f = await fixture("memory");
    const actor = run(f.spec);
    actor.stop();
    await until(() => f.recorders[0]?.closed !== undefined, "the server side closed");
    await turn();
    expect(f.recorders[0].handle?.isOpen).toBe(false);
    expect(f.recorders[0].messages).toEqual([]);
    expect(eventsOf(actor)).toEqual([]);
  });
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections, records their bytes, and never answers. */
async function silentServer() {
  const chunks: Buffer[] = [];
  const sockets: Socket[] = [];
  let closed = 0;
  const server: NetServer = createNetServer((socket) => {
    sockets.push(socket);
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", () => {});
    socket.once("close", () => closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    port: (server.address() as { port: number }).port,
    received: () => Buffer.concat(chunks),
    connections: () => sockets.length,
    closed: () => closed,
  };
}
