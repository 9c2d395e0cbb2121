/**
 * An in-process transport pair: for tests, and for components that live in the router's process.
 * Messages still go through the serializer (so no object is shared between the two sides and binary
 * values behave as on the wire), and are delivered asynchronously, as on a socket.
 */
import { getSerializer } from "../codecs/index.js";
import type { SerializerName } from "../codecs/serializer.js";
import { ProtocolError, TransportError } from "../errors.js";
import type { CloseDetails, TransportHandle, TransportHandler, TransportHandlerFactory } from "./types.js";

export interface MemoryTransportOptions {
  /** Serializer used on the in-memory wire (default `json`). */
  serializer?: SerializerName;
  /** Largest payload accepted (default 16 MiB). */
  maxMessageSize?: number;
}

/**
 * Connect `client` to a handler made by `serverFactory` (e.g. the router's). Both `onOpen` calls have
 * happened when the promise resolves with the client's handle.
 *
 * @example
 * ```ts
 * const handle = await openMemoryTransport(router.handlerFactory(), myHandler, { serializer: "msgpack" });
 * ```
 */
export async function openMemoryTransport(
  serverFactory: TransportHandlerFactory,
  client: TransportHandler,
  options: MemoryTransportOptions = {},
): Promise<TransportHandle> {
  const serializer = getSerializer(options.serializer ?? "json");
  const maxMessageSize = options.maxMessageSize ?? 16 * 1024 * 1024;
  const server = serverFactory();
  /** False once either side closed or aborted: nothing new is accepted. */
  let open = true;
  /** False once the close has taken effect: queued deliveries are dropped (abort) or done (close). */
  let delivering = true;

  const endpoint = (peer: () => TransportHandler): TransportHandle => {
    const deliver = (payload: Uint8Array | string) => {
      if (!open) return;
      const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
      if (size > maxMessageSize) {
        finish(
          false,
          `message of ${size} bytes exceeds ${maxMessageSize}`,
          new TransportError("TRANSPORT_MESSAGE_TOO_LARGE", "message too large"),
        );
        return;
      }
      queueMicrotask(() => {
        if (!delivering) return;
        let messages: unknown[][];
        try {
          messages = serializer.decode(payload);
        } catch (err) {
          finish(false, "undecodable payload", err instanceof ProtocolError ? err : undefined);
          return;
        }
        const target = peer();
        for (let i = 0; i < messages.length && delivering; i++) target.onMessage(messages[i]);
      });
    };
    return {
      details: {
        kind: "memory",
        peer: "memory",
        serializer,
        subprotocol: serializer.subprotocol,
        secure: false,
        channelId: undefined,
        maxMessageSize,
      },
      send: (message) => deliver(serializer.encode(message)),
      sendEncoded: deliver,
      close: (_code, reason = "") => finish(true, reason),
      abort: (reason = "aborted") => finish(false, reason),
      get bufferedAmount() {
        return 0;
      },
      get isOpen() {
        return open;
      },
    };
  };

  const finish = (clean: boolean, reason: string, error?: ProtocolError | TransportError) => {
    if (!open) return;
    open = false;
    const details: CloseDetails =
      error === undefined ? { clean, code: undefined, reason } : { clean, code: undefined, reason, error };
    if (!clean) delivering = false;
    // Like a socket: an orderly close still delivers what was sent before it; an abort drops it.
    // Deliveries are queued microtasks, so one queued after them runs after them.
    queueMicrotask(() => {
      delivering = false;
      server.onClose(details);
      client.onClose(details);
    });
  };

  const serverHandle = endpoint(() => client);
  const clientHandle = endpoint(() => server);
  await Promise.resolve();
  server.onOpen(serverHandle);
  client.onOpen(clientHandle);
  return clientHandle;
}
