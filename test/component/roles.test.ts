/**
 * Router roles from WELCOME are shared between sessions that were told the same ones (memory per
 * idle session), frozen so that sharing is safe, and never shared when they differ.
 */
import { describe, expect, it } from "vitest";
import { shareRoles } from "../../src/component/runtime.js";

const roles = () => ({
  broker: { features: { publisher_exclusion: true, pattern_based_subscription: true } },
  dealer: { features: { call_canceling: true, progressive_call_results: true } },
});

describe("shareRoles", () => {
  it("equal roles from two WELCOMEs → the same frozen object", () => {
    const first = shareRoles(roles());
    const second = shareRoles(roles());
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen((first.dealer as { features: object }).features)).toBe(true);
    expect(first).toEqual(roles());
  });

  it("different roles → their own object, equal to what was received", () => {
    const first = shareRoles(roles());
    const other = { ...roles(), dealer: { features: { call_canceling: false } } };
    const shared = shareRoles(other);
    expect(shared).not.toBe(first);
    expect(shared).toEqual({ ...roles(), dealer: { features: { call_canceling: false } } });
    // one extra key, one missing key, an array where an object was: all different
    expect(shareRoles({ ...other, extra: {} })).not.toBe(shared);
    expect(shareRoles({ broker: other.broker })).toEqual({ broker: other.broker });
    expect(shareRoles({ broker: [1], dealer: other.dealer })).toEqual({ broker: [1], dealer: other.dealer });
  });

  it("missing or malformed roles → an empty frozen dict", () => {
    expect(shareRoles(undefined)).toEqual({});
    expect(Object.isFrozen(shareRoles(null))).toBe(true);
    expect(shareRoles("x")).toEqual({});
  });

  it("roles nested deeper than a few levels are kept as received (not walked, not frozen)", () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    const kept = shareRoles(deep);
    expect(kept).toBe(deep);
    expect(Object.isFrozen(kept)).toBe(false);
  });
});
