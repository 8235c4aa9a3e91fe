"""The audit event as it is hashed, stored and sent to the server — one definition for both sides.

This module is pure (standard library and `rfc8785` only): the server imports it to check the
chains it receives, so it must never import the rest of `app`. The format is specified in
docs/audit.md; changing anything here changes every hash ever computed, so a change needs a new
`FORMAT_VERSION` and both versions kept verifiable.

An event is a JSON object. Its hash is SHA-256 over the RFC 8785 (JSON Canonicalization Scheme)
encoding of the object *without* its "hash" member; "prev_hash" of the first event of a chain is
`GENESIS`. A chain is identified by (workstation, mode): production and practice are separate
chains, each with its own gapless sequence starting at 1.
"""

from __future__ import annotations

import hashlib
import json.encoder
import re
from collections.abc import Mapping
from typing import Any

import rfc8785

__all__ = [
    "FORMAT_VERSION", "GENESIS", "MODES", "FIELDS", "WireError", "canonical_bytes", "event_hash",
    "check_shape", "seal", "data_text", "compose_canonical", "compose_values", "check_link",
]

FORMAT_VERSION = 1
GENESIS = "0" * 64
MODES = ("production", "practice")

# name → (type, required). "data" holds the event type's own fields (strings, integers, booleans,
# null, lists and objects of those; no floats: their canonical form is a trap across languages).
FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    "v": (int, True),  # FORMAT_VERSION
    "workstation": (str, True),  # the workstation id (a UUID, or the id the server issued)
    "mode": (str, True),  # "production" | "practice"
    "seq": (int, True),  # 1, 2, 3… per (workstation, mode), no gaps
    "prev_hash": (str, True),  # hex SHA-256 of the previous event of this chain, or GENESIS
    "type": (str, True),  # e.g. "sign.succeeded" (docs/audit.md lists them)
    "at_utc": (str, True),  # RFC 3339 in UTC with microseconds: "2026-11-22T14:03:05.123456Z"
    "at_local": (str, True),  # RFC 3339 local time with its offset: "2026-11-22T21:03:05.123456+07:00"
    "os_user": (str, True),
    "user_name": ((str, type(None)), True),  # the kyso user's full name (settings), or null
    "user_role": ((str, type(None)), True),  # the user's position (catalogue role id), or null
    "app_version": (str, True),
    "data": (dict, True),
    "hash": (str, False),  # present once sealed
}

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class WireError(ValueError):
    """An event that does not have the shape of FORMAT_VERSION."""


def canonical_bytes(event: Mapping[str, Any]) -> bytes:
    """RFC 8785 encoding of the event without its "hash" member."""
    return rfc8785.dumps({k: v for k, v in event.items() if k != "hash"})


def event_hash(event: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(event)).hexdigest()


