/**
 * The subscriber role: SUBSCRIBE / UNSUBSCRIBE out, SUBSCRIBED / UNSUBSCRIBED (and revocations)
 * in, EVENT in, fanned out to every local handler of the router subscription.
 */
import {
  type Dict,
  type ErrorMessage,
  type EventMessage,
  MessageType,
  type SubscribedMessage,
  type UnsubscribedMessage,
} from "../codecs/messages/index.js";
import { ApplicationError, ConfigError, SessionClosedError, WampUri } from "../errors.js";
import { toArgs, toKwargs } from "./callResult.js";
import { type SessionContext, violation } from "./context.js";
import { PendingRequest, sendRequest } from "./pending.js";
import {
  Event,
  type EventHandler,
  type SubscribeOptions,
  Subscription,
  type SubscriptionEntry,
  type SubscriptionOwner,
} from "./subscription.js";

class PendingSubscribe extends PendingRequest<Subscription> {
  readonly topic: string;
  readonly key: string;
  readonly handler: EventHandler;
  readonly onRevoked: SubscribeOptions["onRevoked"];

  constructor(topic: string, key: string, handler: EventHandler, onRevoked: SubscribeOptions["onRevoked"]) {
    super();
    this.topic = topic;
    this.key = key;
    this.handler = handler;
    this.onRevoked = onRevoked;
  }
}

class PendingUnsubscribe extends PendingRequest<void> {
  readonly entry: SubscriptionEntry;

