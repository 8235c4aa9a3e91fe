"""Naming the CA that issued a certificate from the certificate chain (resources/tokens/issuers.toml).

A token's manufacturerID names the chip maker (FEITIAN…), not the CA; users and helpdesks need
the CA ("VNPT-CA", "Ban Cơ yếu Chính phủ") — who issued the certificate and who can unlock the
token.
"""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Sequence
from pathlib import Path

__all__ = ["issuer_name", "ISSUERS_FILE_ENV"]

ISSUERS_FILE_ENV = "KYSO_ISSUERS_FILE"


@functools.lru_cache(maxsize=4)
def _patterns(extra: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    from resources import resource_path

    entries: list[tuple[str, tuple[str, ...]]] = []
    for source in (*extra, str(resource_path("tokens", "issuers.toml"))):
        path = Path(source)
        if path.is_file():
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            entries += [(item["name"], tuple(p.casefold() for p in item["patterns"])) for item in data.get("issuer", [])]
    return tuple(entries)


def issuer_name(certificate: bytes, chain: Sequence[bytes] = ()) -> str:
    """The CA's name: the first known pattern found in the issuer's names up the chain, else the
    issuer's organisation or common name as written in the certificate."""
    from asn1crypto import x509

    cert = x509.Certificate.load(certificate)
    names = [cert.issuer] + [x509.Certificate.load(der).subject for der in chain]
    texts = [_name_text(name) for name in names]
    extra = tuple(filter(None, [os.environ.get(ISSUERS_FILE_ENV)]))
    for known, patterns in _patterns(extra):
        if any(pattern in text for text in texts for pattern in patterns):
            return known
    native = cert.issuer.native
    return native.get("organization_name") or native.get("common_name") or cert.issuer.human_friendly


def _name_text(name) -> str:
    native = name.native
    parts = [native.get("organization_name"), native.get("common_name"), native.get("organizational_unit_name")]
    return " ".join(str(part) for part in parts if part).casefold()
