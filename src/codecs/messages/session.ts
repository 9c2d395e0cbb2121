/**
 * Session messages: opening (HELLO, WELCOME, ABORT, CHALLENGE, AUTHENTICATE), closing (GOODBYE) and
 * the ERROR reply shared by every request (basic profile, "Messages › Session Lifecycle"; advanced
 * profile, "Messages › Additional Messages").
 */
import * as attributes from "./attributes.js";
import * as validators from "./validators.js";
import { type Dict, failArity, failField, failId, failUri } from "./validators.js";

// The hot-path helpers as module constants, not imported bindings: see "Module constants" in
// validators.ts. The fail* helpers run only on the error path and stay imports.
const { ABORT_DETAILS, checkAttributes, ERROR_DETAILS, GOODBYE_DETAILS, HELLO_DETAILS, WELCOME_DETAILS } =
  attributes;
const { checkArgs, checkDict, checkUri, EMPTY_NONE, isId, STRICT_URIS } = validators;

/**
 * HELLO (1), client → router, to join a realm. `Details.roles` (a dict) is required (basic
 * profile, "Sessions › HELLO").
 *
 * Wire format: `[HELLO, Realm|uri, Details|dict]`
 *
 * @example
 * ```ts
 * const hello: HelloMessage = [1, "realm1", { roles: { caller: {}, subscriber: {} } }];
 * ```
 */
export type HelloMessage = readonly [type: 1, realm: string, details: Dict];

/**
 * WELCOME (2), router → client: the session is open. `Details.roles` (a dict) is required (basic
 * profile, "Sessions › WELCOME").
 *
 * Wire format: `[WELCOME, Session|id, Details|dict]`
 *
 * @example
 * ```ts
 * const welcome: WelcomeMessage = [2, 9129137332, { roles: { broker: {}, dealer: {} } }];
 * ```
 */
export type WelcomeMessage = readonly [type: 2, session: number, details: Dict];

/**
 * ABORT (3), either peer, to refuse or abort session opening.
 *
 * Wire format: `[ABORT, Details|dict, Reason|uri]`, `[ABORT, Details|dict, Reason|uri,
 * Arguments|list]`, `[ABORT, Details|dict, Reason|uri, Arguments|list, ArgumentsKw|dict]`
 *
 * @example
 * ```ts
 * const abort: AbortMessage = [3, { message: "no such realm" }, "wamp.error.no_such_realm"];
 * ```
 */
export type AbortMessage = readonly [type: 3, details: Dict, reason: string, args?: unknown[], kwargs?: Dict];

/**
 * CHALLENGE (4), router → client, during authentication (advanced profile, "Messages ›
 * CHALLENGE").
 *
 * Wire format: `[CHALLENGE, AuthMethod|string, Extra|dict]`
 *
 * @example
 * ```ts
 * const challenge: ChallengeMessage = [4, "ticket", {}];
 * ```
 */
export type ChallengeMessage = readonly [type: 4, authMethod: string, extra: Dict];

/**
 * AUTHENTICATE (5), client → router, answering a CHALLENGE (advanced profile, "Messages ›
 * AUTHENTICATE").
 *
 * Wire format: `[AUTHENTICATE, Signature|string, Extra|dict]`
 *
 * @example
 * ```ts
 * const authenticate: AuthenticateMessage = [5, "secret-ticket", {}];
 * ```
 */
export type AuthenticateMessage = readonly [type: 5, signature: string, extra: Dict];

/**
 * GOODBYE (6), either peer, to close an open session; echoed with `wamp.close.goodbye_and_out`.
 *
 * Wire format: `[GOODBYE, Details|dict, Reason|uri]`
 *
 * @example
 * ```ts
 * const goodbye: GoodbyeMessage = [6, {}, "wamp.close.normal"];
 * ```
 */
export type GoodbyeMessage = readonly [type: 6, details: Dict, reason: string];

/**
 * The request types an ERROR can answer: SUBSCRIBE, UNSUBSCRIBE, PUBLISH (basic profile,
 * "Publish and Subscribe"), REGISTER, UNREGISTER, CALL, INVOCATION (basic profile, "Remote
 * Procedure Calls"). A canceled call is answered with an ERROR for the CALL (advanced profile,
 * "Call Canceling"), so CANCEL and INTERRUPT never get an ERROR of their own.
 *
 * @example
 * ```ts
 * const requestType: ErrorRequestType = MessageType.INVOCATION;
 * ```
 */
export type ErrorRequestType = 16 | 32 | 34 | 48 | 64 | 66 | 68;

/**
 * ERROR (8), an error reply to a request. A binary payload alone in the `Arguments` position is a
 * transparent (end-to-end encrypted / passthru) payload.
 *
 * Wire format: `[ERROR, REQUEST.Type|int, REQUEST.Request|id, Details|dict, Error|uri]`, then
 * optionally `Arguments|list` and `ArgumentsKw|dict`
 *
 * @example
 * ```ts
 * const error: ErrorMessage = [8, 48, 7814135, {}, "wamp.error.no_such_procedure"];
 * ```
 */
