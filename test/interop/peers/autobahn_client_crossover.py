#!/usr/bin/python3
"""Client crossover peer: one Autobahn|Python session (asyncio; tested with Debian's 22.7.1) that
talks to an xwamp client component THROUGH a router.

  /usr/bin/python3 autobahn_client_crossover.py --url URL --serializer NAME [--realm realm1]

URL   ws://host:port/path (WebSocket) or rs://host:port (RawSocket over TCP).
NAME  an Autobahn serializer id: json, msgpack, cbor, ubjson (optionally + ".batched" on WebSocket).

The xwamp side is expected to have registered com.example.xwamp.add (a + b; with kwargs
{"verbose": true} it answers CallResult([a + b], {"a": a, "b": b})) and com.example.xwamp.fail
(raises com.example.xwamp.error.bad with args and kwargs), and to be subscribed to
com.example.xwamp.topic. This session

1. registers com.example.py.mul (a * b; kwargs are echoed back as keyword results), and
   com.example.py.fail (raises com.example.py.error.bad, "why", 9, detail="ü"), subscribes to
   com.example.py.topic, and prints {"step": "ready"};
2. calls com.example.xwamp.add(2, 3), com.example.xwamp.add(20, 22, verbose=True),
   com.example.xwamp.fail(1) and com.example.xwamp.nobody_home(), and publishes to
   com.example.xwamp.topic ("hello", b"\\x00\\x01\\xfe\\xff", n=1, who="ü") with acknowledge
   (Autobahn|Python 22.7.1's PublishOptions has no disclose_me: the publisher stays anonymous);
3. waits until the xwamp side has called com.example.py.mul and published once to
   com.example.py.topic, then leaves.

Output: one JSON object per line on stdout ({"step": ..., ...}), last {"done": true}; exit status
0. A failure prints {"failed": "<error>"} and a traceback on stderr, exit status 1 (2 on timeout).
Bytes are printed as {"$bytes": hex}.

Peer bug worked around: Debian's 22.7.1 asyncio RawSocket client protocol lacks the
`transport_details` attribute that the session reads when WELCOME arrives, so the session dies right
after joining. When it is missing this script adds it as a property returning the protocol's own
`_transport_details`, and prints {"quirk": "rawsocket_transport_details"}.
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
    CallResult,
    ComponentConfig,
    PublishOptions,
    RegisterOptions,
    SubscribeOptions,
)


def plain(value):
    """JSON-safe: bytes as {"$bytes": hex}, containers recursively."""
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": bytes(value).hex()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def emit(**fields):
    sys.stdout.write(json.dumps(plain(fields), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def outcome(value):
    if isinstance(value, CallResult):
        return {"results": list(value.results), "kwresults": dict(value.kwresults)}
    return {"value": value}


class Session(ApplicationSession):
    def __init__(self, config):
        super().__init__(config)
        loop = asyncio.get_running_loop()
        self.joined = loop.create_future()
        self.gone = loop.create_future()
        self.leave_reason = None

    def onJoin(self, details):
        if not self.joined.done():
            self.joined.set_result(details)

    def onLeave(self, details):
        self.leave_reason = details.reason
        return super().onLeave(details)

    def onDisconnect(self):
        if not self.joined.done():
            self.joined.set_exception(ConnectionError("transport closed before WELCOME"))
        if not self.gone.done():
            self.gone.set_result(True)


def patch_rawsocket():
    if hasattr(WampRawSocketClientProtocol, "transport_details"):
        return False
    WampRawSocketClientProtocol.transport_details = property(
        lambda self: getattr(self, "_transport_details", None)
    )
    return True


async def connect(url, serializer_name, realm, step):
    loop = asyncio.get_running_loop()
    session = Session(ComponentConfig(realm=realm))
    serializer = create_transport_serializer(serializer_name)
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "ws":
        factory = WampWebSocketClientFactory(lambda: session, url=url, serializers=[serializer])
    elif parsed.scheme == "rs":
        if patch_rawsocket():
            emit(quirk="rawsocket_transport_details")
        factory = WampRawSocketClientFactory(lambda: session, serializer=serializer)
    else:
        raise ValueError("unsupported URL {!r}".format(url))
    await asyncio.wait_for(loop.create_connection(factory, parsed.hostname, parsed.port), step)
    details = await asyncio.wait_for(session.joined, step)
    emit(
        step="joined",
        session=details.session,
        realm=details.realm,
        serializer=session._transport._serializer.SERIALIZER_ID,
    )
    return session


async def run(args):
    step = args.step_timeout
    loop = asyncio.get_running_loop()
    s = await connect(args.url, args.serializer, args.realm, step)

    mul_called = loop.create_future()
    event_seen = loop.create_future()

    def mul(a, b, details=None, **kwargs):
        emit(step="invoked_mul", args=[a, b], kwargs=kwargs, caller=details.caller, procedure=details.procedure)
        if not mul_called.done():
            mul_called.set_result(True)
        if kwargs:
            return CallResult(a * b, **kwargs)
        return a * b

    def fail(*args, **kwargs):
        raise ApplicationError("com.example.py.error.bad", "why", 9, detail="ü")

    def on_event(*args, details=None, **kwargs):
        emit(
            step="event",
            args=list(args),
            kwargs=kwargs,
            topic=details.topic,
            publication=details.publication,
            publisher=details.publisher,
        )
        if not event_seen.done():
            event_seen.set_result(True)

    await asyncio.wait_for(
        s.register(mul, "com.example.py.mul", options=RegisterOptions(details_arg="details")), step
    )
    await asyncio.wait_for(s.register(fail, "com.example.py.fail"), step)
    await asyncio.wait_for(
        s.subscribe(on_event, "com.example.py.topic", options=SubscribeOptions(details_arg="details")),
        step,
    )
    emit(step="ready")

    def call(*a, **kw):
        return asyncio.wait_for(s.call(*a, **kw), step)

    emit(step="add", **outcome(await call("com.example.xwamp.add", 2, 3)))
    emit(step="add_verbose", **outcome(await call("com.example.xwamp.add", 20, 22, verbose=True)))
    for name, procedure in (("xwamp_error", "com.example.xwamp.fail"), ("missing", "com.example.xwamp.nobody_home")):
        try:
            value = await call(procedure, 1)
        except ApplicationError as err:
            emit(step=name, error=err.error, args=list(err.args), kwargs=err.kwargs)
        else:
            emit(step=name, unexpected=outcome(value))

    publication = await asyncio.wait_for(
        s.publish(
            "com.example.xwamp.topic",
            "hello",
            b"\x00\x01\xfe\xff",
            options=PublishOptions(acknowledge=True),
            n=1,
            who="ü",
        ),
        step,
    )
    emit(step="published", publication=publication.id, session=s._session_id)

    await asyncio.wait_for(asyncio.gather(mul_called, event_seen), args.timeout)
    s.leave()
    await asyncio.wait_for(s.gone, step)
    emit(step="left", reason=s.leave_reason)
    emit(done=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--serializer", required=True)
    parser.add_argument("--realm", default="realm1")
    parser.add_argument("--timeout", type=float, default=10.0, help="whole run, seconds")
    parser.add_argument("--step-timeout", type=float, default=5.0, help="each network step, seconds")
    args = parser.parse_args(argv)
    txaio.start_logging(out=sys.stderr, level="warn")
    try:
        asyncio.run(asyncio.wait_for(run(args), args.timeout))
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
    sys.exit(main(sys.argv[1:]))
