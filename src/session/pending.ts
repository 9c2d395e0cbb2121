/**
 * A request awaiting the router's answer (REGISTERED, SUBSCRIBED, PUBLISHED, ...), and the one way
 * such a request is sent.
 */

export class PendingRequest<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/**
 * Records `pending` under `request`, then sends. Recorded first because an in-process transport may
 * deliver the answer inside `send()`; a message that fails to send (to encode, typically) rejects
 * the request, gives its id back so the ids the router sees stay sequential, and returns false.
 */
export function sendRequest<P extends { reject(error: unknown): void }>(
  ctx: { send(message: unknown[]): void; ids: { release(id: number): void } },
  requests: Map<number, P>,
  request: number,
  pending: P,
  message: unknown[],
): boolean {
  requests.set(request, pending);
  try {
    ctx.send(message);
    return true;
  } catch (err) {
    requests.delete(request);
    ctx.ids.release(request);
    pending.reject(err);
    return false;
  }
}
