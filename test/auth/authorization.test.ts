/**
 * Authorization (advanced profile "Authorization") with the issue's roles over a real loopback
 * WebSocket: "guest" may call and subscribe under com.public. but not register or publish; "user"
 * may do everything under com.example. and has caller / publisher disclosure forced. Every refused
 * action answers ERROR wamp.error.not_authorized and changes nothing; an unacknowledged refused
 * PUBLISH gets no answer at all. The most specific permission decides (exact, longest prefix,
 * most specific wildcard).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ComponentSession } from "../../src/component/componentSession.js";
import type { Router } from "../../src/router/router.js";
import type { InvocationDetails } from "../../src/session/invocation.js";
import type { EventDetails } from "../../src/session/subscription.js";
import { openMemoryTransport } from "../../src/transports/memory.js";
import { RawClient } from "../router/rawClient.js";
import {
  ERROR,
  issueRoles,
  joinAs,
  lifecycle,
  openRaw,
  sendHello,
  Teardown,
  URI,
  WELCOME,
} from "./helpers.js";

const CALL = 48;
const RESULT = 50;
const REGISTER = 64;
const REGISTERED = 65;
const SUBSCRIBE = 32;
const SUBSCRIBED = 33;
const PUBLISH = 16;
const PUBLISHED = 17;
const EVENT = 36;

const teardown = new Teardown();
let router: Router;
let ws: string;
/** Invocations the trusted backend saw, by procedure. */
const invocations: Array<{ procedure: string; details: InvocationDetails }> = [];
const events: Array<{ topic: string; args: unknown[]; details: EventDetails }> = [];

const PROBE_PROCEDURES = [
  "com.spec.x",
  "com.spec.secret.y",
  "com.spec.secret.open",
  "com.wild.a.end",
  "com.wild.deny.end",
  "com.w2.x.end",
  "com.w2.y.end",
  "com.other",
];

beforeAll(async () => {
  router = await teardown.router({
    realms: [
      {
        name: "realm1",
        roles: [
          ...issueRoles(),
          {
            name: "probe",
            permissions: [
              { uri: "com.spec.", match: "prefix", allow: { call: true, register: false } },
              { uri: "com.spec.secret.", match: "prefix", allow: { call: false } },
              { uri: "com.spec.secret.open", match: "exact", allow: { call: true } },
              { uri: "com.wild..end", match: "wildcard", allow: { call: true } },
              { uri: "com.wild.deny.end", match: "exact", allow: {} },
              { uri: "com.w2..end", match: "wildcard", allow: { call: true } },
              { uri: "com.w2.x.", match: "wildcard", allow: { call: false } },
            ],
          },
        ],
      },
    ],
    listeners: [
      {
        type: "websocket",
        port: 0,
        auth: {
          anonymous: { role: "guest" },
          ticket: {
            principals: {
              alice: { ticket: "s3cret", role: "user" },
              pat: { ticket: "probe-ticket", role: "probe" },
            },
          },
        },
      },
    ],
  });
  ws = router.listeners[0].url;

  // The trusted backend (in-process: the development default may do everything).
  const backend = teardown.component({ transports: { type: "memory", router } });
  const record =
    (procedure: string) =>
    (args: unknown[], _kwargs: Record<string, unknown>, details: InvocationDetails): unknown => {
      invocations.push({ procedure, details });
      return args[0] ?? procedure;
    };
  for (const p of ["com.public.echo", "com.example.add2", "com.example.whoami", ...PROBE_PROCEDURES])
    backend.register(p, record(p));
  for (const t of ["com.public.news", "com.example.news"]) {
    backend.subscribe(t, (args, _kwargs, details) => void events.push({ topic: t, args, details }));
  }
  const ready = new Promise<void>((resolve) => backend.on("ready", () => resolve()));
  void backend.start();
  await ready;
});
afterAll(() => teardown.run());

/** A raw client joined anonymously (guest) or with a ticket. */
async function rawAs(ticket?: { authid: string; ticket: string }): Promise<RawClient> {
  const client = await openRaw(teardown, ws);
  if (ticket === undefined) sendHello(client, {});
  else {
    sendHello(client, { authmethods: ["ticket"], authid: ticket.authid });
    await client.expect(4);
    client.send([5, ticket.ticket, {}]);
  }
  const welcome = await lifecycle(client);
  expect(welcome[0]).toBe(WELCOME);
  return client;
}

/** A trusted raw client in-process (memory transport, no auth). */
async function trusted(): Promise<RawClient> {
  const client = new RawClient();
  teardown.raws.push(client);
  await openMemoryTransport(router.handlerFactory, client, { serializer: "json" });
  await client.join("realm1");
  return client;
}

/** Send `message` (its request id filled in) and return the reply for that request (any type). */
async function request(client: RawClient, build: (request: number) => unknown[]): Promise<unknown[]> {
  const id = client.request();
  client.send(build(id));
  return client.next((m) => (m[0] === ERROR ? m[2] === id : m[1] === id && m[0] !== EVENT));
}

