/**
 * The `xwamp` command as a real process (bin/xwamp.js over the built dist/): help, the router with
 * flags and with a JSON config, clean shutdown on SIGTERM/SIGINT, and the narrated demo.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openRawSocket } from "../../src/transports/rawsocket/client.js";
import { openWebSocket } from "../../src/transports/websocket/client.js";
import { killStarted, requireBuild, root, startXwamp } from "../nodeProcess.js";
import { RawClient } from "../router/rawClient.js";

beforeAll(requireBuild);
afterEach(killStarted);

const start = startXwamp;

describe("xwamp help", () => {
  it("prints usage and exits 0", async () => {
    const p = start(["help"]);
    expect(await p.exited).toBe(0);
    expect(p.output().stdout).toContain("xwamp router");
  });

  it("refuses an unknown command with exit code 2", async () => {
    const p = start(["frobnicate"]);
    expect(await p.exited).toBe(2);
  });
});

describe("xwamp router", () => {
  it("serves --ws, --rawsocket and --unix for two realms and shuts down cleanly on SIGTERM", async () => {
    const unix = join(mkdtempSync(join(tmpdir(), "xwamp-cli-")), "router.sock");
    const p = start([
      "router",
      "--ws",
      "0",
      "--rawsocket",
      "0",
      "--unix",
      unix,
      "--realm",
      "realm1",
      "--realm",
      "realm2",
    ]);
    const lines = await p.waitFor(/listening on/, 3);
    const urls = lines.map((l) => l.split("listening on ")[1]);
    expect(urls[0]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    expect(urls[1]).toMatch(/^rs:\/\/127\.0\.0\.1:\d+$/);
    expect(urls[2]).toBe(`rs://unix:${unix}`);

    const a = new RawClient();
    await openWebSocket({ url: urls[0], serializers: ["json"] }, a);
    await a.join("realm2");
    const b = new RawClient();
    await openRawSocket({ url: urls[2], serializer: "msgpack" }, b);
    await b.join("realm2");
    const reg = a.request();
    a.send([64, reg, {}, "com.example.ping"]);
    await a.expect(65, reg);
    const call = b.request();
    b.send([48, call, {}, "com.example.ping", []]);
    const inv = await a.expect(68);
    a.send([70, inv[1], {}, ["pong"]]);
    expect((await b.expect(50, call))[3]).toEqual(["pong"]);

    // An unknown realm is refused.
    const c = new RawClient();
    await openRawSocket({ url: urls[1], serializer: "cbor" }, c);
    c.send([1, "nope", { roles: { caller: {} } }]);
    expect((await c.expect(3))[2]).toBe("wamp.error.no_such_realm");

    p.child.kill("SIGTERM");
    const goodbyeA = await a.expect(6);
    const goodbyeB = await b.expect(6);
    expect(goodbyeA[2]).toBe("wamp.close.system_shutdown");
    expect(goodbyeB[2]).toBe("wamp.close.system_shutdown");
    a.send([6, {}, "wamp.close.goodbye_and_out"]);
    b.send([6, {}, "wamp.close.goodbye_and_out"]);
    expect(await p.exited).toBe(0);
    expect(p.output().stdout).toContain("stopped");
    expect(existsSync(unix)).toBe(false);
  });

  it("reads --config and refuses an invalid one naming the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xwamp-cli-"));
    const good = join(dir, "good.json");
    writeFileSync(
      good,
      JSON.stringify({
        realms: [{ name: "com.example.realm" }],
        listeners: [
          {
            type: "universal",
            port: 0,
            tls: {
              cert: join(root, "test/fixtures/tls/cert.pem"),
              key: join(root, "test/fixtures/tls/key.pem"),
            },
          },
        ],
      }),
    );
    const p = start(["router", "--config", good]);
    const [line] = await p.waitFor(/listening on/);
    expect(line).toMatch(/wss:\/\/127\.0\.0\.1:\d+\/ws/);
    p.child.kill("SIGINT");
    expect(await p.exited).toBe(0);

    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ listeners: [{ type: "websocket", port: 70000 }] }));
    const q = start(["router", "--config", bad]);
    expect(await q.exited).toBe(2);
    expect(q.output().stderr).toContain("listeners[0].port");
  });
});

describe("xwamp demo (npm start)", () => {
  it("runs the router and two narrated clients to completion", async () => {
    const p = start(["demo"]);
    expect(await p.exited).toBe(0);
    const { stdout } = p.output();
    expect(stdout).toContain("called com.example.add2(2, 3) → 5");
    expect(stdout).toContain("received event com.example.news");
    expect(stdout).toContain("wamp.error.no_such_procedure");
  });
});
