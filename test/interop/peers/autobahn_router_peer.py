#!/usr/bin/python3
"""Router interop peer: Autobahn|Python sessions (asyncio; tested with Debian's 22.7.1) that talk to
each other THROUGH the router under test.

  /usr/bin/python3 autobahn_router_peer.py --url URL --serializer NAME --role ROLE --prefix PREFIX

URL         ws://host:port/path (WebSocket), rs://host:port (RawSocket over TCP) or rs://unix:/path
            (RawSocket over a Unix socket).
NAME        an Autobahn serializer id: json, msgpack, cbor, ubjson, or one of them + ".batched"
            (WebSocket subprotocol wamp.2.<name>.batched; RawSocket has no batched mode).
ROLE        backend   one session, callee + subscriber: registers PREFIX.add2, .echo, .fail and
                      .countdown, subscribes to PREFIX.topic, prints {"step": "ready"}, then waits
                      for two events on PREFIX.topic, reports them and leaves.
            frontend  one session, caller + publisher (also subscribed to PREFIX.topic, to check
                      publisher exclusion): calls the backend's procedures, PREFIX.nobody_home, and
                      publishes twice with acknowledge=True (the second with exclude_me=False).
            both      both of the above as two sessions on two connections in this process (the
                      frontend starts once the backend is ready).

Output: one JSON object per line on stdout, {"role": ..., "step": ..., ...}, last {"done": true};
exit status 0. Any failure: {"failed": "<error>"} on stdout, a traceback on stderr, exit status 1
(2 on the --timeout). Values are made JSON-safe as in autobahn_codec.py: bytes {"$bytes": hex},
integers outside +-2^53 {"$int": "..."}, integral or non-finite floats {"$float": "..."}.

Peer bug worked around: Debian's 22.7.1 asyncio RawSocket client protocol lacks the
`transport_details` attribute the session reads when WELCOME arrives (the WebSocket protocols have
it), so every asyncio RawSocket session dies right after joining. If the attribute is missing, this
script adds it as a property returning the protocol's own `_transport_details` and prints
{"quirk": "rawsocket_transport_details"}.
"""

import argparse
import asyncio
import json
import sys
import traceback
import urllib.parse

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import (  # noqa: E402
    WampRawSocketClientFactory,
    WampRawSocketClientProtocol,
)
from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.serializer import create_transport_serializer  # noqa: E402
from autobahn.wamp.types import (  # noqa: E402
    CallOptions,
    CallResult,
    ComponentConfig,
    PublishOptions,
    RegisterOptions,
    SubscribeOptions,
)

MAX_EXACT = 2**53

# What the frontend sends to PREFIX.echo (the test expects exactly this back, JSON-safe).
ECHO_ARGS = [
    1,
    "zwei",
    b"\x00\x01\xfe\xff",
    2**53,
    -(2**31) - 1,
    1.5,
    None,
    True,
    {"nested": [1, [2, {"x": None}]]},
    "ü€𝄞",
]
ECHO_KWARGS = {"k": "Grüße 🌍", "blob": b"\xca\xfe", "empty": {}, "list": []}


def to_json_safe(value):
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": bytes(value).hex()}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -MAX_EXACT <= value <= MAX_EXACT else {"$int": str(value)}
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or value.is_integer():
            return {"$float": repr(value)}
        return value
    if isinstance(value, (list, tuple)):
        return [to_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json_safe(v) for k, v in value.items()}
    return {"$unexpected": type(value).__name__, "repr": repr(value)}


