/**
 * The session a component hands to `main` and to its hooks: the data-plane {@link Session} plus
 * `leave()` and `disconnect()`, which go through the component's machine (the control plane).
 */
import { Session, type SessionDetails, type SessionOptions } from "../session/session.js";
import type { WelcomeInfo } from "./runtime.js";

export interface SessionControl {
  leave(reason: string, message?: string): void;
  disconnect(): void;
}

/**
 * A joined WAMP session of a component.
 *
 * @example
 * ```ts
 * const component = createComponent({
 *   transports: "ws://127.0.0.1:8080/ws",
 *   main: async (session) => {
 *     console.log(await session.call("com.example.add2", [2, 3]));
 *     await session.leave();
 *   },
 * });
 * ```
 */
export class ComponentSession extends Session {
  /** What WELCOME said: id, realm, authid, authrole, authmethod, authprovider, router roles. */
  readonly welcome: WelcomeInfo;
  private readonly control: SessionControl;
  private leaving: Promise<void> | undefined;
  private left: (() => void) | undefined;

  constructor(
    details: SessionDetails,
    options: SessionOptions,
    control: SessionControl,
    welcome: WelcomeInfo,
  ) {
    super(details, options);
    this.control = control;
    this.welcome = welcome;
  }

  /**
   * Leave the realm (GOODBYE). Resolves once the session is closed. With the default reason the
   * component is then done; it does not reconnect.
   */
  leave(reason = "wamp.close.normal", message?: string): Promise<void> {
    if (!this.isOpen) return Promise.resolve();
    this.leaving ??= new Promise<void>((resolve) => {
      this.left = resolve;
      this.control.leave(reason, message);
    });
    return this.leaving;
  }

  /** Drop the transport without GOODBYE. The component is then done. */
  disconnect(): void {
    this.control.disconnect();
  }

  override close(reason?: unknown): void {
    super.close(reason);
    this.left?.();
  }
}
