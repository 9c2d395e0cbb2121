/**
 * The caller role: CALL out; RESULT (final or progressive) and ERROR in; CANCEL out when the
 * program aborts a call or its timeout expires (advanced profile, "Call Canceling", "Call
 * Timeouts", "Progressive Call Results").
 */
import { type Dict, type ErrorMessage, MessageType, type ResultMessage } from "../codecs/messages/index.js";
import { ApplicationError, CallTimeoutError, CanceledError, ConfigError } from "../errors.js";
import { resultValue, toArgs, toKwargs, withPayload } from "./callResult.js";
import { checkPayload, type SessionContext, violation } from "./context.js";
import { ProgressiveCall } from "./progressiveCall.js";

/**
 * How a canceled call ends (advanced profile, "Call Canceling"): `skip` drops it at the dealer
 * without telling the callee, `killnowait` also interrupts the callee, both answer at once; `kill`
 * interrupts the callee and waits for its answer.
 *
 * @example
 * ```ts
 * await session.call("com.example.slow", [], {}, { signal, cancelMode: "kill" });
 * ```
 */
export type CancelMode = "skip" | "kill" | "killnowait";

/**
 * Options of {@link Session.call} and {@link Session.callProgressive}.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const options: CallOptions = {
 *   timeout: 5_000,
 *   signal: controller.signal,
 *   onProgress: (partial) => console.log("partial result", partial),
 *   discloseMe: true,
 * };
 * await session.call("com.example.report", [2024], {}, options);
 * ```
 */
export interface CallOptions {
  /**
   * Milliseconds to wait for the result (0 or absent: no limit). Sent as `CALL.Options.timeout`
   * for the dealer and enforced here too: on expiry the call rejects with a `CallTimeoutError`
   * (uri `wamp.error.timeout`) and a CANCEL `killnowait` goes out when the dealer supports call
   * canceling. With progressive results the limit applies between results, as the spec says.
   */
  timeout?: number;
  /**
   * Aborting it cancels the call: a CANCEL with {@link CallOptions.cancelMode} goes out (when the
   * dealer supports call canceling), and the call rejects with a `CanceledError` (uri
   * `wamp.error.canceled`), at once for `skip` and `killnowait`; for `kill` the dealer's answer
   * settles it.
   */
  signal?: AbortSignal;
  /** CANCEL mode used when {@link CallOptions.signal} aborts. Default `killnowait`. */
  cancelMode?: CancelMode;
  /**
   * Receives each progressive result (same convention as the final result, see `CallResult`);
   * setting it asks for progressive results (`receive_progress`). `callProgressive` ignores it: its
   * iterator receives them.
   */
  onProgress?: (result: unknown) => void;
  /** Ask for progressive results without `onProgress` (they are then dropped). */
  receiveProgress?: boolean;
  /** Ask the dealer to disclose this session to the callee (`disclose_me`). */
  discloseMe?: boolean;
  /** More `CALL.Options` entries, sent as given (snake_case, as on the wire). */
  extra?: Record<string, unknown>;
}

/** Where the outcome of a call goes: a promise (`call`) or an async iterator (`callProgressive`). */
export interface CallSink {
  progress(args: unknown, kwargs: unknown): void;
  result(args: unknown, kwargs: unknown): void;
  fail(error: unknown): void;
}

// A call is LIVE until settled. ABANDONED: settled here (canceled, timed out) while the dealer's
// final answer may still come; it stays in the pending map so that answer is recognised and dropped
// instead of being taken for a protocol violation. DONE: the final answer arrived.
const LIVE = 0;
const ABANDONED = 1;
const DONE = 2;

export class PendingCall {
  readonly caller: Caller;
  readonly request: number;
  readonly sink: CallSink;
  readonly cancelMode: CancelMode;
  readonly timeout: number;
  state: typeof LIVE | typeof ABANDONED | typeof DONE = LIVE;
  cancelSent = false;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  signal: AbortSignal | undefined = undefined;

  constructor(caller: Caller, request: number, sink: CallSink, cancelMode: CancelMode, timeout: number) {
    this.caller = caller;
    this.request = request;
    this.sink = sink;
    this.cancelMode = cancelMode;
    this.timeout = timeout;
  }

