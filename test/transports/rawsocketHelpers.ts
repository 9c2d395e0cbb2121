/** Test helpers for the RawSocket transport tests: recording handlers and a byte-level raw peer. */
import { readFileSync } from "node:fs";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type {
  CloseDetails,
  TransportHandle,
  TransportHandler,
  TransportHandlerFactory,
} from "../../src/transports/types.js";

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url)));
export const tlsCert = fixture("cert.pem");
export const tlsKey = fixture("key.pem");

/** A handler that records what it sees and, when `echo` is set, sends back every message. */
export class Recorder implements TransportHandler {
  handle: TransportHandle | undefined;
  readonly messages: unknown[][] = [];
  closeDetails: CloseDetails | undefined;
  closeCount = 0;
  readonly opened: Promise<TransportHandle>;
  readonly closed: Promise<CloseDetails>;
  #resolveOpened!: (handle: TransportHandle) => void;
  #resolveClosed!: (details: CloseDetails) => void;
  #waiters: Array<() => void> = [];

  constructor(readonly echo = false) {
    this.opened = new Promise((resolve) => {
      this.#resolveOpened = resolve;
    });
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  onOpen(handle: TransportHandle): void {
    this.handle = handle;
    this.#resolveOpened(handle);
  }

  onMessage(message: unknown[]): void {
    this.messages.push(message);
    if (this.echo) this.handle!.send(message);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  onClose(details: CloseDetails): void {
    this.closeCount++;
    this.closeDetails = details;
    this.#resolveClosed(details);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves with the `n`-th message (1-based) once it has arrived. */
  async message(n: number): Promise<unknown[]> {
    while (this.messages.length < n) {
      if (this.closeDetails !== undefined) throw new Error(`closed after ${this.messages.length} messages`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.messages[n - 1];
  }
}

/** A factory of echoing recorders that remembers every handler it made. */
export function echoFactory(): TransportHandlerFactory & { handlers: Recorder[] } {
  const handlers: Recorder[] = [];
  const factory = () => {
    const handler = new Recorder(true);
    handlers.push(handler);
    return handler;
  };
  return Object.assign(factory, { handlers });
}

/** A client that speaks bytes: write anything, read exactly what arrives. */
export class RawPeer {
  #received = Buffer.alloc(0);
  #consumed = 0;
  #ended = false;
  #waiters: Array<() => void> = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.#wake();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.#ended = true;
        this.#wake();
        resolve();
      });
    });
  }

  static connect(target: { port: number; host?: string } | { path: string }): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = netConnect(target as { port: number; host: string });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawPeer(socket));
      });
    });
  }

  write(bytes: Uint8Array | string): void {
    this.socket.write(typeof bytes === "string" ? Buffer.from(bytes.replace(/\s+/g, ""), "hex") : bytes);
  }

  /** Write `bytes` one octet per write, letting each leave before the next. */
  async writeByteByByte(bytes: Uint8Array): Promise<void> {
    for (const byte of bytes) {
      await new Promise<void>((resolve) => this.socket.write(Uint8Array.of(byte), () => resolve()));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The next `n` received octets as hex; rejects when the connection closes first. */
  async read(n: number): Promise<string> {
    while (this.#received.length - this.#consumed < n) {
      if (this.#ended)
        throw new Error(`connection closed with ${this.#received.length - this.#consumed} octets unread`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    const out = this.#received.subarray(this.#consumed, this.#consumed + n);
    this.#consumed += n;
    return out.toString("hex");
  }

  /** Everything received after what `read` consumed, once the connection is closed. */
  async rest(): Promise<string> {
    await this.closed;
    return this.#received.subarray(this.#consumed).toString("hex");
  }

  destroy(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

/** A plain TCP server on 127.0.0.1 that runs `onSocket` for each connection (a fake router). */
export async function fakeRouter(
  onSocket: (socket: Socket) => void,
): Promise<{ port: number; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { port: address.port, server, sockets };
}

/** Stop a fake router and drop its sockets. */
export async function closeFakeRouter(router: { server: Server; sockets: Set<Socket> }): Promise<void> {
  for (const socket of router.sockets) socket.destroy();
  await new Promise<void>((resolve) => router.server.close(() => resolve()));
}

/** Frame header + payload as hex (type 0 message by default). */
export function frameHex(payload: Uint8Array | string, type = 0): string {
  const bytes = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes.length);
  header[0] = type;
  return Buffer.concat([header, bytes]).toString("hex");
}
