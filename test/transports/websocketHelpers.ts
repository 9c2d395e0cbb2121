/**
 * Test helpers for the WebSocket transport tests: a raw `ws` peer that sees frames, status codes and
 * close codes exactly, a tiny real HTTP CONNECT proxy, and a bound on how long a test may wait.
 */
import { createServer as createHttpServer, get as httpGet, type IncomingMessage } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import WebSocket, { type ClientOptions, type RawData } from "ws";

/** One message as a raw `ws` client received it. */
export interface RawFrame {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/** A plain `ws` client: records every message with its frame type, and how the connection closed. */
export class RawWsClient {
  readonly frames: RawFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<() => void> = [];
  #ended = false;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data as ArrayBuffer);
      this.frames.push({ data: bytes, isBinary });
      this.#wake();
    });
    ws.on("error", () => {});
    this.closed = new Promise((resolve) => {
      ws.once("close", (code: number, reason: Buffer) => {
        this.#ended = true;
        this.#wake();
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  /**
   * Open a raw connection. Resolves with the client once open; rejects with `{ status }` when the
   * server answers the upgrade with an HTTP status, or with the `ws` error otherwise.
   */
  static open(url: string, protocols: string[] = [], options: ClientOptions = {}): Promise<RawWsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, options);
      ws.once("unexpected-response", (req, res: IncomingMessage) => {
        res.resume();
        req.destroy();
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
      });
      ws.once("error", reject);
      ws.once("open", () => {
        ws.off("error", reject);
        resolve(new RawWsClient(ws));
      });
    });
  }

  /** The HTTP status a refused upgrade answered with (throws when the upgrade succeeds). */
  static async refusal(url: string, protocols: string[] = [], options: ClientOptions = {}): Promise<number> {
    let client: RawWsClient;
    try {
      client = await RawWsClient.open(url, protocols, options);
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === undefined) throw err;
      return status;
    }
    client.terminate();
    throw new Error("expected the upgrade to be refused");
  }

  send(data: string | Uint8Array, binary = typeof data !== "string"): void {
    this.ws.send(data, { binary });
  }

  /** Resolves with the `n`-th frame (1-based) once it has arrived. */
  async frame(n: number): Promise<RawFrame> {
    while (this.frames.length < n) {
      if (this.#ended) throw new Error(`closed after ${this.frames.length} frames`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.frames[n - 1];
  }

  terminate(): void {
    this.ws.terminate();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/** A minimal HTTP CONNECT proxy on 127.0.0.1 that records the targets it was asked for. */
export interface TestProxy {
  readonly port: number;
  /** Every CONNECT request target (`host:port`), in order. */
  readonly targets: string[];
  close(): Promise<void>;
}

/**
 * Start a CONNECT proxy. With `refuse`, it answers every CONNECT with that status and no tunnel;
 * with `hang`, it never answers.
 */
export async function startProxy(options: { refuse?: number; hang?: boolean } = {}): Promise<TestProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
  };
  const server = createHttpServer((_req, res) => {
    res.writeHead(405).end();
  });
  server.on("connection", track);
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    targets.push(req.url ?? "");
    if (options.hang) return;
    if (options.refuse !== undefined) {
      client.end(`HTTP/1.1 ${options.refuse} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    const url = new URL(`http://${req.url}`);
    const upstream = netConnect(Number(url.port), url.hostname.replace(/^\[|\]$/g, ""));
    track(upstream);
    upstream.once("connect", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once("error", () => client.destroy());
    upstream.once("close", () => client.destroy());
    client.once("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    targets,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A plain HTTP GET: resolves with the status and the headers. */
export function plainGet(url: string): Promise<{ status: number; headers: IncomingMessage["headers"] }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: false }, (res) => {
      res.resume();
      res.once("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.once("error", reject);
  });
}

/**
 * Settle with `promise`, or reject after `ms` naming what did not happen. A liveness bound, never a
 * timing assertion: it only turns a hang into a readable failure, so it is always generous.
 */
export async function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** Wait `ms` (for letting keep-alive intervals pass; never asserted on). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A batched binary payload: every record prefixed with its length as a big-endian uint32. */
export function lengthPrefixed(records: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const record of records) {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(record.length);
    parts.push(prefix, Buffer.from(record));
  }
  return Buffer.concat(parts);
}
