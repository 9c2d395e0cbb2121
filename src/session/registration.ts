/**
 * `Registration`: a procedure this session registered, and the handler type it runs.
 */
import type { Dict } from "../codecs/messages/index.js";
import type { InvocationDetails } from "./invocation.js";

// Declared through a method signature so a handler may narrow its parameters
// (`([a, b]: number[]) => a + b`): method parameters are checked bivariantly.
interface ProcedureHandlerMethod {
  handler(args: unknown[], kwargs: Record<string, unknown>, details: InvocationDetails): unknown;
}

/**
 * A procedure implementation. It receives the positional and keyword arguments of the call and
 * the {@link InvocationDetails}; what it returns (or resolves to) is the result: `undefined` → no
 * result, a `CallResult` → exactly its `args` and `kwargs`, any other value → one positional
 * result. Throwing an `ApplicationError` answers with that error's uri, args and kwargs; throwing
 * anything else answers `wamp.error.runtime_error` with the error's message (and reports it to
 * `onUserError`).
 *
 * @example
 * ```ts
 * const add2: ProcedureHandler = ([a, b]: number[]) => a + b;
 * await session.register("com.example.add2", add2);
 * ```
 */
export type ProcedureHandler = ProcedureHandlerMethod["handler"];

/**
 * Options of {@link Session.register}.
 *
 * @example
 * ```ts
 * await session.register("com.example.", handler, { match: "prefix", invoke: "roundrobin" });
 * ```
 */
export interface RegisterOptions {
  /** Pattern-based registration (advanced profile): `exact` (default), `prefix` or `wildcard`. */
  match?: "exact" | "prefix" | "wildcard";
  /** Shared registration policy (advanced profile): `single` (default), `roundrobin`, `random`, `first`, `last`. */
  invoke?: "single" | "roundrobin" | "random" | "first" | "last";
  /** Ask the dealer to disclose callers to this procedure (`disclose_caller`). */
  discloseCaller?: boolean;
  /** More `REGISTER.Options` entries, sent as given (snake_case, as on the wire). */
  extra?: Dict;
  /** Called when the dealer revokes the registration (advanced profile, "Registration Revocation"). */
  onRevoked?: (reason: string | undefined) => void;
}

/** What a Registration needs from its owner, so this file does not depend on the callee. */
export interface RegistrationOwner {
  unregister(registration: Registration): Promise<void>;
}

/**
 * A procedure registered by this session. `active` turns false once it is unregistered, revoked by
 * the dealer, or the session closes.
 *
 * @example
 * ```ts
 * const registration = await session.register("com.example.add2", ([a, b]: number[]) => a + b);
 * console.log(registration.id, registration.procedure);
 * await registration.unregister();
 * ```
 */
export class Registration {
  readonly id: number;
  readonly procedure: string;
  readonly handler: ProcedureHandler;
  readonly onRevoked: ((reason: string | undefined) => void) | undefined;
  /** @internal The UNREGISTER in flight, shared by repeated `unregister()` calls. */
  unregistering: Promise<void> | undefined = undefined;
  private readonly owner: RegistrationOwner;
  private isActive = true;

  constructor(
    owner: RegistrationOwner,
    id: number,
    procedure: string,
    handler: ProcedureHandler,
    onRevoked: ((reason: string | undefined) => void) | undefined,
  ) {
    this.owner = owner;
    this.id = id;
    this.procedure = procedure;
    this.handler = handler;
    this.onRevoked = onRevoked;
  }

  /** False once unregistered, revoked by the dealer, or the session closed. */
  get active(): boolean {
    return this.isActive;
  }

  /** @internal */
  deactivate(): void {
    this.isActive = false;
  }

  /** Unregisters the procedure; resolves on UNREGISTERED (at once if it is no longer active). */
  unregister(): Promise<void> {
    return this.owner.unregister(this);
  }
}
