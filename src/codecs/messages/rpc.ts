/**
 * Routed remote procedure call messages (basic profile, "Messages › Routed Remote Procedure
 * Calls"), plus the advanced profile's call canceling (CANCEL, INTERRUPT) and registration
 * revocation (UNREGISTERED with request 0).
 */
import * as attributes from "./attributes.js";
import * as validators from "./validators.js";
import { type Dict, failArity, failField, failId, failUri } from "./validators.js";

// The hot-path helpers as module constants, not imported bindings: see "Module constants" in
// validators.ts. The fail* helpers run only on the error path and stay imports.
const {
  CALL_OPTIONS,
  CANCEL_OPTIONS,
  checkAttributes,
  INTERRUPT_OPTIONS,
  INVOCATION_DETAILS,
  REGISTER_OPTIONS,
  RESULT_DETAILS,
  YIELD_OPTIONS,
} = attributes;
const { checkArgs, checkDict, checkRevocable, checkUri, EMPTY_NONE, isId, patternMode, STRICT_URIS } =
  validators;

/**
 * CALL (48), caller → dealer. A binary payload alone in the `Arguments` position is a transparent
 * (end-to-end encrypted / passthru) payload.
 *
 * Wire format: `[CALL, Request|id, Options|dict, Procedure|uri]`, then optionally
 * `Arguments|list` and `ArgumentsKw|dict`
 *
 * @example
 * ```ts
 * const call: CallMessage = [48, 7814135, {}, "com.myapp.add2", [23, 7]];
 * ```
 */
export type CallMessage =
  | readonly [type: 48, request: number, options: Dict, procedure: string, args?: unknown[], kwargs?: Dict]
  | readonly [type: 48, request: number, options: Dict, procedure: string, payload: Uint8Array];

/**
 * CANCEL (49), caller → dealer, canceling a pending call; `Options.mode` is `"skip"`, `"kill"` or
 * `"killnowait"` (advanced profile, "Call Canceling").
 *
 * Wire format: `[CANCEL, CALL.Request|id, Options|dict]`
 *
 * @example
 * ```ts
 * const cancel: CancelMessage = [49, 7814135, { mode: "kill" }];
 * ```
 */
export type CancelMessage = readonly [type: 49, request: number, options: Dict];

/**
 * RESULT (50), dealer → caller. A binary payload alone in the `Arguments` position is a
 * transparent (end-to-end encrypted / passthru) payload.
 *
 * Wire format: `[RESULT, CALL.Request|id, Details|dict]`, then optionally
 * `YIELD.Arguments|list` and `YIELD.ArgumentsKw|dict`
 *
 * @example
 * ```ts
 * const result: ResultMessage = [50, 7814135, {}, [30]];
 * ```
 */
export type ResultMessage =
  | readonly [type: 50, request: number, details: Dict, args?: unknown[], kwargs?: Dict]
  | readonly [type: 50, request: number, details: Dict, payload: Uint8Array];

/**
 * REGISTER (64), callee → dealer. With `Options.match` `"prefix"` the procedure's last component
 * may be empty; with `"wildcard"` any component may be (advanced profile, "Pattern-based
 * Registrations").
 *
 * Wire format: `[REGISTER, Request|id, Options|dict, Procedure|uri]`
 *
 * @example
 * ```ts
 * const register: RegisterMessage = [64, 25349185, { invoke: "roundrobin" }, "com.myapp.add2"];
 * ```
 */
export type RegisterMessage = readonly [type: 64, request: number, options: Dict, procedure: string];

/**
 * REGISTERED (65), dealer → callee.
 *
 * Wire format: `[REGISTERED, REGISTER.Request|id, Registration|id]`
 *
 * @example
 * ```ts
 * const registered: RegisteredMessage = [65, 25349185, 2103333224];
 * ```
 */
export type RegisteredMessage = readonly [type: 65, request: number, registration: number];

/**
 * UNREGISTER (66), callee → dealer.
 *
 * Wire format: `[UNREGISTER, Request|id, REGISTERED.Registration|id]`
 *
 * @example
 * ```ts
 * const unregister: UnregisterMessage = [66, 788923562, 2103333224];
 * ```
 */
