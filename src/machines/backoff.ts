/**
 * Reconnect backoff, as Autobahn's Component does it: every transport keeps its own counters; the
 * first attempt (and the first after a successful join) is immediate; retry n waits
 * `min(initial × growth^(n-1), max) + jitter()`; `maxRetries` counts retries, `-1` is unlimited.
 * Pure functions over plain data, so the machine's delay is a one-liner and tests check numbers.
 */

/** Per-transport retry settings (milliseconds). */
export interface RetryPolicy {
  /** Retries allowed after the first attempt; -1 for unlimited (default 15, as Autobahn). */
  readonly maxRetries: number;
  /** Delay before the first retry (default 1000 ms). */
  readonly initialRetryDelay: number;
  /** Upper bound of the exponential part (default 60000 ms). */
  readonly maxRetryDelay: number;
  /** Growth factor between retries (default 1.5). */
  readonly retryDelayGrowth: number;
  /** Extra random delay added to every retry (default `() => Math.random() * 1000`). */
  readonly retryDelayJitter: () => number;
}

/** Counters of one transport. */
export interface RetryState {
  /** Connection attempts since the last successful join (or since the start). */
  readonly attempts: number;
  /** Retired for good by `isFatal`. */
  readonly retired: boolean;
}

export const INITIAL_RETRY_STATE: RetryState = Object.freeze({ attempts: 0, retired: false });

/** True when the transport may make another attempt. */
export function canRetry(state: RetryState, policy: RetryPolicy): boolean {
  if (state.retired) return false;
  return policy.maxRetries === -1 || state.attempts <= policy.maxRetries;
}

/**
 * The delay before the next attempt on a transport that has made `state.attempts` attempts: 0 for
 * the first, then `min(initial × growth^(attempts-1), max) + jitter()`.
 *
 * @example
 * ```ts
 * const policy = { maxRetries: -1, initialRetryDelay: 1000, maxRetryDelay: 60000, retryDelayGrowth: 1.5, retryDelayJitter: () => 0 };
 * nextDelay({ attempts: 0, retired: false }, policy); // 0
 * nextDelay({ attempts: 1, retired: false }, policy); // 1000
 * nextDelay({ attempts: 3, retired: false }, policy); // 2250
 * ```
 */
export function nextDelay(state: RetryState, policy: RetryPolicy): number {
  if (state.attempts === 0) return 0;
  const exponential = policy.initialRetryDelay * policy.retryDelayGrowth ** (state.attempts - 1);
  const jitter = policy.retryDelayJitter();
  return Math.min(exponential, policy.maxRetryDelay) + (Number.isFinite(jitter) && jitter > 0 ? jitter : 0);
}

/**
 * After a failure on transport `current`, the index of the transport to try next: the following one
 * (cyclically, ending with `current` itself) that can still retry; undefined when none can.
 */
export function nextTransport(
  states: readonly RetryState[],
  policies: readonly RetryPolicy[],
  current: number,
): number | undefined {
  const n = states.length;
  for (let step = 1; step <= n; step++) {
    const i = (current + step) % n;
    if (canRetry(states[i], policies[i])) return i;
  }
  return undefined;
}
