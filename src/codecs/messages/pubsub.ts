/**
 * Publish & subscribe messages (basic profile, "Messages › Publish & Subscribe"), plus the advanced
 * profile's subscription revocation (UNSUBSCRIBED with request 0) and acknowledged event delivery
 * (EVENT_RECEIVED).
 */
import * as attributes from "./attributes.js";
import * as validators from "./validators.js";
import { type Dict, failArity, failField, failId, failUri } from "./validators.js";

// The hot-path helpers as module constants, not imported bindings: see "Module constants" in
// validators.ts. The fail* helpers run only on the error path and stay imports.
const { checkAttributes, EVENT_DETAILS, PUBLISH_OPTIONS, SUBSCRIBE_OPTIONS } = attributes;
const { checkArgs, checkDict, checkRevocable, checkUri, EMPTY_NONE, isId, patternMode, STRICT_URIS } =
  validators;

/**
 * PUBLISH (16), publisher → broker. A binary payload alone in the `Arguments` position is a
 * transparent (end-to-end encrypted / passthru) payload.
 *
 * Wire format: `[PUBLISH, Request|id, Options|dict, Topic|uri]`, then optionally
 * `Arguments|list` and `ArgumentsKw|dict`
 *
 * @example
 * ```ts
 * const publish: PublishMessage = [16, 239714735, { acknowledge: true }, "com.myapp.topic1", ["Hello"]];
 * ```
 */
export type PublishMessage =
  | readonly [type: 16, request: number, options: Dict, topic: string, args?: unknown[], kwargs?: Dict]
  | readonly [type: 16, request: number, options: Dict, topic: string, payload: Uint8Array];

/**
 * PUBLISHED (17), broker → publisher, acknowledging a PUBLISH with `Options.acknowledge`.
 *
 * Wire format: `[PUBLISHED, PUBLISH.Request|id, Publication|id]`
 *
 * @example
 * ```ts
 * const published: PublishedMessage = [17, 239714735, 4429313566];
 * ```
 */
export type PublishedMessage = readonly [type: 17, request: number, publication: number];

/**
 * SUBSCRIBE (32), subscriber → broker. With `Options.match` `"prefix"` the topic's last component
 * may be empty; with `"wildcard"` any component may be (advanced profile, "Pattern-based
 * Subscription").
 *
 * Wire format: `[SUBSCRIBE, Request|id, Options|dict, Topic|uri]`
 *
 * @example
 * ```ts
 * const subscribe: SubscribeMessage = [32, 713845233, { match: "wildcard" }, "com.myapp..userevent"];
 * ```
 */
export type SubscribeMessage = readonly [type: 32, request: number, options: Dict, topic: string];

/**
 * SUBSCRIBED (33), broker → subscriber.
 *
 * Wire format: `[SUBSCRIBED, SUBSCRIBE.Request|id, Subscription|id]`
 *
 * @example
 * ```ts
 * const subscribed: SubscribedMessage = [33, 713845233, 5512315355];
 * ```
 */
export type SubscribedMessage = readonly [type: 33, request: number, subscription: number];

/**
 * UNSUBSCRIBE (34), subscriber → broker.
 *
 * Wire format: `[UNSUBSCRIBE, Request|id, SUBSCRIBED.Subscription|id]`
 *
 * @example
 * ```ts
 * const unsubscribe: UnsubscribeMessage = [34, 85346237, 5512315355];
 * ```
 */
export type UnsubscribeMessage = readonly [type: 34, request: number, subscription: number];

/**
 * UNSUBSCRIBED (35), broker → subscriber. A broker revoking a subscription sends request `0` with
 * `Details.subscription` (an id) and optionally `Details.reason` (a string) (advanced profile,
 * "Subscription Revocation"); request 0 without those details is rejected.
 *
 * Wire format: `[UNSUBSCRIBED, UNSUBSCRIBE.Request|id]`, `[UNSUBSCRIBED, 0, Details|dict]`
 *
 * @example
 * ```ts
 * const revoked: UnsubscribedMessage = [35, 0, { subscription: 1293722, reason: "no longer authorized" }];
 * ```
 */
export type UnsubscribedMessage = readonly [type: 35, request: number, details?: Dict];

/**
 * EVENT (36), broker → subscriber. A binary payload alone in the `Arguments` position is a
 * transparent (end-to-end encrypted / passthru) payload.
 *
 * Wire format: `[EVENT, SUBSCRIBED.Subscription|id, PUBLISHED.Publication|id, Details|dict]`, then
 * optionally `PUBLISH.Arguments|list` and `PUBLISH.ArgumentsKw|dict`
 *
 * @example
 * ```ts
 * const event: EventMessage = [36, 5512315355, 4429313566, {}, ["Hello"], { color: "orange" }];
 * ```
 */
