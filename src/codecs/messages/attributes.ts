/**
 * Type checks for the known attributes of Options/Details dicts, one table per message kind.
 *
 * Only the keys present in a dict are visited (`for...in`), each looked up in a null-prototype
 * table of checker functions, so an empty dict costs one empty loop and an unknown key one failed
 * lookup. Unknown keys, custom `_xxx` / `x_xxx` ones included (basic profile, "Messages ›
 * Extensibility"), are left alone; a key whose value is `undefined` counts as absent, as it does
 * for `JSON.stringify`. URIs inside Options/Details are checked with the loose rule whatever
 * `strictUris` says: they echo URIs another peer sent and the router already accepted.
 */
import * as validators from "./validators.js";
import { failField } from "./validators.js";

// The hot-path helpers as module constants, not imported bindings: see "Module constants" in
// validators.ts. The fail* helpers run only on the error path and stay imports.
const { checkUri, EMPTY_NONE, isDict, isId } = validators;

/** A predicate over one attribute value: monomorphic, allocation-free. */
type Checker = (value: unknown) => boolean;

/** Attribute name → checker, with a null prototype (so `__proto__` & co. are ordinary misses). */
export type AttributeTable = Readonly<Record<string, Checker>>;

// What each checker expects, for error messages; consulted only on the error path.
const EXPECTED = new Map<Checker, string>();

function rule(check: Checker, expected: string): Checker {
  EXPECTED.set(check, expected);
  return check;
}

const isBool = rule((v) => v === true || v === false, "a bool");
const isString = rule((v) => typeof v === "string", "a string");
const isSessionId = rule(isId, "an id (an integer in [1, 2^53])");
const isDictValue = rule(isDict, "a dict");
const isUriValue = rule((v) => checkUri(v, false, EMPTY_NONE), "a URI");

/** Integers in [0, 2^53 - 1]: timeouts (ms), trust levels. */
const isNonNegativeInt = rule(
  (v) => typeof v === "number" && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v,
  "a non-negative integer",
);

/** Integers in [1, 2^53 - 1]: `REGISTER.Options.concurrency`. */
const isPositiveInt = rule(
  (v) => typeof v === "number" && v >= 1 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v,
  "a positive integer",
);

const isIdList = rule((v) => {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!isId(v[i])) return false;
  return true;
}, "a list of ids");

const isStringList = rule((v) => {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return false;
  return true;
}, "a list of strings");

/**
 * `forward_for` (router-to-router links, Autobahn|Python and the conformance vectors): the chain
 * of routers a message went through, a list of `{session: id, authid: string, authrole: string}`.
 */
const isForwardFor = rule((v) => {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const hop = v[i];
    if (!isDict(hop) || !isId(hop.session)) return false;
    if (typeof hop.authid !== "string" || typeof hop.authrole !== "string") return false;
  }
  return true;
}, "a list of {session: id, authid: string, authrole: string}");

/** A custom identifier as Autobahn|Python admits one: `x_`, or `x_` + `[a-z][0-9a-z_]+`. */
function isCustomIdentifier(s: string): boolean {
  const n = s.length;
  if (n < 2 || s.charCodeAt(0) !== 0x78 || s.charCodeAt(1) !== 0x5f) return false;
  if (n === 2) return true;
  if (n === 3) return false;
  const first = s.charCodeAt(2);
  if (first < 0x61 || first > 0x7a) return false;
  for (let i = 3; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) return false;
  }
  return true;
}

/**
 * `enc_algo` (payload transparency as Autobahn|Python implements it; the spec's draft renames it
 * `ppt_scheme`): `cryptobox`, `mqtt`, `xbr`, `null` (listed by the conformance vectors) or custom.
 */
const isEncAlgo = rule(
  (v) =>
    typeof v === "string" &&
    (v === "cryptobox" || v === "mqtt" || v === "xbr" || v === "null" || isCustomIdentifier(v)),
  '"cryptobox", "mqtt", "xbr", "null" or a custom "x_..." identifier',
);

/** `enc_serializer`: the serializer of the transparent payload, or custom. */
const isEncSerializer = rule(
  (v) =>
    typeof v === "string" &&
    (v === "json" ||
      v === "msgpack" ||
      v === "cbor" ||
      v === "ubjson" ||
      v === "flatbuffers" ||
      v === "opaque" ||
      v === "null" ||
      isCustomIdentifier(v)),
  '"json", "msgpack", "cbor", "ubjson", "flatbuffers", "opaque", "null" or a custom "x_..." identifier',
);

/** `CANCEL.Options.mode` (advanced profile, "Call Canceling"). */
const isCancelMode = rule(
  (v) => v === "skip" || v === "kill" || v === "killnowait",
  '"skip", "kill" or "killnowait"',
);

/** `INTERRUPT.Options.mode`: a `skip` cancel never interrupts the callee (Autobahn|Python agrees). */
const isInterruptMode = rule((v) => v === "kill" || v === "killnowait", '"kill" or "killnowait"');

/** `REGISTER.Options.invoke` (advanced profile, "Shared Registration"). */
const isInvokePolicy = rule(
  (v) => v === "single" || v === "roundrobin" || v === "random" || v === "first" || v === "last",
  '"single", "roundrobin", "random", "first" or "last"',
);

