// The component as an XState actor: watch its lifecycle, including a reconnect.
// Run: npm run build && node examples/actor.mjs
import { createComponentActor, createRouter } from "xwamp";

let router = await createRouter({ realms: ["realm1"], listeners: [{ type: "websocket", port: 0 }] });
const port = router.listeners[0].port;

const actor = createComponentActor({
  transports: { url: `ws://127.0.0.1:${port}/ws`, initialRetryDelay: 100, retryDelayJitter: () => 0 },
  logLevel: "off",
});
const seen = [];
actor.subscribe((snapshot) => {
  const value = JSON.stringify(snapshot.value);
  if (seen.at(-1) !== value) {
    seen.push(value);
    console.log("state:", value);
  }
});
// Resolves on the next *entry* into online.joined (snapshots repeat while a state handles events).
const joined = () =>
  new Promise((resolve) => {
    let left = !actor.getSnapshot().matches({ online: "joined" });
    const sub = actor.subscribe((s) => {
      const inJoined = s.matches({ online: "joined" });
      if (!inJoined) left = true;
      else if (left) {
        sub.unsubscribe();
        resolve();
      }
    });
  });

const firstJoin = joined();
actor.start();
await firstJoin;

console.log("-- restarting the router");
const rejoined = joined();
await router.close();
router = await createRouter({ realms: ["realm1"], listeners: [{ type: "websocket", port }] });
await rejoined;

const stopped = new Promise((resolve) => actor.subscribe({ complete: resolve }));
actor.send({ type: "STOP" });
await stopped;
await router.close();
console.log("done");
