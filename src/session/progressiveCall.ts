/**
 * A call consumed as an `AsyncIterable`: each progressive result, then the final one.
 */

import type { Dict } from "../codecs/messages/index.js";
import { CanceledError } from "../errors.js";
import type { CallSink, CancelMode, PendingCall } from "./caller.js";
import { isEmptyDict, resultValue } from "./callResult.js";

interface Waiter {
  resolve(result: IteratorResult<unknown>): void;
  reject(error: unknown): void;
}

/**
 * The results of a call made with {@link Session.callProgressive}, as an async iterator: every
 * progressive result in order, then the final result (skipped when it is empty: no positional and
 * no keyword results, as when everything came progressively). Each value follows the result
 * convention of `CallResult`. An ERROR, a timeout or a cancel is thrown from the iteration. The
 * CALL goes out at once; results wait in a queue until read. Leaving the loop early (`break`,
 * `return`, a throw) cancels the call.
 *
 * @example
 * ```ts
 * for await (const row of session.callProgressive("com.example.rows", ["2024"], {}, { timeout: 10_000 })) {
 *   console.log(row);
 * }
 * ```
 */
export class ProgressiveCall implements AsyncIterableIterator<unknown>, CallSink {
  /** The call in flight; undefined when it could not start (the reason is then thrown on `next()`). */
  pending: PendingCall | undefined = undefined;
  private readonly cancelMode: CancelMode;
  private readonly queue: unknown[] = [];
  private readonly waiters: Waiter[] = [];
  private finished = false;
  private failure: { error: unknown } | undefined = undefined;

  constructor(cancelMode: CancelMode) {
    this.cancelMode = cancelMode;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift(), done: false });
    const failure = this.failure;
    if (failure !== undefined) {
      // Thrown once; afterwards the iterator is simply done.
      this.failure = undefined;
      return Promise.reject(failure.error);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
    });
  }

  return(): Promise<IteratorResult<unknown>> {
    if (!this.finished) {
      this.finished = true;
      this.queue.length = 0;
      const pending = this.pending;
      if (pending !== undefined) pending.caller.cancel(pending, this.cancelMode, new CanceledError());
      this.drain();
    }
    this.failure = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  progress(args: unknown, kwargs: unknown): void {
    if (!this.finished) this.push(resultValue(args, kwargs));
  }

  result(args: unknown, kwargs: unknown): void {
    if (this.finished) return;
    const empty =
      (args === undefined || (Array.isArray(args) && args.length === 0)) &&
      (kwargs === undefined || isEmptyDict(kwargs as Dict));
    if (!empty) this.push(resultValue(args, kwargs));
    this.finished = true;
    this.drain();
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.reject(error);
    else this.failure = { error };
    this.drain();
  }

  private push(value: unknown): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.resolve({ value, done: false });
    else this.queue.push(value);
  }

  // Once finished, readers still waiting get `done` (the queue is necessarily empty: they waited).
  private drain(): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ value: undefined, done: true });
  }
}