export type EventMessage =
  | readonly [
      type: 36,
      subscription: number,
      publication: number,
      details: Dict,
      args?: unknown[],
      kwargs?: Dict,
    ]
  | readonly [type: 36, subscription: number, publication: number, details: Dict, payload: Uint8Array];

/**
 * EVENT_RECEIVED, subscriber → broker, acknowledging an EVENT (acknowledged event delivery, not yet
 * ratified; code 37, or 337 as Autobahn|Python sends it today).
 *
 * Wire format: `[EVENT_RECEIVED, EVENT.Publication|id]`
 *
 * @example
 * ```ts
 * const ack: EventReceivedMessage = [37, 5512315355];
 * ```
 */
export type EventReceivedMessage = readonly [type: 37 | 337, publication: number];

/**
 * Every publish & subscribe message.
 *
 * @example
 * ```ts
 * function onPubSub(m: PubSubMessage) {
 *   if (m[0] === MessageType.EVENT) console.log("event on subscription", m[1]);
 * }
 * ```
 */
export type PubSubMessage =
  | PublishMessage
  | PublishedMessage
  | SubscribeMessage
  | SubscribedMessage
  | UnsubscribeMessage
  | UnsubscribedMessage
  | EventMessage
  | EventReceivedMessage;

// Validators, internal: parse.ts dispatches to them by message code. Each checks the arity first,
// then the fields in wire order, so the error names the first bad field.

export function validatePublish(m: readonly unknown[], flags: number): void {
  const strict = (flags & STRICT_URIS) !== 0;
  if (m.length < 4 || m.length > 6) failArity("PUBLISH", m.length, 4, 6);
  if (!isId(m[1])) failId("PUBLISH", "request", m[1]);
  const options = m[2];
  if (!checkDict(options, flags)) failField("PUBLISH", "options", "a dict", options);
  checkAttributes(options, PUBLISH_OPTIONS, "PUBLISH", "options");
  if (!checkUri(m[3], strict, EMPTY_NONE)) failUri("PUBLISH", "topic", m[3], strict, EMPTY_NONE);
  checkArgs(m, 4, "PUBLISH", true, flags);
}

export function validatePublished(m: readonly unknown[]): void {
  if (m.length !== 3) failArity("PUBLISHED", m.length, 3, 3);
  if (!isId(m[1])) failId("PUBLISHED", "request", m[1]);
  if (!isId(m[2])) failId("PUBLISHED", "publication", m[2]);
}

export function validateSubscribe(m: readonly unknown[], flags: number): void {
  const strict = (flags & STRICT_URIS) !== 0;
  if (m.length !== 4) failArity("SUBSCRIBE", m.length, 4, 4);
  if (!isId(m[1])) failId("SUBSCRIBE", "request", m[1]);
  const options = m[2];
  if (!checkDict(options, flags)) failField("SUBSCRIBE", "options", "a dict", options);
  checkAttributes(options, SUBSCRIBE_OPTIONS, "SUBSCRIBE", "options");
  const empty = patternMode(options, "SUBSCRIBE");
  if (!checkUri(m[3], strict, empty)) failUri("SUBSCRIBE", "topic", m[3], strict, empty);
}

export function validateSubscribed(m: readonly unknown[]): void {
  if (m.length !== 3) failArity("SUBSCRIBED", m.length, 3, 3);
  if (!isId(m[1])) failId("SUBSCRIBED", "request", m[1]);
  if (!isId(m[2])) failId("SUBSCRIBED", "subscription", m[2]);
}

export function validateUnsubscribe(m: readonly unknown[]): void {
  if (m.length !== 3) failArity("UNSUBSCRIBE", m.length, 3, 3);
  if (!isId(m[1])) failId("UNSUBSCRIBE", "request", m[1]);
  if (!isId(m[2])) failId("UNSUBSCRIBE", "subscription", m[2]);
}

export function validateUnsubscribed(m: readonly unknown[], flags: number): void {
  if (m.length < 2 || m.length > 3) failArity("UNSUBSCRIBED", m.length, 2, 3);
  checkRevocable(m, "UNSUBSCRIBED", "subscription", flags);
}

export function validateEvent(m: readonly unknown[], flags: number): void {
  if (m.length < 4 || m.length > 6) failArity("EVENT", m.length, 4, 6);
  if (!isId(m[1])) failId("EVENT", "subscription", m[1]);
  if (!isId(m[2])) failId("EVENT", "publication", m[2]);
  const details = m[3];
  if (!checkDict(details, flags)) failField("EVENT", "details", "a dict", details);
  checkAttributes(details, EVENT_DETAILS, "EVENT", "details");
  checkArgs(m, 4, "EVENT", true, flags);
}

export function validateEventReceived(m: readonly unknown[]): void {
  if (m.length !== 2) failArity("EVENT_RECEIVED", m.length, 2, 2);
  if (!isId(m[1])) failId("EVENT_RECEIVED", "publication", m[1]);
}
