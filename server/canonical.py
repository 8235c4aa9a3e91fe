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
import re
from collections.abc import Mapping
from typing import Any

import orjson

from app.audit import wire

__all__ = ["hash_matches", "reference_hash", "shape_ok"]


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
    """True when `stated` is the event's hash under wire's definition."""
    if _fast_hash(event) == stated:
        return True
    return reference_hash(event) == stated


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
