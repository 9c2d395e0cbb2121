/**
 * `Subscription`: one local handler on a router subscription, and what the handler receives.
 */
import type { Dict } from "../codecs/messages/index.js";

/**
 * What an event handler learns about the event (third handler argument).
 *
 * @example
 * ```ts
 * await session.subscribe("com.example.", (args, kwargs, details) => {
 *   console.log(details.topic, details.publication, details.publisher);
 * }, { match: "prefix" });
 * ```
 */
export interface EventDetails {
  /** The publication id (the same on every subscription the event matched). */
  readonly publication: number;
  /** The router subscription the event came through. */
  readonly subscription: number;
  /**
   * The topic published to: `EVENT.Details.topic` when the broker sends it (it must for pattern
   * subscriptions), else the subscribed topic.
   */
  readonly topic: string;
  /** The publisher's session id, when disclosed (publisher identification). */
  readonly publisher: number | undefined;
  /** The publisher's authid, when disclosed. */
  readonly publisherAuthid: string | undefined;
  /** The publisher's authrole, when disclosed. */
  readonly publisherAuthrole: string | undefined;
  /** `EVENT.Details` as received, for details this interface does not name. */
  readonly raw: Readonly<Dict>;
}

/**
 * An event handler. A thrown error or a rejected promise is reported to `onUserError`; it never
 * stops the delivery to other handlers.
 *
 * @example
 * ```ts
 * const onNews: EventHandler = ([headline]: string[]) => console.log(headline);
 * await session.subscribe("com.example.news", onNews);
 * ```
 */
export type EventHandler = EventHandlerMethod["handler"];

// A method signature, so a handler may narrow its parameters; see ProcedureHandler.
interface EventHandlerMethod {
  handler(args: unknown[], kwargs: Record<string, unknown>, details: EventDetails): unknown;
}

/**
 * Options of {@link Session.subscribe}.
 *
 * @example
 * ```ts
 * await session.subscribe("com.example..update", handler, { match: "wildcard" });
 * ```
 */
export interface SubscribeOptions {
  /** Pattern-based subscription (advanced profile): `exact` (default), `prefix` or `wildcard`. */
  match?: "exact" | "prefix" | "wildcard";
  /** More `SUBSCRIBE.Options` entries, sent as given (snake_case, as on the wire). */
  extra?: Dict;
  /** Called when the broker revokes the subscription (advanced profile, "Subscription Revocation"). */
  onRevoked?: (reason: string | undefined) => void;
}

/**
 * A router subscription as this session holds it. Every local `subscribe()` to the same topic and
 * match policy shares one: the broker gives a session one subscription id per topic and policy.
 */
export interface SubscriptionEntry {
  readonly id: number;
  /** Topic and match policy: what makes the broker answer with this same id. */
  readonly key: string;
  readonly topic: string;
  /** Copied on write, so a dispatch in progress keeps iterating the array it started with. */
  handlers: Subscription[];
  /** An UNSUBSCRIBE for it is in flight. */
  closing: boolean;
}

/** What a Subscription needs from its owner, so this file does not depend on the subscriber. */
export interface SubscriptionOwner {
  unsubscribe(subscription: Subscription): Promise<void>;
}

/**
 * One handler subscribed by this session. `active` turns false once it is unsubscribed, revoked by
 * the broker, or the session closes.
 *
 * @example
 * ```ts
 * const subscription = await session.subscribe("com.example.news", ([headline]) => console.log(headline));
 * console.log(subscription.id, subscription.topic);
 * await subscription.unsubscribe();
 * ```
 */
export class Subscription {
  /** The router subscription id (shared by every local subscription to the same topic and policy). */
  readonly id: number;
  readonly topic: string;
  readonly handler: EventHandler;
  readonly onRevoked: ((reason: string | undefined) => void) | undefined;
  /** @internal */
  readonly entry: SubscriptionEntry;
  private readonly owner: SubscriptionOwner;
  private isActive = true;

  constructor(
    owner: SubscriptionOwner,
    entry: SubscriptionEntry,
    topic: string,
    handler: EventHandler,
    onRevoked: ((reason: string | undefined) => void) | undefined,
  ) {
    this.owner = owner;
    this.entry = entry;
    this.id = entry.id;
    this.topic = topic;
    this.handler = handler;
    this.onRevoked = onRevoked;
  }

  /** False once unsubscribed, revoked by the broker, or the session closed. */
  get active(): boolean {
    return this.isActive;
  }

  /** @internal */
  deactivate(): void {
    this.isActive = false;
  }

  /**
   * Removes this handler; the last local handler of a router subscription also sends UNSUBSCRIBE
   * and resolves on UNSUBSCRIBED. Resolves at once when other handlers remain or it is inactive.
   */
  unsubscribe(): Promise<void> {
    return this.owner.unsubscribe(this);
  }
}

export class Event implements EventDetails {
  readonly publication: number;
  readonly subscription: number;
  readonly raw: Dict;
  private readonly subscribedTopic: string;

  constructor(publication: number, subscription: number, subscribedTopic: string, raw: Dict) {
    this.publication = publication;
    this.subscription = subscription;
    this.subscribedTopic = subscribedTopic;
    this.raw = raw;
  }

  get topic(): string {
    const value = this.raw.topic;
    return typeof value === "string" ? value : this.subscribedTopic;
  }

  get publisher(): number | undefined {
    const value = this.raw.publisher;
    return typeof value === "number" ? value : undefined;
  }

  get publisherAuthid(): string | undefined {
    const value = this.raw.publisher_authid;
    return typeof value === "string" ? value : undefined;
  }

  get publisherAuthrole(): string | undefined {
    const value = this.raw.publisher_authrole;
    return typeof value === "string" ? value : undefined;
  }
}