export type ErrorMessage =
  | readonly [
      type: 8,
      requestType: ErrorRequestType,
      request: number,
      details: Dict,
      error: string,
      args?: unknown[],
      kwargs?: Dict,
    ]
  | readonly [
      type: 8,
      requestType: ErrorRequestType,
      request: number,
      details: Dict,
      error: string,
      payload: Uint8Array,
    ];

/**
 * Every session message.
 *
 * @example
 * ```ts
 * function onSessionMessage(m: SessionMessage) {
 *   if (m[0] === MessageType.GOODBYE) console.log("closing:", m[2]);
 * }
 * ```
 */
export type SessionMessage =
  | HelloMessage
  | WelcomeMessage
  | AbortMessage
  | ChallengeMessage
  | AuthenticateMessage
  | GoodbyeMessage
  | ErrorMessage;

// Validators, internal: parse.ts dispatches to them by message code. Each checks the arity first,
// then the fields in wire order, so the error names the first bad field.

export function validateHello(m: readonly unknown[], flags: number): void {
  const strict = (flags & STRICT_URIS) !== 0;
  if (m.length !== 3) failArity("HELLO", m.length, 3, 3);
  if (!checkUri(m[1], strict, EMPTY_NONE)) failUri("HELLO", "realm", m[1], strict, EMPTY_NONE);
  const details = m[2];
  if (!checkDict(details, flags)) failField("HELLO", "details", "a dict", details);
  checkAttributes(details, HELLO_DETAILS, "HELLO", "details");
  if (!checkDict(details.roles, flags)) failField("HELLO", "details.roles", "a dict", details.roles);
}

export function validateWelcome(m: readonly unknown[], flags: number): void {
  if (m.length !== 3) failArity("WELCOME", m.length, 3, 3);
  if (!isId(m[1])) failId("WELCOME", "session", m[1]);
  const details = m[2];
  if (!checkDict(details, flags)) failField("WELCOME", "details", "a dict", details);
  checkAttributes(details, WELCOME_DETAILS, "WELCOME", "details");
  if (!checkDict(details.roles, flags)) failField("WELCOME", "details.roles", "a dict", details.roles);
}

export function validateAbort(m: readonly unknown[], flags: number): void {
  const strict = (flags & STRICT_URIS) !== 0;
  if (m.length < 3 || m.length > 5) failArity("ABORT", m.length, 3, 5);
  const details = m[1];
  if (!checkDict(details, flags)) failField("ABORT", "details", "a dict", details);
  checkAttributes(details, ABORT_DETAILS, "ABORT", "details");
  if (!checkUri(m[2], strict, EMPTY_NONE)) failUri("ABORT", "reason", m[2], strict, EMPTY_NONE);
  checkArgs(m, 3, "ABORT", false, flags);
}

export function validateChallenge(m: readonly unknown[], flags: number): void {
  if (m.length !== 3) failArity("CHALLENGE", m.length, 3, 3);
  if (typeof m[1] !== "string") failField("CHALLENGE", "authMethod", "a string", m[1]);
  if (!checkDict(m[2], flags)) failField("CHALLENGE", "extra", "a dict", m[2]);
}

export function validateAuthenticate(m: readonly unknown[], flags: number): void {
  if (m.length !== 3) failArity("AUTHENTICATE", m.length, 3, 3);
  if (typeof m[1] !== "string") failField("AUTHENTICATE", "signature", "a string", m[1]);
  if (!checkDict(m[2], flags)) failField("AUTHENTICATE", "extra", "a dict", m[2]);
}

export function validateGoodbye(m: readonly unknown[], flags: number): void {
  const strict = (flags & STRICT_URIS) !== 0;
  if (m.length !== 3) failArity("GOODBYE", m.length, 3, 3);
  const details = m[1];
  if (!checkDict(details, flags)) failField("GOODBYE", "details", "a dict", details);
  checkAttributes(details, GOODBYE_DETAILS, "GOODBYE", "details");
  if (!checkUri(m[2], strict, EMPTY_NONE)) failUri("GOODBYE", "reason", m[2], strict, EMPTY_NONE);
}

export function validateError(m: readonly unknown[], flags: number): void {
  const strict = (flags & STRICT_URIS) !== 0;
  if (m.length < 5 || m.length > 7) failArity("ERROR", m.length, 5, 7);
  const t = m[1];
  if (t !== 16 && t !== 32 && t !== 34 && t !== 48 && t !== 64 && t !== 66 && t !== 68) {
    failField(
      "ERROR",
      "requestType",
      "the code of PUBLISH, SUBSCRIBE, UNSUBSCRIBE, CALL, REGISTER, UNREGISTER or INVOCATION",
      t,
    );
  }
  if (!isId(m[2])) failId("ERROR", "request", m[2]);
  const details = m[3];
  if (!checkDict(details, flags)) failField("ERROR", "details", "a dict", details);
  checkAttributes(details, ERROR_DETAILS, "ERROR", "details");
  if (!checkUri(m[4], strict, EMPTY_NONE)) failUri("ERROR", "error", m[4], strict, EMPTY_NONE);
  checkArgs(m, 5, "ERROR", true, flags);
}
