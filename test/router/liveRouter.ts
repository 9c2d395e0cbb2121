/**
 * Helpers for tests against a live router: raw WAMP peers over every kind of connection, a
 * well-behaved "witness" that proves the router still routes after some abuse, byte-level sockets,
 * and bounded waits.
 */
import { connect as netConnect, type Socket } from "node:net";
import { expect } from "vitest";
import type { SerializerName } from "../../src/codecs/serializer.js";
import type { Router } from "../../src/router/router.js";
import { openMemoryTransport } from "../../src/transports/memory.js";
import { openRawSocket } from "../../src/transports/rawsocket/client.js";
import { openWebSocket } from "../../src/transports/websocket/client.js";
import { RawClient } from "./rawClient.js";

export const ABORT = 3;
export const GOODBYE = 6;
export const ERROR = 8;
export const PROTOCOL_VIOLATION = "wamp.error.protocol_violation";

export type Via = "websocket" | "rawsocket" | "memory";

/** The listener URL of the given type (the router must have one). */
export function urlOf(router: Router, type: "websocket" | "rawsocket"): string {
  const listener = router.listeners.find((l) => l.type === type);
  if (listener === undefined) throw new Error(`router has no ${type} listener`);
  return listener.url;
}

/** The TCP port of the listener of the given type. */
export function portOf(router: Router, type: "websocket" | "rawsocket"): number {
  const listener = router.listeners.find((l) => l.type === type);
  if (listener?.port === undefined) throw new Error(`router has no TCP ${type} listener`);
  return listener.port;
}

/** Open a raw WAMP peer (no HELLO yet) over a real connection or the in-memory transport. */
export async function openRaw(
  router: Router,
  via: Via = "websocket",
  serializer: SerializerName = "json",
): Promise<RawClient> {
  const client = new RawClient();
  if (via === "websocket")
    await openWebSocket({ url: urlOf(router, "websocket"), serializers: [serializer] }, client);
  else if (via === "rawsocket") await openRawSocket({ url: urlOf(router, "rawsocket"), serializer }, client);
  else await openMemoryTransport(router.handlerFactory, client, { serializer });
  return client;
}

/** Open a raw peer and join `realm` (HELLO → WELCOME). */
export async function joinRaw(
  router: Router,
  via: Via = "websocket",
  serializer: SerializerName = "json",
  details: Record<string, unknown> = {},
  realm = "realm1",
): Promise<RawClient> {
  const client = await openRaw(router, via, serializer);
  await client.join(realm, details);
  return client;
}

/** Wait (bounded) until `predicate` holds; throws with `what` when it never does. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The router aborted `client` for a protocol violation: an ABORT with reason
 * `wamp.error.protocol_violation` arrived, then the transport closed.
 */
export async function expectViolation(client: RawClient): Promise<void> {
  const abort = await client.next((m) => m[0] === ABORT || m[0] === GOODBYE);
  expect(abort[0]).toBe(ABORT);
  expect(abort[2]).toBe(PROTOCOL_VIOLATION);
  await client.waitClosed();
}

/** An ABORT with reason `uri` arrived, then the transport closed. */
export async function expectAbort(client: RawClient, uri: string): Promise<void> {
  const abort = await client.next((m) => m[0] === ABORT || m[0] === GOODBYE);
  expect(abort[0]).toBe(ABORT);
  expect(abort[2]).toBe(uri);
  await client.waitClosed();
}

let witnessCount = 0;

/**
 * A well-behaved pair joined before any abuse: `member` (over a real WebSocket) registered a
 * procedure and subscribed to a topic; `prober` (in-memory, msgpack) calls and publishes.
 * {@link Witness.check} proves a call and an event still make the round trip.
 */
export class Witness {
  readonly procedure: string;
  readonly topic: string;
  private subscription = 0;
  private registration = 0;
  private nonce = 0;

