"""Event hashes at ingestion speed, always equal to `app.audit.wire.event_hash`, and the bounds
every event's shape must keep at the door.

`wire.event_hash` (the pure-Python RFC 8785 implementation) costs ~80 µs an event — more than the
whole budget of a 20,000 events/s server. orjson with sorted keys produces the same bytes as
RFC 8785 at ~5 µs, but only for values where the two encodings provably coincide: no floats
(ECMAScript number formatting), integers within ±(2^53 − 1) (RFC 8785 refuses the others), and
object keys without characters beyond the Basic Multilingual Plane (RFC 8785 sorts keys by UTF-16
code units, orjson by code points: the orders differ only for such keys). Strings are escaped the
same way by both (only ", \\ and controls; lone surrogates make orjson refuse). `hash_matches`
lets the fast hash decide only for events in that domain (`fast_domain`); any other event is
hashed by the reference, and an event the reference cannot hash at all matches no hash
(`reference_hash` is None: ingestion refuses it with SERVER_EVENT_NOT_CANONICAL).
tests/server/test_canonical.py checks the verdict against the reference over key orders, number
forms, escapes, non-BMP characters and integers beyond 2^53.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from app.audit import wire

__all__ = ["EventLimits", "bounds_problem", "fast_domain", "hash_matches", "reference_hash", "shape_ok"]


def _fast_hash(event: Mapping[str, Any]) -> str | None:
    if type(event) is dict and "hash" in event:  # set "hash" aside rather than copy the event (~2 µs)
        stated = event.pop("hash")
        try:
            return _fast_hash(event)
        finally:
            event["hash"] = stated
    try:
        body = orjson.dumps({k: v for k, v in event.items() if k != "hash"} if "hash" in event else event,
                            option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return None
    return hashlib.sha256(body).hexdigest()


def reference_hash(event: Mapping[str, Any]) -> str | None:
    try:
        return wire.event_hash(event)
    except Exception:  # noqa: BLE001 — rfc8785 refuses what it cannot encode: no valid hash
        return None


def hash_matches(event: Mapping[str, Any], stated: str) -> bool:
    """True when `stated` is the event's hash under wire's definition (the reference's verdict)."""
    if fast_domain(event):
        return _fast_hash(event) == stated or reference_hash(event) == stated
    return reference_hash(event) == stated


_JS_SAFE = 2**53 - 1
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]").search


def fast_domain(event: Mapping[str, Any]) -> bool:
    """True when orjson's sorted encoding of `event` is byte for byte its RFC 8785 encoding (or
    orjson refuses it): only then may the fast hash say "same"."""
    stack: list[Any] = [event]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is dict:
            for key, item in value.items():
                if type(key) is not str or (not key.isascii() and _BEYOND_BMP(key)):
                    return False
                stack.append(item)
        elif kind is list:
            stack.extend(value)
        elif kind is int:
            if not -_JS_SAFE <= value <= _JS_SAFE:
                return False
        elif kind not in _SAFE_SCALARS:
            return False  # floats, int/str subclasses, anything else: the reference decides
    return True


_SAFE_SCALARS = frozenset({str, bool, type(None)})


@dataclass(frozen=True)
class EventLimits:
    """The largest event the server takes (ServerSettings.event_*): every limit named in a refusal."""

    depth: int = 32  # nesting of objects and lists inside "data"
    members: int = 2_000  # object members and list items inside "data", all levels
    string: int = 16 * 1024  # characters of any one string (keys included)
    event_bytes: int = 64 * 1024  # UTF-8 bytes of the event's JSON (escapes not counted)


def bounds_problem(event: Mapping[str, Any], limits: EventLimits) -> tuple[str, int] | None:
    """(limit name, its value) of the first limit `event` exceeds, or None. Iterative and stops at
    the first excess: any depth or size is measured in bounded time and stack."""
    size, members = 0, 0
    stack: list[tuple[Any, int]] = [(event, 0)]
    while stack:
        value, depth = stack.pop()
        kind = type(value)
        if kind is str:
            if len(value) > limits.string:
                return "string", limits.string
            size += (len(value) if value.isascii() else len(value.encode("utf-8", "surrogatepass"))) + 2
        elif kind is dict or kind is list:
            if depth > limits.depth:
                return "depth", limits.depth
            members += len(value)
            if members > limits.members:
                return "members", limits.members
            size += 2 + len(value)
            if kind is dict:
                for key, item in value.items():
                    if type(key) is not str:
                        return "string", limits.string  # JSON has only string keys
                    if len(key) > limits.string:
                        return "string", limits.string
                    size += (len(key) if key.isascii() else len(key.encode("utf-8", "surrogatepass"))) + 3
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
        else:
            size += 8
        if size > limits.event_bytes:
            return "event_bytes", limits.event_bytes
    return None


_SEALED_MEMBERS = frozenset(wire.FIELDS)
_HEX64 = re.compile(r"[0-9a-f]{64}").fullmatch
_SCALARS = frozenset({str, int, bool, type(None)})


def shape_ok(event: Any) -> bool:
    """A fast check that is never looser than `wire.check_shape(event)` (sealed): True means wire
    accepts the event; False means "ask wire" (which then names the problem, or accepts it)."""
    if type(event) is not dict or event.keys() != _SEALED_MEMBERS:
        return False
    if not (type(event["workstation"]) is str and type(event["type"]) is str and type(event["at_utc"]) is str
            and type(event["at_local"]) is str and type(event["os_user"]) is str
            and type(event["app_version"]) is str):
        return False
    name, role = event["user_name"], event["user_role"]
    if (name is not None and type(name) is not str) or (role is not None and type(role) is not str):
        return False
    prev, digest = event["prev_hash"], event["hash"]
    if type(prev) is not str or type(digest) is not str or not _HEX64(prev) or not _HEX64(digest):
        return False
    v, seq = event["v"], event["seq"]
    if type(v) is not int or v != wire.FORMAT_VERSION or type(seq) is not int or seq < 1:
        return False
    return event["mode"] in wire.MODES and type(event["data"]) is dict and _plain(event["data"])


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) not in _SCALARS and not _plain(item)):
                return False
        return True
    if kind is list:
        return all(type(item) in _SCALARS or _plain(item) for item in value)
    return kind in _SCALARS
