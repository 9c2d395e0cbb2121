/**
 * `CallResult`, the value of a call that returned several positional results or keyword results,
 * and the one convention that maps a payload (`Arguments`, `ArgumentsKw`) to a user value.
 */
import type { Dict } from "../codecs/messages/index.js";

/**
 * The result of a call that returned anything but a single positional value: several positional
 * results, keyword results, or both. A callee returns one to answer with exactly these `args` and
 * `kwargs`.
 *
 * The result convention, applied to RESULT (and to progressive results): exactly one positional
 * result and no keyword results → that value; nothing at all → `undefined`; anything else → a
 * `CallResult`.
 *
 * @example
 * ```ts
 * // callee: answer with two positional results and a keyword result
 * await session.register("com.example.divmod", ([a, b]: number[]) =>
 *   new CallResult([Math.floor(a / b), a % b], { exact: a % b === 0 }));
 * // caller
 * const result = await session.call("com.example.divmod", [7, 2]);
 * if (result instanceof CallResult) console.log(result.args, result.kwargs); // [3, 1] { exact: false }
 * ```
 */
export class CallResult {
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;

  constructor(args: unknown[] = [], kwargs: Record<string, unknown> = {}) {
    this.args = args;
    this.kwargs = kwargs;
  }
}

// for-in instead of Object.keys: no array allocated on the per-message path.
export function isEmptyDict(value: Dict): boolean {
  for (const _ in value) return false;
  return true;
}

// A transparent payload (bytes alone in the Arguments position) is not decoded here: it surfaces as
// one positional value.
export function toArgs(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined ? [] : [value];
}

export function toKwargs(value: unknown): Dict {
  return value === undefined ? {} : (value as Dict);
}

/** The result convention documented on {@link CallResult}. */
export function resultValue(args: unknown, kwargs: unknown): unknown {
  const noKwargs = kwargs === undefined || isEmptyDict(kwargs as Dict);
  if (noKwargs) {
    if (args === undefined) return undefined;
    if (Array.isArray(args)) {
      if (args.length === 1) return args[0];
      if (args.length === 0) return undefined;
    }
  }
  return new CallResult(toArgs(args), noKwargs ? {} : (kwargs as Dict));
}

/** Appends `Arguments` / `ArgumentsKw` the shortest valid way (both are optional on the wire). */
export function withPayload(
  message: unknown[],
  args: unknown[] | undefined,
  kwargs: Dict | undefined,
): unknown[] {
  if (kwargs !== undefined && !isEmptyDict(kwargs)) message.push(args ?? [], kwargs);
  else if (args !== undefined && args.length > 0) message.push(args);
  return message;
}
