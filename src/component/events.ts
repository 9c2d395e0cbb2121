/**
 * Component events, as in the seed: `connect`, `join`, `ready`, `leave`, `disconnect`,
 * `connectfailure` (plus `usererror`). A tiny typed emitter: listeners of `join` and `ready` may be
 * async and are awaited before the component moves on.
 */
import type { WampError } from "../errors.js";
import type { TransportDetails } from "../transports/types.js";
import type { ComponentSession } from "./componentSession.js";
import type { WelcomeInfo } from "./runtime.js";

export interface ComponentEvents {
  /** A transport opened (before HELLO). */
  connect: [details: TransportDetails];
  /** WELCOME arrived; the session is usable. Awaited before declared registrations are made. */
  join: [session: ComponentSession, welcome: WelcomeInfo];
  /** Declared registrations and subscriptions are in place. Awaited before `main` runs. */
  ready: [session: ComponentSession];
  /** The session ended (GOODBYE, ABORT, lost transport); `reason` is the close URI. */
  leave: [session: ComponentSession, reason: string];
  /** The transport closed. */
  disconnect: [details: TransportDetails];
  /** A connection attempt (or a session) failed; the component will retry if it can. */
  connectfailure: [error: WampError];
  /** A procedure or event handler threw. */
  usererror: [error: unknown, context: string];
}

type Listener<A extends unknown[]> = (...args: A) => unknown;

/** Where a throwing listener is reported (a component's logger). */
export interface ListenerErrorSink {
  warn(message: string): void;
}

export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  /** Made on the first `on()`: most components never listen to anything. */
  private listeners: Map<keyof E, Array<Listener<never[]>>> | undefined = undefined;

  constructor(private readonly errors: ListenerErrorSink) {}

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    this.listeners ??= new Map();
    const list = this.listeners.get(event) ?? [];
    list.push(listener as Listener<never[]>);
    this.listeners.set(event, list);
    return () => {
      const current = this.listeners?.get(event);
      if (current !== undefined)
        this.listeners?.set(
          event,
          current.filter((l) => l !== (listener as unknown)),
        );
    };
  }

  /** Call every listener; errors and rejections go to `onListenerError`, never to the caller. */
  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const list = this.listeners?.get(event);
    if (list === undefined) return;
    for (const listener of list) {
      try {
        const result = (listener as Listener<E[K]>)(...args);
        if (result instanceof Promise) result.catch((err: unknown) => this.listenerFailed(event, err));
      } catch (err) {
        this.listenerFailed(event, err);
      }
    }
  }

  private listenerFailed(event: keyof E, error: unknown): void {
    this.errors.warn(
      `a "${String(event)}" listener threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  /** Call every listener in order and await each; a throwing listener rejects. */
  async emitAsync<K extends keyof E>(event: K, ...args: E[K]): Promise<void> {
    const list = this.listeners?.get(event);
    if (list === undefined) return;
    for (const listener of list) await (listener as Listener<E[K]>)(...args);
  }
}
