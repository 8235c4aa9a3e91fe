"""Signature fields of a PDF, read from the AcroForm with pyhanko's object layer only.

pyhanko's own `enumerate_sig_fields` lives in its signing package, whose import pulls in the
whole signer and network stack (half a second at start-up); preflight and placement only need
the field tree, so it is walked here (ISO 32000-1 §12.7.3: fields, /Kids, inherited /FT).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["entry", "signature_fields"]

_MAX_DEPTH = 32  # a malicious tree may be deep or cyclic


def entry(dictionary, key: str, default=None):
    """`dictionary[key]` with an indirect reference followed. pyhanko's `.get()` returns the
    reference itself, and PDF allows a reference almost anywhere (/Kids, /Annots, /Perms…)."""
    try:
        return dictionary[key]
    except KeyError:
        return default


def signature_fields(reader, *, filled_only: bool = False) -> Iterator[tuple[str, Any, Any]]:
    """(fully qualified name, value or None, field reference) for every signature field."""
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except (KeyError, TypeError):
        return
    for name, value, ref in _walk(fields, prefix="", inherited_type=None, depth=0, seen=set()):
        if value is not None or not filled_only:
            yield name, value, ref


def _walk(refs, *, prefix: str, inherited_type, depth: int, seen: set[int]):
    if depth > _MAX_DEPTH:
        return
    for ref in refs:
        field = ref.get_object()
        if id(field) in seen or not hasattr(field, "get"):
            continue
        seen.add(id(field))
        title = entry(field, "/T")
        name = f"{prefix}.{title}" if prefix and title is not None else str(title if title is not None else prefix)
        field_type = entry(field, "/FT", inherited_type)
        kids = [kid for kid in entry(field, "/Kids", ()) if "/T" in kid.get_object()]
        if kids:
            yield from _walk(kids, prefix=name, inherited_type=field_type, depth=depth + 1, seen=seen)
        elif field_type == "/Sig":
            yield name, field.get("/V"), ref
