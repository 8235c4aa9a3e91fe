"""Who a certificate belongs to: the holder's name and title, read in one place.

The desk shows the holder, the PIN dialog names them, preflight compares the title with the
position the user gave and the signer block's printed name with the holder: all read here,
once per certificate.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = ["CertificateHolder", "certificate_holder"]


@dataclass(frozen=True)
class CertificateHolder:
    name: str  # the subject's common name ("Nguyễn Văn A"), "" when it has none
    title: str | None  # the subject's title attribute (2.5.4.12), e.g. "Kiểm sát viên"
    organisation: str | None = None


@functools.lru_cache(maxsize=64)
def certificate_holder(der: bytes) -> CertificateHolder:
    """The holder named in a DER certificate (an unreadable one has no name)."""
    from asn1crypto import x509

    try:
        subject = x509.Certificate.load(der).subject.native
    except (ValueError, TypeError):
        return CertificateHolder("", None)
    title = subject.get("title")
    organisation = subject.get("organization_name")
    return CertificateHolder(
        name=_text(subject.get("common_name")) or "",
        title=_text(title) or None,
        organisation=_text(organisation) or None,
    )


def _text(value) -> str:
    if isinstance(value, list):  # a repeated attribute: the first one
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""
