/** A realm: a routing and administrative domain with its own broker, dealer and sessions. */
import type { RoleConfig } from "./authConfig.js";
import { Authorizer } from "./authorizer.js";
import { Broker } from "./broker.js";
import { Dealer } from "./dealer.js";
import { randomId } from "./ids.js";
import type { RoutedPeer } from "./peer.js";
import type { RouterSession } from "./session.js";

export class Realm {
  readonly authorizer: Authorizer;
  readonly broker: Broker;
  readonly dealer: Dealer;
  /** Established sessions by id. */
  readonly sessions = new Map<number, RouterSession>();

  constructor(
    readonly name: string,
    roles?: RoleConfig[],
  ) {
    const authorizer = new Authorizer(roles);
    this.authorizer = authorizer;
    // A permission's `disclose` forces identity disclosure; otherwise the peer's own request decides.
    const forced = (peer: RoutedPeer, action: "call" | "publish", uri: string) =>
      authorizer.authorize(peer.authrole, (peer as { trusted?: boolean }).trusted === true, action, uri)
        .disclose;
    this.broker = new Broker((p, topic, requested) => requested || forced(p, "publish", topic));
    this.dealer = new Dealer((c, procedure, requested) => requested || forced(c, "call", procedure));
  }

  /** A random session id (global scope) not in use on this realm. */
  newSessionId(): number {
    let id = randomId();
    while (this.sessions.has(id)) id = randomId();
    return id;
  }

  attach(session: RouterSession): void {
    this.sessions.set(session.id, session);
  }

  /** Remove a session and everything it held: subscriptions, registrations, pending calls. */
  detach(session: RouterSession): void {
    if (this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    this.broker.removeSession(session);
    this.dealer.removeSession(session);
  }
}
