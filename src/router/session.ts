/**
 * One router-side WAMP session per connection. The lifecycle (HELLO, GOODBYE, shutdown, violations)
 * runs in `routerSessionMachine`; every other message is validated and dispatched through a table
 * indexed by message code straight to the realm's broker and dealer.
 */
import { type Actor, createActor } from "xstate";
import { MessageType, parseMessage } from "../codecs/messages/index.js";
import type { Serializer } from "../codecs/serializer.js";
import { ProtocolError, WampUri } from "../errors.js";
import { routerSessionMachine } from "../machines/routerSessionMachine.js";
import type { CloseDetails, TransportHandle, TransportHandler } from "../transports/types.js";
import { randomId } from "./ids.js";
import type { RoutedPeer } from "./peer.js";
import type { Realm } from "./realm.js";

type Dict = Record<string, unknown>;
type Msg = readonly unknown[];

/** What a session needs from its router. */
export interface RouterContext {
  /** The realm named `name`, created on demand when the router allows it; undefined if unknown. */
  realm(name: string): Realm | undefined;
  /** The WELCOME.Details.roles announcement. */
  readonly roles: Dict;
  readonly helloTimeout: number;
  readonly goodbyeTimeout: number;
  /** Validate URIs strictly (`[0-9a-z_]+` components). */
  readonly strictUris: boolean;
  /** Treat non-sequential request ids as protocol violations (basic profile "Protocol Errors"). */
  readonly sequentialRequestIds: boolean;
  /** Sessions that are open, for shutdown. */
  readonly sessions: Set<RouterSession>;
  /** Optional observer for logging. */
  readonly log?: (level: "debug" | "info" | "warn", message: string) => void;
}

/** The lifecycle operations the machine calls (its actions). */
export interface RouterSessionLifecycle {
  canJoin(realm: string, details: Dict): boolean;
  join(realm: string, details: Dict): void;
  refuseJoin(realm: string, details: Dict): void;
  abortViolation(message: string): void;
  abortHelloTimeout(): void;
  replyGoodbye(): void;
  sayGoodbye(reason: string, message?: string): void;
  leave(): void;
  closeTransport(): void;
}

type Handler = (session: RouterSession, message: Msg) => void;

export class RouterSession implements TransportHandler, RoutedPeer, RouterSessionLifecycle {
  id = 0;
  authid = "";
  authrole = "";
  roles: Dict & Record<string, { features?: Dict } | undefined> = {};
  serializer!: Serializer;
  private handle!: TransportHandle;
  private actor!: Actor<typeof routerSessionMachine>;
  /** The realm while established; undefined before join and after leave. */
  realm: Realm | undefined;
  private lastRequest = 0;

  constructor(private readonly router: RouterContext) {}

  // ---- TransportHandler -------------------------------------------------------------------------

  onOpen(handle: TransportHandle): void {
    this.handle = handle;
    this.serializer = handle.details.serializer;
    this.router.sessions.add(this);
    this.actor = createActor(routerSessionMachine, {
      input: {
        session: this,
        helloTimeout: this.router.helloTimeout,
        goodbyeTimeout: this.router.goodbyeTimeout,
      },
    });
    this.actor.start();
  }

  onMessage(raw: unknown[]): void {
    let message: Msg;
    try {
      message = parseMessage(raw, this.router.strictUris ? { strictUris: true } : undefined);
    } catch (err) {
      this.actor.send({
        type: "wamp.violation",
        message: err instanceof ProtocolError ? err.message : String(err),
      });
      return;
    }
    const code = message[0] as number;
    if (this.realm !== undefined) {
      const handler = ESTABLISHED[code];
      if (handler !== undefined) {
        handler(this, message);
        return;
      }
    }
    this.lifecycleMessage(code, message);
  }

  onClose(_details: CloseDetails): void {
    this.router.sessions.delete(this);
    this.actor.send({ type: "transport.closed" });
  }

  // ---- RoutedPeer ------------------------------------------------------------------------------

  send(message: Msg): void {
    this.handle.send(message);
  }

  sendEncoded(payload: Uint8Array | string): void {
    this.handle.sendEncoded(payload);
  }

  /** Ask the session to end because the router is shutting down. */
  shutdown(reason: string = WampUri.systemShutdown, message?: string): void {
    this.actor.send({ type: "router.shutdown", reason, ...(message === undefined ? {} : { message }) });
  }

  /** Resolves once the session's lifecycle has ended. */
  get done(): boolean {
    return this.actor.getSnapshot().status === "done";
  }

  // ---- lifecycle (machine actions) -------------------------------------------------------------

  canJoin(realm: string, details: Dict): boolean {
    return this.router.realm(realm) !== undefined && isDict(details.roles);
  }

  join(realmName: string, details: Dict): void {
    const realm = this.router.realm(realmName)!;
    this.id = realm.newSessionId();
    this.roles = details.roles as RouterSession["roles"];
    this.authid =
      typeof details.authid === "string" && details.authid.length > 0 ? details.authid : anonymousAuthid();
    this.authrole = "anonymous";
    this.realm = realm;
    realm.attach(this);
    this.send([
      MessageType.WELCOME,
      this.id,
      {
        realm: realmName,
        roles: this.router.roles,
        authid: this.authid,
        authrole: this.authrole,
        authmethod: "anonymous",
        authprovider: "static",
      },
    ]);
    this.router.log?.("debug", `session ${this.id} joined ${realmName} (${this.handle.details.peer})`);
  }

  refuseJoin(realm: string, details: Dict): void {
    if (!isDict(details.roles)) {
      this.abortViolation("HELLO.Details.roles must announce at least one role");
    } else {
      this.send([MessageType.ABORT, { message: `no realm "${realm}"` }, WampUri.noSuchRealm]);
    }
  }