  // The pending call is its own abort listener: no closure per call, and removable on settle.
  handleEvent(): void {
    this.caller.cancel(this, this.cancelMode, new CanceledError(this.signal?.reason));
  }

  release(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.signal !== undefined) this.signal.removeEventListener("abort", this);
    this.signal = undefined;
  }
}

function callTimedOut(pending: PendingCall): void {
  pending.timer = undefined;
  pending.caller.cancel(pending, "killnowait", new CallTimeoutError(pending.timeout));
}

class PromiseSink implements CallSink {
  private readonly resolve: (value: unknown) => void;
  private readonly reject: (error: unknown) => void;
  private readonly onProgress: ((result: unknown) => void) | undefined;
  private readonly ctx: SessionContext;
  private readonly procedure: string;

  constructor(
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
    onProgress: ((result: unknown) => void) | undefined,
    ctx: SessionContext,
    procedure: string,
  ) {
    this.resolve = resolve;
    this.reject = reject;
    this.onProgress = onProgress;
    this.ctx = ctx;
    this.procedure = procedure;
  }

  progress(args: unknown, kwargs: unknown): void {
    if (this.onProgress === undefined) return;
    try {
      this.onProgress(resultValue(args, kwargs));
    } catch (err) {
      this.ctx.userError(err, `onProgress of a call to ${this.procedure}`);
    }
  }

  result(args: unknown, kwargs: unknown): void {
    this.resolve(resultValue(args, kwargs));
  }

  fail(error: unknown): void {
    this.reject(error);
  }
}

const MAX_TIMER = 2_147_483_647;

const CANCEL_MODES: readonly unknown[] = ["skip", "kill", "killnowait"];

function checkCallOptions(options: CallOptions): ConfigError | undefined {
  const { timeout, cancelMode, onProgress } = options;
  if (
    timeout !== undefined &&
    !(typeof timeout === "number" && timeout >= 0 && timeout < Number.POSITIVE_INFINITY)
  ) {
    return new ConfigError("timeout must be a non-negative number of milliseconds", "timeout");
  }
  if (cancelMode !== undefined && !CANCEL_MODES.includes(cancelMode)) {
    return new ConfigError('cancelMode must be "skip", "kill" or "killnowait"', "cancelMode");
  }
  if (onProgress !== undefined && typeof onProgress !== "function") {
    return new ConfigError("onProgress must be a function", "onProgress");
  }
  return undefined;
}

export class Caller {
  private readonly ctx: SessionContext;
  /** Pending calls by request id; made on the first call (an idle session holds no empty map). */
  private calls: Map<number, PendingCall> | undefined = undefined;

  constructor(ctx: SessionContext) {
    this.ctx = ctx;
  }

  call(procedure: string, args?: unknown[], kwargs?: Dict, options?: CallOptions): Promise<unknown> {
    const progressive =
      options !== undefined && (options.onProgress !== undefined || options.receiveProgress === true);
    return new Promise((resolve, reject) => {
      const sink = new PromiseSink(resolve, reject, options?.onProgress, this.ctx, procedure);
      this.start(procedure, args, kwargs, options, sink, progressive);
    });
  }

  callProgressive(
    procedure: string,
    args?: unknown[],
    kwargs?: Dict,
    options?: CallOptions,
  ): ProgressiveCall {
    const stream = new ProgressiveCall(options?.cancelMode ?? "killnowait");
    stream.pending = this.start(procedure, args, kwargs, options, stream, true);
    return stream;
  }

