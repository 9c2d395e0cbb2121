/**
 * The data plane of a client session: `Session` and the types of its API.
 */

export type { CallOptions, CancelMode } from "./caller.js";
export { CallResult } from "./callResult.js";
export type { SessionHooks } from "./context.js";
export type { InvocationDetails } from "./invocation.js";
export type { ProgressiveCall } from "./progressiveCall.js";
export type { PublishOptions } from "./publisher.js";
export type { ProcedureHandler, RegisterOptions, Registration } from "./registration.js";
export { CLIENT_ROLES, type ClientRoles } from "./roles.js";
export { Session, type SessionDetails, type SessionOptions } from "./session.js";
export type { EventDetails, EventHandler, SubscribeOptions, Subscription } from "./subscription.js";
