/**
 * Client transports as XState actors. The actor opens a connection and reports only lifecycle events
 * to its parent (`transport.opened`, `transport.closed`, `transport.failed`); inbound messages go
 * straight to the receiver the session attaches to the {@link ClientConnection}, never through a
 * machine. Stopping the actor closes the socket.
 */
import { fromCallback } from "xstate";
import { TransportError, type WampError } from "../errors.js";
import { type MemoryTransportOptions, openMemoryTransport } from "./memory.js";
import { openRawSocket, type RawSocketClientOptions } from "./rawsocket/client.js";
import type {
  CloseDetails,
  TransportDetails,
  TransportHandle,
  TransportHandler,
  TransportHandlerFactory,
} from "./types.js";
import { openWebSocket, type WebSocketClientOptions } from "./websocket/client.js";

/** What a client transport actor is asked to open. */
export type ClientTransportSpec =
  | { kind: "websocket"; options: WebSocketClientOptions }
  | { kind: "rawsocket"; options: RawSocketClientOptions }
  | { kind: "memory"; serverFactory: TransportHandlerFactory; options?: MemoryTransportOptions };

/** An open connection: the send handle plus a slot for the session's message receiver. */
export interface ClientConnection {
  readonly handle: TransportHandle;
  /** Set by the session; messages that arrive before it is set are queued. */
  attach(receiver: (message: unknown[]) => void): void;
}

export type TransportEvent =
  | { type: "transport.opened"; connection: ClientConnection; details: TransportDetails }
  | { type: "transport.closed"; details: CloseDetails }
  | { type: "transport.failed"; error: WampError };

/** Open the transport described by `spec`, delivering messages through the returned connection. */
export async function openClientTransport(
  spec: ClientTransportSpec,
  onClose: (details: CloseDetails) => void,
  signal?: AbortSignal,
): Promise<ClientConnection> {
  const connection = new OpenedConnection(onClose);
  switch (spec.kind) {
    case "websocket":
      connection.handle = await openWebSocket(spec.options, connection, signal);
      break;
    case "rawsocket":
      connection.handle = await openRawSocket(spec.options, connection, signal);
      break;
    case "memory":
      connection.handle = await openMemoryTransport(spec.serverFactory, connection, spec.options);
      break;
  }
  return connection;
}

/** The transport's handler and the session's connection in one object (one per open connection). */
class OpenedConnection implements TransportHandler, ClientConnection {
  handle!: TransportHandle;
  private receiver: ((message: unknown[]) => void) | undefined = undefined;
  private queue: unknown[][] | undefined = undefined;

  constructor(readonly onClose: (details: CloseDetails) => void) {}

  onOpen(): void {}

  onMessage(message: unknown[]): void {
    if (this.receiver !== undefined) this.receiver(message);
    else if (this.queue === undefined) this.queue = [message];
    else this.queue.push(message);
  }

  /** Snapshots hold the connection: serialize what it is, never the socket behind it. */
  toJSON(): { handle: { details: TransportDetails; isOpen: boolean } } {
    return { handle: { details: this.handle.details, isOpen: this.handle.isOpen } };
  }

  attach(receiver: (message: unknown[]) => void): void {
    this.receiver = receiver;
    const pending = this.queue;
    if (pending === undefined) return;
    this.queue = undefined;
    for (const message of pending) receiver(message);
  }
}

/**
 * The transport actor: `fromCallback` around {@link openClientTransport}.
 *
 * @example
 * ```ts
 * const machine = setup({ actors: { transport: clientTransportActor } }).createMachine({
 *   invoke: { src: "transport", input: { kind: "websocket", options: { url } } },
 *   on: { "transport.opened": { actions: ({ event }) => event.connection.attach(onMessage) } },
 * });
 * ```
 */
export const clientTransportActor = fromCallback<
  { type: "transport.close"; code?: number; reason?: string },
  ClientTransportSpec
>(({ input, sendBack, receive }) => {
  // Only needed while connecting: released once open, so an idle connection does not keep it.
  let abort: AbortController | undefined = new AbortController();
  let connection: ClientConnection | undefined;
  let stopped = false;
  // A transport can close before its opening is reported (a server closing inside its onOpen, in
  // process): hold that close until `transport.opened` has gone out, so the parent sees them in order.
  let closedEarly: CloseDetails | undefined;
  openClientTransport(
    input,
    (details) => {
      if (stopped) return;
      if (connection === undefined) closedEarly = details;
      else sendBack({ type: "transport.closed", details } satisfies TransportEvent);
    },
    abort.signal,
  ).then(
    (opened) => {
      connection = opened;
      abort = undefined;
      if (stopped) {
        opened.handle.close();
        return;
      }
      sendBack({
        type: "transport.opened",
        connection: opened,
        details: opened.handle.details,
      } satisfies TransportEvent);
      if (closedEarly !== undefined)
        sendBack({ type: "transport.closed", details: closedEarly } satisfies TransportEvent);
    },
    (err: unknown) => {
      if (stopped) return;
      const error =
        err instanceof TransportError
          ? err
          : new TransportError("TRANSPORT_CONNECT_FAILED", String(err), { cause: err });
      sendBack({ type: "transport.failed", error } satisfies TransportEvent);
    },
  );
  receive((event) => connection?.handle.close(event.code, event.reason));
  return () => {
    stopped = true;
    abort?.abort();
    connection?.handle.close();
  };
});