function table(entries: Record<string, Checker>): AttributeTable {
  const t: Record<string, Checker> = Object.create(null);
  for (const key of Object.keys(entries)) t[key] = entries[key];
  return t;
}

/** Payload transparency: Autobahn's `enc_*` and the spec draft's `ppt_*` (advanced profile, "Payload Passthru Mode"). */
const PASSTHRU = {
  enc_algo: isEncAlgo,
  enc_serializer: isEncSerializer,
  enc_key: isString,
  ppt_scheme: isString,
  ppt_serializer: isString,
  ppt_cipher: isString,
  ppt_keyid: isString,
};

const CALLEE_IDENTITY = { callee: isSessionId, callee_authid: isString, callee_authrole: isString };
const CALLER_IDENTITY = { caller: isSessionId, caller_authid: isString, caller_authrole: isString };

export const HELLO_DETAILS = table({
  roles: isDictValue,
  agent: isString,
  authmethods: isStringList,
  authid: isString,
  authrole: isString,
  authextra: isDictValue,
  resumable: isBool,
  "resume-session": isSessionId,
  "resume-token": isString,
});

export const WELCOME_DETAILS = table({
  roles: isDictValue,
  agent: isString,
  realm: isUriValue,
  authid: isString,
  authrole: isString,
  authmethod: isString,
  authprovider: isString,
  authextra: isDictValue,
  resumed: isBool,
  resumable: isBool,
  resume_token: isString,
});

export const ABORT_DETAILS = table({ message: isString });

export const GOODBYE_DETAILS = table({ message: isString, resumable: isBool });

export const ERROR_DETAILS = table({ ...CALLEE_IDENTITY, forward_for: isForwardFor, ...PASSTHRU });

export const PUBLISH_OPTIONS = table({
  acknowledge: isBool,
  exclude_me: isBool,
  exclude: isIdList,
  exclude_authid: isStringList,
  exclude_authrole: isStringList,
  eligible: isIdList,
  eligible_authid: isStringList,
  eligible_authrole: isStringList,
  retain: isBool,
  disclose_me: isBool,
  transaction_hash: isString,
  rkey: isString,
  forward_for: isForwardFor,
  ...PASSTHRU,
});

// `match` is checked (and used) by patternMode before the URI.
export const SUBSCRIBE_OPTIONS = table({ get_retained: isBool, nkey: isString, forward_for: isForwardFor });

export const EVENT_DETAILS = table({
  publisher: isSessionId,
  publisher_authid: isString,
  publisher_authrole: isString,
  topic: isUriValue,
  retained: isBool,
  trustlevel: isNonNegativeInt,
  transaction_hash: isString,
  x_acknowledged_delivery: isBool,
  forward_for: isForwardFor,
  ...PASSTHRU,
});

export const CALL_OPTIONS = table({
  timeout: isNonNegativeInt,
  receive_progress: isBool,
  progress: isBool,
  disclose_me: isBool,
  runmode: isString,
  rkey: isString,
  transaction_hash: isString,
  ...CALLER_IDENTITY,
  forward_for: isForwardFor,
  ...PASSTHRU,
});

export const CANCEL_OPTIONS = table({ mode: isCancelMode, forward_for: isForwardFor });

export const RESULT_DETAILS = table({
  progress: isBool,
  ...CALLEE_IDENTITY,
  forward_for: isForwardFor,
  ...PASSTHRU,
});

// `match` is checked (and used) by patternMode before the URI.
export const REGISTER_OPTIONS = table({
  invoke: isInvokePolicy,
  concurrency: isPositiveInt,
  disclose_caller: isBool,
  force_reregister: isBool,
  forward_timeout: isBool,
  forward_for: isForwardFor,
});

export const INVOCATION_DETAILS = table({
  ...CALLER_IDENTITY,
  procedure: isUriValue,
  receive_progress: isBool,
  progress: isBool,
  timeout: isNonNegativeInt,
  trustlevel: isNonNegativeInt,
  transaction_hash: isString,
  forward_for: isForwardFor,
  ...PASSTHRU,
});

export const INTERRUPT_OPTIONS = table({
  mode: isInterruptMode,
  reason: isUriValue,
  forward_for: isForwardFor,
});

export const YIELD_OPTIONS = table({
  progress: isBool,
  ...CALLEE_IDENTITY,
  forward_for: isForwardFor,
  ...PASSTHRU,
});

/**
 * Checks the known attributes present in `dict` against `attributes`; throws MESSAGE_BAD_FIELD
 * naming `<prefix>.<key>` for the first bad one.
 */
export function checkAttributes(
  dict: Record<string, unknown>,
  attributes: AttributeTable,
  messageType: string,
  prefix: string,
): void {
  for (const key in dict) {
    const check = attributes[key];
    if (check === undefined) continue;
    const value = dict[key];
    if (value !== undefined && !check(value)) failAttribute(messageType, prefix, key, check, value);
  }
}

function failAttribute(
  messageType: string,
  prefix: string,
  key: string,
  check: Checker,
  got: unknown,
): never {
  return failField(messageType, `${prefix}.${key}`, EXPECTED.get(check) ?? "valid", got);
}
