/**
 * The few `ProtocolError`s the serializers raise. Library exceptions (msgpackr, cbor-x, `JSON`,
 * `TextDecoder`, a stack overflow on absurd nesting) are wrapped here so that a decoder never lets
 * anything but a `ProtocolError` escape.
 */
import { ProtocolError } from "../errors.js";

/** Malformed payload: wraps `cause` unless it already is one of ours. */
export function decodeFailed(format: string, cause: unknown): ProtocolError {
  if (cause instanceof ProtocolError) return cause;
  return new ProtocolError("SERIALIZER_DECODE_FAILED", `malformed ${format} payload`, { cause });
}

/** The program handed us something the format cannot carry (a cycle, a BigInt in JSON, ...). */
export function encodeFailed(format: string, cause: unknown): ProtocolError {
  if (cause instanceof ProtocolError) return cause;
  return new ProtocolError("SERIALIZER_ENCODE_FAILED", `cannot encode message as ${format}`, { cause });
}

/** A WAMP message is always a list (basic profile §"Message Format"); anything else at the top is refused. */
export function notAList(format: string): ProtocolError {
  return new ProtocolError("SERIALIZER_NOT_A_LIST", `${format} payload is not a list`);
}

/** Binary serializers only take bytes; a string (a text frame) is a framing mistake of the peer. */
export function notBytes(format: string): ProtocolError {
  return new ProtocolError("SERIALIZER_DECODE_FAILED", `${format} payload must be bytes`);
}
