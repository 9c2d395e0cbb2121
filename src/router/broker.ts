/**
 * The broker of one realm (basic profile "Publish and Subscribe", plus publisher exclusion,
 * subscriber black/white listing, publisher identification and pattern-based subscriptions from the
 * advanced profile). Plain data structures: no machine, no I/O beyond `peer.send`.
 */
import { WampUri } from "../errors.js";
import { randomId, SequentialIds } from "./ids.js";
import { type MatchPolicy, PatternTable } from "./matching.js";
import type { RoutedPeer } from "./peer.js";

/** Message type codes used here (basic profile "Message Codes and Direction"). */
const EVENT = 36;
const ERROR = 8;
const PUBLISHED = 17;
const SUBSCRIBED = 33;
const UNSUBSCRIBE = 34;
const UNSUBSCRIBED = 35;

export interface Subscription {
  readonly id: number;
  readonly topic: string;
  readonly match: MatchPolicy;
  readonly subscribers: Set<RoutedPeer>;
}

/** Features this broker implements, announced in WELCOME. */
export const BROKER_FEATURES = {
  publisher_exclusion: true,
  publisher_identification: true,
  subscriber_blackwhite_listing: true,
  pattern_based_subscription: true,
} as const;

type Dict = Record<string, unknown>;

/** Decides whether a publisher's identity is disclosed to subscribers (authorization may force it). */
export type DisclosePolicy = (publisher: RoutedPeer, topic: string, requested: boolean) => boolean;

export class Broker {
  private readonly table = new PatternTable<Subscription>();
  private readonly byId = new Map<number, Subscription>();
  private readonly ids = new SequentialIds();
  private readonly scratch: Subscription[] = [];
  private readonly bySession = new Map<RoutedPeer, Set<Subscription>>();

  constructor(private readonly disclose: DisclosePolicy = (_p, _t, requested) => requested) {}

  /** SUBSCRIBE: one subscription per (topic, match) shared by all its subscribers. */
  subscribe(peer: RoutedPeer, request: number, options: Dict, topic: string): void {
    const match = matchPolicyOf(options.match);
    if (match === undefined) {
      peer.send([
        ERROR,
        32,
        request,
        {},
        WampUri.invalidArgument,
        [`unknown match policy "${String(options.match)}"`],
      ]);
      return;
    }
    let sub = this.table.get(match, topic);
    if (sub === undefined) {
      sub = { id: this.ids.next(), topic, match, subscribers: new Set() };
      this.table.set(match, topic, sub);
      this.byId.set(sub.id, sub);
    }
    sub.subscribers.add(peer);
    let mine = this.bySession.get(peer);
    if (mine === undefined) {
      mine = new Set();
      this.bySession.set(peer, mine);
    }
    mine.add(sub);
    peer.send([SUBSCRIBED, request, sub.id]);
  }

  /** UNSUBSCRIBE: `wamp.error.no_such_subscription` unless `peer` holds it. */
  unsubscribe(peer: RoutedPeer, request: number, subscriptionId: number): void {
    const sub = this.byId.get(subscriptionId);
    if (sub === undefined || !sub.subscribers.has(peer)) {
      peer.send([ERROR, UNSUBSCRIBE, request, {}, WampUri.noSuchSubscription]);
      return;
    }
    this.remove(sub, peer);
    peer.send([UNSUBSCRIBED, request]);
  }

