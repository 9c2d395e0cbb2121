/**
 * The callee role: REGISTER / UNREGISTER out, REGISTERED / UNREGISTERED (and revocations) in;
 * INVOCATION in, answered by exactly one YIELD or ERROR (plus progressive YIELDs); INTERRUPT in
 * (advanced profile, "Call Canceling").
 */
import {
  type Dict,
  type ErrorMessage,
  type InterruptMessage,
  type InvocationMessage,
  MessageType,
  type RegisteredMessage,
  type UnregisteredMessage,
} from "../codecs/messages/index.js";
import { ApplicationError, CanceledError, ConfigError, WampUri } from "../errors.js";
import { CallResult, toArgs, toKwargs, withPayload } from "./callResult.js";
import { checkPayload, type SessionContext, violation } from "./context.js";
import { Invocation } from "./invocation.js";
import { PendingRequest, sendRequest } from "./pending.js";
import {
  type ProcedureHandler,
  type RegisterOptions,
  Registration,
  type RegistrationOwner,
} from "./registration.js";

class PendingRegister extends PendingRequest<Registration> {
  readonly procedure: string;
  readonly handler: ProcedureHandler;
  readonly onRevoked: ((reason: string | undefined) => void) | undefined;

  constructor(procedure: string, handler: ProcedureHandler, onRevoked: RegisterOptions["onRevoked"]) {
    super();
    this.procedure = procedure;
    this.handler = handler;
    this.onRevoked = onRevoked;
  }
}

class PendingUnregister extends PendingRequest<void> {
  readonly registration: Registration;

  constructor(registration: Registration) {
    super();
    this.registration = registration;
  }
}

const ERROR = MessageType.ERROR;
const INVOCATION = MessageType.INVOCATION;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// The maps below are made on first use: most sessions never register, and an empty Map with its
// table costs ~180 bytes.
export class Callee implements RegistrationOwner {
  private readonly ctx: SessionContext;
  private registrations: Map<number, Registration> | undefined = undefined;
  private registers: Map<number, PendingRegister> | undefined = undefined;
  private unregisters: Map<number, PendingUnregister> | undefined = undefined;
  private invocations: Map<number, Invocation> | undefined = undefined;

  constructor(ctx: SessionContext) {
    this.ctx = ctx;
  }

  register(procedure: string, handler: ProcedureHandler, options?: RegisterOptions): Promise<Registration> {
    const ctx = this.ctx;
    if (ctx.closedError !== undefined) return Promise.reject(ctx.closed());
    if (typeof procedure !== "string")
      return Promise.reject(new ConfigError("procedure must be a string", "procedure"));
    if (typeof handler !== "function")
      return Promise.reject(new ConfigError("handler must be a function", "handler"));
    const wireOptions: Dict = {};
    if (options !== undefined) {
      if (options.extra !== undefined) Object.assign(wireOptions, options.extra);
      if (options.match !== undefined && options.match !== "exact") wireOptions.match = options.match;
      if (options.invoke !== undefined) wireOptions.invoke = options.invoke;
      if (options.discloseCaller === true) wireOptions.disclose_caller = true;
    }
    const request = ctx.ids.next();
    const pending = new PendingRegister(procedure, handler, options?.onRevoked);
    this.registers ??= new Map();
    sendRequest(ctx, this.registers, request, pending, [
      MessageType.REGISTER,
      request,
      wireOptions,
      procedure,
    ]);
    return pending.promise;
  }

  unregister(registration: Registration): Promise<void> {
    const ctx = this.ctx;
    if (ctx.closedError !== undefined) return Promise.reject(ctx.closed());
    if (registration.unregistering !== undefined) return registration.unregistering;
    if (!registration.active) return Promise.resolve();
    const request = ctx.ids.next();
    const pending = new PendingUnregister(registration);
    this.unregisters ??= new Map();
    // Only a request that went out is shared; a failed send leaves the next attempt free to retry.
    if (
      sendRequest(ctx, this.unregisters, request, pending, [MessageType.UNREGISTER, request, registration.id])
    ) {
      if (registration.active) registration.unregistering = pending.promise;
    }
    return pending.promise;
  }

