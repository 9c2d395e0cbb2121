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

The RawSocket `transport_details` workaround for Debian's 22.7.1 is autobahn_common.py's (it prints
{"quirk": "rawsocket_transport_details"}).
"""

import asyncio
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# First: it chooses txaio's asyncio framework before anything of Autobahn's loads.
from autobahn_common import argument_parser, connect, emit, leave, result_of, run  # noqa: E402, I001

from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.types import (  # noqa: E402
    CallResult,
    PublishOptions,
    RegisterOptions,
    SubscribeOptions,
)


async def main(args):
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

    emit(step="add", **result_of(await call("com.example.xwamp.add", 2, 3)))
    emit(step="add_verbose", **result_of(await call("com.example.xwamp.add", 20, 22, verbose=True)))
    for name, procedure in (("xwamp_error", "com.example.xwamp.fail"), ("missing", "com.example.xwamp.nobody_home")):
        try:
            value = await call(procedure, 1)
        except ApplicationError as err:
            emit(step=name, error=err.error, args=list(err.args), kwargs=err.kwargs)
        else:
            emit(step=name, unexpected=result_of(value))

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
    await leave(s, step)
    emit(done=True)


def parse_args(argv):
    parser = argument_parser(__doc__, timeout=10.0, step_timeout=5.0, log_level="warn")
    parser.add_argument("--url", required=True)
    parser.add_argument("--serializer", required=True)
    parser.add_argument("--realm", default="realm1")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run(main, parse_args(sys.argv[1:])))
