/**
 * The field checks every message validator is built from: ids, URIs, dicts, lists. They are plain
 * predicates over `unknown` (no allocation, no regex) because they run once per field of every
 * inbound message; the `fail*` helpers build the `ProtocolError` only on the error path.
 */
import { ProtocolError } from "../../errors.js";

// Module constants. V8 keeps each exported or imported binding of an ES module in a cell, and
// optimized code reads it from there at every use and checks it: is it initialized yet, and, before
// a call to it is inlined, is it still the same function? A module-level `const` that is neither
// exported nor imported is folded into the code instead. The message validators run on every inbound
// message, so they reach this module's helpers through constants of their own module
// (`const { isId, ... } = validators`), and `isId` and `checkDict` below read the unexported copies
// of MAX_ID and PLAIN_OBJECTS. On the small JSON CALL round trip of the codec bench, this saves about
// 90 instructions and 20 instruction-cache misses per message (callgrind, bench/instructions.js), of
// the roughly 940 and 170 that the WAMP layer added to JSON.stringify and JSON.parse.
const ID_LIMIT = 9_007_199_254_740_992;
const PLAIN = 2;

/**
 * A WAMP `dict`: a plain object with string keys (basic profile, "Messages").
 *
 * @example
 * ```ts
 * const options: Dict = { acknowledge: true, exclude_me: false };
 * ```
 */
export type Dict = Record<string, unknown>;

/**
 * The largest WAMP id, 2^53 (basic profile, "Building Blocks › IDs": ids are integers in
 * [1, 2^53]).
 *
 * @example
 * ```ts
 * const next = id === MAX_ID ? 1 : id + 1; // session-scope ids wrap to 1 after 2^53
 * ```
 */
export const MAX_ID = ID_LIMIT;

/**
 * Whether `value` is a WAMP id: an integer in [1, 2^53] (basic profile, "Building Blocks › IDs").
 *
 * @example
 * ```ts
 * isId(1); // true
 * isId(2 ** 53); // true
 * isId(0); // false
 * ```
 */
export function isId(value: unknown): value is number {
  // NaN fails both comparisons; Math.floor rejects fractions without a Number.isInteger call.
  return typeof value === "number" && value >= 1 && value <= ID_LIMIT && Math.floor(value) === value;
}

/**
 * Whether `value` is a WAMP `dict`: a plain object (its prototype is `Object.prototype` or `null`).
 * Arrays, `null`, `Uint8Array`, `Map`, `Date` and class instances are not dicts.
 *
 * @example
 * ```ts
 * isDict({ acknowledge: true }); // true
 * isDict(new Map()); // false
 * ```
 */
export function isDict(value: unknown): value is Dict {
  return checkDict(value, 0);
}

/** Bits of the `flags` the message validators take: {@link ParseMessageOptions} in short. */
export const STRICT_URIS = 1;
export const PLAIN_OBJECTS = PLAIN;

/**
 * {@link isDict} as the validators ask it. With `PLAIN_OBJECTS` the caller vouches that every object
 * in the message is a plain object, a list or a byte array (what JSON.parse builds), so a dict only
 * has to be told apart from those two: inline type checks instead of `Object.getPrototypeOf`, a call
 * into the C++ runtime that costs about 30 ns on every Options or Details dict.
 */
export function checkDict(value: unknown, flags: number): value is Dict {
  if (typeof value !== "object" || value === null) return false;
  if ((flags & PLAIN) !== 0) return !Array.isArray(value) && !ArrayBuffer.isView(value);
  // One prototype check rules out arrays, typed arrays, Maps and every other exotic object at once.
  // (One function with no calls of its own: nested, TurboFan left the inner one out of line.)
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Which URI components may be empty (advanced profile, "Pattern-based Subscription" and
 * "Pattern-based Registrations"): `none` for ordinary URIs; `last` for prefix patterns, whose
 * trailing component may be empty (`"com.myapp."`, or `""` to match everything); `any` for wildcard
 * patterns, where an empty component is a wildcard (`"com..update"`).
 *
 * @example
 * ```ts
 * const empty: EmptyComponents = options.match === "wildcard" ? "any" : "none";
 * isUri(topic, { empty });
 * ```
 */
export type EmptyComponents = "none" | "last" | "any";

// Numeric modes for the hot loops; string comparisons stay in the public wrapper.
export const EMPTY_NONE = 0;
export const EMPTY_LAST = 1;
export const EMPTY_ANY = 2;
export type EmptyMode = typeof EMPTY_NONE | typeof EMPTY_LAST | typeof EMPTY_ANY;

const DOT = 0x2e;
const HASH = 0x23;

/**
 * Whitespace as both Python's `\s` (which the spec's example regexes use) and JavaScript's `\s`
 * understand it, so a URI one side accepts is never rejected by the other for a space.
 */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Loose URI rule (basic profile, "Building Blocks › URIs › Relaxed/Loose URIs"): components are
 * separated by `.` and contain no `#` and no whitespace. A char loop: no regex state, no allocation.
 */
function isLooseUri(s: string, empty: EmptyMode): boolean {
  const n = s.length;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // Fast path: everything between '.' (0x2e) and NEL (0x85) is allowed, letters and digits included.
    if (c > DOT && c < 0x85) continue;
    if (c === DOT) {
      if (i === start && empty !== EMPTY_ANY) return false;
      start = i + 1;
    } else if (c === HASH || isSpace(c)) {
      return false;
    }
  }
  return start < n || empty !== EMPTY_NONE;
}

