/**
 * A tiny WAMP "router" that only knows ticket authentication, served over a real WebSocket
 * listener: HELLO → CHALLENGE ticket; AUTHENTICATE with the right ticket → WELCOME, otherwise ABORT
 * wamp.error.authentication_failed; GOODBYE → GOODBYE wamp.close.goodbye_and_out. It stands in until
 * the embedded router authenticates; it records everything it receives.
 */
import { type Listener, listen } from "../../src/transports/listen.js";
import type { TransportHandle, TransportHandler } from "../../src/transports/types.js";

export interface TicketRouter {
  readonly url: string;
  /** Every message received, per connection, in order. */
  readonly received: unknown[][][];
  close(): Promise<void>;
}

export async function startTicketRouter(ticket: string): Promise<TicketRouter> {
  const received: unknown[][][] = [];
  let sessionId = 1000;
  const factory = (): TransportHandler => {
    let handle: TransportHandle | undefined;
    const mine: unknown[][] = [];
    received.push(mine);
    return {
      onOpen(h) {
        handle = h;
      },
      onMessage(message) {
        mine.push(message);
        const h = handle!;
        switch (message[0]) {
          case 1: // HELLO
            h.send([4, "ticket", {}]);
            return;
          case 5: // AUTHENTICATE
            if (message[1] === ticket) {
              const details = (mine[0]?.[2] ?? {}) as Record<string, unknown>;
              h.send([
                2,
                ++sessionId,
                {
                  realm: mine[0]?.[1],
                  authid: details.authid ?? "ticket-user",
                  authrole: "user",
                  authmethod: "ticket",
                  authprovider: "static",
                  roles: { broker: { features: {} }, dealer: { features: {} } },
                },
              ]);
            } else {
              h.send([3, { message: "wrong ticket" }, "wamp.error.authentication_failed"]);
              h.close(1000, "");
            }
            return;
          case 6: // GOODBYE
            h.send([6, {}, "wamp.close.goodbye_and_out"]);
            h.close(1000, "");
            return;
          default:
            h.send([3, { message: "not supported here" }, "wamp.error.protocol_violation"]);
            h.close(1000, "");
        }
      },
      onClose() {},
    };
  };
  const listener: Listener = await listen({ type: "websocket", port: 0 }, factory);
  return { url: listener.url, received, close: () => listener.close() };
}