def seal(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event with its "hash" member set (after checking its shape)."""
    body = {k: v for k, v in event.items() if k != "hash"}
    check_shape(body, sealed=False)
    return {**body, "hash": event_hash(body)}


def check_shape(event: Mapping[str, Any], *, sealed: bool = True) -> None:
    """Raise WireError unless the event has exactly the members and types of the format."""
    unknown = set(event) - set(FIELDS)
    if unknown:
        raise WireError(f"unknown members: {sorted(unknown)}")
    for name, (kind, required) in FIELDS.items():
        if name not in event:
            if required or (name == "hash" and sealed):
                raise WireError(f"missing member: {name}")
            continue
        value = event[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise WireError(f"{name}: wrong type")
    if event["v"] != FORMAT_VERSION:
        raise WireError(f"v: unsupported format version {event['v']}")
    if event["mode"] not in MODES:
        raise WireError("mode: must be production or practice")
    if event["seq"] < 1:
        raise WireError("seq: must be ≥ 1")
    for name in ("prev_hash", *(("hash",) if "hash" in event else ())):
        if not _HEX64.match(event[name]):
            raise WireError(f"{name}: must be 64 lowercase hex digits")
    _check_data(event["data"], path="data")


def _check_data(value: Any, *, path: str) -> None:
    if isinstance(value, float):
        raise WireError(f"{path}: floats are not allowed (use a string or an integer)")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise WireError(f"{path}: keys must be strings")
            _check_data(item, path=f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_data(item, path=f"{path}[{index}]")
    elif value is not None and not isinstance(value, (str, int, bool)):
        raise WireError(f"{path}: unsupported type {type(value).__name__}")


# ---------------------------------------------------------------------------------------------
# Helpers for stores that keep an event as its top-level members plus the canonical text of its
# "data" (the workstation's SQLite log does): re-encoding every event with rfc8785 costs ~100 µs,
# too slow to verify a million events in seconds. compose_canonical() gives the same bytes as
# canonical_bytes() — RFC 8785 for this format's top-level members (fixed ASCII keys in sorted
# order; strings, integers and null) — in a few microseconds. tests/app/audit/test_wire.py checks
# the two agree, control characters and non-BMP text included.

_TOP_LEVEL = tuple(sorted(name for name in FIELDS if name != "hash"))  # the RFC 8785 member order
_encode_string = json.encoder.encode_basestring  # escapes exactly as RFC 8785 (", \\, < U+0020)


def data_text(data: Mapping[str, Any]) -> str:
    """The RFC 8785 text of an event's "data" member (checked: no floats, string keys)."""
    _check_data(data, path="data")
    return rfc8785.dumps(data).decode("utf-8")


def compose_canonical(event: Mapping[str, Any], *, data: str) -> bytes:
    """canonical_bytes() of `event` whose "data" member is given as its canonical text `data`.

    `event` holds the other members ("data" and "hash" in it are ignored). Raises WireError when
    a member is missing or of a type the format does not allow at the top level.
    """
    try:
        values = [event[name] for name in _TOP_LEVEL if name != "data"]
    except KeyError as exc:
        raise WireError(f"missing member: {exc.args[0]}") from None
    return compose_values(*values[:3], data, *values[3:])


def compose_values(app_version: Any, at_local: Any, at_utc: Any, data: str, mode: Any, os_user: Any,
                   prev_hash: Any, seq: Any, type: Any, user_name: Any, user_role: Any, v: Any,
                   workstation: Any) -> bytes:
    """compose_canonical() for a store that keeps the members in columns (arguments in RFC 8785
    member order): a few µs, so a million events verify in seconds."""
    if data.__class__ is not str:
        raise WireError("data: wrong type")
    try:  # common case: no string needs an escape, so quotes around it are its RFC 8785 form
        plain = _NEEDS_ESCAPE(
            app_version + at_local + at_utc + mode + os_user + prev_hash + type + workstation
            + ("" if user_name is None else user_name) + ("" if user_role is None else user_role)
        ) is None and seq.__class__ is int and v.__class__ is int and -(2**53) < seq < 2**53 and -(2**53) < v < 2**53
    except TypeError:  # a member that is not a string: the careful path says which
        plain = False
    if plain:
        name = "null" if user_name is None else f'"{user_name}"'
        role = "null" if user_role is None else f'"{user_role}"'
        return (f'{{"app_version":"{app_version}","at_local":"{at_local}","at_utc":"{at_utc}","data":{data},'
                f'"mode":"{mode}","os_user":"{os_user}","prev_hash":"{prev_hash}","seq":{seq},"type":"{type}",'
                f'"user_name":{name},"user_role":{role},"v":{v},"workstation":"{workstation}"}}').encode()
    return _TEMPLATE.format(
        _text(app_version, "app_version"), _text(at_local, "at_local"), _text(at_utc, "at_utc"), data,
        _text(mode, "mode"), _text(os_user, "os_user"), _text(prev_hash, "prev_hash"), _integer(seq, "seq"),
        _text(type, "type"), _nullable(user_name, "user_name"), _nullable(user_role, "user_role"),
        _integer(v, "v"), _text(workstation, "workstation"),
    ).encode("utf-8")


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]').search
_TEMPLATE = "{{" + ",".join(f'"{name}":{{}}' for name in _TOP_LEVEL) + "}}"


def _text(value: Any, name: str) -> str:
    if value.__class__ is str:
        return _encode_string(value)
    raise WireError(f"{name}: wrong type")


def _nullable(value: Any, name: str) -> str:
    return "null" if value is None else _text(value, name)


def _integer(value: Any, name: str) -> str:
    if value.__class__ is int and -(2**53) < value < 2**53:
        return str(value)
    raise WireError(f"{name}: wrong type")


def check_link(event: Mapping[str, Any], *, head_seq: int, head_hash: str) -> None:
    """Raise WireError unless `event` directly follows the chain head (head_seq, head_hash).

    The head of an empty chain is (0, GENESIS). The hash of `event` itself is not recomputed
    here: call event_hash() for that.
    """
    if event.get("seq") != head_seq + 1:
        raise WireError(f"seq: expected {head_seq + 1}, got {event.get('seq')}")
    if event.get("prev_hash") != head_hash:
        raise WireError(f"prev_hash: does not match the hash of event {head_seq}")