function expectNotAuthorized(reply: unknown[], requestType: number): void {
  expect(reply.slice(0, 2)).toEqual([ERROR, requestType]);
  expect(reply[3]).toEqual({});
  expect(reply[4]).toBe(URI.notAuthorized);
}

/**
 * Publish a marker from a trusted client and wait for it at `subscriber`: events on one topic from
 * one publisher arrive in order, so anything published before it would have arrived first.
 */
async function marker(subscriber: RawClient, subscription: number, topic: string): Promise<unknown[][]> {
  const publisher = await trusted();
  const marker = `marker-${Math.random()}`;
  await request(publisher, (id) => [PUBLISH, id, { acknowledge: true }, topic, [marker]]);
  const arrived = await subscriber.next((m) => m[0] === EVENT && (m[4] as unknown[])[0] === marker);
  // next() consumed the marker; whatever else arrived on the subscription is still in `received`.
  return [...subscriber.received.filter((m) => m[0] === EVENT && m[1] === subscription), arrived];
}

describe('guest: calls but does not register (the issue\'s "guest")', () => {
  it("call com.public.echo is allowed", async () => {
    const guest = await rawAs();
    const reply = await request(guest, (id) => [CALL, id, {}, "com.public.echo", ["hi"]]);
    expect(reply[0]).toBe(RESULT);
    expect(reply[3]).toEqual(["hi"]);
  });

  it("register is refused and leaves the procedure unregistered", async () => {
    const guest = await rawAs();
    expectNotAuthorized(await request(guest, (id) => [REGISTER, id, {}, "com.public.mine"]), REGISTER);
    const other = await trusted();
    const call = await request(other, (id) => [CALL, id, {}, "com.public.mine", []]);
    expect(call[0]).toBe(ERROR);
    expect(call[4]).toBe("wamp.error.no_such_procedure");
    // The guest's session goes on: its next allowed request works.
    expect((await request(guest, (id) => [CALL, id, {}, "com.public.echo", [1]]))[0]).toBe(RESULT);
  });
});

describe("subscribe: com.public.* allowed, com.private.* refused", () => {
  it("the refused subscription receives nothing; the allowed one receives", async () => {
    const guest = await rawAs();
    const ok = await request(guest, (id) => [SUBSCRIBE, id, {}, "com.public.feed"]);
    expect(ok[0]).toBe(SUBSCRIBED);
    expectNotAuthorized(await request(guest, (id) => [SUBSCRIBE, id, {}, "com.private.feed"]), SUBSCRIBE);
    expectNotAuthorized(
      await request(guest, (id) => [SUBSCRIBE, id, { match: "prefix" }, "com.private."]),
      SUBSCRIBE,
    );
    const publisher = await trusted();
    await request(publisher, (id) => [PUBLISH, id, { acknowledge: true }, "com.private.feed", ["secret"]]);
    await request(publisher, (id) => [PUBLISH, id, { acknowledge: true }, "com.public.feed", ["news"]]);
    const event = await guest.expect(EVENT);
    expect(event[1]).toBe(ok[2]);
    expect(event[4]).toEqual(["news"]);
    expect(guest.received.filter((m) => m[0] === EVENT)).toEqual([]);
  });
});

describe("every action kind refused → ERROR wamp.error.not_authorized, nothing changes", () => {
  it("call: the callee is never invoked", async () => {
    const guest = await rawAs();
    const before = invocations.length;
    expectNotAuthorized(await request(guest, (id) => [CALL, id, {}, "com.example.add2", [2, 3]]), CALL);
    expect(invocations.length).toBe(before);
  });

  it("register, publish (acknowledged), subscribe", async () => {
    const guest = await rawAs();
    expectNotAuthorized(await request(guest, (id) => [REGISTER, id, {}, "com.example.mine"]), REGISTER);
    expectNotAuthorized(await request(guest, (id) => [SUBSCRIBE, id, {}, "com.example.news"]), SUBSCRIBE);

    const witness = await trusted();
    const sub = (await request(witness, (id) => [SUBSCRIBE, id, {}, "com.public.board"])) as [
      number,
      number,
      number,
    ];
    expectNotAuthorized(
      await request(guest, (id) => [PUBLISH, id, { acknowledge: true }, "com.public.board", ["graffiti"]]),
      PUBLISH,
    );
    const delivered = await marker(witness, sub[2], "com.public.board");
    expect(delivered.map((m) => (m[4] as unknown[])[0])).toEqual([expect.stringMatching(/^marker-/)]);
  });

  it("publish without acknowledge is refused silently: no ERROR, no event", async () => {
    const guest = await rawAs();
    const witness = await trusted();
    const sub = (await request(witness, (id) => [SUBSCRIBE, id, {}, "com.public.board2"])) as [
      number,
      number,
      number,
    ];
    const pub = guest.request();
    guest.send([PUBLISH, pub, {}, "com.public.board2", ["graffiti"]]);
    // A later request on the same connection is answered; the publish never was.
    expect((await request(guest, (id) => [CALL, id, {}, "com.public.echo", ["after"]]))[0]).toBe(RESULT);
    expect(guest.received.filter((m) => m[0] === ERROR)).toEqual([]);
    const delivered = await marker(witness, sub[2], "com.public.board2");
    expect(delivered).toHaveLength(1);
    expect(guest.closed).toBeUndefined();
  });

  it("a component sees the refusals as ApplicationError wamp.error.not_authorized", async () => {
    const guest = await joinAs(teardown, ws, undefined);
    await expect(guest.call("com.example.add2", [1, 2])).rejects.toMatchObject({ uri: URI.notAuthorized });
    await expect(guest.register("com.public.x", () => 1)).rejects.toMatchObject({ uri: URI.notAuthorized });
    await expect(guest.subscribe("com.private.x", () => {})).rejects.toMatchObject({
      uri: URI.notAuthorized,
    });
    await expect(guest.publish("com.public.x", [], {}, { acknowledge: true })).rejects.toMatchObject({
      uri: URI.notAuthorized,
    });
    await expect(guest.publish("com.public.x", [])).resolves.toBeUndefined();
    expect(await guest.call("com.public.echo", ["still here"])).toBe("still here");
  });
});

