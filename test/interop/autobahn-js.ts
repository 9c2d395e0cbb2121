/**
 * The part of Autobahn|JS's API (npm `autobahn` 22.11.1, CommonJS without types) that the interop
 * tests use; `loadAutobahnJs()` hands over the module untyped, each test casts it to {@link AutobahnJs}.
 */

export type Dict = Record<string, unknown>;

/** A when.js promise (Autobahn|JS's default deferred): `then` takes a third, progress callback. */
export interface WhenPromise<T> extends PromiseLike<T> {
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
    onProgress?: (update: unknown) => void,
  ): PromiseLike<R1 | R2>;
}

export interface AbResult {
  args: unknown[];
  kwargs: Dict;
}
export interface AbError {
  error: string;
  args: unknown[];
  kwargs: Dict;
}
export interface AbInvocation {
  procedure: string;
  /** The caller's session id, when it disclosed itself. */
  caller?: number;
  progress: ((args?: unknown[], kwargs?: Dict) => void) | null;
}
export interface AbEvent {
  publication: number;
  topic: string;
  publisher?: number;
}
export interface AbSubscription {
  id: number;
}
export interface AbRegistration {
  id: number;
}
export interface AbPublication {
  id: number;
}
export interface AbSession {
  readonly id: number;
  readonly isOpen: boolean;
  readonly features: Record<string, Record<string, boolean>>;
  call(procedure: string, args?: unknown[], kwargs?: Dict, options?: Dict): WhenPromise<unknown>;
  register(
    procedure: string,
    endpoint: (args: unknown[], kwargs: Dict, details: AbInvocation) => unknown,
    options?: Dict,
  ): PromiseLike<AbRegistration>;
  subscribe(
    topic: string,
    handler: (args: unknown[], kwargs: Dict, details: AbEvent) => void,
    options?: Dict,
  ): PromiseLike<AbSubscription>;
  publish(topic: string, args?: unknown[], kwargs?: Dict, options?: Dict): PromiseLike<AbPublication> | null;
}
export interface AbCloseDetails {
  reason: string | null;
  message: string | null;
  will_retry: boolean;
}
export interface AbConnection {
  onopen: ((session: AbSession, details: Dict) => void) | null;
  onclose: ((reason: string, details: AbCloseDetails) => boolean) | null;
  open(): void;
  close(reason?: string, message?: string): void;
}
export interface AutobahnJs {
  version: string;
  Connection: new (options: Dict) => AbConnection;
  Result: new (args?: unknown[], kwargs?: Dict) => AbResult;
  Error: new (error: string, args?: unknown[], kwargs?: Dict) => AbError;
  serializer: Record<string, (new () => { SERIALIZER_ID: string }) | undefined>;
  log: { warn: (...args: unknown[]) => void; debug: (...args: unknown[]) => void };
}
