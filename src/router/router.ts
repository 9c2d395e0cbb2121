/**
 * The embedded router: realms (each with a broker and a dealer), listeners, and the per-connection
 * sessions between them.
 */
import { ListenerAuthenticator } from "../auth/router.js";
import { ConfigError, WampUri } from "../errors.js";
import { type Listener, type ListenerOptions, listen } from "../transports/listen.js";
import { type MemoryTransportOptions, openMemoryTransport } from "../transports/memory.js";
import type { TransportHandle, TransportHandler, TransportHandlerFactory } from "../transports/types.js";
import type { ListenerAuthConfig, RoleConfig } from "./authConfig.js";
import { BROKER_FEATURES } from "./broker.js";
import { validateRouterConfig } from "./config.js";
import { DEALER_FEATURES } from "./dealer.js";
import { Realm } from "./realm.js";
import { RouterCaller } from "./routerCaller.js";
import { type RouterContext, RouterSession } from "./session.js";

/** A realm in the router configuration. */
export interface RealmConfig {
  name: string;
  /** Roles and their permissions; without roles every authenticated session may do everything. */
  roles?: RoleConfig[];
}

/** A listener in the router configuration: transport options plus authentication. */
export interface RouterListenerConfig extends ListenerOptions {
  /** Authentication methods offered here; without it, anonymous sessions may do everything. */
  auth?: ListenerAuthConfig;
}

/** Router configuration; the same object, as JSON, drives `xwamp router --config`. */
export interface RouterConfig {
  /** Realms served; names or objects. Default: `realm1`. */
  realms?: Array<string | RealmConfig>;
  /** Create a realm on first HELLO instead of refusing unknown realms (default false). */
  autoCreateRealms?: boolean;
  /** Endpoints to listen on. May be empty: components can still connect in-process. */
  listeners?: RouterListenerConfig[];
  /** Abort connections that send no HELLO within this many ms (default 10000). */
  helloTimeout?: number;
  /** Wait this long for the GOODBYE reply when the router closes a session (default 2000 ms). */
  goodbyeTimeout?: number;
  /** Validate URIs strictly (default false: loose URIs, as most routers do). */
  strictUris?: boolean;
  /** Require sequential request ids (basic profile "IDs"; default true). */
  sequentialRequestIds?: boolean;
  /** Called with router events worth logging. */
  log?: (level: "debug" | "info" | "warn", message: string) => void;
}

/** A running router. */
export interface Router {
  /** The listeners, in configuration order (each has its `url`). */
  readonly listeners: readonly Listener[];
  /** Realm by name (undefined if not configured and not yet created). */
  realm(name: string): Realm | undefined;
  /** Open sessions across all realms (established or still handshaking). */
  readonly sessionCount: number;
  /** A factory of transport handlers: plug the router into any listener or transport. */
  handlerFactory(): TransportHandler;
  /** Connect a client handler in-process (no socket) and return its handle. */
  connectInMemory(client: TransportHandler, options?: MemoryTransportOptions): Promise<TransportHandle>;
  /**
   * Shut down: GOODBYE `wamp.close.system_shutdown` to every session, wait for the replies (bounded
   * by `goodbyeTimeout`), then close the listeners.
   */
  close(): Promise<void>;
}

/**
 * Start a router.
 *
 * @example
 * ```ts
 * const router = await createRouter({ realms: ["realm1"], listeners: [{ type: "websocket", port: 8080 }] });
 * console.log(router.listeners[0].url); // ws://127.0.0.1:8080/ws
 * await router.close();
 * ```
 */
export async function createRouter(config: RouterConfig = {}): Promise<Router> {
  const cfg = validateRouterConfig(config);
  const realms = new Map<string, Realm>();
  for (const r of cfg.realms) realms.set(r.name, new Realm(r.name, r.roles));
  const routerCaller = new RouterCaller(cfg.helloTimeout);
  const sessions = new Set<RouterSession>();

  const context: RouterContext = {
    realm(name) {
      let realm = realms.get(name);
      if (realm === undefined && cfg.autoCreateRealms) {
        realm = new Realm(name);
        realms.set(name, realm);
      }
      return realm;
    },
    roles: {
      broker: { features: { ...BROKER_FEATURES } },
      dealer: { features: { ...DEALER_FEATURES } },
    },
    helloTimeout: cfg.helloTimeout,
    goodbyeTimeout: cfg.goodbyeTimeout,
    strictUris: cfg.strictUris,
    sequentialRequestIds: cfg.sequentialRequestIds,
    sessions,
    callAsRouter(realmName, procedure, args) {
      const realm = realms.get(realmName);
      return realm === undefined
        ? Promise.reject(
            new ConfigError(`no realm "${realmName}" for the authenticator`, "auth.dynamic.realm"),
          )
        : routerCaller.call(realm, procedure, args);
    },
    ...(config.log === undefined ? {} : { log: config.log }),
  };
  const handlerFactoryFor =
    (auth: ListenerAuthenticator): TransportHandlerFactory =>
    () =>
      new RouterSession(context, auth);
  const callAuthenticator = context.callAsRouter;
  // In-process connections (connectInMemory, handlerFactory) get the development default: no auth.
  const factory = handlerFactoryFor(new ListenerAuthenticator(undefined, callAuthenticator));

  const listeners: Listener[] = [];
  try {
    for (const { auth, ...options } of cfg.listeners) {
      listeners.push(
        await listen(options, handlerFactoryFor(new ListenerAuthenticator(auth, callAuthenticator))),
      );
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    listeners,
    realm: (name) => realms.get(name),
    get sessionCount() {
      return sessions.size;
    },
    handlerFactory: factory,
    connectInMemory: (client, options) => openMemoryTransport(factory, client, options),
    close() {
      closing ??= (async () => {
        // No newcomers while the others are told goodbye (they would join a closing router).
        for (const l of listeners) l.stopAccepting();
        for (const session of [...sessions]) session.shutdown(WampUri.systemShutdown, "router shutting down");
        const deadline = Date.now() + cfg.goodbyeTimeout + 100;
        while (sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await Promise.all(listeners.map((l) => l.close()));
      })();
      return closing;
    },
  };
}
