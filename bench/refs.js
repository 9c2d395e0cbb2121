/**
 * The raw `ws` references (the limits on this loopback): an echo server for round trips, and a relay
 * that forwards every message of a publisher connection to every subscriber connection, untouched.
 * Plus the pacing of event benchmarks, shared by WAMP and the raw relay.
 */
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import WebSocket, { WebSocketServer } from "ws";

/** A CALL as Autobahn|JS writes it: what a round trip of the echo carries. */
export const ECHO_PAYLOAD = '[48,1234,{},"bench.add2",[2,3]]';
/** An EVENT-sized text frame for the relay. */
export const RELAY_PAYLOAD = '[36,5647382910,998877665544,{},[1,"tick"]]';

async function listening(server) {
  await once(server, "listening");
  const { port } = server.address();
  return port;
}

function closeServer(server) {
  return new Promise((resolve) => {
    for (const client of server.clients) client.terminate();
    server.close(() => resolve());
  });
}

/** Echo server: every message goes back to its sender as it came. */
export async function startEchoServer() {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (socket) => {
    socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  const port = await listening(server);
  return { url: `ws://127.0.0.1:${port}/`, close: () => closeServer(server) };
}

/** Echo client: `roundTrip(payload)` resolves when the echo of that message is back (echoes keep order). */
export async function echoClient(url) {
  const socket = new WebSocket(url);
  await once(socket, "open");
  const waiting = [];
  socket.on("message", () => waiting.shift()());
  return {
    roundTrip: (payload) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        socket.send(payload);
      }),
    close: async () => {
      socket.close();
      await once(socket, "close");
    },
  };
}

/** Relay server: connections on /pub publish, connections on /sub receive every published frame. */
export async function startRelayServer() {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const subscribers = new Set();
  server.on("connection", (socket, request) => {
    if (request.url === "/sub") {
      subscribers.add(socket);
      socket.on("close", () => subscribers.delete(socket));
      return;
    }
    socket.on("message", (data, isBinary) => {
      for (const sub of subscribers) sub.send(data, { binary: isBinary });
    });
  });
  const port = await listening(server);
  return { url: `ws://127.0.0.1:${port}`, close: () => closeServer(server) };
}

/** Relay clients: one publisher and `count` subscribers, each subscriber calling `onEvent` per frame. */
export async function relayClients(url, count, onEvent) {
  const open = async (path) => {
    const socket = new WebSocket(`${url}${path}`);
    await once(socket, "open");
    return socket;
  };
  const subscribers = [];
  for (let i = 0; i < count; i++) {
    const socket = await open("/sub");
    socket.on("message", onEvent);
    subscribers.push(socket);
  }
  const publisher = await open("/pub");
  return {
    publish: (payload) => publisher.send(payload),
    close: async () => {
      for (const socket of [publisher, ...subscribers]) socket.terminate();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Event pacing

/** Counts deliveries; `reach(n)` resolves once `n` were counted (rejects after `timeoutMs`). */
export class Counter {
  value = 0;
  target = Number.POSITIVE_INFINITY;
  resolve = undefined;

  hit = () => {
    if (++this.value >= this.target && this.resolve !== undefined) {
      const resolve = this.resolve;
      this.resolve = undefined;
      resolve();
    }
  };

  reset() {
    this.value = 0;
  }

  reach(n, timeoutMs = 10_000) {
    if (this.value >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.value} of ${n} events delivered in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.target = n;
      this.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/**
 * Publish in batches of `batch`, waiting after each batch until every subscriber got every event
 * (so the publisher cannot just fill socket buffers), until `deadline`. Resolves with the number of
 * events delivered (events published × subscribers).
 */
export async function pacedEvents(publish, counter, subscribers, batch, deadline) {
  counter.reset();
  let published = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < batch; i++) publish(i);
    published += batch;
    await counter.reach(published * subscribers);
  }
  return counter.value;
}