  abortViolation(message: string): void {
    this.router.log?.("warn", `protocol violation from ${this.handle.details.peer}: ${message}`);
    this.send([MessageType.ABORT, { message }, WampUri.protocolViolation]);
  }

  abortHelloTimeout(): void {
    this.send([MessageType.ABORT, { message: "no HELLO received in time" }, WampUri.timeout]);
  }

  replyGoodbye(): void {
    this.send([MessageType.GOODBYE, {}, WampUri.goodbyeAndOut]);
  }

  sayGoodbye(reason: string, message?: string): void {
    this.send([MessageType.GOODBYE, message === undefined ? {} : { message }, reason]);
  }

  leave(): void {
    const realm = this.realm;
    if (realm === undefined) return;
    this.realm = undefined;
    realm.detach(this);
  }

  closeTransport(): void {
    this.handle.close(1000, "");
  }

  // ---- internals -------------------------------------------------------------------------------

  private lifecycleMessage(code: number, message: Msg): void {
    switch (code) {
      case MessageType.HELLO:
        this.actor.send({ type: "wamp.hello", realm: message[1] as string, details: message[2] as Dict });
        return;
      case MessageType.GOODBYE:
        this.actor.send({ type: "wamp.goodbye", details: message[1] as Dict, reason: message[2] as string });
        return;
      case MessageType.ABORT:
        this.actor.send({ type: "wamp.abort", details: message[1] as Dict, reason: message[2] as string });
        return;
      default:
        this.actor.send({
          type: "wamp.violation",
          message: `${messageLabel(code)} is not allowed ${this.realm === undefined ? "before the session is established" : "from a client"}`,
        });
    }
  }

  /** Session-scope request ids must go 1, 2, 3, ... (basic profile "IDs"). */
  checkRequest(request: number, what: string): boolean {
    if (!this.router.sequentialRequestIds) return true;
    const expected = this.lastRequest >= 2 ** 53 ? 1 : this.lastRequest + 1;
    if (request !== expected) {
      this.actor.send({
        type: "wamp.violation",
        message: `${what} request id ${request} is not sequential (expected ${expected})`,
      });
      return false;
    }
    this.lastRequest = request;
    return true;
  }

  violation(message: string): void {
    this.actor.send({ type: "wamp.violation", message });
  }
}

const ESTABLISHED: (Handler | undefined)[] = [];
ESTABLISHED[MessageType.SUBSCRIBE] = (s, m) => {
  if (s.checkRequest(m[1] as number, "SUBSCRIBE"))
    s.realm!.broker.subscribe(s, m[1] as number, m[2] as Dict, m[3] as string);
};
ESTABLISHED[MessageType.UNSUBSCRIBE] = (s, m) => {
  if (s.checkRequest(m[1] as number, "UNSUBSCRIBE"))
    s.realm!.broker.unsubscribe(s, m[1] as number, m[2] as number);
};
ESTABLISHED[MessageType.PUBLISH] = (s, m) => {
  if (s.checkRequest(m[1] as number, "PUBLISH")) {
    s.realm!.broker.publish(
      s,
      m[1] as number,
      m[2] as Dict,
      m[3] as string,
      m[4] as unknown[] | undefined,
      m[5] as Dict | undefined,
    );
  }
};
ESTABLISHED[MessageType.REGISTER] = (s, m) => {
  if (s.checkRequest(m[1] as number, "REGISTER"))
    s.realm!.dealer.register(s, m[1] as number, m[2] as Dict, m[3] as string);
};
ESTABLISHED[MessageType.UNREGISTER] = (s, m) => {
  if (s.checkRequest(m[1] as number, "UNREGISTER"))
    s.realm!.dealer.unregister(s, m[1] as number, m[2] as number);
};
ESTABLISHED[MessageType.CALL] = (s, m) => {
  if (s.checkRequest(m[1] as number, "CALL")) {
    s.realm!.dealer.call(
      s,
      m[1] as number,
      m[2] as Dict,
      m[3] as string,
      m[4] as unknown[] | undefined,
      m[5] as Dict | undefined,
    );
  }
};
ESTABLISHED[MessageType.CANCEL] = (s, m) => s.realm!.dealer.cancel(s, m[1] as number, m[2] as Dict);
ESTABLISHED[MessageType.YIELD] = (s, m) => {
  const outcome = s.realm!.dealer.yield(
    s,
    m[1] as number,
    m[2] as Dict,
    m[3] as unknown[] | undefined,
    m[4] as Dict | undefined,
  );
  if (outcome === "unknown") s.violation(`YIELD for unknown invocation ${m[1]}`);
};
ESTABLISHED[MessageType.ERROR] = (s, m) => {
  if (m[1] !== MessageType.INVOCATION)
    return s.violation(`ERROR for ${messageLabel(m[1] as number)} may only come from the router`);
  const outcome = s.realm!.dealer.error(
    s,
    m[2] as number,
    m[3] as Dict,
    m[4] as string,
    m[5] as unknown[] | undefined,
    m[6] as Dict | undefined,
  );
  if (outcome === "unknown") s.violation(`ERROR for unknown invocation ${m[2]}`);
};

function messageLabel(code: number): string {
  for (const [name, value] of Object.entries(MessageType)) if (value === code) return name;
  return `message type ${code}`;
}

function isDict(value: unknown): value is Dict {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0
  );
}

function anonymousAuthid(): string {
  const id = randomId().toString(36).toUpperCase().padStart(11, "0");
  return `${id.slice(0, 4)}-${id.slice(4, 8)}-${id.slice(8)}`;
}
