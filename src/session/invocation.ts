/**
 * One running invocation of a registered procedure: what its handler sees as `details`, and the
 * state the callee needs to answer it exactly once.
 */
import { type Dict, MessageType } from "../codecs/messages/index.js";
import { withPayload } from "./callResult.js";

/**
 * What a procedure handler learns about the call it serves (third handler argument).
 *
 * @example
 * ```ts
 * await session.register("com.example.count", async ([n]: number[], _kwargs, details) => {
 *   for (let i = 1; i < n && !details.signal.aborted; i++) {
 *     details.progress([i]); // a progressive result, when the caller asked for them
 *     await sleep(100);
 *   }
 *   return n;
 * });
 * ```
 */
export interface InvocationDetails {
  /** The procedure called: the concrete URI for pattern-based registrations. */
  readonly procedure: string;
  /** The registration id the dealer routed the call to. */
  readonly registration: number;
  /** The caller's session id, when disclosed (caller identification). */
  readonly caller: number | undefined;
  /** The caller's authid, when disclosed. */
  readonly callerAuthid: string | undefined;
  /** The caller's authrole, when disclosed. */
  readonly callerAuthrole: string | undefined;
  /** True when the caller asked for progressive results; {@link InvocationDetails.progress} is a no-op otherwise. */
  readonly receiveProgress: boolean;
  /**
   * Aborts when the dealer interrupts the invocation (the call was canceled or timed out) or the
   * session closes; `signal.reason` is then a `CanceledError` or `SessionClosedError`.
   */
  readonly signal: AbortSignal;
  /** `INVOCATION.Details` as received, for options this interface does not name. */
  readonly raw: Readonly<Dict>;
  /**
   * Sends a progressive result (YIELD with `progress: true`) when the caller asked for them; does
   * nothing otherwise, or once the invocation is answered or interrupted.
   */
  progress(args?: unknown[], kwargs?: Record<string, unknown>): void;
}

export class Invocation implements InvocationDetails {
  readonly request: number;
  readonly registration: number;
  readonly procedure: string;
  readonly raw: Dict;
  /** Answered, interrupted or closed: nothing more may be sent for it. */
  done = false;
  private readonly send: (message: unknown[]) => void;
  // Created on first read of `signal`: most handlers never look at it.
  private controller: AbortController | undefined = undefined;
  private abortReason: { reason: unknown } | undefined = undefined;

  constructor(
    send: (message: unknown[]) => void,
    request: number,
    registration: number,
    procedure: string,
    raw: Dict,
  ) {
    this.send = send;
    this.request = request;
    this.registration = registration;
    this.procedure = procedure;
    this.raw = raw;
  }

  get caller(): number | undefined {
    const value = this.raw.caller;
    return typeof value === "number" ? value : undefined;
  }

  get callerAuthid(): string | undefined {
    const value = this.raw.caller_authid;
    return typeof value === "string" ? value : undefined;
  }

  get callerAuthrole(): string | undefined {
    const value = this.raw.caller_authrole;
    return typeof value === "string" ? value : undefined;
  }

  get receiveProgress(): boolean {
    return this.raw.receive_progress === true;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason.reason);
    }
    return this.controller.signal;
  }

  progress(args?: unknown[], kwargs?: Record<string, unknown>): void {
    if (this.done || this.raw.receive_progress !== true) return;
    this.send(withPayload([MessageType.YIELD, this.request, { progress: true }], args, kwargs));
  }

  /** Marks the invocation done, then aborts its signal (so abort listeners cannot send for it). */
  abort(reason: unknown): void {
    this.done = true;
    if (this.abortReason !== undefined) return;
    this.abortReason = { reason };
    this.controller?.abort(reason);
  }
}
