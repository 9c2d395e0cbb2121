/**
 * The dealer of one realm (basic profile "Remote Procedure Calls", plus progressive call results,
 * call canceling, caller identification, shared and pattern-based registrations from the advanced
 * profile). Plain data structures; the router session feeds it validated messages.
 */
import { WampUri } from "../errors.js";
import { matchPolicyOf } from "./broker.js";
import { SequentialIds } from "./ids.js";
import { type MatchPolicy, PatternTable } from "./matching.js";
import { peerHasFeature, type RoutedPeer } from "./peer.js";

const ERROR = 8;
const CALL = 48;
const RESULT = 50;
const REGISTER = 64;
const REGISTERED = 65;
const UNREGISTER = 66;
const UNREGISTERED = 67;
const INVOCATION = 68;
const INTERRUPT = 69;

type Dict = Record<string, unknown>;
export type InvokePolicy = "single" | "roundrobin" | "random" | "first" | "last";

export interface Registration {
  readonly id: number;
  readonly procedure: string;
  readonly match: MatchPolicy;
  readonly invoke: InvokePolicy;
  /** Callees in registration order (one for `single`). */
  readonly callees: RoutedPeer[];
  next: number;
}

interface Invocation {
  /** Undefined once the caller is gone or the call was canceled: later answers are dropped. */
  caller: RoutedPeer | undefined;
  readonly callRequest: number;
  readonly callee: RoutedPeer;
  readonly id: number;
  readonly receiveProgress: boolean;
  /** A `kill` cancel is waiting for the callee's answer. */
  killing: boolean;
}

/** Per-session bookkeeping: invocations sent to it as callee, calls it made as caller. */
interface PeerState {
  readonly invocationIds: SequentialIds;
  readonly asCallee: Map<number, Invocation>;
  /**
   * Invocations whose caller is gone (canceled, left): the callee may still answer, and that answer
   * is dropped rather than treated as a violation. Bounded, oldest first out, since a callee never
   * has to answer a `killnowait` INTERRUPT.
   */
  readonly orphans: Map<number, Invocation>;
  readonly asCaller: Map<number, Invocation>;
  readonly registrations: Set<Registration>;
}

/** Features this dealer implements, announced in WELCOME. */
export const DEALER_FEATURES = {
  progressive_call_results: true,
  call_canceling: true,
  caller_identification: true,
  shared_registration: true,
  pattern_based_registration: true,
} as const;

/** Decides whether a caller's identity is disclosed to the callee (authorization may force it). */
export type CallerDisclosePolicy = (caller: RoutedPeer, procedure: string, requested: boolean) => boolean;

/** What happened to a YIELD or callee ERROR, so the session can treat unknown ids as violations. */
/** How many orphaned invocations per callee are remembered (older ones' late answers become violations). */
const MAX_ORPHANS = 1024;

export type AnswerOutcome = "delivered" | "dropped" | "unknown";

export class Dealer {
  private readonly table = new PatternTable<Registration>();
  private readonly byId = new Map<number, Registration>();
  private readonly ids = new SequentialIds();
  private readonly peers = new Map<RoutedPeer, PeerState>();

  constructor(private readonly disclose: CallerDisclosePolicy = (_c, _p, requested) => requested) {}

  private state(peer: RoutedPeer): PeerState {
    let s = this.peers.get(peer);
    if (s === undefined) {
      s = {
        invocationIds: new SequentialIds(),
        asCallee: new Map(),
        orphans: new Map(),
        asCaller: new Map(),
        registrations: new Set(),
      };
      this.peers.set(peer, s);
    }
    return s;
  }

  register(peer: RoutedPeer, request: number, options: Dict, procedure: string): void {
    const match = matchPolicyOf(options.match);
    const invoke = invokePolicyOf(options.invoke);
    if (match === undefined || invoke === undefined) {
      peer.send([ERROR, REGISTER, request, {}, WampUri.invalidArgument, ["unknown match or invoke policy"]]);
      return;
    }
    let reg = this.table.get(match, procedure);
    if (reg !== undefined) {
      if (invoke === "single" || reg.invoke !== invoke || reg.callees.includes(peer)) {
        peer.send([ERROR, REGISTER, request, {}, WampUri.procedureAlreadyExists]);
        return;
      }
      reg.callees.push(peer);
    } else {
      reg = { id: this.ids.next(), procedure, match, invoke, callees: [peer], next: 0 };
      this.table.set(match, procedure, reg);
      this.byId.set(reg.id, reg);
    }
    this.state(peer).registrations.add(reg);
    peer.send([REGISTERED, request, reg.id]);
  }