export type UnregisterMessage = readonly [type: 66, request: number, registration: number];

/**
 * UNREGISTERED (67), dealer → callee. A dealer revoking a registration sends request `0` with
 * `Details.registration` (an id) and optionally `Details.reason` (a string) (advanced profile,
 * "Registration Revocation"); request 0 without those details is rejected.
 *
 * Wire format: `[UNREGISTERED, UNREGISTER.Request|id]`, `[UNREGISTERED, 0, Details|dict]`
 *
 * @example
 * ```ts
 * const revoked: UnregisteredMessage = [67, 0, { registration: 1293722, reason: "moved" }];
 * ```
 */
export type UnregisteredMessage = readonly [type: 67, request: number, details?: Dict];

/**
 * INVOCATION (68), dealer → callee. A binary payload alone in the `Arguments` position is a
 * transparent (end-to-end encrypted / passthru) payload.
 *
 * Wire format: `[INVOCATION, Request|id, REGISTERED.Registration|id, Details|dict]`, then
 * optionally `CALL.Arguments|list` and `CALL.ArgumentsKw|dict`
 *
 * @example
 * ```ts
 * const invocation: InvocationMessage = [68, 6131533, 9823526, {}, [23, 7]];
 * ```
 */
export type InvocationMessage =
  | readonly [type: 68, request: number, registration: number, details: Dict, args?: unknown[], kwargs?: Dict]
  | readonly [type: 68, request: number, registration: number, details: Dict, payload: Uint8Array];

/**
 * INTERRUPT (69), dealer → callee, interrupting an invocation whose call was canceled (advanced
 * profile, "Call Canceling").
 *
 * Wire format: `[INTERRUPT, INVOCATION.Request|id, Options|dict]`
 *
 * @example
 * ```ts
 * const interrupt: InterruptMessage = [69, 6131533, { mode: "kill" }];
 * ```
 */
export type InterruptMessage = readonly [type: 69, request: number, options: Dict];

/**
 * YIELD (70), callee → dealer. A binary payload alone in the `Arguments` position is a transparent
 * (end-to-end encrypted / passthru) payload.
 *
 * Wire format: `[YIELD, INVOCATION.Request|id, Options|dict]`, then optionally `Arguments|list`
 * and `ArgumentsKw|dict`
 *
 * @example
 * ```ts
 * const yieldMessage: YieldMessage = [70, 6131533, {}, [30]];
 * ```
 */
export type YieldMessage =
  | readonly [type: 70, request: number, options: Dict, args?: unknown[], kwargs?: Dict]
  | readonly [type: 70, request: number, options: Dict, payload: Uint8Array];

/**
 * Every remote procedure call message.
 *
 * @example
 * ```ts
 * function onRpc(m: RpcMessage) {
 *   if (m[0] === MessageType.INVOCATION) console.log("invocation of registration", m[2]);
 * }
 * ```
 */
export type RpcMessage =
  | CallMessage
  | CancelMessage
  | ResultMessage
  | RegisterMessage
  | RegisteredMessage
  | UnregisterMessage
  | UnregisteredMessage
  | InvocationMessage
  | InterruptMessage
  | YieldMessage;

// Validators, internal: parse.ts dispatches to them by message code. Each checks the arity first,
// then the fields in wire order, so the error names the first bad field.

export function validateCall(m: readonly unknown[], flags: number): void {
  const strict = (flags & STRICT_URIS) !== 0;
  if (m.length < 4 || m.length > 6) failArity("CALL", m.length, 4, 6);
  if (!isId(m[1])) failId("CALL", "request", m[1]);
  const options = m[2];
  if (!checkDict(options, flags)) failField("CALL", "options", "a dict", options);
  checkAttributes(options, CALL_OPTIONS, "CALL", "options");
  if (!checkUri(m[3], strict, EMPTY_NONE)) failUri("CALL", "procedure", m[3], strict, EMPTY_NONE);
  checkArgs(m, 4, "CALL", true, flags);
}

