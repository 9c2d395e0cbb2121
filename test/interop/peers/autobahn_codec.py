#!/usr/bin/python3
"""Codec-level interop peer: Autobahn|Python (tested against 22.7.1, Debian python3-autobahn).

Run with the system Python that has autobahn, msgpack, cbor2 and ubjson importable:

  /usr/bin/python3 autobahn_codec.py produce
      Builds realistic instances of every WAMP message class Autobahn has and serializes each with
      every Autobahn serializer (json, msgpack, cbor, ubjson; plain and ".batched"). Prints one JSON
      line per payload:
        {"serializer": "cbor.batched", "type": 48, "name": "call.full", "hex": "...",
         "expected": <marshal() list>}
      Batched serializers additionally get one payload holding every message of the run
      ("multi": true, "type": null, "expected": [<marshal()>, ...], "names": [<name>, ...]).
      Messages Autobahn itself cannot read back (see EXTENSIONS) carry "extension": true.

  /usr/bin/python3 autobahn_codec.py consume
      Reads JSON lines {"serializer": ..., "hex": ..., "id"?: ...} from stdin (bytes produced by the
      peer under test), parses them with Autobahn's ISerializer.unserialize (which builds and
      validates the strict autobahn.wamp.message classes) and prints one line per input line:
        {"id": ..., "ok": true, "type": N, "marshal": [...], "all": [[...], ...]}
        {"id": ..., "ok": false, "error": "ProtocolError: ..."}
      "marshal" is the first message's marshal(); "all" holds every message of a batched payload.

  /usr/bin/python3 autobahn_codec.py info
      Prints the Autobahn version and serializer names available.

JSON-safe encoding of values: autobahn_common.to_json_safe, strict (a non-string map key or a value
of any other type is an error): bytes become {"$bytes": "<hex>"}; integers outside [-2^53, 2^53]
(not exact in an IEEE-754 double) become {"$int": "<decimal>"}; floats that are integral or not finite
become {"$float": "<repr>"} (so an integer that travelled as a float is visible); tuples become lists.
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# First: it chooses txaio's asyncio framework (autobahn's serializers read the clock through txaio).
import autobahn_common  # noqa: E402, I001

import autobahn  # noqa: E402
from autobahn.wamp import message as m  # noqa: E402
from autobahn.wamp import role  # noqa: E402
from autobahn.wamp import serializer as ser  # noqa: E402

BASES = {
    "json": ser.JsonSerializer,
    "msgpack": ser.MsgPackSerializer,
    "cbor": ser.CBORSerializer,
    "ubjson": ser.UBJSONSerializer,
}

SERIALIZER_NAMES = [name + suffix for name in BASES for suffix in ("", ".batched")]

# Message kinds Autobahn models but whose serializers refuse to read back: EventReceived is
# implementation-specific (MESSAGE_TYPE 337, "should be 37 on ratification") and is missing from
# Serializer.MESSAGE_TYPE_MAP, so unserialize() rejects it.
EXTENSIONS = {getattr(m, "EventReceived", None)} - {None}


def make_serializer(name):
    base, _, suffix = name.partition(".")
    if base not in BASES or suffix not in ("", "batched"):
        raise ValueError("unknown serializer {!r}".format(name))
    return BASES[base](batched=suffix == "batched")


def to_json_safe(value):
    """Strict: a payload this script cannot show exactly is an error, not a tagged value."""
    return autobahn_common.to_json_safe(value, strict=True)


# --- produce -----------------------------------------------------------------------------------

BIG = 2**53
BLOB = bytes(range(256))  # every byte value, including NUL and 0xff
UNICODE = "Grüße, 世界! Ça va? Ωμέγα \U0001F30D\U0001F44B"


# Integer encodings change at these values (MessagePack fixint/int8/16/32/64, CBOR 1/2/4/8-byte
# arguments, UBJSON int8/uint8/int16/int32/int64).
INT_BOUNDARIES = [
    23, 24, 127, 128, 255, 256, 32767, 32768, 65535, 65536,
    2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**53 - 1,
    -24, -25, -32, -33, -128, -129, -256, -257, -32768, -32769, -65536, -65537,
    -2**31, -2**31 - 1, -2**32, -2**32 - 1, -(2**53 - 1),
]


def app_args():
    return [
        "Hello, world! 你好",
        42,
        BIG,
        -BIG,
        0,
        -1,
        3.14159,
        -0.5,
        True,
        False,
        None,
        b"\x00\x01\xfe\xff",
        [1, [2, [3, [4, "deep"]]]],
        {"k": "v", "n": {"m": [None, {"x": 1.5}]}},
        UNICODE,
        "",
        "tab\tnewline\ncontrol\x01quote\"backslash\\ line-sep\u2028",
        INT_BOUNDARIES,
        [1, 2, 3, 255],
    ]


def app_kwargs():
    return {
        "unicode": UNICODE,
        "blob": BLOB,
        "empty_blob": b"",
        "big": BIG,
        "nested": {"a": {"b": [True, False, None, {"c": b"\xca\xfe"}]}},
        "list": [],
        "map": {},
        "ключ": "значение",
        "float": 1e-3,
        "": "empty key",
        "map16": {"k{}".format(i): i for i in range(20)},
    }


def large_args():
    """Sizes past every 16-bit length field (MessagePack str32/bin32/array32, CBOR 4-byte lengths)."""
    return [bytes(i % 251 for i in range(65600)), "ü" * 32800, list(range(65600))]


def realistic_messages():
    """(name, message) pairs covering every message class and the options Autobahn marshals."""
    hello_roles_full = {
        "subscriber": role.RoleSubscriberFeatures(
            publisher_identification=True,
            pattern_based_subscription=True,
            subscription_revocation=True,
            payload_transparency=True,
        ),
        "publisher": role.RolePublisherFeatures(
            publisher_identification=True,
            subscriber_blackwhite_listing=True,
            publisher_exclusion=True,
        ),
        "caller": role.RoleCallerFeatures(
            caller_identification=True,
            call_timeout=True,
            call_canceling=True,
            progressive_call_results=True,
        ),
        "callee": role.RoleCalleeFeatures(
            caller_identification=True,
            pattern_based_registration=True,
            shared_registration=True,
            call_timeout=True,
            call_canceling=True,
            progressive_call_results=True,
            registration_revocation=True,
        ),
    }
    welcome_roles = {
        "broker": role.RoleBrokerFeatures(
            publisher_identification=True,
            pattern_based_subscription=True,
            session_meta_api=True,
            subscription_meta_api=True,
            subscriber_blackwhite_listing=True,
            publisher_exclusion=True,
            subscription_revocation=True,
        ),
        "dealer": role.RoleDealerFeatures(
            caller_identification=True,
            pattern_based_registration=True,
            session_meta_api=True,
            registration_meta_api=True,
            shared_registration=True,
            call_timeout=True,
            call_canceling=True,
            progressive_call_results=True,
            registration_revocation=True,
        ),
    }
    pubkey = "545efb0a2192db8d43f118e9bf9aee081466e1ef36c708b96ee6f62dddad9122"
    challenge = "fa034062ad76352b53a25358854577730db82f367aa439709c91296d04a5716c"
    signature = "bd3c1b4f8a3b29e3b2b4c8a7" * 8
    msgs = [
        ("hello.full", m.Hello(
            "realm1",
            hello_roles_full,
            authmethods=["cryptosign", "ticket", "anonymous"],
            authid="alice",
            authrole="user",
            authextra={"pubkey": pubkey, "channel_binding": None, "trustroot": None},
        )),
        ("hello.minimal", m.Hello("com.example.realm", {"subscriber": role.RoleSubscriberFeatures()})),
        ("welcome.full", m.Welcome(
            BIG,
            welcome_roles,
            realm="realm1",
            authid="alice",
            authrole="user",
            authmethod="cryptosign",
            authprovider="static",
            authextra={"x_cb_node": "node1", "x_cb_peer": "tcp4:127.0.0.1:51234", "x_cb_pid": 4242},
        )),
        ("welcome.custom", m.Welcome(1, {"dealer": role.RoleDealerFeatures()}, custom={"x_xwamp_test": [1, "a"]})),
        ("abort.message", m.Abort("wamp.error.no_such_realm", message="no realm 'ümlaut' on this router \U0001F6AB")),
        ("abort.bare", m.Abort("wamp.error.not_authorized")),
        ("challenge.cryptosign", m.Challenge("cryptosign", {"challenge": challenge, "channel_binding": None})),
        ("challenge.wampcra", m.Challenge("wampcra", {
            "challenge": json.dumps({"authid": "joe", "nonce": "LHRTC9zeOIrt_9U3", "timestamp": "2014-06-22T16:36:25.448Z"}),
            "salt": "salt123",
            "iterations": 1000,
            "keylen": 32,
        })),
        ("authenticate.cryptosign", m.Authenticate(signature + challenge, {})),
        ("authenticate.extra", m.Authenticate("secret-ticket-ü", {"nonce": "abc", "extra_bin": b"\x00\x10"})),
        ("goodbye.default", m.Goodbye()),
        ("goodbye.message", m.Goodbye("wamp.close.system_shutdown", message="router going down — bye \U0001F44B")),
        ("goodbye.and_out", m.Goodbye("wamp.close.goodbye_and_out")),
        ("error.call.full", m.Error(
            m.Call.MESSAGE_TYPE, BIG, "com.example.error.not_found",
            args=["no such user", {"nested": [1, 2.5, None, True]}, b"\xde\xad\xbe\xef"],
            kwargs=app_kwargs(),
        )),
        ("error.subscribe.bare", m.Error(m.Subscribe.MESSAGE_TYPE, 5, "wamp.error.not_authorized")),
        ("error.invocation.args", m.Error(m.Invocation.MESSAGE_TYPE, 12, "wamp.error.runtime_error", args=["boom ✗"])),
        ("error.call.callee", m.Error(
            m.Call.MESSAGE_TYPE, 13, "wamp.error.canceled", args=[],
            kwargs={"reason": "killed"}, callee=BIG, callee_authid="bob", callee_authrole="backend",
        )),
        ("error.register", m.Error(m.Register.MESSAGE_TYPE, 14, "wamp.error.procedure_already_exists")),
        ("error.unregister", m.Error(m.Unregister.MESSAGE_TYPE, 15, "wamp.error.no_such_registration")),
        ("error.unsubscribe", m.Error(m.Unsubscribe.MESSAGE_TYPE, 16, "wamp.error.no_such_subscription")),
        ("error.publish", m.Error(m.Publish.MESSAGE_TYPE, 17, "wamp.error.invalid_uri", args=["bad topic"])),
        ("publish.full", m.Publish(
            1, "com.myapp.topic1", args=app_args(), kwargs=app_kwargs(),
            acknowledge=True, exclude_me=False, exclude=[BIG, 123], exclude_authid=["mallory"],
            exclude_authrole=["guest"], eligible=[456, BIG - 1], eligible_authid=["bob", "carol"],
            eligible_authrole=["user"], retain=True,
        )),
        ("publish.bare", m.Publish(2, "com.myapp.heartbeat")),
        ("publish.args", m.Publish(BIG, "com.myapp.topic2", args=[b"", b"\x00"], acknowledge=True)),
        ("published", m.Published(1, BIG)),
        ("subscribe.exact", m.Subscribe(3, "com.myapp.topic1")),
        ("subscribe.prefix", m.Subscribe(4, "com.myapp", match=m.Subscribe.MATCH_PREFIX)),
        ("subscribe.wildcard", m.Subscribe(BIG, "com..topic1", match=m.Subscribe.MATCH_WILDCARD, get_retained=True)),
        ("subscribed", m.Subscribed(3, BIG)),
        ("unsubscribe", m.Unsubscribe(6, BIG)),
        ("unsubscribed", m.Unsubscribed(6)),
        ("unsubscribed.revocation", m.Unsubscribed(0, subscription=BIG, reason="wamp.error.subscription_revoked")),
        ("event.full", m.Event(
            BIG, 1234, args=app_args(), kwargs=app_kwargs(),
            publisher=5678, publisher_authid="alice", publisher_authrole="user",
            topic="com.myapp.topic1.sub", retained=True,
        )),
        ("event.bare", m.Event(1, 2)),
        ("event.args", m.Event(1, BIG, args=["only positional", {"ü": "ß"}])),
        # Keys that are special to JavaScript objects are ordinary keys in WAMP.
        ("event.special_keys", m.Event(2, 3, args=[{"__proto__": 1}], kwargs={
            "__proto__": {"polluted": True}, "constructor": "c", "toString": 1, "hasOwnProperty": None,
        })),
        ("call.full", m.Call(
            BIG, "com.example.echo", args=app_args(), kwargs=app_kwargs(),
            timeout=1000, receive_progress=True,
        )),
        ("call.add2", m.Call(7, "com.arguments.add2", args=[2, 3])),
        ("call.large", m.Call(8, "com.example.large", args=large_args())),
        ("call.bare", m.Call(9, "com.example.noargs")),
        ("call.kwargs_only", m.Call(10, "com.example.kw", args=[], kwargs={"x": 1})),
        ("cancel.default", m.Cancel(7)),
        ("cancel.killnowait", m.Cancel(BIG, mode=m.Cancel.KILLNOWAIT)),
        ("cancel.kill", m.Cancel(9, mode=m.Cancel.KILL)),
        ("cancel.skip", m.Cancel(10, mode=m.Cancel.SKIP)),
        ("result.add2", m.Result(7, args=[5])),
        ("result.progress", m.Result(
            BIG, args=app_args(), kwargs=app_kwargs(), progress=True,
            callee=99, callee_authid="bob", callee_authrole="backend",
        )),
        ("result.bare", m.Result(9)),
        ("register.exact", m.Register(10, "com.example.add2")),
        ("register.prefix", m.Register(
            11, "com.example.api", match=m.Register.MATCH_PREFIX, invoke=m.Register.INVOKE_ROUNDROBIN,
            concurrency=4, force_reregister=True,
        )),
        ("register.wildcard", m.Register(BIG, "com..add", match=m.Register.MATCH_WILDCARD, invoke=m.Register.INVOKE_RANDOM)),
        ("registered", m.Registered(10, BIG)),
        ("unregister", m.Unregister(12, BIG)),
        ("unregistered", m.Unregistered(12)),
        ("unregistered.revocation", m.Unregistered(0, registration=BIG, reason="wamp.error.registration_revoked")),
        ("invocation.full", m.Invocation(
            BIG, 99, args=app_args(), kwargs=app_kwargs(), timeout=1000, receive_progress=True,
            caller=5678, caller_authid="alice", caller_authrole="user", procedure="com.example.echo",
        )),
        ("invocation.bare", m.Invocation(1, BIG)),
        ("interrupt.kill", m.Interrupt(13, mode=m.Interrupt.KILL, reason="wamp.error.canceled")),
        ("interrupt.killnowait", m.Interrupt(BIG, mode=m.Interrupt.KILLNOWAIT, reason="wamp.error.timeout")),
        ("interrupt.bare", m.Interrupt(14)),
        ("yield.progress", m.Yield(13, args=app_args(), kwargs=app_kwargs(), progress=True)),
        ("yield.args", m.Yield(BIG, args=[1])),
        ("yield.bare", m.Yield(15)),
    ]
    if hasattr(m, "EventReceived"):
        msgs.append(("event_received", m.EventReceived(1234)))
    return msgs


def produce(out):
    msgs = realistic_messages()
    for name in SERIALIZER_NAMES:
        serializer = make_serializer(name)
        batch = []
        for label, msg in msgs:
            data, _is_binary = serializer.serialize(msg)
            line = {
                "serializer": name,
                "type": msg.MESSAGE_TYPE,
                "name": label,
                "hex": data.hex(),
                "expected": to_json_safe(msg.marshal()),
            }
            if type(msg) in EXTENSIONS:
                line["extension"] = True
            else:
                batch.append((data, msg))
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        if serializer._serializer._batched:
            # Autobahn's batched serialize() frames each message on its own (length prefix or
            # trailing 0x18), so a multi-message batch is the concatenation of those frames.
            out.write(json.dumps({
                "serializer": name,
                "type": None,
                "name": "batch.all",
                "multi": True,
                "hex": b"".join(d for d, _ in batch).hex(),
                "expected": [to_json_safe(msg.marshal()) for _, msg in batch],
                "names": [label for label, _ in msgs if type(_) not in EXTENSIONS],
            }, ensure_ascii=False) + "\n")


# --- consume -----------------------------------------------------------------------------------

def consume(inp, out):
    serializers = {}
    for raw_line in inp:
        raw_line = raw_line.strip()
        if not raw_line:
            continue
        request = {}
        try:
            request = json.loads(raw_line)
            name = request["serializer"]
            if name not in serializers:
                serializers[name] = make_serializer(name)
            payload = bytes.fromhex(request["hex"])
            msgs = serializers[name].unserialize(payload)
            marshals = [to_json_safe(msg.marshal()) for msg in msgs]
            reply = {
                "ok": True,
                "type": msgs[0].MESSAGE_TYPE if msgs else None,
                "marshal": marshals[0] if marshals else None,
                "all": marshals,
            }
        except Exception as e:  # noqa: BLE001 - every failure is reported, the peer keeps going
            reply = {"ok": False, "error": "{}: {}".format(type(e).__name__, e)}
        if "id" in request:
            reply["id"] = request["id"]
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()


def main(argv):
    # Our JSON lines are UTF-8 regardless of the locale the test runner gives us.
    sys.stdin.reconfigure(encoding="utf-8")
    sys.stdout.reconfigure(encoding="utf-8")
    mode = argv[1] if len(argv) > 1 else ""
    if mode == "produce":
        produce(sys.stdout)
    elif mode == "consume":
        consume(sys.stdin, sys.stdout)
    elif mode == "info":
        print(json.dumps({
            "autobahn": autobahn.__version__,
            "serializers": SERIALIZER_NAMES,
            "event_received_type": getattr(getattr(m, "EventReceived", None), "MESSAGE_TYPE", None),
        }))
    else:
        sys.stderr.write("usage: autobahn_codec.py produce|consume|info\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
