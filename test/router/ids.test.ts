/**
 * Router-issued ids (basic profile "IDs"): `randomId()` draws global-scope ids from [1, 2^53];
 * `SequentialIds` counts 1, 2, ... and wraps from 2^53 back to 1.
 */
import { describe, expect, it } from "vitest";
import { randomId, SequentialIds } from "../../src/router/ids.js";

const MAX = 2 ** 53;
const DRAWS = 10_000;

describe("randomId", () => {
  const ids = Array.from({ length: DRAWS }, () => randomId());

  it("gives integers in [1, 2^53]", () => {
    for (const id of ids) {
      expect(Number.isInteger(id)).toBe(true);
      expect(id).toBeGreaterThanOrEqual(1);
      expect(id).toBeLessThanOrEqual(MAX);
    }
  });

  it("gives (almost) all distinct values over 10,000 draws", () => {
    // Over a 2^53 space a single collision in 10,000 draws has probability ~5.6e-9.
    expect(new Set(ids).size).toBeGreaterThanOrEqual(DRAWS - 1);
  });

  it("is not sequential: neighbouring draws rarely differ by one and are not monotonic", () => {
    let steps = 0;
    let increasing = 0;
    for (let i = 1; i < ids.length; i++) {
      if (Math.abs(ids[i] - ids[i - 1]) === 1) steps++;
      if (ids[i] > ids[i - 1]) increasing++;
    }
    expect(steps).toBe(0);
    // About half of the neighbours increase; a counter would make all of them increase.
    expect(increasing).toBeGreaterThan(DRAWS * 0.4);
    expect(increasing).toBeLessThan(DRAWS * 0.6);
  });

  it("spreads over the whole range, high bits included (not 32-bit values)", () => {
    // Each draw lies above 2^52 with probability 1/2, above 2^32 with probability 1 - 2^-21.
    const aboveHalf = ids.filter((id) => id > 2 ** 52).length;
    expect(aboveHalf).toBeGreaterThan(DRAWS * 0.4);
    expect(aboveHalf).toBeLessThan(DRAWS * 0.6);
    expect(ids.filter((id) => id <= 2 ** 32).length).toBeLessThanOrEqual(2);
    // Odd and even values alike (the low bit is random too).
    const odd = ids.filter((id) => id % 2 === 1).length;
    expect(odd).toBeGreaterThan(DRAWS * 0.4);
    expect(odd).toBeLessThan(DRAWS * 0.6);
  });

  it("keeps drawing fresh values across many refills of its batch", () => {
    const more = new Set<number>();
    for (let i = 0; i < 5 * DRAWS; i++) more.add(randomId());
    expect(more.size).toBeGreaterThanOrEqual(5 * DRAWS - 1);
  });
});

describe("SequentialIds", () => {
  it("counts 1, 2, 3, ...", () => {
    const ids = new SequentialIds();
    expect([ids.next(), ids.next(), ids.next()]).toEqual([1, 2, 3]);
  });

  it("counters are independent", () => {
    const a = new SequentialIds();
    const b = new SequentialIds();
    a.next();
    a.next();
    expect(b.next()).toBe(1);
    expect(a.next()).toBe(3);
  });

  it("wraps from 2^53 to 1", () => {
    const ids = new SequentialIds();
    // Start just below the limit (the counter is private state; this avoids 2^53 calls).
    (ids as unknown as { current: number }).current = MAX - 2;
    expect([ids.next(), ids.next(), ids.next(), ids.next()]).toEqual([MAX - 1, MAX, 1, 2]);
  });
});
