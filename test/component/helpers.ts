/**
 * Helpers for the Component tests: a real embedded router on loopback (WebSocket + RawSocket on
 * port 0), a port with nobody listening, an event recorder, bounded waits and a second client.
 */
import { createServer } from "node:net";
import type { ComponentSession } from "../../src/component/componentSession.js";
import type { TransportConfig } from "../../src/component/config.js";
import { type Component, type ComponentConfig, createComponent } from "../../src/component.js";
import type { WampError } from "../../src/errors.js";
import { createRouter, type Router, type RouterConfig } from "../../src/router/router.js";

/** A router with a WebSocket and a RawSocket listener on 127.0.0.1, ports chosen by the OS. */
export function startRouter(config: RouterConfig = {}): Promise<Router> {
  return createRouter({
    listeners: [
      { type: "websocket", port: 0 },
      { type: "rawsocket", port: 0 },
    ],
    ...config,
  });
}

export function wsUrl(router: Router): string {
  return listenerOf(router, "websocket").url;
}

export function rsUrl(router: Router): string {
  return listenerOf(router, "rawsocket").url;
}

export function listenerOf(router: Router, type: "websocket" | "rawsocket") {
  const listener = router.listeners.find((l) => l.type === type);
  if (listener === undefined) throw new Error(`no ${type} listener`);
  return listener;
}

/** A TCP port on 127.0.0.1 that nobody listens on (bound, read, released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** Retry quickly and deterministically: 10 ms, growth 1.5, no jitter. */
export const FAST = { initialRetryDelay: 10, maxRetryDelay: 50, retryDelayJitter: () => 0 } as const;

/** A transport dict retrying fast. */
export function fast(url: string, extra: Partial<TransportConfig> = {}): TransportConfig {
  return { url, ...FAST, ...extra };
}

/** Wait (bounded) until `predicate` holds. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Recorded {
  /** Event names in order. */
  readonly names: string[];
  readonly failures: WampError[];
  readonly leaveReasons: string[];
  readonly userErrors: Array<{ error: unknown; context: string }>;
  readonly sessions: ComponentSession[];
  count(name: string): number;
}

/** Record every event a component emits. */
export function record(component: Component): Recorded {
  const rec: Recorded = {
    names: [],
    failures: [],
    leaveReasons: [],
    userErrors: [],
    sessions: [],
    count: (name) => rec.names.filter((n) => n === name).length,
  };
  component.on("connect", () => void rec.names.push("connect"));
  component.on("join", (session) => {
    rec.names.push("join");
    rec.sessions.push(session);
  });
  component.on("ready", () => void rec.names.push("ready"));
  component.on("leave", (_session, reason) => {
    rec.names.push("leave");
    rec.leaveReasons.push(reason);
  });
  component.on("disconnect", () => void rec.names.push("disconnect"));
  component.on("connectfailure", (error) => {
    rec.names.push("connectfailure");
    rec.failures.push(error);
  });
  component.on("usererror", (error, context) => {
    rec.names.push("usererror");
    rec.userErrors.push({ error, context });
  });
  return rec;
}

/** A quiet component (no console output). */
export function quietComponent(config: ComponentConfig): Component {
  return createComponent({ logLevel: "off", ...config });
}

/** A second client joined in-process (memory transport) to `router`; `stop()` it when done. */
export async function joinClient(
  router: Router,
  realm = "realm1",
): Promise<{ session: ComponentSession; component: Component }> {
  const component = quietComponent({ transports: { type: "memory", router }, realm });
  const joined = new Promise<ComponentSession>((resolve) => component.on("join", (s) => resolve(s)));
  void component.start();
  return { session: await joined, component };
}

/** Stop components and close routers, ignoring failures (for afterEach). */
export async function cleanup(components: Component[], routers: Router[]): Promise<void> {
  await Promise.all(components.splice(0).map((c) => c.stop()));
  await Promise.all(routers.splice(0).map((r) => r.close()));
}