export function validateCancel(m: readonly unknown[], flags: number): void {
  if (m.length !== 3) failArity("CANCEL", m.length, 3, 3);
  if (!isId(m[1])) failId("CANCEL", "request", m[1]);
  const options = m[2];
  if (!checkDict(options, flags)) failField("CANCEL", "options", "a dict", options);
  checkAttributes(options, CANCEL_OPTIONS, "CANCEL", "options");
}

export function validateResult(m: readonly unknown[], flags: number): void {
  if (m.length < 3 || m.length > 5) failArity("RESULT", m.length, 3, 5);
  if (!isId(m[1])) failId("RESULT", "request", m[1]);
  const details = m[2];
  if (!checkDict(details, flags)) failField("RESULT", "details", "a dict", details);
  checkAttributes(details, RESULT_DETAILS, "RESULT", "details");
  checkArgs(m, 3, "RESULT", true, flags);
}

export function validateRegister(m: readonly unknown[], flags: number): void {
  const strict = (flags & STRICT_URIS) !== 0;
  if (m.length !== 4) failArity("REGISTER", m.length, 4, 4);
  if (!isId(m[1])) failId("REGISTER", "request", m[1]);
  const options = m[2];
  if (!checkDict(options, flags)) failField("REGISTER", "options", "a dict", options);
  checkAttributes(options, REGISTER_OPTIONS, "REGISTER", "options");
  const empty = patternMode(options, "REGISTER");
  if (!checkUri(m[3], strict, empty)) failUri("REGISTER", "procedure", m[3], strict, empty);
}

export function validateRegistered(m: readonly unknown[]): void {
  if (m.length !== 3) failArity("REGISTERED", m.length, 3, 3);
  if (!isId(m[1])) failId("REGISTERED", "request", m[1]);
  if (!isId(m[2])) failId("REGISTERED", "registration", m[2]);
}

export function validateUnregister(m: readonly unknown[]): void {
  if (m.length !== 3) failArity("UNREGISTER", m.length, 3, 3);
  if (!isId(m[1])) failId("UNREGISTER", "request", m[1]);
  if (!isId(m[2])) failId("UNREGISTER", "registration", m[2]);
}

export function validateUnregistered(m: readonly unknown[], flags: number): void {
  if (m.length < 2 || m.length > 3) failArity("UNREGISTERED", m.length, 2, 3);
  checkRevocable(m, "UNREGISTERED", "registration", flags);
}

export function validateInvocation(m: readonly unknown[], flags: number): void {
  if (m.length < 4 || m.length > 6) failArity("INVOCATION", m.length, 4, 6);
  if (!isId(m[1])) failId("INVOCATION", "request", m[1]);
  if (!isId(m[2])) failId("INVOCATION", "registration", m[2]);
  const details = m[3];
  if (!checkDict(details, flags)) failField("INVOCATION", "details", "a dict", details);
  checkAttributes(details, INVOCATION_DETAILS, "INVOCATION", "details");
  checkArgs(m, 4, "INVOCATION", true, flags);
}

export function validateInterrupt(m: readonly unknown[], flags: number): void {
  if (m.length !== 3) failArity("INTERRUPT", m.length, 3, 3);
  if (!isId(m[1])) failId("INTERRUPT", "request", m[1]);
  const options = m[2];
  if (!checkDict(options, flags)) failField("INTERRUPT", "options", "a dict", options);
  checkAttributes(options, INTERRUPT_OPTIONS, "INTERRUPT", "options");
}

export function validateYield(m: readonly unknown[], flags: number): void {
  if (m.length < 3 || m.length > 5) failArity("YIELD", m.length, 3, 5);
  if (!isId(m[1])) failId("YIELD", "request", m[1]);
  const options = m[2];
  if (!checkDict(options, flags)) failField("YIELD", "options", "a dict", options);
  checkAttributes(options, YIELD_OPTIONS, "YIELD", "options");
  checkArgs(m, 3, "YIELD", true, flags);
}