def emit(**fields):
    sys.stdout.write(json.dumps(to_json_safe(fields), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def result_of(value):
    """A call's outcome as Autobahn hands it over: a plain value or a CallResult."""
    if isinstance(value, CallResult):
        return {"results": list(value.results), "kwresults": dict(value.kwresults)}
    return {"value": value}


def patch_rawsocket_transport_details():
    if hasattr(WampRawSocketClientProtocol, "transport_details"):
        return False
    WampRawSocketClientProtocol.transport_details = property(
        lambda self: getattr(self, "_transport_details", None)
    )
    return True


class Session(ApplicationSession):
    """An ApplicationSession whose lifecycle can be awaited."""

    def __init__(self, config, role):
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


async def connect(url, serializer_name, realm, role, step_timeout):
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
        factory = WampRawSocketClientFactory(lambda: session, serializer=serializer)
        if url.startswith("rs://unix:"):
            connecting = loop.create_unix_connection(factory, url[len("rs://unix:"):])
        else:
            connecting = loop.create_connection(factory, parsed.hostname, parsed.port)
    else:
        raise ValueError("unsupported URL {!r}".format(url))
    await asyncio.wait_for(connecting, step_timeout)
    details = await asyncio.wait_for(session.joined, step_timeout)
    emit(
        role=role,
        step="joined",
        session=details.session,
        realm=details.realm,
        authrole=details.authrole,
        serializer=session._transport._serializer.SERIALIZER_ID,
    )
    return session


async def leave(session, step_timeout):
    session.leave()
    await asyncio.wait_for(session.disconnected, step_timeout)
    emit(role=session.role, step="left", reason=session.close_reason)


class Backend:
    """Callee + subscriber."""

    def __init__(self, session, prefix):
        self.session = session
        self.prefix = prefix
        self.events = []
        self.two_events = asyncio.get_running_loop().create_future()

    async def setup(self):
        s, p = self.session, self.prefix

        def add2(a, b):
            return a + b

        def echo(*args, **kwargs):
            return CallResult(*args, **kwargs)

        def fail(*args, **kwargs):
            raise ApplicationError("com.example.error.bad", "reason", 7, code=7, detail="ü")

        async def countdown(n, details=None):
            progress = details.progress if details is not None else None
            for i in range(n, 0, -1):
                if progress:
                    progress(i, left=i)
                await asyncio.sleep(0.001)
            return CallResult("liftoff", progressive=bool(progress))

        def on_event(*args, details=None, **kwargs):
            self.events.append(
                {
                    "args": list(args),
                    "kwargs": kwargs,
                    "publication": details.publication,
                    "topic": details.topic,
                }
            )
            if len(self.events) == 2 and not self.two_events.done():
                self.two_events.set_result(True)

        await s.register(add2, p + ".add2")
        await s.register(echo, p + ".echo")
        await s.register(fail, p + ".fail")
        await s.register(countdown, p + ".countdown", options=RegisterOptions(details_arg="details"))
        await s.subscribe(on_event, p + ".topic", options=SubscribeOptions(details_arg="details"))
        emit(role="backend", step="ready")

    async def wait_for_events(self, step_timeout):
        await asyncio.wait_for(self.two_events, step_timeout)
        for event in self.events:
            emit(role="backend", step="event", **event)


async def frontend(session, prefix, step_timeout):
    s, p = session, prefix
    loop = asyncio.get_running_loop()

    def call(*args, **kwargs):
        return asyncio.wait_for(s.call(*args, **kwargs), step_timeout)

    emit(role="frontend", step="add2", **result_of(await call(p + ".add2", 2, 3)))
    emit(role="frontend", step="echo", **result_of(await call(p + ".echo", *ECHO_ARGS, **ECHO_KWARGS)))
    emit(role="frontend", step="echo_one", **result_of(await call(p + ".echo", "solo")))
    emit(role="frontend", step="echo_kwargs_only", **result_of(await call(p + ".echo", only="kw")))

    for step, procedure in (("error", ".fail"), ("no_such_procedure", ".nobody_home")):
        try:
            value = await call(p + procedure, 1)
        except ApplicationError as err:
            emit(role="frontend", step=step, error=err.error, args=list(err.args), kwargs=err.kwargs)
        else:
            emit(role="frontend", step=step, unexpected_result=result_of(value))

    updates = []
    final = await call(
        p + ".countdown",
        3,
        options=CallOptions(on_progress=lambda *a, **kw: updates.append({"args": list(a), "kwargs": kw})),
    )
    emit(role="frontend", step="progress", updates=updates, final=result_of(final))
    emit(role="frontend", step="no_progress", final=result_of(await call(p + ".countdown", 2)))

    own_events = []
    got_own = loop.create_future()

    def on_own(*args, **kwargs):
        own_events.append({"args": list(args), "kwargs": kwargs})
        if not got_own.done():
            got_own.set_result(True)

    await asyncio.wait_for(s.subscribe(on_own, p + ".topic"), step_timeout)
    ack = PublishOptions(acknowledge=True)
    pub1 = await asyncio.wait_for(s.publish(p + ".topic", "hello", 42, options=ack, n=1, who="ü"), step_timeout)
    pub2 = await asyncio.wait_for(
        s.publish(p + ".topic", "again", options=PublishOptions(acknowledge=True, exclude_me=False)),
        step_timeout,
    )
    emit(role="frontend", step="published", publications=[pub1.id, pub2.id])
    # One connection delivers in order: the first event the publisher sees must be its second
    # publication (the first excluded it by default).
    await asyncio.wait_for(got_own, step_timeout)
    emit(role="frontend", step="own_events", events=own_events)


async def main(args):
    if args.url.startswith("rs:") and patch_rawsocket_transport_details():
        emit(quirk="rawsocket_transport_details")
    t = args.step_timeout
    if args.role == "backend":
        session = await connect(args.url, args.serializer, args.realm, "backend", t)
        backend = Backend(session, args.prefix)
        await backend.setup()
        await backend.wait_for_events(args.timeout)
        await leave(session, t)
    elif args.role == "frontend":
        session = await connect(args.url, args.serializer, args.realm, "frontend", t)
        await frontend(session, args.prefix, t)
        await leave(session, t)
    else:
        back = await connect(args.url, args.serializer, args.realm, "backend", t)
        backend = Backend(back, args.prefix)
        await backend.setup()
        front = await connect(args.url, args.serializer, args.realm, "frontend", t)
        await frontend(front, args.prefix, t)
        await backend.wait_for_events(t)
        await leave(front, t)
        await leave(back, t)
    emit(done=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--serializer", required=True)
    parser.add_argument("--role", choices=["backend", "frontend", "both"], default="both")
    parser.add_argument("--prefix", required=True, help="URI prefix of this run's procedures and topic")
    parser.add_argument("--realm", default="realm1")
    parser.add_argument("--timeout", type=float, default=10.0, help="whole run, seconds")
    parser.add_argument("--step-timeout", type=float, default=5.0, help="each network step, seconds")
    parser.add_argument("--log-level", default="warn", help="Autobahn's log level, logged to stderr")
    return parser.parse_args(argv)


def run(argv):
    args = parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
