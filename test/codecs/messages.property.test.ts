import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMessage } from "../../src/codecs/messages/index.js";
import { messageArbs, normalize, strictUriArb } from "./messageArbitraries.js";

describe("parseMessage on generated valid messages", () => {
  it.each(Object.keys(messageArbs))("accepts every generated %s and returns it unchanged", (name) => {
    fc.assert(
      fc.property(messageArbs[name], (m) => {
        const before = normalize(m);
        expect(parseMessage(m)).toBe(m);
        expect(normalize(m)).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  it("accepts generated strict URIs in strict mode", () => {
    fc.assert(
      fc.property(strictUriArb, (uri) => {
        expect(parseMessage([48, 1, {}, uri], { strictUris: true })).toBeDefined();
        expect(parseMessage([16, 1, {}, uri], { strictUris: true })).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});