  private constructor(
    readonly member: RawClient,
    readonly prober: RawClient,
  ) {
    const n = ++witnessCount;
    this.procedure = `test.witness.echo${n}`;
    this.topic = `test.witness.topic${n}`;
  }

  static async create(router: Router, memberVia: Via = "websocket"): Promise<Witness> {
    const member = await joinRaw(router, memberVia, "json");
    const prober = await joinRaw(router, "memory", "msgpack");
    const w = new Witness(member, prober);
    const reg = member.request();
    member.send([64, reg, {}, w.procedure]);
    w.registration = (await member.expect(65, reg))[2] as number;
    const sub = member.request();
    member.send([32, sub, {}, w.topic]);
    w.subscription = (await member.expect(33, sub))[2] as number;
    return w;
  }

  /** One call and one event, end to end; fails the test if either does not make it. */
  async check(): Promise<void> {
    expect(this.member.closed, "the witness member was disconnected").toBeUndefined();
    expect(this.prober.closed, "the witness prober was disconnected").toBeUndefined();
    const nonce = ++this.nonce;
    const call = this.prober.request();
    this.prober.send([48, call, {}, this.procedure, [nonce]]);
    const inv = await this.member.next(
      (m) => m[0] === 68 && m[2] === this.registration && (m[4] as unknown[] | undefined)?.[0] === nonce,
    );
    this.member.send([70, inv[1], {}, [nonce, "ok"]]);
    const result = await this.prober.next(
      (m) => (m[0] === 50 || m[0] === ERROR) && m[m[0] === 50 ? 1 : 2] === call,
    );
    expect(result[0]).toBe(50);
    expect(result[3]).toEqual([nonce, "ok"]);

    const pub = this.prober.request();
    this.prober.send([16, pub, { acknowledge: true }, this.topic, [nonce]]);
    const published = await this.prober.next(
      (m) => (m[0] === 17 || m[0] === ERROR) && m[m[0] === 17 ? 1 : 2] === pub,
    );
    expect(published[0]).toBe(17);
    const event = await this.member.next((m) => m[0] === 36 && m[2] === published[2]);
    expect(event[1]).toBe(this.subscription);
    expect(event[4]).toEqual([nonce]);
  }

  close(): void {
    this.member.handle?.close();
    this.prober.handle?.close();
  }
}

/** A TCP client that records every byte it receives and when the server closed. */
export class ByteSocket {
  readonly socket: Socket;
  private chunks: Buffer[] = [];
  closed = false;
  private readonly closedPromise: Promise<void>;
  private readonly connected: Promise<void>;

  constructor(port: number, host = "127.0.0.1") {
    this.socket = netConnect({ port, host });
    this.socket.on("data", (c: Buffer) => this.chunks.push(c));
    this.socket.on("error", () => {}); // ECONNRESET when the server destroys the socket
    this.connected = new Promise((resolve, reject) => {
      this.socket.once("connect", () => resolve());
      this.socket.once("error", reject);
    });
    this.closedPromise = new Promise((resolve) => {
      this.socket.once("close", () => {
        this.closed = true;
        resolve();
      });
    });
  }

  static async open(port: number): Promise<ByteSocket> {
    const s = new ByteSocket(port);
    await s.connected;
    return s;
  }

  write(bytes: Uint8Array | string): void {
    this.socket.write(bytes);
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Wait until at least `n` bytes arrived (or the socket closed). */
  async bytes(n: number): Promise<Buffer> {
    await until(() => this.received.length >= n || this.closed, `${n} bytes arrived`);
    return this.received;
  }

  /** Resolves once the server closed (or reset) the connection; bounded. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closedPromise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out waiting for the server to close")), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A JSON text nested `depth` lists deep (built as text: JSON.stringify itself cannot go that deep). */
export function deepJson(depth: number): string {
  return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
}

/** A value nested `depth` lists deep. */
export function deepList(depth: number): unknown[] {
  let v: unknown[] = [1];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}
