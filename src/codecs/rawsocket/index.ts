/**
 * RawSocket framing: the opening handshake, the frame header, a streaming frame reader and a
 * header-only writer. Pure code over bytes; sockets live in `src/transports/rawsocket`.
 */
export {
  decodeFrameHeader,
  encodeFrameHeader,
  FRAME_HEADER_LENGTH,
  MAX_FRAME_LENGTH,
  type RawSocketFrameHeader,
  RawSocketFrameTooLargeError,
  RawSocketFrameType,
} from "./frame.js";
export {
  decodeHandshakeReply,
  decodeHandshakeRequest,
  describeHandshakeError,
  encodeHandshakeAccept,
  encodeHandshakeError,
  encodeHandshakeRequest,
  exponentToMaxLength,
  HANDSHAKE_LENGTH,
  handshakeErrorCodeFor,
  isRawSocketMagic,
  MAX_LENGTH_EXPONENT,
  maxLengthToExponent,
  RAWSOCKET_MAGIC,
  RawSocketHandshakeErrorCode,
  RawSocketHandshakeRefusedError,
  type RawSocketHandshakeReply,
  type RawSocketHandshakeRequest,
} from "./handshake.js";
export { type RawSocketFrame, RawSocketFrameReader, type RawSocketFrameReaderOptions } from "./reader.js";
export {
  frameHeaderFor,
  RawSocketFrameWriter,
  type RawSocketFrameWriterOptions,
  type RawSocketSink,
  writeFrame,
} from "./writer.js";
