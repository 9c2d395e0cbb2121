// A router with authentication and role-based authorization, and components that log in.
// Run: npm run build && node examples/authenticated.mjs

import { randomBytes } from "node:crypto";
import { createComponent, createRouter, publicKeyOf } from "xwamp";

const carolKey = randomBytes(32).toString("hex"); // an Ed25519 seed (see `xwamp keygen`)

const router = await createRouter({
  realms: [
    {
      name: "realm1",
      roles: [
        {
          name: "user",
          permissions: [
            {
              uri: "com.example.",
              match: "prefix",
              allow: { call: true, register: true, publish: true, subscribe: true },
            },
          ],
        },
        { name: "guest", permissions: [{ uri: "com.example.time", allow: { call: true } }] },
      ],
    },
  ],
  listeners: [
    {
      type: "websocket",
      port: 0,
      auth: {
        anonymous: { role: "guest" },
        ticket: { principals: { alice: { ticket: "s3cret", role: "user" } } },
        cryptosign: { principals: { carol: { authorizedKeys: [publicKeyOf(carolKey)], role: "user" } } },
      },
    },
  ],
});
const url = router.listeners[0].url;

const alice = createComponent({
  transports: url,
  authentication: { ticket: { authid: "alice", ticket: "s3cret" } },
  logLevel: "warn",
});
alice.register("com.example.time", () => "it is xwamp o'clock");
alice.register("com.example.secret", () => 42);
alice.on("join", (session) =>
  console.log(`alice: joined as ${session.authid}/${session.authrole} via ${session.authmethod}`),
);
const aliceReady = new Promise((resolve) => alice.on("ready", resolve));
const aliceDone = alice.start();
await aliceReady;

await createComponent({
  transports: url,
  authentication: { cryptosign: { authid: "carol", privateKey: carolKey } },
  logLevel: "warn",
  main: async (session) => {
    console.log(`carol: joined as ${session.authid}/${session.authrole} via ${session.authmethod}`);
    console.log("carol: secret =", await session.call("com.example.secret"));
  },
}).start();

await createComponent({
  transports: url,
  logLevel: "warn",
  main: async (session) => {
    console.log(`guest: joined as role ${session.authrole}`);
    console.log("guest: time =", await session.call("com.example.time"));
    await session.call("com.example.secret").catch((err) => console.log("guest: secret refused:", err.uri));
  },
}).start();

// A wrong ticket is refused, and with the default isFatal the component does not retry.
await createComponent({
  transports: url,
  authentication: { ticket: { authid: "alice", ticket: "wrong" } },
  logLevel: "off",
})
  .start()
  .catch((err) => console.log("mallory: refused:", err.cause?.uri));

await alice.stop();
await aliceDone;
await router.close();
console.log("done");
