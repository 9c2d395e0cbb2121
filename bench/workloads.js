/**
 * The timed workloads of sections 2 and 3. Each factory connects what it needs and returns bodies
 * `(deadline) => Promise<operations done>` for lib.js's compareAsync, and a `close()`.
 */
import { inFlight, sequential } from "./lib.js";
import { connectMany } from "./peers.js";
import {
  Counter,
  ECHO_PAYLOAD,
  echoClient,
  pacedEvents,
  RELAY_PAYLOAD,
  relayClients,
  startEchoServer,
  startRelayServer,
} from "./refs.js";

export const IN_FLIGHT = 100;

/** 100 events per batch to one subscriber, 10 per batch (1,000 deliveries) to a hundred. */
const batchFor = (subscribers) => (subscribers === 1 ? 100 : 10);

/**
 * Calls through `url`, caller and callee on `client`: `seq` awaits each, `par` keeps IN_FLIGHT
 * outstanding. `tag` keeps the procedure apart from other workloads on the same router.
 */
export async function callWorkload(client, url, tag = "bench") {
  const procedure = `${tag}.add2`;
  const callee = await client.connect(url);
  const caller = await client.connect(url);
  await callee.register(procedure, ([a, b]) => a + b);
  const call = () => caller.call(procedure, [2, 3]);
  return {
    seq: (deadline) => sequential(call, deadline),
    par: (deadline) => inFlight(call, IN_FLIGHT, deadline),
    close: async () => {
      await caller.close();
      await callee.close();
    },
  };
}

/** Events through `url`, one publisher and `count` subscribers on `client`; counts deliveries. */
export async function eventWorkload(client, url, count, tag = "bench") {
  const topic = `${tag}.tick`;
  const counter = new Counter();
  const subscribers = await connectMany(client, url, count);
  for (const s of subscribers) await s.subscribe(topic, counter.hit);
  const publisher = await client.connect(url);
  const ignore = () => {};
  const publish = (i) => publisher.publish(topic, [i, "tick"])?.catch?.(ignore);
  return {
    run: (deadline) => pacedEvents(publish, counter, count, batchFor(count), deadline),
    close: async () => {
      await publisher.close();
      await Promise.all(subscribers.map((s) => s.close()));
    },
  };
}

/** Raw ws echo round trips: `seq` and `par` as for calls. */
export async function echoWorkload() {
  const server = await startEchoServer();
  const client = await echoClient(server.url);
  const roundTrip = () => client.roundTrip(ECHO_PAYLOAD);
  return {
    seq: (deadline) => sequential(roundTrip, deadline),
    par: (deadline) => inFlight(roundTrip, IN_FLIGHT, deadline),
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** Raw ws relay of frames from one publisher to `count` subscribers, paced like events. */
export async function relayWorkload(count) {
  const server = await startRelayServer();
  const counter = new Counter();
  const relay = await relayClients(server.url, count, counter.hit);
  const publish = () => relay.publish(RELAY_PAYLOAD);
  return {
    run: (deadline) => pacedEvents(publish, counter, count, batchFor(count), deadline),
    close: async () => {
      await relay.close();
      await server.close();
    },
  };
}