/** Strict URI rule (same section, "Strict URIs"): components match `[0-9a-z_]+`. */
function isStrictUri(s: string, empty: EmptyMode): boolean {
  const n = s.length;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || c === 0x5f || (c >= 0x30 && c <= 0x39)) continue;
    if (c !== DOT || (i === start && empty !== EMPTY_ANY)) return false;
    start = i + 1;
  }
  return start < n || empty !== EMPTY_NONE;
}

// A memo of URIs already found valid without empty components (valid that way, they are valid
// under every `empty` mode), one memo per rule. Procedures and topics repeat from message to
// message, and comparing a string with an equal one costs far less than the char loop. Direct-
// mapped by length: a lookup is one comparison, and the memo holds at most MEMO_SLOTS strings of at
// most MEMO_MAX_LENGTH characters.
const MEMO_SLOTS = 32;
const MEMO_MAX_LENGTH = 256;
// null, not "": an empty slot must match no string at all
const looseMemo: (string | null)[] = new Array<string | null>(MEMO_SLOTS).fill(null);
const strictMemo: (string | null)[] = new Array<string | null>(MEMO_SLOTS).fill(null);
let admissions = 0;

function remember(memo: (string | null)[], uri: string): void {
  // One miss in four is admitted: a stream of ever new URIs pays the copy below only now and then.
  admissions = (admissions + 1) & 3;
  if (admissions !== 0 || uri.length > MEMO_MAX_LENGTH) return;
  // The decoders may hand out slices of a bigger string (msgpackr and cbor-x extract all strings of
  // a large message at once): a property key is an internalized, flat copy, which keeps no message
  // alive and compares fast.
  for (const key in { [uri]: 0 }) memo[uri.length & (MEMO_SLOTS - 1)] = key;
}

/** The hot-path URI check used by the message validators. */
export function checkUri(value: unknown, strict: boolean, empty: EmptyMode): value is string {
  if (typeof value !== "string") return false;
  const memo = strict ? strictMemo : looseMemo;
  if (memo[value.length & (MEMO_SLOTS - 1)] === value) return true;
  if (!(strict ? isStrictUri(value, empty) : isLooseUri(value, empty))) return false;
  if (empty === EMPTY_NONE) remember(memo, value);
  return true;
}

/**
 * Whether `value` is a valid WAMP URI (basic profile, "Building Blocks › URIs"). Loose by default:
 * non-empty components separated by `.`, without `#` or whitespace. With `strict`, components must
 * match `[0-9a-z_]+`. `empty` allows empty components for pattern-based subscriptions and
 * registrations (see {@link EmptyComponents}).
 *
 * @example
 * ```ts
 * isUri("com.myapp.topic1"); // true
 * isUri("com.MyApp.topic 1"); // false (whitespace)
 * isUri("com.MyApp.topic1", { strict: true }); // false (upper case)
 * isUri("com..update", { empty: "any" }); // true (a wildcard pattern)
 * ```
 */
export function isUri(
  value: unknown,
  options?: { strict?: boolean; empty?: EmptyComponents },
): value is string {
  const e = options?.empty;
  return checkUri(
    value,
    options?.strict === true,
    e === "any" ? EMPTY_ANY : e === "last" ? EMPTY_LAST : EMPTY_NONE,
  );
}

/**
 * The empty-component rule for the topic of a SUBSCRIBE or the procedure of a REGISTER, from
 * `Options.match` (advanced profile, "Pattern-based Subscription" / "Pattern-based Registrations":
 * `exact` (the default), `prefix` or `wildcard`; anything else is rejected).
 */
