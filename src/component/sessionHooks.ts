/**
 * The overridable hooks of an `ApplicationSession`, as the component calls them. A
 * `sessionFactory` returns an object with any of these; `ApplicationSession` implements all.
 */
import type { ChallengeReply } from "../auth/client.js";
import type { TransportDetails } from "../transports/types.js";
import type { ComponentSession } from "./componentSession.js";
import type { WelcomeInfo } from "./runtime.js";

export interface SessionHooksObject {
  /** The live session, before `onJoin`; undefined again after `onLeave`. */
  attach?(session: ComponentSession | undefined): void;
  onConnect?(details: TransportDetails): void;
  onChallenge?(
    method: string,
    extra: Record<string, unknown>,
  ): ChallengeReply | string | Promise<ChallengeReply | string>;
  onJoin?(details: WelcomeInfo): unknown;
  onLeave?(reason: string): void;
  onDisconnect?(): void;
  onUserError?(error: unknown, context: string): void;
}