  /**
   * PUBLISH: fan an EVENT out to every matching subscriber, encoding it once per serializer, then
   * acknowledge if asked.
   */
  publish(
    peer: RoutedPeer,
    request: number,
    options: Dict,
    topic: string,
    args?: unknown[],
    kwargs?: Dict,
  ): void {
    const publication = randomId();
    // Reset first: a fan-out that threw (an unencodable payload) left its matches in the scratch list.
    this.scratch.length = 0;
    const subs = this.table.collect(topic, this.scratch);
    if (subs.length > 0) {
      const excludeMe = options.exclude_me !== false;
      const filter = receiverFilter(options);
      const disclose = this.disclose(peer, topic, options.disclose_me === true);
      for (let i = 0; i < subs.length; i++) {
        const sub = subs[i];
        const details: Dict = sub.match === "exact" ? {} : { topic };
        if (disclose) {
          details.publisher = peer.id;
          details.publisher_authid = peer.authid;
          details.publisher_authrole = peer.authrole;
        }
        const event: unknown[] =
          kwargs !== undefined
            ? [EVENT, sub.id, publication, details, args ?? [], kwargs]
            : args !== undefined
              ? [EVENT, sub.id, publication, details, args]
              : [EVENT, sub.id, publication, details];
        // One encoding per serializer per subscription (details differ between subscriptions).
        // At most eight serializers exist, so a linear scan over a short list beats a Map.
        const encodedBy: string[] = [];
        const encoded: Array<Uint8Array | string> = [];
        for (const receiver of sub.subscribers) {
          if (receiver === peer && excludeMe) continue;
          if (filter !== undefined && !filter(receiver)) continue;
          const name = receiver.serializer.name;
          let slot = encodedBy.indexOf(name);
          if (slot === -1) {
            slot = encodedBy.push(name) - 1;
            encoded.push(receiver.serializer.encode(event));
          }
          receiver.sendEncoded(encoded[slot]);
        }
      }
      subs.length = 0;
    }
    if (options.acknowledge === true) peer.send([PUBLISHED, request, publication]);
  }

  /** Drop every subscription of a leaving session. */
  removeSession(peer: RoutedPeer): void {
    const mine = this.bySession.get(peer);
    if (mine === undefined) return;
    for (const sub of mine) this.remove(sub, peer);
    this.bySession.delete(peer);
  }

  /** Current subscription count (for tests and the meta API). */
  get size(): number {
    return this.byId.size;
  }

  private remove(sub: Subscription, peer: RoutedPeer): void {
    sub.subscribers.delete(peer);
    this.bySession.get(peer)?.delete(sub);
    if (sub.subscribers.size === 0) {
      this.table.delete(sub.match, sub.topic);
      this.byId.delete(sub.id);
    }
  }
}

/** `exact` when absent; undefined for an unknown policy. */
export function matchPolicyOf(value: unknown): MatchPolicy | undefined {
  if (value === undefined) return "exact";
  return value === "exact" || value === "prefix" || value === "wildcard" ? value : undefined;
}

/**
 * Subscriber black/white listing (pubsub_subscriber_blackwhite_listing): a predicate built once per
 * publication, or undefined when the publisher gave no list.
 */
function receiverFilter(options: Dict): ((receiver: RoutedPeer) => boolean) | undefined {
  const exclude = idSet(options.exclude);
  const eligible = idSet(options.eligible);
  const excludeAuthid = stringSet(options.exclude_authid);
  const excludeAuthrole = stringSet(options.exclude_authrole);
  const eligibleAuthid = stringSet(options.eligible_authid);
  const eligibleAuthrole = stringSet(options.eligible_authrole);
  if (!(exclude || eligible || excludeAuthid || excludeAuthrole || eligibleAuthid || eligibleAuthrole))
    return undefined;
  return (r) =>
    !exclude?.has(r.id) &&
    (eligible === undefined || eligible.has(r.id)) &&
    !excludeAuthid?.has(r.authid) &&
    !excludeAuthrole?.has(r.authrole) &&
    (eligibleAuthid === undefined || eligibleAuthid.has(r.authid)) &&
    (eligibleAuthrole === undefined || eligibleAuthrole.has(r.authrole));
}

function idSet(value: unknown): Set<number> | undefined {
  return Array.isArray(value) ? new Set(value as number[]) : undefined;
}

function stringSet(value: unknown): Set<string> | undefined {
  return Array.isArray(value) ? new Set(value as string[]) : undefined;
}
