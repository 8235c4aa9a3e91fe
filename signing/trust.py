"""Trust anchors: the roots kyso trusts, from its shipped list and from folders the user names.

The shipped list lives in `resources/trust/` (see its README for what belongs there and how
each certificate's fingerprint was checked). A `--trust DIR` adds the certificates in DIR for
one call. Neither national root is in Adobe's list: kyso verifies against its own.
"""

from __future__ import annotations

import functools

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SigningError, SigningErrorCode

__all__ = ["TrustStore", "load_certificates"]

_SUFFIXES = {".cer", ".crt", ".der", ".pem"}


@dataclass(frozen=True)
class TrustStore:
    anchors: tuple[bytes, ...] = ()  # DER
    sources: tuple[str, ...] = field(default=())
    # Where OCSP answers, CRLs and timestamps come from (signing/network.py); None: the Internet.
    services: Any = field(default=None, compare=False)
    practice: bool = False  # a workshop's training root: practice signatures are expected here

    @property
    def network(self):
        from .network import INTERNET

        return self.services if self.services is not None else INTERNET

    @classmethod
    def load(cls, *, extra_dirs: Iterable[Path] = (), include_shipped: bool = True) -> TrustStore:
        anchors: dict[bytes, None] = {}
        sources: list[str] = []
        if include_shipped:
            from resources import resource_path

            shipped = resource_path("trust")
            if shipped.is_dir():
                for der in load_certificates(shipped):
                    anchors.setdefault(der, None)
                sources.append("kyso")
        for folder in extra_dirs:
            if not folder.is_dir():
                raise SigningError(SigningErrorCode.TRUST_DIR_UNREADABLE, folder=folder)
            for der in load_certificates(folder):
                anchors.setdefault(der, None)
            sources.append(str(folder))
        return cls(anchors=tuple(anchors), sources=tuple(sources))

    def asn1_anchors(self) -> list:
        """The anchors parsed once per process (read-only objects: asn1crypto keeps what it has
        parsed and prepared in them, so a validation context per signature costs no re-parsing)."""
        return [_parsed_certificate(der) for der in self.anchors]


def load_certificates(folder: Path) -> list[bytes]:
    """Every certificate (DER or PEM, one or many per file) in `folder`, as DER."""
    from asn1crypto import pem

    found: list[bytes] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in _SUFFIXES or not path.is_file():
            continue
        data = path.read_bytes()
        if pem.detect(data):
            found.extend(der for kind, _, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE")
        else:
            found.append(data)
    return found


@functools.lru_cache(maxsize=256)
def _parsed_certificate(der: bytes):
    from asn1crypto import x509

    return x509.Certificate.load(der)