  constructor(entry: SubscriptionEntry) {
    super();
    this.entry = entry;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

// The collections below are made on first use: most sessions never subscribe, and an empty Map
// or Set with its table costs 150 to 180 bytes.
export class Subscriber implements SubscriptionOwner {
  private readonly ctx: SessionContext;
  private entries: Map<number, SubscriptionEntry> | undefined = undefined;
  private subscribes: Map<number, PendingSubscribe> | undefined = undefined;
  private unsubscribes: Map<number, PendingUnsubscribe> | undefined = undefined;
  /** SUBSCRIBEs in flight per topic and policy: their answer will reuse an existing id. */
  private subscribing: Map<string, number> | undefined = undefined;
  /**
   * Entries whose last handler left while a SUBSCRIBE for the same key was in flight. Sending
   * UNSUBSCRIBE then would race that SUBSCRIBE (the broker answers it with this very id, then
   * removes it), so the entry waits here, empty, until the SUBSCRIBE is answered.
   */
  private idle: Set<SubscriptionEntry> | undefined = undefined;

  constructor(ctx: SessionContext) {
    this.ctx = ctx;
  }

  subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription> {
    const ctx = this.ctx;
    if (ctx.closedError !== undefined) return Promise.reject(ctx.closed());
    if (typeof topic !== "string") return Promise.reject(new ConfigError("topic must be a string", "topic"));
    if (typeof handler !== "function")
      return Promise.reject(new ConfigError("handler must be a function", "handler"));
    const wireOptions: Dict = {};
    let match = "exact";
    if (options !== undefined) {
      if (options.extra !== undefined) Object.assign(wireOptions, options.extra);
      if (options.match !== undefined && options.match !== "exact") {
        match = options.match;
        wireOptions.match = match;
      }
    }
    const key = `${match} ${topic}`;
    const request = ctx.ids.next();
    const pending = new PendingSubscribe(topic, key, handler, options?.onRevoked);
    this.subscribing ??= new Map();
    this.subscribing.set(key, (this.subscribing.get(key) ?? 0) + 1);
    this.subscribes ??= new Map();
    // Counted before sending, since an in-process transport may answer inside send().
    if (
      !sendRequest(ctx, this.subscribes, request, pending, [
        MessageType.SUBSCRIBE,
        request,
        wireOptions,
        topic,
      ])
    ) {
      this.settled(key);
    }
    return pending.promise;
  }

  unsubscribe(subscription: Subscription): Promise<void> {
    const ctx = this.ctx;
    if (ctx.closedError !== undefined) return Promise.reject(ctx.closed());
    if (!subscription.active) return Promise.resolve();
    subscription.deactivate();
    const entry = subscription.entry;
    entry.handlers = entry.handlers.filter((handler) => handler !== subscription);
    if (entry.handlers.length > 0 || entry.closing || this.entries?.get(entry.id) !== entry)
      return Promise.resolve();
    if (this.subscribing?.has(entry.key) === true) {
      this.idle ??= new Set();
      this.idle.add(entry);
      return Promise.resolve();
    }
    return this.sendUnsubscribe(entry);
  }

  onSubscribed(message: SubscribedMessage): void {
    const [, request, id] = message;
    const subscribes = this.subscribes;
    const pending = subscribes?.get(request);
    if (subscribes === undefined || pending === undefined) {
      throw violation(`SUBSCRIBED for request ${request}, which is no pending subscription`, "SUBSCRIBED");
    }
    subscribes.delete(request);
    this.entries ??= new Map();
    const entries = this.entries;
    let entry = entries.get(id);
    if (entry === undefined) {
      entry = { id, key: pending.key, topic: pending.topic, handlers: [], closing: false };
      entries.set(id, entry);
    }
    this.idle?.delete(entry);
    const subscription = new Subscription(this, entry, pending.topic, pending.handler, pending.onRevoked);
    entry.handlers = [...entry.handlers, subscription];
    this.settled(pending.key);
    pending.resolve(subscription);
  }

  onSubscribeError(message: ErrorMessage): void {
    const subscribes = this.subscribes;
    const pending = subscribes?.get(message[2]);
    if (subscribes === undefined || pending === undefined)
      throw violation(`ERROR for request ${message[2]}, which is no pending subscription`, "ERROR");
    subscribes.delete(message[2]);
    this.settled(pending.key);
    pending.reject(new ApplicationError(message[4], toArgs(message[5]), toKwargs(message[6])));
  }

  onUnsubscribed(message: UnsubscribedMessage): void {
    const request = message[1];
    if (request === 0) {
      this.revoke(message[2] as Dict);
      return;
    }
    const unsubscribes = this.unsubscribes;
    const pending = unsubscribes?.get(request);
    if (unsubscribes === undefined || pending === undefined) {
      throw violation(
        `UNSUBSCRIBED for request ${request}, which is no pending unsubscription`,
        "UNSUBSCRIBED",
      );
    }
    unsubscribes.delete(request);
    this.forget(pending.entry);
    pending.resolve();
  }

  onUnsubscribeError(message: ErrorMessage): void {
    const unsubscribes = this.unsubscribes;
    const pending = unsubscribes?.get(message[2]);
    if (unsubscribes === undefined || pending === undefined) {
      throw violation(`ERROR for request ${message[2]}, which is no pending unsubscription`, "ERROR");
    }
    unsubscribes.delete(message[2]);
    const entry = pending.entry;
    entry.closing = false;
    if (message[4] === WampUri.noSuchSubscription) {
      // The broker holds no such subscription: the goal is reached.
      this.forget(entry);
      pending.resolve();
      return;
    }
    // The broker still holds it: the entry stays, empty, so its events are dropped quietly.
    pending.reject(new ApplicationError(message[4], toArgs(message[5]), toKwargs(message[6])));
  }

  onEvent(message: EventMessage): void {
    const id = message[1];
    const entry = this.entries?.get(id);
    if (entry === undefined)
      throw violation(`EVENT for subscription ${id}, which this session does not hold`, "EVENT");
    const handlers = entry.handlers;
    if (handlers.length === 0) return;
    const details = new Event(message[2], id, entry.topic, message[3]);
    const args = toArgs(message[4]);
    const kwargs = toKwargs(message[5]);
    for (const subscription of handlers) {
      // Unsubscribed by an earlier handler of this same event.
      if (!subscription.active) continue;
      try {
        const value = subscription.handler(args, kwargs, details);
        if (isThenable(value)) {
          value.then(undefined, (err: unknown) =>
            this.ctx.userError(err, `event handler for ${subscription.topic}`),
          );
        }
      } catch (err) {
        this.ctx.userError(err, `event handler for ${subscription.topic}`);
      }
    }
  }

  close(): void {
    const ctx = this.ctx;
    const { subscribes, unsubscribes, entries } = this;
    if (subscribes !== undefined) {
      for (const pending of subscribes.values()) pending.reject(ctx.closed());
      subscribes.clear();
    }
    this.subscribing?.clear();
    if (unsubscribes !== undefined) {
      for (const pending of unsubscribes.values()) pending.reject(ctx.closed());
      unsubscribes.clear();
    }
    if (entries !== undefined) {
      for (const entry of entries.values()) {
        for (const subscription of entry.handlers) subscription.deactivate();
        entry.handlers = [];
      }
      entries.clear();
    }
    this.idle?.clear();
  }

  private sendUnsubscribe(entry: SubscriptionEntry): Promise<void> {
    const ctx = this.ctx;
    entry.closing = true;
    this.idle?.delete(entry);
    const request = ctx.ids.next();
    const pending = new PendingUnsubscribe(entry);
    this.unsubscribes ??= new Map();
    if (
      !sendRequest(ctx, this.unsubscribes, request, pending, [MessageType.UNSUBSCRIBE, request, entry.id])
    ) {
      entry.closing = false;
    }
    return pending.promise;
  }

  /** A SUBSCRIBE for `key` was answered: an entry left idle for its sake may now be released. */
  private settled(key: string): void {
    const subscribing = this.subscribing;
    if (subscribing === undefined) return; // only keys counted in subscribe() are settled
    const count = (subscribing.get(key) ?? 1) - 1;
    if (count > 0) {
      subscribing.set(key, count);
      return;
    }
    subscribing.delete(key);
    const idle = this.idle;
    if (idle === undefined || idle.size === 0) return;
    for (const entry of idle) {
      if (entry.key !== key || entry.handlers.length > 0) continue;
      this.sendUnsubscribe(entry).then(undefined, (err: unknown) => {
        if (!(err instanceof SessionClosedError))
          this.ctx.userError(err, `unsubscribing from ${entry.topic}`);
      });
    }
  }

  private forget(entry: SubscriptionEntry): void {
    const entries = this.entries;
    if (entries?.get(entry.id) === entry) entries.delete(entry.id);
    this.idle?.delete(entry);
    entry.closing = false;
    for (const subscription of entry.handlers) subscription.deactivate();
    entry.handlers = [];
  }

  private revoke(details: Dict): void {
    const entry = this.entries?.get(details.subscription as number);
    // Unknown: it crossed our own UNSUBSCRIBE, or the session never held it. Nothing to undo.
    if (entry === undefined) return;
    const handlers = entry.handlers;
    this.forget(entry);
    const reason = typeof details.reason === "string" ? details.reason : undefined;
    for (const subscription of handlers) {
      if (subscription.onRevoked === undefined) continue;
      try {
        subscription.onRevoked(reason);
      } catch (err) {
        this.ctx.userError(err, `onRevoked of ${subscription.topic}`);
      }
    }
  }
}
