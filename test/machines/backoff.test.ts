import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canRetry,
  INITIAL_RETRY_STATE,
  nextDelay,
  nextTransport,
  type RetryPolicy,
  type RetryState,
} from "../../src/machines/backoff.js";

const policy = (p: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxRetries: 15,
  initialRetryDelay: 1000,
  maxRetryDelay: 60_000,
  retryDelayGrowth: 1.5,
  retryDelayJitter: () => 0,
  ...p,
});
const tried = (attempts: number, retired = false): RetryState => ({ attempts, retired });

describe("nextDelay", () => {
  it("follows the sequence 0, 1000, 1500, 2250, ... up to the 60000 cap (growth 1.5, jitter 0)", () => {
    const p = policy();
    const expected = [
      0, 1000, 1500, 2250, 3375, 5062.5, 7593.75, 11390.625, 17085.9375, 25628.90625, 38443.359375,
      57665.0390625, 60_000, 60_000, 60_000,
    ];
    expect(expected.map((_, attempts) => nextDelay(tried(attempts), p))).toEqual(expected);
    expect(nextDelay(tried(100), p)).toBe(60_000);
  });

  it("is 0 for the first attempt whatever the policy, and the jitter is not added to it", () => {
    let calls = 0;
    const p = policy({ initialRetryDelay: 5, retryDelayJitter: () => ++calls * 1000 });
    expect(nextDelay(INITIAL_RETRY_STATE, p)).toBe(0);
  });

  it("adds the jitter to every retry, on top of the cap", () => {
    const p = policy({ retryDelayJitter: () => 250 });
    expect(nextDelay(tried(1), p)).toBe(1250);
    expect(nextDelay(tried(2), p)).toBe(1750);
    expect(nextDelay(tried(40), p)).toBe(60_250);
  });

  it("ignores a negative or non-finite jitter", () => {
    expect(nextDelay(tried(1), policy({ retryDelayJitter: () => -500 }))).toBe(1000);
    expect(nextDelay(tried(1), policy({ retryDelayJitter: () => Number.NaN }))).toBe(1000);
    expect(nextDelay(tried(1), policy({ retryDelayJitter: () => Number.POSITIVE_INFINITY }))).toBe(1000);
  });

  it("property: delays lie in [0, max + jitterMax] and do not decrease until the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 30, maxLength: 30 }),
        (initial, growth, max, jitterMax, randoms) => {
          let n = 0;
          const p = policy({
            initialRetryDelay: initial,
            retryDelayGrowth: growth,
            maxRetryDelay: max,
            retryDelayJitter: () => randoms[n++ % randoms.length] * jitterMax,
          });
          const noJitter = policy({
            initialRetryDelay: initial,
            retryDelayGrowth: growth,
            maxRetryDelay: max,
          });
          let previous = 0;
          for (let attempts = 0; attempts < 30; attempts++) {
            const delay = nextDelay(tried(attempts), p);
            const base = nextDelay(tried(attempts), noJitter);
            if (delay < 0 || delay > max + jitterMax) return false;
            if (base < previous || base > max) return false;
            if (delay < base || delay - base > jitterMax + 1e-9) return false;
            previous = base;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("canRetry", () => {
  it("maxRetries -1 retries forever", () => {
    const p = policy({ maxRetries: -1 });
    for (const attempts of [0, 1, 16, 1_000_000]) expect(canRetry(tried(attempts), p)).toBe(true);
  });

  it("maxRetries N allows exactly N retries, i.e. N + 1 attempts", () => {
    for (const n of [0, 1, 3, 15]) {
      const p = policy({ maxRetries: n });
      let attempts = 0;
      // The machine counts an attempt when it starts one, then asks whether it may try again.
      while (canRetry(tried(attempts), p)) attempts++;
      expect(attempts).toBe(n + 1);
    }
  });

  it("a retired transport never retries, even with maxRetries -1", () => {
    expect(canRetry(tried(0, true), policy({ maxRetries: -1 }))).toBe(false);
  });
});

describe("nextTransport", () => {
  const three = [policy({ maxRetries: 2 }), policy({ maxRetries: 2 }), policy({ maxRetries: 2 })];

  it("rotates to the following transport, wrapping around", () => {
    const states = [tried(1), tried(1), tried(1)];
    expect(nextTransport(states, three, 0)).toBe(1);
    expect(nextTransport(states, three, 1)).toBe(2);
    expect(nextTransport(states, three, 2)).toBe(0);
  });

  it("skips exhausted and retired transports", () => {
    expect(nextTransport([tried(1), tried(3), tried(1)], three, 0)).toBe(2);
    expect(nextTransport([tried(1), tried(0, true), tried(3)], three, 0)).toBe(0);
    expect(nextTransport([tried(1), tried(1, true), tried(1)], three, 2)).toBe(0);
  });

  it("comes back to the current transport when it is the only one left", () => {
    expect(nextTransport([tried(3), tried(1), tried(0, true)], three, 1)).toBe(1);
    expect(nextTransport([tried(1)], [policy()], 0)).toBe(0);
  });

  it("is undefined when every transport is exhausted or retired", () => {
    expect(nextTransport([tried(3), tried(0, true), tried(3)], three, 0)).toBeUndefined();
  });

  it("honours each transport's own maxRetries", () => {
    const mixed = [policy({ maxRetries: 0 }), policy({ maxRetries: -1 })];
    expect(nextTransport([tried(1), tried(50)], mixed, 1)).toBe(1);
    expect(nextTransport([tried(0), tried(50)], mixed, 1)).toBe(0);
  });
});
