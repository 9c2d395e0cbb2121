/**
 * `npm start`: the embedded router plus two example clients, narrated. One client registers a
 * procedure and subscribes to a topic over WebSocket (CBOR); the other calls and publishes over
 * RawSocket (MessagePack). Everything runs on loopback and stops by itself.
 */
import { MessageType, parseMessage } from "../codecs/messages/index.js";
import type { SerializerName } from "../codecs/serializer.js";
import { createRouter } from "../router/router.js";
import { CLIENT_ROLES } from "../session/roles.js";
import { Session } from "../session/session.js";
import { openRawSocket } from "../transports/rawsocket/client.js";
import type { CloseDetails, TransportHandle, TransportHandler } from "../transports/types.js";
import { openWebSocket } from "../transports/websocket/client.js";

const say = (who: string, text: string) => process.stdout.write(`${who.padEnd(8)} ${text}\n`);

/** A minimal client: HELLO → WELCOME, then a data-plane Session. The Component replaces this. */
async function join(
  open: (handler: TransportHandler) => Promise<TransportHandle>,
  realm: string,
): Promise<{ session: Session; handle: TransportHandle; closed: Promise<CloseDetails> }> {
  let session: Session | undefined;
  let welcome: (m: readonly unknown[]) => void = () => {};
  let onClosed: (d: CloseDetails) => void = () => {};
  const closed = new Promise<CloseDetails>((resolve) => {
    onClosed = resolve;
  });
  const handle = await open({
    onOpen() {},
    onMessage(raw) {
      const message = parseMessage(raw);
      if (session !== undefined) session.receive(message);
      else welcome(message);
    },
    onClose(details) {
      session?.close();
      onClosed(details);
    },
  });
  const reply = await new Promise<readonly unknown[]>((resolve) => {
    welcome = resolve;
    handle.send([MessageType.HELLO, realm, { roles: CLIENT_ROLES, agent: "xwamp-demo" }]);
  });
  if (reply[0] !== MessageType.WELCOME) throw new Error(`join refused: ${String(reply[2])}`);
  const details = reply[2] as Record<string, unknown>;
  session = new Session(
    {
      id: reply[1] as number,
      realm,
      routerRoles: details.roles as Record<string, never>,
      authid: details.authid as string,
    },
    {
      send: (m) => handle.send(m),
      onLifecycle: () => handle.close(),
    },
  );
  return { session, handle, closed };
}

async function leave(client: { handle: TransportHandle; session: Session; closed: Promise<CloseDetails> }) {
  client.handle.send([MessageType.GOODBYE, {}, "wamp.close.normal"]);
  await client.closed;
}

export async function runDemo(): Promise<number> {
  say(
    "router",
    "starting the embedded router on 127.0.0.1 (WebSocket and RawSocket, ports chosen by the OS)",
  );
  const router = await createRouter({
    realms: ["realm1"],
    listeners: [
      { type: "websocket", port: 0 },
      { type: "rawsocket", port: 0 },
    ],
  });
  const [ws, rs] = router.listeners;
  say("router", `listening on ${ws.url} and ${rs.url}`);

  const serializerA: SerializerName = "cbor";
  const alice = await join((h) => openWebSocket({ url: ws.url, serializers: [serializerA] }, h), "realm1");
  say(
    "alice",
    `joined realm1 as session ${alice.session.id} over WebSocket (${alice.handle.details.subprotocol})`,
  );
  const bob = await join((h) => openRawSocket({ url: rs.url, serializer: "msgpack" }, h), "realm1");
  say("bob", `joined realm1 as session ${bob.session.id} over RawSocket (MessagePack)`);

  await alice.session.register("com.example.add2", (args) => {
    const [a, b] = args as number[];
    say("alice", `add2(${a}, ${b}) invoked, returning ${a + b}`);
    return a + b;
  });
  say("alice", "registered com.example.add2");

  let heard: () => void = () => {};
  const eventArrived = new Promise<void>((resolve) => {
    heard = resolve;
  });
  await alice.session.subscribe("com.example.news", (args) => {
    say("alice", `received event com.example.news: ${JSON.stringify(args)}`);
    heard();
  });
  say("alice", "subscribed to com.example.news");

  const sum = await bob.session.call("com.example.add2", [2, 3]);
  say("bob", `called com.example.add2(2, 3) → ${String(sum)}`);
  try {
    await bob.session.call("com.example.missing");
  } catch (err) {
    say("bob", `calling com.example.missing failed as expected: ${(err as { uri?: string }).uri}`);
  }
  const publication = await bob.session.publish(
    "com.example.news",
    ["hello from bob"],
    {},
    { acknowledge: true },
  );
  say("bob", `published to com.example.news (publication ${publication})`);
  await eventArrived;

  await leave(bob);
  say("bob", "left the realm");
  await leave(alice);
  say("alice", "left the realm");
  await router.close();
  say("router", "closed. That was xwamp: a router and two clients in one process.");
  return 0;
}
