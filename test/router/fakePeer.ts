/**
 * A minimal `RoutedPeer` for testing the broker and dealer as pure logic: it records what it is
 * sent (pre-encoded payloads are decoded back, so tests read plain lists), and serializers can be
 * wrapped to count `encode` calls.
 */
import { vi } from "vitest";
import { getSerializer } from "../../src/codecs/index.js";
import type { Serializer, SerializerName } from "../../src/codecs/serializer.js";
import type { RoutedPeer } from "../../src/router/peer.js";

type Roles = RoutedPeer["roles"];

/** A serializer whose `encode` is a spy (the real serializers are frozen objects). */
export function spySerializer(name: SerializerName): Serializer & { encode: ReturnType<typeof vi.fn> } {
  const real = getSerializer(name);
  return {
    ...real,
    name: real.name,
    encode: vi.fn((m: readonly unknown[]) => real.encode(m)),
  } as Serializer & {
    encode: ReturnType<typeof vi.fn>;
  };
}

let nextId = 1000;

export class FakePeer implements RoutedPeer {
  readonly sent: unknown[][] = [];
  /** How many messages arrived pre-encoded (fan-out) rather than through `send`. */
  encodedCount = 0;
  readonly id: number;

  constructor(
    readonly serializer: Serializer = getSerializer("json"),
    readonly authid = `user${nextId + 1}`,
    readonly authrole = "user",
    readonly roles: Roles = {},
  ) {
    this.id = ++nextId;
  }

  send(message: readonly unknown[]): void {
    // Round-trip through the serializer, as a transport would: catches unencodable messages.
    this.sent.push(this.serializer.decode(getSerializer(this.serializer.name).encode(message))[0]);
  }

  sendEncoded(payload: Uint8Array | string): void {
    this.encodedCount++;
    this.sent.push(this.serializer.decode(payload)[0]);
  }

  /** Messages of type `code`, in order. */
  of(code: number): unknown[][] {
    return this.sent.filter((m) => m[0] === code);
  }

  /** The last message sent, which must be of type `code`. */
  last(code?: number): unknown[] {
    const m = this.sent[this.sent.length - 1];
    if (m === undefined) throw new Error("nothing was sent");
    if (code !== undefined && m[0] !== code)
      throw new Error(`last message is ${JSON.stringify(m)}, not type ${code}`);
    return m;
  }

  clear(): void {
    this.sent.length = 0;
    this.encodedCount = 0;
  }
}

/** Roles of a callee that announces call canceling (and progressive results). */
export const CANCELING_CALLEE: Roles = {
  callee: { features: { call_canceling: true, progressive_call_results: true } },
};
