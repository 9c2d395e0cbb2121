// Porting Autobahn code: an ApplicationSession subclass hosted by an ApplicationRunner.
// Run: npm run build && node examples/application-runner.mjs
import {
  ApplicationError,
  ApplicationRunner,
  ApplicationSession,
  createComponent,
  createRouter,
} from "xwamp";

const router = await createRouter({ realms: ["realm1"], listeners: [{ type: "websocket", port: 0 }] });
const url = router.listeners[0].url;

class Calculator extends ApplicationSession {
  async onJoin(details) {
    console.log(`calculator: joined ${details.realm} as session ${details.id}`);
    await this.register("com.example.divide", ([a, b]) => {
      if (b === 0)
        throw new ApplicationError("com.example.error.division_by_zero", ["cannot divide by zero"]);
      return a / b;
    });
    await this.register("com.example.shutdown", () => {
      setImmediate(() => this.leave());
      return "bye";
    });
  }
  onLeave(reason) {
    console.log("calculator: left,", reason);
  }
}

const runner = new ApplicationRunner({ url, realm: "realm1" });
const running = runner.run(Calculator, { logLevel: "warn" });

const client = createComponent({
  transports: url,
  logLevel: "warn",
  main: async (session) => {
    // The calculator may still be registering: retry until the procedure exists.
    for (;;) {
      try {
        console.log("client: 10 / 4 =", await session.call("com.example.divide", [10, 4]));
        break;
      } catch (err) {
        if (err.uri !== "wamp.error.no_such_procedure") throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    try {
      await session.call("com.example.divide", [1, 0]);
    } catch (err) {
      console.log("client: 1 / 0 failed with", err.uri);
    }
    console.log("client:", await session.call("com.example.shutdown"));
  },
});
await client.start();
await running;
await router.close();
console.log("done");