export function patternMode(options: Dict, messageType: string): EmptyMode {
  const match = options.match;
  if (match === undefined || match === "exact") return EMPTY_NONE;
  if (match === "prefix") return EMPTY_LAST;
  if (match === "wildcard") return EMPTY_ANY;
  return failField(messageType, "options.match", '"exact", "prefix" or "wildcard"', match);
}

/**
 * Checks the `Arguments|list` / `ArgumentsKw|dict` tail starting at index `at`; the caller has
 * already checked the arity. A `Uint8Array` alone in the `Arguments` position is a transparent
 * payload (Autobahn's end-to-end encryption and payload passthru: the conformance vectors carry it
 * for PUBLISH and EVENT), so it is accepted only where nothing follows it.
 *
 * `null` in either position means "none" and is replaced in place by `[]` / `{}`: some peers
 * (fox-wamp) send it, and Autobahn|Python and Autobahn|JS both read it that way.
 */
export function checkArgs(
  m: readonly unknown[],
  at: number,
  name: string,
  allowPayload: boolean,
  flags: number,
): void {
  const n = m.length;
  if (n <= at) return;
  if (m[at] === null) (m as unknown[])[at] = [];
  if (n > at + 1 && m[at + 1] === null) (m as unknown[])[at + 1] = {};
  const args = m[at];
  if (!Array.isArray(args) && !(allowPayload && n === at + 1 && args instanceof Uint8Array)) {
    failField(name, "args", allowPayload && n === at + 1 ? "a list or a binary payload" : "a list", args);
  }
  if (n > at + 1 && !checkDict(m[at + 1], flags)) failField(name, "kwargs", "a dict", m[at + 1]);
}

/**
 * Shared by UNSUBSCRIBED and UNREGISTERED: request is an id, or 0 for a router-initiated revocation
 * that names the revoked id in `Details.<idKey>` (advanced profile, "Subscription Revocation" /
 * "Registration Revocation").
 */
export function checkRevocable(m: readonly unknown[], name: string, idKey: string, flags: number): void {
  const request = m[1];
  const revocation = request === 0;
  if (!revocation && !isId(request)) failId(name, "request", request);
  if (m.length === 3) {
    const details = m[2];
    if (!checkDict(details, flags)) failField(name, "details", "a dict", details);
    const revoked = details[idKey];
    if ((revocation || revoked !== undefined) && !isId(revoked)) failId(name, `details.${idKey}`, revoked);
    const reason = details.reason;
    if (reason !== undefined && typeof reason !== "string") {
      failField(name, "details.reason", "a string", reason);
    }
  } else if (revocation) {
    failField(name, "request", `an id (0 only in a revocation carrying Details.${idKey})`, request);
  }
}

/** A short, side-effect-free description of a bad value for error messages (never calls toString). */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "binary";
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
    case "string":
      return `the string ${JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)}`;
    case "object":
      return isDict(value) ? "a dict" : "an object that is not a plain dict";
    default:
      return `a ${typeof value}`;
  }
}

/**
 * Throws MESSAGE_BAD_FIELD. Kept out of line so the validators stay small enough to inline.
 */
export function failField(messageType: string, field: string, expected: string, got: unknown): never {
  throw new ProtocolError(
    "MESSAGE_BAD_FIELD",
    `${messageType}.${field} must be ${expected}, got ${describe(got)}`,
    { messageType, field },
  );
}

/** Throws MESSAGE_BAD_FIELD for a value that is not an id (integer in [1, 2^53]). */
export function failId(messageType: string, field: string, got: unknown): never {
  return failField(messageType, field, "an id (an integer in [1, 2^53])", got);
}

/** Throws MESSAGE_BAD_FIELD for a value that is not a URI under the given rules. */
export function failUri(
  messageType: string,
  field: string,
  got: unknown,
  strict: boolean,
  empty: EmptyMode,
): never {
  const rule = strict ? "a strict URI" : "a URI";
  const pattern =
    empty === EMPTY_ANY ? " (wildcard pattern)" : empty === EMPTY_LAST ? " (prefix pattern)" : "";
  return failField(messageType, field, rule + pattern, got);
}

/** Throws MESSAGE_BAD_ARITY. */
export function failArity(messageType: string, length: number, min: number, max: number): never {
  const expected = min === max ? `${min}` : `${min} to ${max}`;
  throw new ProtocolError(
    "MESSAGE_BAD_ARITY",
    `${messageType} has ${length} elements, expected ${expected}`,
    { messageType },
  );
}
