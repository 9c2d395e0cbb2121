/**
 * A raw WAMP peer for router tests: opens a real transport, sends hand-built messages and awaits
 * replies by predicate. It deliberately has no session logic, so tests can also misbehave.
 */
import type { SerializerName } from "../../src/codecs/serializer.js";
import { openMemoryTransport } from "../../src/transports/memory.js";
import { openRawSocket } from "../../src/transports/rawsocket/client.js";
import type {
  CloseDetails,
  TransportHandle,
  TransportHandler,
  TransportHandlerFactory,
} from "../../src/transports/types.js";
import { openWebSocket } from "../../src/transports/websocket/client.js";

export type Msg = unknown[];

export interface TransportUnderTest {
  name: string;
  open(handler: TransportHandler, serializer: SerializerName): Promise<TransportHandle>;
}

export class RawClient implements TransportHandler {
  handle!: TransportHandle;
  readonly received: Msg[] = [];
  closed: CloseDetails | undefined;
  private waiters: Array<{ match: (m: Msg) => boolean; resolve: (m: Msg) => void }> = [];
  private closeWaiters: Array<(d: CloseDetails) => void> = [];
  private nextRequest = 1;
  sessionId = 0;
  welcome: Msg | undefined;

  onOpen(handle: TransportHandle): void {
    this.handle = handle;
  }

  onMessage(message: Msg): void {
    this.received.push(message);
    const i = this.waiters.findIndex((w) => w.match(message));
    if (i !== -1) {
      const [w] = this.waiters.splice(i, 1);
      w.resolve(message);
    }
  }

  onClose(details: CloseDetails): void {
    this.closed = details;
    for (const w of this.closeWaiters) w(details);
    this.closeWaiters = [];
  }

  send(message: Msg): void {
    this.handle.send(message);
  }

  /** The next request id (sequential, as the spec requires). */
  request(): number {
    return this.nextRequest++;
  }

  /** Wait for a message matching `match` (already received ones count, each once). */
  next(match: (m: Msg) => boolean = () => true, timeoutMs = 5000): Promise<Msg> {
    const i = this.received.findIndex(match);
    if (i !== -1) return Promise.resolve(this.received.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for a message; got ${JSON.stringify(this.received)}`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          const j = this.received.indexOf(m);
          if (j !== -1) this.received.splice(j, 1);
          resolve(m);
        },
      });
    });
  }

  /** Wait for a message of type `code` (optionally with request id `request` at index 1 or, for ERROR, 2). */
  expect(code: number, request?: number): Promise<Msg> {
    return this.next(
      (m) => m[0] === code && (request === undefined || (code === 8 ? m[2] === request : m[1] === request)),
    );
  }

  waitClosed(timeoutMs = 5000): Promise<CloseDetails> {
    if (this.closed !== undefined) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for close")), timeoutMs);
      this.closeWaiters.push((d) => {
        clearTimeout(timer);
        resolve(d);
      });
    });
  }

  /** HELLO → WELCOME. */
  async join(realm = "realm1", details: Record<string, unknown> = {}): Promise<Msg> {
    this.send([1, realm, { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} }, ...details }]);
    const welcome = await this.next((m) => m[0] === 2 || m[0] === 3);
    if (welcome[0] !== 2) throw new Error(`join refused: ${JSON.stringify(welcome)}`);
    this.sessionId = welcome[1] as number;
    this.welcome = welcome;
    return welcome;
  }
}

export async function connectRaw(
  transport: TransportUnderTest,
  serializer: SerializerName,
): Promise<RawClient> {
  const client = new RawClient();
  await transport.open(client, serializer);
  return client;
}

/** Transports to run a behaviour suite over, given the router's listener URLs and factory. */
export function transportsFor(urls: {
  ws: string;
  rs: string;
  unix: string;
  wss: string;
  rss: string;
  ca: string;
  factory: TransportHandlerFactory;
}): TransportUnderTest[] {
  return [
    { name: "websocket", open: (h, s) => openWebSocket({ url: urls.ws, serializers: [s] }, h) },
    {
      name: "websocket-tls",
      open: (h, s) => openWebSocket({ url: urls.wss, serializers: [s], tls: { ca: urls.ca } }, h),
    },
    { name: "rawsocket-tcp", open: (h, s) => openRawSocket({ url: urls.rs, serializer: s }, h) },
    { name: "rawsocket-unix", open: (h, s) => openRawSocket({ url: urls.unix, serializer: s }, h) },
    {
      name: "rawsocket-tls",
      open: (h, s) => openRawSocket({ url: urls.rss, serializer: s, tls: { ca: urls.ca } }, h),
    },
    { name: "memory", open: (h, s) => openMemoryTransport(urls.factory, h, { serializer: s }) },
  ];
}