  /** Sends the CALL; every outcome, including a failure to send, reaches `sink`. */
  private start(
    procedure: string,
    args: unknown[] | undefined,
    kwargs: Dict | undefined,
    options: CallOptions | undefined,
    sink: CallSink,
    progressive: boolean,
  ): PendingCall | undefined {
    const ctx = this.ctx;
    if (ctx.closedError !== undefined) {
      sink.fail(ctx.closed());
      return undefined;
    }
    const bad =
      typeof procedure !== "string"
        ? new ConfigError("procedure must be a string", "procedure")
        : (checkPayload(args, kwargs) ?? (options === undefined ? undefined : checkCallOptions(options)));
    if (bad !== undefined) {
      sink.fail(bad);
      return undefined;
    }
    const wireOptions: Dict = {};
    let timeout = 0;
    let signal: AbortSignal | undefined;
    let cancelMode: CancelMode = "killnowait";
    if (options !== undefined) {
      if (options.extra !== undefined) Object.assign(wireOptions, options.extra);
      if (options.discloseMe === true) wireOptions.disclose_me = true;
      if (options.timeout !== undefined && options.timeout > 0) {
        timeout = Math.ceil(options.timeout);
        wireOptions.timeout = timeout;
      }
      if (options.cancelMode !== undefined) cancelMode = options.cancelMode;
      signal = options.signal;
      if (signal?.aborted) {
        sink.fail(new CanceledError(signal.reason));
        return undefined;
      }
    }
    if (progressive) wireOptions.receive_progress = true;

    const request = ctx.ids.next();
    const pending = new PendingCall(this, request, sink, cancelMode, timeout);
    // Registered before sending: an in-process transport may deliver the RESULT inside send().
    this.calls ??= new Map();
    const calls = this.calls;
    calls.set(request, pending);
    try {
      ctx.send(withPayload([MessageType.CALL, request, wireOptions, procedure], args, kwargs));
    } catch (err) {
      calls.delete(request);
      ctx.ids.release(request);
      sink.fail(err);
      return undefined;
    }
    if (pending.state !== LIVE) return pending;
    // Beyond 2^31-1 ms Node would fire the timer at once; such a limit is left to the dealer.
    if (timeout > 0 && timeout <= MAX_TIMER) pending.timer = setTimeout(callTimedOut, timeout, pending);
    if (signal !== undefined) {
      pending.signal = signal;
      signal.addEventListener("abort", pending);
    }
    return pending;
  }

  /**
   * Cancels a live call: CANCEL out when the dealer supports it, then settle with `error` unless
   * the mode is `kill` (the dealer's answer then settles the call).
   */
  cancel(pending: PendingCall, mode: CancelMode, error: unknown): void {
    if (pending.state !== LIVE) return;
    const ctx = this.ctx;
    if (ctx.dealerCanCancel) {
      if (!pending.cancelSent) {
        pending.cancelSent = true;
        try {
          ctx.send([MessageType.CANCEL, pending.request, { mode }]);
        } catch (err) {
          ctx.userError(err, `sending CANCEL for request ${pending.request}`);
        }
      }
      if (mode === "kill") return;
    }
    pending.state = ABANDONED;
    pending.release();
    pending.sink.fail(error);
  }

  onResult(message: ResultMessage): void {
    const request = message[1];
    const calls = this.calls;
    const pending = calls?.get(request);
    if (calls === undefined || pending === undefined)
      throw violation(`RESULT for request ${request}, which is no pending call`, "RESULT");
    if (message[2].progress === true) {
      if (pending.state === LIVE) {
        pending.timer?.refresh();
        pending.sink.progress(message[3], message[4]);
      }
      return;
    }
    calls.delete(request);
    const live = pending.state === LIVE;
    pending.state = DONE;
    pending.release();
    if (live) pending.sink.result(message[3], message[4]);
  }

  onError(message: ErrorMessage): void {
    const request = message[2];
    const calls = this.calls;
    const pending = calls?.get(request);
    if (calls === undefined || pending === undefined)
      throw violation(`ERROR for request ${request}, which is no pending call`, "ERROR");
    calls.delete(request);
    const live = pending.state === LIVE;
    pending.state = DONE;
    pending.release();
    if (live) pending.sink.fail(new ApplicationError(message[4], toArgs(message[5]), toKwargs(message[6])));
  }

  close(): void {
    const calls = this.calls;
    if (calls === undefined) return;
    for (const pending of calls.values()) {
      const live = pending.state === LIVE;
      pending.state = DONE;
      pending.release();
      if (live) pending.sink.fail(this.ctx.closed());
    }
    calls.clear();
  }
}
