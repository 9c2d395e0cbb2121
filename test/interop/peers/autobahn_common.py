"""What the Autobahn|Python peer scripts in this folder share (asyncio; tested with Debian's 22.7.1).

The scripts import it as a sibling module; each puts its own folder on sys.path first (so the
import works from any cwd, also with PYTHONSAFEPATH set) and turns bytecode writing off (so no
__pycache__ lands in the source tree).

- to_json_safe / emit: the JSON line protocol on stdout. Values are made JSON-safe: bytes become
  {"$bytes": "<hex>"}; integers outside [-2^53, 2^53] (not exact in an IEEE-754 double) become
  {"$int": "<decimal>"}; floats that are integral or not finite become {"$float": "<repr>"} (so an
  integer that travelled as a float is visible); tuples become lists.
- Session / connect / leave: one ApplicationSession on a WebSocket (ws://, wss://) or RawSocket
  (rs://host:port, rs://unix:/path) connection, with awaitable join and disconnect.
- argument_parser / run: the common options (--timeout, --step-timeout, --log-level) and the main
  loop that reports {"failed": "<error>"} on stdout and a traceback on stderr, exit status 1 (2 on
  the --timeout).

Peer bug worked around: Debian's 22.7.1 asyncio RawSocket client protocol lacks the
`transport_details` attribute that the session reads when WELCOME arrives (the WebSocket protocols
have it), so every asyncio RawSocket session dies right after joining. When it is missing, connect()
adds it as a property returning the protocol's own `_transport_details` before the first RawSocket
connection, and prints {"quirk": "rawsocket_transport_details"} (once per process).
"""

import argparse
import asyncio
import json
import sys
import traceback
import urllib.parse

import txaio

# Autobahn reads the clock and creates futures through txaio, which needs a framework chosen first.
txaio.use_asyncio()

from autobahn.asyncio.rawsocket import (  # noqa: E402
    WampRawSocketClientFactory,
    WampRawSocketClientProtocol,
)
from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.serializer import create_transport_serializer  # noqa: E402
from autobahn.wamp.types import CallResult, ComponentConfig  # noqa: E402

MAX_EXACT = 2**53


def to_json_safe(value, strict=False):
    """`value` made JSON-safe (see the module docstring). Map keys that are not strings and values of
    any other type raise TypeError when `strict`; otherwise keys become str(key) and values
    {"$unexpected": "<type>", "repr": "..."}."""
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": bytes(value).hex()}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -MAX_EXACT <= value <= MAX_EXACT else {"$int": str(value)}
    if isinstance(value, float):
        # Integral and non-finite floats are tagged: JSON would hide that an integer arrived as a
        # float (Autobahn rejects float ids, and Python apps would see 42.0 instead of 42).
        if value != value or value in (float("inf"), float("-inf")) or value.is_integer():
            return {"$float": repr(value)}
        return value
    if isinstance(value, (list, tuple)):
        return [to_json_safe(v, strict) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                if strict:
                    raise TypeError("non-string map key {!r} ({})".format(k, type(k).__name__))
                k = str(k)
            out[k] = to_json_safe(v, strict)
        return out
    if strict:
        raise TypeError("value of type {} is not JSON-safe".format(type(value).__name__))
    return {"$unexpected": type(value).__name__, "repr": repr(value)}


def emit(**fields):
    """Prints one JSON line on stdout (values made JSON-safe) and flushes it."""
    sys.stdout.write(json.dumps(to_json_safe(fields), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def result_of(value):
    """A call's outcome as Autobahn hands it over: a plain value or a CallResult."""
    if isinstance(value, CallResult):
        return {"results": list(value.results), "kwresults": dict(value.kwresults)}
    return {"value": value}


def patch_rawsocket_transport_details():
    """Adds the missing `transport_details` (see the module docstring); True if it was missing."""
    if hasattr(WampRawSocketClientProtocol, "transport_details"):
        return False
    WampRawSocketClientProtocol.transport_details = property(
        lambda self: getattr(self, "_transport_details", None)
    )
    return True


class Session(ApplicationSession):
    """An ApplicationSession whose lifecycle can be awaited; `role` (if any) tags its output lines."""

    def __init__(self, config, role=None):
        super().__init__(config)
        self.role = role
        loop = asyncio.get_running_loop()
        self.joined = loop.create_future()
        self.disconnected = loop.create_future()
        self.close_reason = None

    def onJoin(self, details):
        if not self.joined.done():
            self.joined.set_result(details)

    def onLeave(self, details):
        self.close_reason = details.reason
        return super().onLeave(details)

    def onDisconnect(self):
        if not self.joined.done():
            self.joined.set_exception(ConnectionError("transport closed before the session joined"))
        if not self.disconnected.done():
            self.disconnected.set_result(True)

    def emit(self, **fields):
        """emit(), with this session's role first when it has one."""
        if self.role is not None:
            fields = {"role": self.role, **fields}
        emit(**fields)


async def connect(url, serializer_name, realm, step_timeout, role=None):
    """Connects a Session to `url` with the serializer `serializer_name`, waits for it to join and
    prints {"step": "joined", ...}."""
    loop = asyncio.get_running_loop()
    session = Session(ComponentConfig(realm=realm), role)
    serializer = create_transport_serializer(serializer_name)
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in ("ws", "wss"):
        factory = WampWebSocketClientFactory(lambda: session, url=url, serializers=[serializer])
        connecting = loop.create_connection(
            factory, parsed.hostname, parsed.port, ssl=parsed.scheme == "wss" or None
        )
    elif parsed.scheme == "rs":
        if patch_rawsocket_transport_details():
            emit(quirk="rawsocket_transport_details")
        factory = WampRawSocketClientFactory(lambda: session, serializer=serializer)
        if url.startswith("rs://unix:"):
            connecting = loop.create_unix_connection(factory, url[len("rs://unix:"):])
        else:
            connecting = loop.create_connection(factory, parsed.hostname, parsed.port)
    else:
        raise ValueError("unsupported URL {!r}".format(url))
    await asyncio.wait_for(connecting, step_timeout)
    details = await asyncio.wait_for(session.joined, step_timeout)
    session.emit(
        step="joined",
        session=details.session,
        realm=details.realm,
        authrole=details.authrole,
        serializer=session._transport._serializer.SERIALIZER_ID,
    )
    return session


async def leave(session, step_timeout):
    """Leaves, waits for the transport to close and prints {"step": "left", "reason": ...}."""
    session.leave()
    await asyncio.wait_for(session.disconnected, step_timeout)
    session.emit(step="left", reason=session.close_reason)


def argument_parser(doc, timeout, step_timeout, log_level):
    """An ArgumentParser described by the first line of `doc`, with the common options."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=timeout, help="whole run, seconds")
    parser.add_argument("--step-timeout", type=float, default=step_timeout, help="each step, seconds")
    parser.add_argument("--log-level", default=log_level, help="Autobahn's log level, logged to stderr")
    return parser


def run(main, args):
    """Runs `await main(args)` within --timeout; returns the exit status (see the module docstring)."""
    txaio.start_logging(out=sys.stderr, level=args.log_level)
    try:
        asyncio.run(asyncio.wait_for(main(args), args.timeout))
    except asyncio.TimeoutError:
        emit(failed="timed out after {} s".format(args.timeout))
        traceback.print_exc()
        return 2
    except Exception as err:  # noqa: BLE001 - report whatever the peer raised
        emit(failed="{}: {}".format(type(err).__name__, err))
        traceback.print_exc()
        return 1
    return 0