describe("disclose forces identity disclosure (the issue's user role)", () => {
  let alice: ComponentSession;
  beforeAll(async () => {
    alice = await joinAs(teardown, ws, { ticket: { authid: "alice", ticket: "s3cret" } });
  });

  it("disclose.caller: INVOCATION details carry the caller although it did not ask", async () => {
    await alice.call("com.example.whoami", ["a"]);
    const inv = invocations.findLast((i) => i.procedure === "com.example.whoami");
    expect(inv?.details).toMatchObject({ caller: alice.id, callerAuthid: "alice", callerAuthrole: "user" });
    // guest's com.public. permission does not disclose.
    const guest = await joinAs(teardown, ws, undefined);
    await guest.call("com.public.echo", ["g"]);
    const guestInv = invocations.findLast((i) => i.procedure === "com.public.echo");
    expect(guestInv?.details.caller).toBeUndefined();
    expect(guestInv?.details.callerAuthid).toBeUndefined();
  });

  it("disclose.publisher: EVENT details carry the publisher", async () => {
    const before = events.length;
    await alice.publish("com.example.news", ["hello"], {}, { acknowledge: true });
    const deadline = Date.now() + 2000;
    while (events.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const event = events.at(-1)!;
    expect(event.topic).toBe("com.example.news");
    expect(event.details).toMatchObject({
      publisher: alice.id,
      publisherAuthid: "alice",
      publisherAuthrole: "user",
    });
  });
});

describe("prefix vs exact vs wildcard: the most specific permission wins", () => {
  const cases: Array<[string, boolean, string]> = [
    ["com.spec.x", true, "prefix com.spec."],
    ["com.spec.secret.y", false, "the longer prefix com.spec.secret. denies"],
    ["com.spec.secret.open", true, "exact beats any prefix"],
    ["com.wild.a.end", true, "wildcard com.wild..end"],
    ["com.wild.deny.end", false, "exact beats the wildcard"],
    ["com.w2.y.end", true, "wildcard com.w2..end"],
    ["com.w2.x.end", false, "the wildcard with more leading literal components (com.w2.x.) denies"],
    ["com.other", false, "nothing matches: denied"],
  ];
  for (const [procedure, allowed, why] of cases) {
    it(`${procedure}: ${allowed ? "allowed" : "refused"} (${why})`, async () => {
      const pat = await rawAs({ authid: "pat", ticket: "probe-ticket" });
      const before = invocations.length;
      const reply = await request(pat, (id) => [CALL, id, {}, procedure, []]);
      if (allowed) {
        expect(reply[0]).toBe(RESULT);
        expect(invocations.length).toBe(before + 1);
      } else {
        expectNotAuthorized(reply, CALL);
        expect(invocations.length).toBe(before);
      }
    });
  }

  it("an action the permission leaves out is refused (register under com.spec.)", async () => {
    const pat = await rawAs({ authid: "pat", ticket: "probe-ticket" });
    expectNotAuthorized(await request(pat, (id) => [REGISTER, id, {}, "com.spec.mine"]), REGISTER);
    expectNotAuthorized(
      await request(pat, (id) => [PUBLISH, id, { acknowledge: true }, "com.spec.t", []]),
      PUBLISH,
    );
  });

  it("the user role may register what the guest may not", async () => {
    const alice = await rawAs({ authid: "alice", ticket: "s3cret" });
    const reply = await request(alice, (id) => [REGISTER, id, {}, "com.example.alices"]);
    expect(reply[0]).toBe(REGISTERED);
    const published = await request(alice, (id) => [PUBLISH, id, { acknowledge: true }, "com.example.t", []]);
    expect(published[0]).toBe(PUBLISHED);
  });
});
