/**
 * Router-issued ids (basic profile "IDs"): session and publication ids are drawn at random from
 * [1, 2^53], as the spec asks for global-scope ids. Random words come from the system CSPRNG in
 * batches so the hot path (one publication id per PUBLISH) does not make a syscall per id.
 */
import { randomFillSync } from "node:crypto";

const pool = new Uint32Array(512);
let next = pool.length;

/** A random integer in [1, 2^53]. */
export function randomId(): number {
  if (next + 2 > pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const high = pool[next++] & 0x1fffff; // 21 bits
  const low = pool[next++]; // 32 bits
  // high * 2^32 + low spans [0, 2^53 - 1]; shift by one into [1, 2^53].
  return high * 0x1_0000_0000 + low + 1;
}

/**
 * Sequential ids for router-scope or session-scope counters (subscription, registration and
 * invocation request ids): 1, 2, ... wrapping back to 1 after 2^53.
 */
export class SequentialIds {
  private current = 0;
  next(): number {
    this.current = this.current >= 2 ** 53 ? 1 : this.current + 1;
    return this.current;
  }
}
