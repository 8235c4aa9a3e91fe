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

__all__ = ["EventLimits", "bounds_problem", "fast_domain", "hash_matches", "inspect", "reference_hash", "shape_ok"]


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


def hash_matches(event: Mapping[str, Any], stated: str, *, fast: bool | None = None) -> bool:
    """True when `stated` is the event's hash under wire's definition (the reference's verdict).
    `fast`: `inspect(event)`'s verdict on the fast domain, when the caller already has it."""
    if fast if fast is not None else fast_domain(event):
        return _fast_hash(event) == stated or reference_hash(event) == stated
    return reference_hash(event) == stated


_JS_SAFE = 2**53 - 1
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]").search


def fast_domain(event: Mapping[str, Any]) -> bool:
    """True when orjson's sorted encoding of `event` is byte for byte its RFC 8785 encoding (or
    orjson refuses it): only then may the fast hash say "same"."""
    return inspect(event, _UNBOUNDED)[1]


@dataclass(frozen=True)
class EventLimits:
    """The largest event the server takes (ServerSettings.event_*): every limit named in a refusal."""

    depth: int = 32  # nesting of objects and lists inside the event ("data" is level 1)
    members: int = 2_000  # object members and list items inside the event, all levels
    string: int = 16 * 1024  # characters of any one string (keys included)
    event_bytes: int = 64 * 1024  # UTF-8 bytes of the event's strings and keys (escapes not counted)


_UNBOUNDED = EventLimits(depth=1 << 62, members=1 << 62, string=1 << 62, event_bytes=1 << 62)
_FAST_SCALARS = frozenset({str, bool, type(None)})


def bounds_problem(event: Mapping[str, Any], limits: EventLimits) -> tuple[str, int] | None:
    return inspect(event, limits)[0]


def inspect(event: Any, limits: EventLimits) -> tuple[tuple[str, int] | None, bool]:
    """One pass over the event, iterative, stopping at the first excess (so any depth or size is
    measured in bounded time and stack): (the first limit exceeded as (name, value), or None;
    whether the event is in the fast hash's domain — see the module's docstring).

    A sealed event of the format's shape takes a shorter way: its fixed members checked by name,
    only "data" walked (ingestion's hot path: ~20,000 events a second)."""
    if type(event) is dict and event.keys() == _SEALED_MEMBERS:
        return _inspect_sealed(event, limits)
    return _walk(event, limits)


_TOP_TEXTS = ("workstation", "mode", "prev_hash", "type", "at_utc", "at_local", "os_user", "user_name", "user_role",
              "app_version", "hash")


def _inspect_sealed(event: dict, limits: EventLimits) -> tuple[tuple[str, int] | None, bool]:
    chars, fast = 0, True
    for name in _TOP_TEXTS:
        value = event[name]
        if type(value) is str:
            size = len(value)
            if size > limits.string:
                return ("string", limits.string), False
            chars += size
        elif value is not None:
            fast = False  # not the format's type: the reference decides (and wire refuses it)
    seq, v = event["seq"], event["v"]
    if (type(seq) is int and not -_JS_SAFE <= seq <= _JS_SAFE) or (type(v) is int and not -_JS_SAFE <= v <= _JS_SAFE):
        fast = False
    if type(seq) is not int or type(v) is not int:
        fast = False
    data = event["data"]
    if type(data) is not dict:
        return None, False  # not the format: wire names the problem
    excess, data_fast = _walk(data, limits, base=chars, top_depth=1)
    return excess, fast and data_fast


def _walk(event: Any, limits: EventLimits, *, base: int = 0, top_depth: int = 0
          ) -> tuple[tuple[str, int] | None, bool]:
    """`event` (or the "data" of one, at `top_depth` 1, whose other members hold `base` characters)."""
    fast, members, chars, wide, sized = True, 0, base, False, False
    max_string, max_depth, max_members = limits.string, limits.depth, limits.members
    stack: list[tuple[Any, int]] = [(event, top_depth)]
    pop, push = stack.pop, stack.append
    while stack:
        value, depth = pop()
        kind = type(value)
        if kind is dict:
            if depth > max_depth:
                return ("depth", max_depth), False
            members += len(value)
            if members > max_members:
                return ("members", max_members), False
            for key, item in value.items():
                if type(key) is not str:
                    return ("string", max_string), False  # JSON has only string keys
                size = len(key)
                if size > max_string:
                    return ("string", max_string), False
                chars += size
                if not key.isascii():
                    wide = True
                    if fast and _BEYOND_BMP(key):
                        fast = False  # RFC 8785 sorts by UTF-16 code units, orjson by code points
                item_kind = type(item)
                if item_kind is str:
                    size = len(item)
                    if size > max_string:
                        return ("string", max_string), False
                    chars += size
                    wide = wide or not item.isascii()
                elif item_kind is dict or item_kind is list:
                    push((item, depth + 1))
                elif item_kind is int:
                    if fast and not -_JS_SAFE <= item <= _JS_SAFE:
                        fast = False
                elif item_kind not in _FAST_SCALARS:
                    fast = False  # floats, subclasses, anything else: the reference decides
        elif kind is list:
            if depth > max_depth:
                return ("depth", max_depth), False
            members += len(value)
            if members > max_members:
                return ("members", max_members), False
            for item in value:
                item_kind = type(item)
                if item_kind is str:
                    size = len(item)
                    if size > max_string:
                        return ("string", max_string), False
                    chars += size
                    wide = wide or not item.isascii()
                elif item_kind is dict or item_kind is list:
                    push((item, depth + 1))
                elif item_kind is int:
                    if fast and not -_JS_SAFE <= item <= _JS_SAFE:
                        fast = False
                elif item_kind not in _FAST_SCALARS:
                    fast = False
        else:  # a scalar at the top: no event, but a value fast_domain may be asked about
            if kind is str:
                if len(value) > max_string:
                    return ("string", max_string), False
                chars += len(value)
            elif kind is int:
                fast = fast and -_JS_SAFE <= value <= _JS_SAFE
            elif kind not in _FAST_SCALARS:
                fast = False
        if not sized and (chars * (4 if wide else 1) + members * 8) > limits.event_bytes:
            if _utf8_size(event) + base > limits.event_bytes:  # exact, once, near the limit
                return ("event_bytes", limits.event_bytes), False
            sized = True
    return None, fast


def _utf8_size(event: Any) -> int:
    """UTF-8 bytes of every string and key of `event` plus 8 a member (called once, on events near
    the limit: the whole event, iteratively; the request body's own limit bounds it)."""
    total, stack = 0, [event]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            total += 8 * len(value)
            for key, item in value.items():
                total += len(key.encode("utf-8", "surrogatepass"))
                stack.append(item)
        elif type(value) is list:
            total += 8 * len(value)
            stack.extend(value)
        elif type(value) is str:
            total += len(value.encode("utf-8", "surrogatepass"))
    return total


_SEALED_MEMBERS = frozenset(wire.FIELDS)
_HEX64 = re.compile(r"[0-9a-f]{64}").fullmatch
_SCALARS = frozenset({str, int, bool, type(None)})


def shape_ok(event: Any, *, data_plain: bool = False) -> bool:
    """A fast check that is never looser than `wire.check_shape(event)` (sealed): True means wire
    accepts the event; False means "ask wire" (which then names the problem, or accepts it).
    `data_plain`: the caller's `inspect` found the event in the fast domain, which holds only
    plain JSON values (no floats): "data" is not walked again."""
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
    return event["mode"] in wire.MODES and type(event["data"]) is dict and (data_plain or _plain(event["data"]))


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
