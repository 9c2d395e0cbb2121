#!/usr/bin/python3
"""Authentication interop peer: Autobahn|Python components (asyncio; tested with Debian's 22.7.1)
joining a router with Autobahn's own authenticators, configured the documented way:

    Component(transports=[...], realm=..., authentication={"ticket": {"authid": ..., "ticket": ...}})

  /usr/bin/python3 autobahn_auth_peer.py --scenarios JSON [--ca cert.pem] [--timeout S] [--step-timeout S]

JSON        a list of scenarios, run one after the other in this process:
            {"name": str, "url": "ws://..." | "wss://...", "realm": str (default realm1),
             "authentication": {<authmethod>: {<Autobahn authenticator kwargs>}, ...}}
            e.g. {"ticket": {"authid": "alice", "ticket": "s3cret"}},
                 {"wampcra": {"authid": "bob", "secret": "pw"}},
                 {"cryptosign": {"authid": "carol", "privkey": "<64 hex>",
                                 "authextra": {"channel_binding": "tls-unique"}}},
                 {"scram": {"authid": "erin", "password": "pw3"}}
--ca        PEM file trusted for wss:// (the hostname checked is the URL's host).

Output: one JSON object per line on stdout, one per scenario:
  {"name": ..., "outcome": "joined", "session": id, "authid": ..., "authrole": ..., "authmethod": ...,
   "authprovider": ..., "authextra": {...}, "left": "<close reason>"}   (the session then left), or
  {"name": ..., "outcome": "refused", "reason": "<ABORT reason URI>", "message": ...}, or
  {"name": ..., "outcome": "error", "error": "<what Autobahn raised>"},
then {"done": true}; exit status 0. A failure of the script itself: {"failed": "<error>"}, exit 1
(2 on --timeout).

Peer gap worked around: Debian ships python3-autobahn without argon2-cffi, so `AuthScram` refuses to
exist (auth.HAS_ARGON is False). When `argon2` cannot be imported, this script installs a stand-in
module `argon2.low_level.hash_secret` computing Argon2id v1.3 with libsodium (PyNaCl's
crypto_pwhash_alg, same parameters, PHC-string output like argon2-cffi's) and prints
{"quirk": "argon2_shim"}. Everything else in the SCRAM exchange is Autobahn's own code.
"""

import asyncio
import base64
import json
import os
import sys
import types
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def install_argon2_shim():
    """Provide argon2-cffi's `hash_secret` / `Type` via libsodium, before autobahn.wamp.auth loads."""
    try:
        import argon2  # noqa: F401
        return False
    except ImportError:
        pass
    import nacl.bindings as sodium

    class Type:
        ID = "argon2id"

    def hash_secret(secret, salt, time_cost, memory_cost, parallelism, hash_len, type, version):
        if parallelism != 1 or type != Type.ID or version != 0x13:
            raise ValueError("the argon2 stand-in only does Argon2id v1.3 with parallelism 1")
        raw = sodium.crypto_pwhash_alg(
            hash_len, secret, salt, time_cost, memory_cost * 1024, sodium.crypto_pwhash_ALG_ARGON2ID13
        )

        def b64(data):
            return base64.b64encode(data).rstrip(b"=")

        return b"$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s" % (memory_cost, time_cost, parallelism, b64(salt), b64(raw))

    low_level = types.ModuleType("argon2.low_level")
    low_level.hash_secret = hash_secret
    low_level.Type = Type
    package = types.ModuleType("argon2")
    package.Type = Type
    package.low_level = low_level
    sys.modules["argon2"] = package
    sys.modules["argon2.low_level"] = low_level
    return True


ARGON2_SHIM = install_argon2_shim()

# After the shim (autobahn.wamp.auth checks for argon2 when it loads); it chooses txaio's asyncio
# framework before anything of Autobahn's loads.
from autobahn_common import argument_parser, emit, run  # noqa: E402, I001

from autobahn.asyncio.component import Component  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402


def transport_for(url, ca):
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("ws", "wss"):
        raise ValueError("unsupported URL {!r} (ws:// or wss://)".format(url))
    endpoint = {"type": "tcp", "host": parsed.hostname, "port": parsed.port}
    if parsed.scheme == "wss":
        endpoint["tls"] = {"hostname": parsed.hostname, "trust_root": ca}
    return {"type": "websocket", "url": url, "endpoint": endpoint, "max_retries": 0}


async def run_scenario(scenario, ca, step_timeout):
    loop = asyncio.get_running_loop()
    component = Component(
        transports=[transport_for(scenario["url"], ca)],
        realm=scenario.get("realm", "realm1"),
        authentication=scenario["authentication"],
    )
    result = {}

    @component.on_join
    async def joined(session, details):
        result.update(
            outcome="joined",
            session=details.session,
            authid=details.authid,
            authrole=details.authrole,
            authmethod=details.authmethod,
            authprovider=details.authprovider,
            authextra=details.authextra,
        )
        await session.leave()

    @component.on_leave
    def left(session, details):
        if result.get("outcome") == "joined":
            result["left"] = details.reason

    @component.on_connectfailure
    def refused(_component, error):
        if "outcome" in result:
            return
        if isinstance(error, ApplicationError):
            result.update(outcome="refused", reason=error.error, message=error.kwargs.get("message", error.args))
        else:
            result.update(outcome="error", error="{}: {}".format(type(error).__name__, error))

    try:
        await asyncio.wait_for(component.start(loop), step_timeout)
    except asyncio.TimeoutError:
        result.setdefault("outcome", "error")
        result.setdefault("error", "timed out after {} s".format(step_timeout))
    except Exception as err:  # noqa: BLE001 - "exhausted all transports" after a refusal is expected
        if "outcome" not in result:
            result.update(outcome="error", error="{}: {}".format(type(err).__name__, err))
    emit(name=scenario["name"], **result)


async def main(args):
    if ARGON2_SHIM:
        emit(quirk="argon2_shim")
    for scenario in json.loads(args.scenarios):
        await run_scenario(scenario, args.ca, args.step_timeout)
    emit(done=True)


def parse_args(argv):
    parser = argument_parser(__doc__, timeout=60.0, step_timeout=15.0, log_level="critical")
    parser.add_argument("--scenarios", required=True, help="JSON list of scenarios")
    parser.add_argument("--ca", default=None, help="PEM file trusted for wss://")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(run(main, parse_args(sys.argv[1:])))
