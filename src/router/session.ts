/**
 * One router-side WAMP session per connection. The lifecycle (HELLO, GOODBYE, shutdown, violations)
 * runs in `routerSessionMachine`; every other message is validated and dispatched through a table
 * indexed by message code straight to the realm's broker and dealer.
 */
import { type Actor, createActor } from "xstate";
import {
  type AuthenticatedPrincipal,
  AuthRefusedError,
  type AuthStep,
  type ListenerAuthenticator,
} from "../auth/router.js";
import { MessageType, type ParseMessageOptions, parseMessage } from "../codecs/messages/index.js";
import type { Serializer } from "../codecs/serializer.js";
import { ProtocolError, WampUri } from "../errors.js";
import { routerSessionMachine } from "../machines/routerSessionMachine.js";
import type { CloseDetails, TransportHandle, TransportHandler } from "../transports/types.js";
import type { Action } from "./authConfig.js";
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
  /** Calls a procedure on a realm as the router itself (the dynamic authenticator). */
  callAsRouter(realm: string, procedure: string, args: unknown[]): Promise<unknown>;
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
  realmExists(realm: string): boolean;
  rememberHello(realm: string, details: Dict): void;
  beginAuth(realm: string, details: Dict): Promise<AuthStep>;
  sendChallenge(method: string, extra: Dict): void;
  welcome(principal: AuthenticatedPrincipal): void;
  refuseRealm(realm: string): void;
  refuseAuth(error: unknown): void;
  abortViolation(message: string): void;
  abortTimeout(message: string): void;
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
  /** parseMessage's options for this connection: the router's URI rule, the serializer's decoder. */
  private parseOptions: ParseMessageOptions = {};
  private handle!: TransportHandle;
  private actor!: Actor<typeof routerSessionMachine>;
  /** The realm while established; undefined before join and after leave. */
  realm: Realm | undefined;
  /** Sessions of a listener without `auth` may do everything (the development default). */
  trusted = false;
  private lastRequest = 0;
  private helloRealm = "";

  constructor(
    private readonly router: RouterContext,
    private readonly auth: ListenerAuthenticator,
  ) {}

  // ---- TransportHandler -------------------------------------------------------------------------

  onOpen(handle: TransportHandle): void {
    this.handle = handle;
    this.serializer = handle.details.serializer;
    this.parseOptions = { strictUris: this.router.strictUris, plainObjects: this.serializer.plainObjects };
    this.router.sessions.add(this);
    this.actor = createActor(routerSessionMachine, {
      input: {
        session: this,
        helloTimeout: this.router.helloTimeout,
        goodbyeTimeout: this.router.goodbyeTimeout,
        authTimeout: this.auth.timeout,
      },
    });
    this.actor.start();
  }

  onMessage(raw: unknown[]): void {
    let message: Msg;
    try {
      message = parseMessage(raw, this.parseOptions);
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
        try {
          handler(this, message);
        } catch (err) {
          // A message the router decoded but cannot pass on (e.g. SERIALIZER_ENCODE_FAILED: args
          // nested deeper than the receiver's serializer can write) must not crash the router: it
          // is the sender's protocol error (basic profile "Protocol Errors": "Catching error during
          // message encoding/decoding").
          const reason = err instanceof Error ? err.message : String(err);
          this.violation(`cannot route ${messageLabel(code)}: ${reason}`);
        }
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

  realmExists(realm: string): boolean {
    return this.router.realm(realm) !== undefined;
  }

  rememberHello(realm: string, details: Dict): void {
    this.helloRealm = realm;
    this.roles = isDict(details.roles) ? (details.roles as RouterSession["roles"]) : {};
    // The session id is fixed before authentication: WAMP-CRA challenges carry it.
    this.id = this.router.realm(realm)!.newSessionId();
  }

  async beginAuth(realm: string, details: Dict): Promise<AuthStep> {
    if (!isDict(details.roles))
      throw new ProtocolError("MESSAGE_BAD_FIELD", "HELLO.Details.roles must announce at least one role");
    const step = await this.auth.begin({
      realm,
      details,
      sessionId: this.id,
      transport: this.handle.details,
    });
    if (step.kind === "welcome") {
      this.admit(step.principal);
      return step;
    }
    return {
      ...step,
      verify: async (signature, extra) => {
        const principal = await step.verify(signature, extra);
        this.admit(principal);
        return principal;
      },
    };
  }

  /** The principal may join the realm it asked for: bound realm and role checks. */
  private admit(principal: AuthenticatedPrincipal): void {
    const realm = this.router.realm(this.helloRealm);
    const boundElsewhere = principal.realm !== undefined && principal.realm !== this.helloRealm;
    if (
      realm === undefined ||
      boundElsewhere ||
      (!principal.trusted && !realm.authorizer.hasRole(principal.authrole))
    ) {
      throw new AuthRefusedError(WampUri.notAuthorized);
    }
  }

  sendChallenge(method: string, extra: Dict): void {
    this.send([MessageType.CHALLENGE, method, extra]);
  }

  welcome(principal: AuthenticatedPrincipal): void {
    const realmName = this.helloRealm;
    const realm = this.router.realm(realmName)!; // admit() checked it
    this.authid = principal.authid;
    this.authrole = principal.authrole;
    this.trusted = principal.trusted === true;
    this.realm = realm;
    realm.attach(this);
    const details: Dict = {
      realm: realmName,
      roles: this.router.roles,
      authid: principal.authid,
      authrole: principal.authrole,
      authmethod: principal.authmethod,
      authprovider: principal.authprovider,
    };
    if (principal.authextra !== undefined) details.authextra = principal.authextra;
    this.send([MessageType.WELCOME, this.id, details]);
    this.router.log?.(
      "debug",
      `session ${this.id} joined ${realmName} as ${principal.authid}/${principal.authrole} (${this.handle.details.peer})`,
    );
  }

  refuseRealm(realm: string): void {
    this.send([MessageType.ABORT, { message: `no realm "${realm}"` }, WampUri.noSuchRealm]);
  }

  refuseAuth(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.abortViolation(error.message);
      return;
    }
    const uri = error instanceof AuthRefusedError ? error.uri : WampUri.authenticationFailed;
    this.router.log?.("info", `authentication refused for ${this.handle.details.peer}: ${uri}`);
    this.send([MessageType.ABORT, {}, uri]);
  }

  abortViolation(message: string): void {
    this.router.log?.("warn", `protocol violation from ${this.handle.details.peer}: ${message}`);
    this.send([MessageType.ABORT, { message }, WampUri.protocolViolation]);
  }

  abortTimeout(message: string): void {
    this.send([MessageType.ABORT, { message }, WampUri.timeout]);
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
      case MessageType.AUTHENTICATE:
        this.actor.send({
          type: "wamp.authenticate",
          signature: message[1] as string,
          extra: message[2] as Dict,
        });
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

  /** Authorization (advanced profile "Authorization") of `action` on `uri` for this session's role. */
  permits(action: Action, uri: string): boolean {
    return this.realm!.authorizer.authorize(this.authrole, this.trusted, action, uri).allow;
  }

  violation(message: string): void {
    this.actor.send({ type: "wamp.violation", message });
  }
}

const ESTABLISHED: (Handler | undefined)[] = [];
ESTABLISHED[MessageType.SUBSCRIBE] = (s, m) => {
  const request = m[1] as number;
  if (!s.checkRequest(request, "SUBSCRIBE")) return;
  if (s.permits("subscribe", m[3] as string))
    s.realm!.broker.subscribe(s, request, m[2] as Dict, m[3] as string);
  else s.send([MessageType.ERROR, MessageType.SUBSCRIBE, request, {}, WampUri.notAuthorized]);
};
ESTABLISHED[MessageType.UNSUBSCRIBE] = (s, m) => {
  if (s.checkRequest(m[1] as number, "UNSUBSCRIBE"))
    s.realm!.broker.unsubscribe(s, m[1] as number, m[2] as number);
};
ESTABLISHED[MessageType.PUBLISH] = (s, m) => {
  const request = m[1] as number;
  if (!s.checkRequest(request, "PUBLISH")) return;
  const options = m[2] as Dict;
  if (s.permits("publish", m[3] as string)) {
    s.realm!.broker.publish(
      s,
      request,
      options,
      m[3] as string,
      m[4] as unknown[] | undefined,
      m[5] as Dict | undefined,
    );
  } else if (options.acknowledge === true) {
    // An unacknowledged publication gets no answer at all, refused or not (basic profile "PUBLISH").
    s.send([MessageType.ERROR, MessageType.PUBLISH, request, {}, WampUri.notAuthorized]);
  }
};
ESTABLISHED[MessageType.REGISTER] = (s, m) => {
  const request = m[1] as number;
  if (!s.checkRequest(request, "REGISTER")) return;
  if (s.permits("register", m[3] as string))
    s.realm!.dealer.register(s, request, m[2] as Dict, m[3] as string);
  else s.send([MessageType.ERROR, MessageType.REGISTER, request, {}, WampUri.notAuthorized]);
};
ESTABLISHED[MessageType.UNREGISTER] = (s, m) => {
  if (s.checkRequest(m[1] as number, "UNREGISTER"))
    s.realm!.dealer.unregister(s, m[1] as number, m[2] as number);
};
ESTABLISHED[MessageType.CALL] = (s, m) => {
  const request = m[1] as number;
  if (!s.checkRequest(request, "CALL")) return;
  if (s.permits("call", m[3] as string)) {
    s.realm!.dealer.call(
      s,
      request,
      m[2] as Dict,
      m[3] as string,
      m[4] as unknown[] | undefined,
      m[5] as Dict | undefined,
    );
  } else {
    s.send([MessageType.ERROR, MessageType.CALL, request, {}, WampUri.notAuthorized]);
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
  if (m[1] !== MessageType.INVOCATION) {
    s.violation(`ERROR for ${messageLabel(m[1] as number)} may only come from the router`);
    return;
  }
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
