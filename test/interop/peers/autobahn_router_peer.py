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
(2 on the --timeout). Values are made JSON-safe by autobahn_common.to_json_safe: bytes {"$bytes": hex},
integers outside +-2^53 {"$int": "..."}, integral or non-finite floats {"$float": "..."}.

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
    CallOptions,
    CallResult,
    PublishOptions,
    RegisterOptions,
    SubscribeOptions,
)

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
    t = args.step_timeout
    if args.role == "backend":
        session = await connect(args.url, args.serializer, args.realm, t, "backend")
        backend = Backend(session, args.prefix)
        await backend.setup()
        await backend.wait_for_events(args.timeout)
        await leave(session, t)
    elif args.role == "frontend":
        session = await connect(args.url, args.serializer, args.realm, t, "frontend")
        await frontend(session, args.prefix, t)
        await leave(session, t)
    else:
        back = await connect(args.url, args.serializer, args.realm, t, "backend")
        backend = Backend(back, args.prefix)
        await backend.setup()
        front = await connect(args.url, args.serializer, args.realm, t, "frontend")
        await frontend(front, args.prefix, t)
        await backend.wait_for_events(t)
        await leave(front, t)
        await leave(back, t)
    emit(done=True)


def parse_args(argv):
    parser = argument_parser(__doc__, timeout=10.0, step_timeout=5.0, log_level="warn")
    parser.add_argument("--url", required=True)
    parser.add_argument("--serializer", required=True)
    parser.add_argument("--role", choices=["backend", "frontend", "both"], default="both")
    parser.add_argument("--prefix", required=True, help="URI prefix of this run's procedures and topic")
    parser.add_argument("--realm", default="realm1")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run(main, parse_args(sys.argv[1:])))
