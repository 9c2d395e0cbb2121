/**
 * The router calling a procedure itself (the dynamic authenticator): a RoutedPeer that lives in
 * process, sends CALLs through a realm's dealer and settles promises on RESULT / ERROR.
 */
import { getSerializer } from "../codecs/index.js";
import { ApplicationError, TransportError } from "../errors.js";
import type { RoutedPeer } from "./peer.js";
import type { Realm } from "./realm.js";

const RESULT = 50;
const ERROR = 8;

export class RouterCaller implements RoutedPeer {
  readonly id = 0;
  readonly authid = "router";
  readonly authrole = "router";
  readonly trusted = true;
  readonly roles = { caller: { features: { call_canceling: true } } };
  // Never used to encode: the dealer only calls send() for a caller.
  readonly serializer = getSerializer("json");
  private nextRequest = 0;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();

  constructor(private readonly timeoutMs: number) {}

  /** Call `procedure` on `realm`; resolves with the first positional result. */
  call(realm: Realm, procedure: string, args: unknown[]): Promise<unknown> {
    const request = ++this.nextRequest;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(request);
        reject(
          new TransportError("TRANSPORT_TIMEOUT", `${procedure} did not answer within ${this.timeoutMs} ms`),
        );
      }, this.timeoutMs);
      this.pending.set(request, { resolve, reject, timer });
      realm.dealer.call(this, request, {}, procedure, args);
    });
  }

  send(message: readonly unknown[]): void {
    const isError = message[0] === ERROR;
    const request = (isError ? message[2] : message[1]) as number;
    const entry = this.pending.get(request);
    if (entry === undefined) return;
    if (message[0] === RESULT && (message[2] as { progress?: boolean }).progress === true) return;
    this.pending.delete(request);
    clearTimeout(entry.timer);
    if (isError)
      entry.reject(
        new ApplicationError(
          message[4] as string,
          (message[5] as unknown[]) ?? [],
          (message[6] as Record<string, unknown>) ?? {},
        ),
      );
    else entry.resolve((message[3] as unknown[] | undefined)?.[0]);
  }

  sendEncoded(): void {}
}
