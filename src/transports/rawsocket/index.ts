/**
 * WAMP-over-RawSocket transports: the client (`openRawSocket`), the server-side acceptor that
 * listeners hand accepted sockets to (`createRawSocketAcceptor`), and the connection binding both
 * share. Framing and the handshake codec live in `src/codecs/rawsocket`.
 */
export {
  DEFAULT_RAWSOCKET_SERIALIZER,
  openRawSocket,
  parseRawSocketUrl,
  type RawSocketClientOptions,
  type RawSocketEndpoint,
} from "./client.js";
export { bindRawSocket, type RawSocketBinding, type RawSocketKeepAliveOptions } from "./connection.js";
export { createRawSocketAcceptor, type RawSocketAcceptor, type RawSocketAcceptorOptions } from "./server.js";
