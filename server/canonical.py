"""Event hashes at ingestion speed, always equal to `app.audit.wire.event_hash`.

`wire.event_hash` (the pure-Python RFC 8785 implementation) costs ~80 µs an event — more than the
whole budget of a 20,000 events/s server. orjson with sorted keys produces the same bytes for
almost every event of the format (no floats; strings escaped as ECMAScript does) at ~5 µs.
Where it might differ (keys outside the Basic Multilingual Plane sort differently in UTF-16,
integers beyond 2^53, lone surrogates) the fast hash simply does not match the event's stated
hash, and the reference implementation decides. So a mismatch is never reported on the fast path's
word, and a false match would need a SHA-256 collision: the result is always the reference's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from app.audit import wire

__all__ = ["hash_matches", "reference_hash", "shape_ok"]


def _fast_hash(event: Mapping[str, Any]) -> str | None:
    try:
        body = orjson.dumps({k: v for k, v in event.items() if k != "hash"}, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return None
    return hashlib.sha256(body).hexdigest()


def reference_hash(event: Mapping[str, Any]) -> str | None:
    try:
        return wire.event_hash(event)
    except Exception:  # noqa: BLE001 — rfc8785 refuses what it cannot encode: no valid hash
        return None


def hash_matches(event: Mapping[str, Any], stated: str) -> bool:
    """True when `stated` is the event's hash under wire's definition."""
    if _fast_hash(event) == stated:
        return True
    return reference_hash(event) == stated


_SEALED_MEMBERS = frozenset(wire.FIELDS)
_TEXT = ("workstation", "prev_hash", "type", "at_utc", "at_local", "os_user", "app_version", "hash")
_HEX = frozenset("0123456789abcdef")


def shape_ok(event: Any) -> bool:
    """A fast check that is never looser than `wire.check_shape(event)` (sealed): True means wire
    accepts the event; False means "ask wire" (which then names the problem, or accepts it)."""
    if type(event) is not dict or event.keys() != _SEALED_MEMBERS:
        return False
    for name in _TEXT:
        if type(event[name]) is not str:
            return False
    for name in ("user_name", "user_role"):
        if event[name] is not None and type(event[name]) is not str:
            return False
    v, seq = event["v"], event["seq"]
    if type(v) is not int or v != wire.FORMAT_VERSION or type(seq) is not int or seq < 1:
        return False
    if event["mode"] not in wire.MODES or not (_hex64(event["prev_hash"]) and _hex64(event["hash"])):
        return False
    return type(event["data"]) is dict and _plain(event["data"])


def _hex64(text: str) -> bool:
    return len(text) == 64 and _HEX.issuperset(text)


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is dict:
        return all(type(key) is str and _plain(item) for key, item in value.items())
    if kind is list:
        return all(_plain(item) for item in value)
    return False