  unregister(peer: RoutedPeer, request: number, registrationId: number): void {
    const reg = this.byId.get(registrationId);
    if (reg === undefined || !reg.callees.includes(peer)) {
      peer.send([ERROR, UNREGISTER, request, {}, WampUri.noSuchRegistration]);
      return;
    }
    this.removeCallee(reg, peer);
    this.peers.get(peer)?.registrations.delete(reg);
    peer.send([UNREGISTERED, request]);
  }

  call(
    caller: RoutedPeer,
    request: number,
    options: Dict,
    procedure: string,
    args?: unknown[],
    kwargs?: Dict,
  ): void {
    const reg = this.table.best(procedure);
    if (reg === undefined) {
      caller.send([
        ERROR,
        CALL,
        request,
        {},
        WampUri.noSuchProcedure,
        [`no callee registered for ${procedure}`],
      ]);
      return;
    }
    const callee = pickCallee(reg);
    const calleeState = this.state(callee);
    const receiveProgress = options.receive_progress === true;
    const invocation: Invocation = {
      caller,
      callRequest: request,
      callee,
      id: calleeState.invocationIds.next(),
      receiveProgress,
      killing: false,
    };

    const details: Dict = {};
    if (reg.match !== "exact") details.procedure = procedure;
    if (receiveProgress) details.receive_progress = true;
    if (typeof options.timeout === "number" && options.timeout > 0) details.timeout = options.timeout;
    if (this.disclose(caller, procedure, options.disclose_me === true)) {
      details.caller = caller.id;
      details.caller_authid = caller.authid;
      details.caller_authrole = caller.authrole;
    }
    callee.send(
      kwargs !== undefined
        ? [INVOCATION, invocation.id, reg.id, details, args ?? [], kwargs]
        : args !== undefined
          ? [INVOCATION, invocation.id, reg.id, details, args]
          : [INVOCATION, invocation.id, reg.id, details],
    );
    // Recorded only once sent: if the send throws (unencodable args), no phantom invocation stays.
    calleeState.asCallee.set(invocation.id, invocation);
    this.state(caller).asCaller.set(request, invocation);
  }

  /** YIELD from a callee. */
  yield(
    callee: RoutedPeer,
    invocationId: number,
    options: Dict,
    args?: unknown[],
    kwargs?: Dict,
  ): AnswerOutcome {
    const s = this.peers.get(callee);
    const inv = s?.asCallee.get(invocationId);
    if (inv === undefined) return this.dropOrphan(s, invocationId, options.progress !== true);
    const progress = options.progress === true;
    const caller = inv.caller;
    if (caller === undefined || (progress && !inv.receiveProgress)) {
      if (!progress) this.finish(inv);
      return "dropped";
    }
    const details = progress ? { progress: true } : {};
    caller.send(
      kwargs !== undefined
        ? [RESULT, inv.callRequest, details, args ?? [], kwargs]
        : args !== undefined
          ? [RESULT, inv.callRequest, details, args]
          : [RESULT, inv.callRequest, details],
    );
    // Finished only once sent: if the send throws (unencodable result), the invocation stays
    // pending, so the callee's abort answers the caller with wamp.error.canceled.
    if (!progress) this.finish(inv);
    return "delivered";
  }

  /** ERROR (for an INVOCATION) from a callee: relayed to the caller as an ERROR for its CALL. */
  error(
    callee: RoutedPeer,
    invocationId: number,
    details: Dict,
    uri: string,
    args?: unknown[],
    kwargs?: Dict,
  ): AnswerOutcome {
    const s = this.peers.get(callee);
    const inv = s?.asCallee.get(invocationId);
    if (inv === undefined) return this.dropOrphan(s, invocationId, true);
    if (inv.caller === undefined) {
      this.finish(inv);
      return "dropped";
    }
    inv.caller.send(
      kwargs !== undefined
        ? [ERROR, CALL, inv.callRequest, details, uri, args ?? [], kwargs]
        : args !== undefined
          ? [ERROR, CALL, inv.callRequest, details, uri, args]
          : [ERROR, CALL, inv.callRequest, details, uri],
    );
    this.finish(inv); // after the send, as in yield()
    return "delivered";
  }

