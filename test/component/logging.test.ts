/** Component logging through a custom sink: trace logs every message, secrets never; off is silent. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createComponent } from "../../src/component.js";
import type { LogLevel } from "../../src/logging.js";
import type { Router } from "../../src/router/router.js";
import { closedPort, fast, joinClient, startRouter, wsUrl } from "./helpers.js";
import { startTicketRouter, type TicketRouter } from "./ticketRouter.js";

interface Line {
  level: Exclude<LogLevel, "off">;
  message: string;
  fields: Record<string, unknown> | undefined;
}

function sink() {
  const lines: Line[] = [];
  return {
    lines,
    logger: (level: Line["level"], message: string, fields?: Record<string, unknown>) =>
      void lines.push({ level, message, fields }),
  };
}

/** The WAMP message a trace line carries (`send` / `receive` lines only). */
function messageOf(line: Line): unknown[] {
  const message = line.fields?.message;
  if (!Array.isArray(message)) throw new Error(`no message in ${JSON.stringify(line)}`);
  return message;
}

function traced(lines: Line[], direction: "send" | "receive"): unknown[][] {
  return lines.filter((l) => l.level === "trace" && l.message === direction).map(messageOf);
}

/** The message codes traced in one direction. */
function codes(lines: Line[], direction: "send" | "receive"): unknown[] {
  return traced(lines, direction).map((m) => m[0]);
}

/** The first message of type `code` traced in one direction. */
function first(lines: Line[], direction: "send" | "receive", code: number): unknown[] {
  const found = traced(lines, direction).find((m) => m[0] === code);
  if (found === undefined) throw new Error(`no ${direction} of message type ${code}`);
  return found;
}

let router: Router;
let ticketRouter: TicketRouter | undefined;
const stops: Array<() => Promise<void>> = [];

beforeEach(async () => {
  router = await startRouter();
});
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await ticketRouter?.close();
  ticketRouter = undefined;
  await router.close();
});

describe("component logging", () => {
  it('logLevel "trace" logs every message sent and received (a CALL and its RESULT among them)', async () => {
    const other = await joinClient(router);
    stops.push(() => other.component.stop());
    await other.session.register("com.example.add2", ([a, b]) => Number(a) + Number(b));
    const { lines, logger } = sink();
    const c = createComponent({
      transports: wsUrl(router),
      logLevel: "trace",
      logger,
      main: async (session) => {
        expect(await session.call("com.example.add2", [2, 3])).toBe(5);
      },
    });
    await c.start();
    expect(codes(lines, "send")).toEqual([1, 48, 6]); // HELLO, CALL, GOODBYE
    expect(codes(lines, "receive")).toEqual([2, 50, 6]); // WELCOME, RESULT, GOODBYE
    expect(first(lines, "send", 48).slice(3)).toEqual(["com.example.add2", [2, 3]]);
    expect(first(lines, "receive", 50)[3]).toEqual([5]);
  });

  it("AUTHENTICATE is logged with its signature redacted, and the secret appears nowhere", async () => {
    const secret = "s3cret-ticket-value";
    ticketRouter = await startTicketRouter(secret);
    const { lines, logger } = sink();
    const c = createComponent({
      transports: ticketRouter.url,
      authentication: { ticket: { authid: "alice", ticket: secret } },
      logLevel: "trace",
      logger,
      main: async (session) => {
        expect(session.authmethod).toBe("ticket");
      },
    });
    await c.start();
    // The router did get the ticket...
    expect(ticketRouter.received[0][1]).toEqual([5, secret, {}]);
    // ...the log only a placeholder.
    expect(codes(lines, "send")).toEqual([1, 5, 6]);
    expect(first(lines, "send", 5)[1]).not.toBe(secret);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  it('logLevel "off": the sink is never called, even on failures and user errors', async () => {
    const { lines, logger } = sink();
    const c = createComponent({
      transports: [fast(`ws://127.0.0.1:${await closedPort()}/ws`, { maxRetries: 0 }), fast(wsUrl(router))],
      logLevel: "off",
      logger,
      main: async () => {},
    });
    // Listener errors are logged as warnings at other levels.
    let thrown = 0;
    for (const event of ["connect", "leave", "disconnect", "connectfailure"] as const) {
      c.on(event, () => {
        thrown++;
        throw new Error("a listener bug");
      });
    }
    await c.start();
    expect(thrown).toBe(4); // connectfailure (t0 refused), then connect, leave, disconnect (t1)
    expect(lines).toEqual([]);
  });

  it("the default level is info: info lines, no debug or trace", async () => {
    const { lines, logger } = sink();
    const c = createComponent({ transports: wsUrl(router), logger, main: async () => {} });
    await c.start();
    const levels = new Set(lines.map((l) => l.level));
    expect(levels.has("info")).toBe(true);
    expect(levels.has("debug")).toBe(false);
    expect(levels.has("trace")).toBe(false);
  });
});
