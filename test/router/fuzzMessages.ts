/**
 * A small seeded generator of random and mutated WAMP messages for the router fuzz loop. Seeded so
 * a failure can be replayed: the test prints the seed and the iteration.
 */
import { parseMessage } from "../../src/codecs/messages/index.js";
import type { Msg } from "./rawClient.js";

/** mulberry32: a tiny, fast, seedable PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One valid-looking message of every kind, router-to-client ones included. */
const TEMPLATES: Msg[] = [
  [1, "realm1", { roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} } }],
  [2, 1, { roles: { broker: {} } }],
  [3, {}, "wamp.close.normal"],
  [4, "ticket", {}],
  [5, "signature", {}],
  [6, {}, "wamp.close.close_realm"],
  [8, 68, 1, {}, "test.fuzz.error", [1], { k: 1 }],
  [16, 1, { acknowledge: true }, "test.fuzz.topic", [1], { k: 1 }],
  [17, 1, 1],
  [32, 1, {}, "test.fuzz.topic"],
  [32, 1, { match: "prefix" }, "test.fuzz."],
  [32, 1, { match: "wildcard" }, "test..topic"],
  [33, 1, 1],
  [34, 1, 1],
  [35, 1],
  [36, 1, 1, {}],
  [37, 1],
  [48, 1, {}, "test.fuzz.proc", [1], { k: 1 }],
  [48, 1, { receive_progress: true, disclose_me: true, timeout: 10 }, "test.fuzz.proc"],
  [49, 1, { mode: "kill" }],
  [50, 1, {}],
  [64, 1, {}, "test.fuzz.proc"],
  [64, 1, { match: "prefix", invoke: "roundrobin" }, "test.fuzz."],
  [65, 1, 1],
  [66, 1, 1],
  [67, 1],
  [68, 1, 1, {}],
  [69, 1, {}],
  [70, 1, { progress: true }, [1]],
];

/** Option keys the broker and dealer look at, to be filled with random values. */
const OPTION_KEYS = [
  "acknowledge",
  "exclude_me",
  "exclude",
  "eligible",
  "exclude_authid",
  "eligible_authid",
  "exclude_authrole",
  "eligible_authrole",
  "disclose_me",
  "match",
  "invoke",
  "receive_progress",
  "progress",
  "timeout",
  "mode",
  "roles",
  "authid",
];

const ATOMS: unknown[] = [
  0,
  1,
  2,
  -1,
  3,
  2 ** 31,
  2 ** 32 + 1,
  2 ** 53,
  2 ** 53 + 2,
  1.5,
  1e300,
  -1e300,
  "",
  "x",
  "a.b",
  "a..b",
  "a.",
  ".a",
  "bad uri",
  "a#b",
  "realm1",
  "nonexistent.realm",
  "test.fuzz.topic",
  "test.fuzz.proc",
  "wamp.close.normal",
  "prefix",
  "wildcard",
  "roundrobin",
  "kill",
  "skip",
  "ü€𝄞",
  "x".repeat(300),
  null,
  true,
  false,
];

export class Fuzzer {
  readonly random: () => number;

  constructor(readonly seed: number) {
    this.random = prng(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  value(depth = 0): unknown {
    const r = this.random();
    if (depth >= 3 || r < 0.6) return this.pick(ATOMS);
    if (r < 0.7) return new Uint8Array([this.int(256), this.int(256), 0, 255]);
    if (r < 0.85) return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
    return this.options(depth + 1);
  }

  options(depth = 0): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    const n = this.int(4);
    for (let i = 0; i < n; i++) {
      o[this.pick(OPTION_KEYS)] = this.chance(0.3)
        ? Array.from({ length: this.int(3) }, () => this.value(depth + 1))
        : this.value(depth + 1);
    }
    return o;
  }

  /** A random or mutated message (not always a list: decoding must cope with anything). */
  message(): unknown {
    const base = [...this.pick(TEMPLATES)];
    const r = this.random();
    if (r < 0.1) return base;
    if (r < 0.45) {
      base[1 + this.int(base.length - 1)] = this.value();
      return base;
    }
    if (r < 0.55) {
      // Same kind, options of random content.
      const at = base.findIndex((v, i) => i > 0 && typeof v === "object" && v !== null && !Array.isArray(v));
      if (at !== -1) base[at] = this.options();
      return base;
    }
    if (r < 0.65) return base.slice(0, this.int(base.length));
    if (r < 0.72) return [...base, ...Array.from({ length: 1 + this.int(3) }, () => this.value())];
    if (r < 0.8) {
      base[0] = this.chance(0.5) ? this.int(400) : this.value();
      return base;
    }
    if (r < 0.85) return [];
    if (r < 0.9) return this.value();
    return Array.from({ length: this.int(7) }, () => this.value());
  }

  /** Mutate an encoded payload: flip, insert, delete or truncate a few octets / characters. */
  mutateEncoded(payload: Uint8Array | string): Uint8Array | string {
    if (typeof payload === "string") {
      const chars = [...payload];
      const edits = 1 + this.int(3);
      for (let i = 0; i < edits && chars.length > 0; i++) {
        const at = this.int(chars.length);
        const op = this.int(3);
        if (op === 0) chars[at] = String.fromCharCode(this.int(128));
        else if (op === 1) chars.splice(at, 1);
        else chars.splice(at, 0, this.pick(["[", "]", "{", "}", ",", '"', ":", "1", "\\"]));
      }
      return chars.join("");
    }
    const bytes = Uint8Array.from(payload);
    if (this.chance(0.2)) return bytes.subarray(0, this.int(bytes.length));
    const edits = 1 + this.int(3);
    for (let i = 0; i < edits && bytes.length > 0; i++) bytes[this.int(bytes.length)] = this.int(256);
    return bytes;
  }
}

/** True when the message model refuses `message` (the router must then abort the session). */
export function refusedByParser(message: unknown): boolean {
  try {
    parseMessage(message);
    return false;
  } catch {
    return true;
  }
}

/** Message kinds only a router may send (a client sending one commits a protocol violation). */
export const ROUTER_TO_CLIENT = new Set([2, 4, 17, 33, 35, 36, 50, 65, 67, 68, 69]);