  /** CANCEL from a caller (rpc_call_canceling): skip, kill or killnowait (the default). */
  cancel(caller: RoutedPeer, callRequest: number, options: Dict): void {
    const inv = this.peers.get(caller)?.asCaller.get(callRequest);
    if (inv === undefined || inv.caller === undefined || inv.killing) return; // already answered: nothing to do
    const requested = options.mode;
    const mode = requested === "skip" || requested === "kill" ? requested : "killnowait";
    const calleeCancels = peerHasFeature(inv.callee, "callee", "call_canceling");
    if (mode === "kill" && calleeCancels) {
      inv.killing = true;
      inv.callee.send([INTERRUPT, inv.id, { mode: "kill" }]);
      return;
    }
    if (mode === "killnowait" && calleeCancels) inv.callee.send([INTERRUPT, inv.id, { mode: "killnowait" }]);
    this.abandon(inv, WampUri.canceled, "call canceled");
  }

  /** A session left: drop its registrations, fail calls pending on it, abandon its own calls. */
  removeSession(peer: RoutedPeer): void {
    const s = this.peers.get(peer);
    if (s === undefined) return;
    this.peers.delete(peer);
    for (const reg of s.registrations) this.removeCallee(reg, peer);
    for (const inv of s.asCallee.values()) {
      if (inv.caller !== undefined) {
        inv.caller.send([ERROR, CALL, inv.callRequest, {}, WampUri.canceled, ["callee left"]]);
        this.peers.get(inv.caller)?.asCaller.delete(inv.callRequest);
      }
    }
    for (const inv of s.asCaller.values()) {
      inv.caller = undefined;
      this.orphan(inv);
      if (peerHasFeature(inv.callee, "callee", "call_canceling")) {
        inv.callee.send([INTERRUPT, inv.id, { mode: "killnowait" }]);
      }
    }
  }

  get registrationCount(): number {
    return this.byId.size;
  }

  /** Answer the caller with an error now; the callee's eventual answer is dropped. */
  private abandon(inv: Invocation, uri: string, message: string): void {
    const caller = inv.caller!;
    this.peers.get(caller)?.asCaller.delete(inv.callRequest);
    inv.caller = undefined;
    this.orphan(inv);
    caller.send([ERROR, CALL, inv.callRequest, {}, uri, [message]]);
  }

  /** Move an invocation whose caller is gone out of the pending set, keeping a bounded memory of it. */
  private orphan(inv: Invocation): void {
    const s = this.peers.get(inv.callee);
    if (s === undefined || !s.asCallee.delete(inv.id)) return;
    s.orphans.set(inv.id, inv);
    if (s.orphans.size > MAX_ORPHANS) s.orphans.delete(s.orphans.keys().next().value as number);
  }

  /** An answer for an invocation that is not pending: dropped if it was orphaned, else unknown. */
  private dropOrphan(s: PeerState | undefined, invocationId: number, final: boolean): AnswerOutcome {
    if (s === undefined || !s.orphans.has(invocationId)) return "unknown";
    if (final) s.orphans.delete(invocationId);
    return "dropped";
  }

  private finish(inv: Invocation): void {
    this.peers.get(inv.callee)?.asCallee.delete(inv.id);
    if (inv.caller !== undefined) this.peers.get(inv.caller)?.asCaller.delete(inv.callRequest);
  }

  private removeCallee(reg: Registration, peer: RoutedPeer): void {
    const i = reg.callees.indexOf(peer);
    if (i !== -1) reg.callees.splice(i, 1);
    if (reg.callees.length === 0) {
      this.table.delete(reg.match, reg.procedure);
      this.byId.delete(reg.id);
    }
  }
}

function invokePolicyOf(value: unknown): InvokePolicy | undefined {
  if (value === undefined) return "single";
  return value === "single" ||
    value === "roundrobin" ||
    value === "random" ||
    value === "first" ||
    value === "last"
    ? value
    : undefined;
}

function pickCallee(reg: Registration): RoutedPeer {
  const callees = reg.callees;
  switch (reg.invoke) {
    case "single":
    case "first":
      return callees[0];
    case "last":
      return callees[callees.length - 1];
    case "random":
      return callees[Math.floor(Math.random() * callees.length)];
    case "roundrobin": {
      const callee = callees[reg.next % callees.length];
      reg.next = (reg.next + 1) % callees.length;
      return callee;
    }
  }
}
