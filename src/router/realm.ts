/** A realm: a routing and administrative domain with its own broker, dealer and sessions. */
import { Broker } from "./broker.js";
import { Dealer } from "./dealer.js";
import { randomId } from "./ids.js";
import type { RouterSession } from "./session.js";

export class Realm {
  readonly broker = new Broker();
  readonly dealer = new Dealer();
  /** Established sessions by id. */
  readonly sessions = new Map<number, RouterSession>();

  constructor(readonly name: string) {}

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