  onRegistered(message: RegisteredMessage): void {
    const [, request, id] = message;
    const registers = this.registers;
    const pending = registers?.get(request);
    if (registers === undefined || pending === undefined) {
      throw violation(`REGISTERED for request ${request}, which is no pending registration`, "REGISTERED");
    }
    this.registrations ??= new Map();
    const registrations = this.registrations;
    if (registrations.has(id))
      throw violation(`REGISTERED with registration ${id}, already in use`, "REGISTERED");
    registers.delete(request);
    const registration = new Registration(this, id, pending.procedure, pending.handler, pending.onRevoked);
    registrations.set(id, registration);
    pending.resolve(registration);
  }

  onRegisterError(message: ErrorMessage): void {
    const registers = this.registers;
    const pending = registers?.get(message[2]);
    if (registers === undefined || pending === undefined)
      throw violation(`ERROR for request ${message[2]}, which is no pending registration`, "ERROR");
    registers.delete(message[2]);
    pending.reject(new ApplicationError(message[4], toArgs(message[5]), toKwargs(message[6])));
  }

  onUnregistered(message: UnregisteredMessage): void {
    const request = message[1];
    if (request === 0) {
      this.revoke(message[2] as Dict);
      return;
    }
    const unregisters = this.unregisters;
    const pending = unregisters?.get(request);
    if (unregisters === undefined || pending === undefined) {
      throw violation(
        `UNREGISTERED for request ${request}, which is no pending unregistration`,
        "UNREGISTERED",
      );
    }
    unregisters.delete(request);
    this.forget(pending.registration);
    pending.resolve();
  }

  onUnregisterError(message: ErrorMessage): void {
    const unregisters = this.unregisters;
    const pending = unregisters?.get(message[2]);
    if (unregisters === undefined || pending === undefined) {
      throw violation(`ERROR for request ${message[2]}, which is no pending unregistration`, "ERROR");
    }
    unregisters.delete(message[2]);
    const registration = pending.registration;
    registration.unregistering = undefined;
    // Revoked while the UNREGISTER was in flight: the registration is gone, which was the point.
    if (!registration.active) pending.resolve();
    else pending.reject(new ApplicationError(message[4], toArgs(message[5]), toKwargs(message[6])));
  }

  onInvocation(message: InvocationMessage): void {
    const [, request, id, details, args, kwargs] = message;
    const registration = this.registrations?.get(id);
    if (registration === undefined) {
      throw violation(`INVOCATION for registration ${id}, which this session does not hold`, "INVOCATION");
    }
    this.invocations ??= new Map();
    const invocations = this.invocations;
    if (invocations.has(request)) throw violation(`INVOCATION ${request} is already running`, "INVOCATION");
    const procedure = typeof details.procedure === "string" ? details.procedure : registration.procedure;
    const invocation = new Invocation(this.ctx.send, request, id, procedure, details);
    invocations.set(request, invocation);
    let value: unknown;
    try {
      value = registration.handler(toArgs(args), toKwargs(kwargs), invocation);
    } catch (err) {
      this.fail(invocation, err);
      return;
    }
    if (!isThenable(value)) {
      this.succeed(invocation, value);
      return;
    }
    try {
      value.then(
        (result) => this.succeed(invocation, result),
        (err) => this.fail(invocation, err),
      );
    } catch (err) {
      this.fail(invocation, err);
    }
  }

