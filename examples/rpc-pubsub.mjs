// RPC and PubSub with two components on the embedded router.
// Run: npm run build && node examples/rpc-pubsub.mjs
import { createComponent, createRouter } from "xwamp";

const router = await createRouter({
  realms: ["realm1"],
  listeners: [
    { type: "websocket", port: 0 },
    { type: "rawsocket", port: 0 },
  ],
});
const [ws, rs] = router.listeners.map((l) => l.url);

// The backend declares what it offers; the declarations are re-applied on every (re)join.
const backend = createComponent({ transports: ws, realm: "realm1", logLevel: "warn" });
backend.register("com.example.add2", ([a, b]) => a + b);
let newsReceived;
const news = new Promise((resolve) => {
  newsReceived = resolve;
});
backend.subscribe("com.example.news", (args) => {
  console.log("backend: news", args[0]);
  newsReceived();
});
const ready = new Promise((resolve) => backend.on("ready", resolve));
const backendDone = backend.start();
await ready;

// The frontend runs `main` once joined and leaves when it returns.
const frontend = createComponent({
  transports: { url: rs, serializer: "msgpack" },
  realm: "realm1",
  logLevel: "warn",
  main: async (session) => {
    console.log("frontend: add2(2, 3) =", await session.call("com.example.add2", [2, 3]));
    const id = await session.publish("com.example.news", ["xwamp is up"], {}, { acknowledge: true });
    console.log("frontend: published", typeof id);
  },
});
await frontend.start();
await news;
await backend.stop();
await backendDone;
await router.close();
console.log("done");
