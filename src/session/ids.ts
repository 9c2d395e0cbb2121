/**
 * Session-scope request ids (basic profile, "Building Blocks › IDs"): 1, 2, 3, ... wrapping to 1
 * after 2^53. One counter serves every request kind (CALL, REGISTER, PUBLISH, ...) because a router
 * may check that the ids it receives are sequential across all of them ("Protocol Errors").
 */
import { MAX_ID } from "../codecs/messages/index.js";

export class RequestIds {
  private last: number;

  // `last` is the id issued before the first `next()`; tests start near 2^53 to see the wrap.
  constructor(last = 0) {
    this.last = last;
  }

  next(): number {
    this.last = this.last >= MAX_ID ? 1 : this.last + 1;
    return this.last;
  }

  // A request that could not be sent (its message failed to encode) gives its id back, so the ids
  // the router sees stay sequential. Only the most recent id can be given back.
  release(id: number): void {
    if (this.last === id) this.last = id - 1;
  }
}
