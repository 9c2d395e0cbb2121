/**
 * The publisher role: PUBLISH out; PUBLISHED or ERROR in when the publication is acknowledged
 * (basic profile, "Publish and Subscribe"; advanced profile, "Publisher Exclusion", "Publisher
 * Identification", "Subscriber Black- and Whitelisting").
 */
import {
  type Dict,
  type ErrorMessage,
  MessageType,
  type PublishedMessage,
} from "../codecs/messages/index.js";
import { ApplicationError, ConfigError } from "../errors.js";
import { toArgs, toKwargs, withPayload } from "./callResult.js";
import { checkPayload, type SessionContext, violation } from "./context.js";
import { PendingRequest, sendRequest } from "./pending.js";

/**
 * Options of {@link Session.publish}.
 *
 * @example
 * ```ts
 * const id = await session.publish("com.example.news", ["hello"], {}, {
 *   acknowledge: true,
 *   excludeMe: false,
 *   eligibleAuthrole: ["reader"],
 * });
 * ```
 */
export interface PublishOptions {
  /** Ask the broker to acknowledge: the promise then resolves with the publication id, or rejects. */
  acknowledge?: boolean;
  /** `false` lets this session receive its own event when subscribed (`exclude_me`; default true). */
  excludeMe?: boolean;
  /** Session ids that must not receive the event (`exclude`). */
  exclude?: number[];
  /** Authids that must not receive the event (`exclude_authid`). */
  excludeAuthid?: string[];
  /** Authroles that must not receive the event (`exclude_authrole`). */
  excludeAuthrole?: string[];
  /** Only these session ids may receive the event (`eligible`). */
  eligible?: number[];
  /** Only these authids may receive the event (`eligible_authid`). */
  eligibleAuthid?: string[];
  /** Only these authroles may receive the event (`eligible_authrole`). */
  eligibleAuthrole?: string[];
  /** Ask the broker to disclose this session to subscribers (`disclose_me`). */
  discloseMe?: boolean;
  /** More `PUBLISH.Options` entries, sent as given (snake_case, as on the wire). */
  extra?: Dict;
}

const LISTS = [
  ["exclude", "exclude"],
  ["excludeAuthid", "exclude_authid"],
  ["excludeAuthrole", "exclude_authrole"],
  ["eligible", "eligible"],
  ["eligibleAuthid", "eligible_authid"],
  ["eligibleAuthrole", "eligible_authrole"],
] as const;

function wireOptionsOf(options: PublishOptions | undefined): Dict | ConfigError {
  const wire: Dict = {};
  if (options === undefined) return wire;
  if (options.extra !== undefined) Object.assign(wire, options.extra);
  if (options.acknowledge === true) wire.acknowledge = true;
  if (options.excludeMe !== undefined) wire.exclude_me = options.excludeMe;
  if (options.discloseMe === true) wire.disclose_me = true;
  for (const [key, wireKey] of LISTS) {
    const list = options[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return new ConfigError(`${key} must be an array`, key);
    wire[wireKey] = list;
  }
  return wire;
}

export class Publisher {
  private readonly ctx: SessionContext;
  /** Acknowledged publications awaiting PUBLISHED; made on the first one. */
  private acks: Map<number, PendingRequest<number>> | undefined = undefined;

  constructor(ctx: SessionContext) {
    this.ctx = ctx;
  }

  publish(
    topic: string,
    args?: unknown[],
    kwargs?: Dict,
    options?: PublishOptions,
  ): Promise<number | undefined> {
    const ctx = this.ctx;
    if (ctx.closedError !== undefined) return Promise.reject(ctx.closed());
    if (typeof topic !== "string") return Promise.reject(new ConfigError("topic must be a string", "topic"));
    const bad = checkPayload(args, kwargs);
    if (bad !== undefined) return Promise.reject(bad);
    const wireOptions = wireOptionsOf(options);
    if (wireOptions instanceof ConfigError) return Promise.reject(wireOptions);
    const request = ctx.ids.next();
    const message = withPayload([MessageType.PUBLISH, request, wireOptions, topic], args, kwargs);
    if (wireOptions.acknowledge === true) {
      const pending = new PendingRequest<number>();
      this.acks ??= new Map();
      sendRequest(ctx, this.acks, request, pending, message);
      return pending.promise;
    }
    try {
      ctx.send(message);
    } catch (err) {
      ctx.ids.release(request);
      return Promise.reject(err);
    }
    return Promise.resolve(undefined);
  }

  onPublished(message: PublishedMessage): void {
    const acks = this.acks;
    const pending = acks?.get(message[1]);
    if (acks === undefined || pending === undefined) {
      throw violation(`PUBLISHED for request ${message[1]}, which is no pending publication`, "PUBLISHED");
    }
    acks.delete(message[1]);
    pending.resolve(message[2]);
  }

  /**
   * An ERROR for a publication that asked no acknowledgement has nobody to go to. Some brokers
   * send one anyway, so it is dropped rather than treated as a protocol violation.
   */
  onError(message: ErrorMessage): void {
    const acks = this.acks;
    const pending = acks?.get(message[2]);
    if (acks === undefined || pending === undefined) return;
    acks.delete(message[2]);
    pending.reject(new ApplicationError(message[4], toArgs(message[5]), toKwargs(message[6])));
  }

  close(): void {
    const acks = this.acks;
    if (acks === undefined) return;
    for (const pending of acks.values()) pending.reject(this.ctx.closed());
    acks.clear();
  }
}
