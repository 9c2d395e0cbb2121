/**
 * `xwamp router --host ::1` as a real process (bin/xwamp.js over the built dist/): it binds the IPv6
 * loopback, prints bracketed URLs (`ws://[::1]:<port>/ws`, `rs://[::1]:<port>`), and clients join
 * through exactly those URLs. Skips, loudly, where ::1 cannot be bound.
 */
import { createServer } from "node:net";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openRawSocket } from "../../src/transports/rawsocket/client.js";
import { openWebSocket } from "../../src/transports/websocket/client.js";
import { killStarted, requireBuild, startXwamp } from "../nodeProcess.js";
import { RawClient } from "../router/rawClient.js";

/** True when this machine can listen on `host`. */
function canBind(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(0, host, () => server.close(() => resolve(true)));
  });
}

const ipv6 = await canBind("::1");
if (!ipv6) console.warn("SKIPPED test/cli/host.test.ts: this machine cannot bind the IPv6 loopback ::1");

beforeAll(requireBuild);
afterEach(killStarted);

const start = startXwamp;

describe.skipIf(!ipv6)("xwamp router --host ::1", () => {
  it("prints ws://[::1]:<port>/ws and a client joins through it", async () => {
    const p = start(["router", "--ws", "0", "--host", "::1"]);
    const [line] = await p.waitFor(/listening on/);
    const url = line.split("listening on ")[1];
    expect(url).toMatch(/^ws:\/\/\[::1\]:\d+\/ws$/);
    const port = Number(/:(\d+)\/ws$/.exec(url)![1]);
    expect(port).toBeGreaterThan(0);

    const client = new RawClient();
    const handle = await openWebSocket({ url, serializers: ["json"] }, client);
    expect(handle.details.peer).toBe(`tcp6:[::1]:${port}`);
    const welcome = await client.join("realm1");
    expect(welcome[0]).toBe(2);
    expect(client.sessionId).toBeGreaterThan(0);

    // And it routes: a call to a procedure nobody registered is answered by the dealer.
    const call = client.request();
    client.send([48, call, {}, "com.example.nothing", []]);
    expect((await client.expect(8, call))[4]).toBe("wamp.error.no_such_procedure");

    p.child.kill("SIGTERM");
    expect((await client.expect(6))[2]).toBe("wamp.close.system_shutdown");
    client.send([6, {}, "wamp.close.goodbye_and_out"]);
    expect(await p.exited).toBe(0);
  });

  it("prints rs://[::1]:<port> for --rawsocket and a client joins through it", async () => {
    const p = start(["router", "--rawsocket", "0", "--host", "::1"]);
    const [line] = await p.waitFor(/listening on/);
    const url = line.split("listening on ")[1];
    expect(url).toMatch(/^rs:\/\/\[::1\]:\d+$/);

    const client = new RawClient();
    const handle = await openRawSocket({ url, serializer: "msgpack" }, client);
    expect(handle.details.peer.startsWith("tcp6:[::1]:")).toBe(true);
    expect((await client.join("realm1"))[0]).toBe(2);

    p.child.kill("SIGINT");
    expect((await client.expect(6))[2]).toBe("wamp.close.system_shutdown");
    client.send([6, {}, "wamp.close.goodbye_and_out"]);
    expect(await p.exited).toBe(0);
  });
});
