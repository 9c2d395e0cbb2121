/**
 * The ABORT a transport sends before dropping a peer whose payload it could not decode: the basic
 * profile ("Protocol Errors") asks for ABORT `wamp.error.protocol_violation` on any error during
 * decoding, and the session above never sees such a payload.
 */
import type { ProtocolError } from "../errors.js";

export function protocolViolationAbort(error: ProtocolError): unknown[] {
  return [3, { message: `${error.code}: could not decode the message` }, "wamp.error.protocol_violation"];
}