  /**
   * INTERRUPT: the signal aborts, and the invocation is over for this side at once. Mode `kill`
   * (and a missing mode) waits for the callee's answer, so it gets ERROR `wamp.error.canceled`
   * now; `killnowait` ignores answers, so nothing is sent. Whatever the handler produces later is
   * dropped. An INTERRUPT for an invocation already answered crossed our answer: ignored.
   */
  onInterrupt(message: InterruptMessage): void {
    const request = message[1];
    const invocations = this.invocations;
    const invocation = invocations?.get(request);
    if (invocations === undefined || invocation === undefined) return;
    invocations.delete(request);
    invocation.abort(new CanceledError());
    if (message[2].mode !== "killnowait")
      this.reply(invocation, [ERROR, INVOCATION, request, {}, WampUri.canceled]);
  }

  close(): void {
    const ctx = this.ctx;
    const { registers, unregisters, invocations, registrations } = this;
    if (registers !== undefined) {
      for (const pending of registers.values()) pending.reject(ctx.closed());
      registers.clear();
    }
    if (unregisters !== undefined) {
      for (const pending of unregisters.values()) {
        pending.registration.unregistering = undefined;
        pending.reject(ctx.closed());
      }
      unregisters.clear();
    }
    if (invocations !== undefined) {
      for (const invocation of invocations.values()) invocation.abort(ctx.closed());
      invocations.clear();
    }
    if (registrations !== undefined) {
      for (const registration of registrations.values()) registration.deactivate();
      registrations.clear();
    }
  }

  private revoke(details: Dict): void {
    const registration = this.registrations?.get(details.registration as number);
    // Unknown: it crossed our own UNREGISTER, or the session never held it. Nothing to undo.
    if (registration === undefined) return;
    this.forget(registration);
    const onRevoked = registration.onRevoked;
    if (onRevoked === undefined) return;
    try {
      onRevoked(typeof details.reason === "string" ? details.reason : undefined);
    } catch (err) {
      this.ctx.userError(err, `onRevoked of ${registration.procedure}`);
    }
  }

  private forget(registration: Registration): void {
    const registrations = this.registrations;
    if (registrations?.get(registration.id) === registration) registrations.delete(registration.id);
    registration.deactivate();
  }

  private succeed(invocation: Invocation, value: unknown): void {
    if (invocation.done) return;
    const request = invocation.request;
    let message: unknown[];
    if (value === undefined) message = [MessageType.YIELD, request, {}];
    else if (value instanceof CallResult) {
      const bad = checkPayload(value.args, value.kwargs);
      if (bad !== undefined) {
        this.fail(invocation, bad);
        return;
      }
      message = withPayload([MessageType.YIELD, request, {}], value.args, value.kwargs);
    } else message = [MessageType.YIELD, request, {}, [value]];
    invocation.done = true;
    this.invocations?.delete(request);
    this.reply(invocation, message);
  }

  private fail(invocation: Invocation, error: unknown): void {
    if (invocation.done) return;
    invocation.done = true;
    const request = invocation.request;
    this.invocations?.delete(request);
    if (error instanceof ApplicationError) {
      this.reply(
        invocation,
        withPayload([ERROR, INVOCATION, request, {}, error.uri], error.args, error.kwargs),
      );
      return;
    }
    this.ctx.userError(error, `procedure ${invocation.procedure}`);
    this.reply(invocation, [ERROR, INVOCATION, request, {}, WampUri.runtimeError, [messageOf(error)]]);
  }

  // An answer that cannot be sent (a result the serializer rejects, typically) still ends the
  // invocation: the dealer gets a plain runtime_error instead, so the caller does not hang.
  private reply(invocation: Invocation, message: unknown[]): void {
    try {
      this.ctx.send(message);
      return;
    } catch (err) {
      this.ctx.userError(err, `sending the answer of ${invocation.procedure}`);
    }
    try {
      this.ctx.send([
        ERROR,
        INVOCATION,
        invocation.request,
        {},
        WampUri.runtimeError,
        [`the answer of ${invocation.procedure} could not be sent`],
      ]);
    } catch {
      // The transport itself is failing; its owner closes the session.
    }
  }
}
