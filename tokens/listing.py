"""What is on a module's tokens, read without logging in (public objects only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import TokenError
from .module import Pkcs11Module
from .session import TokenInfo, _token_infos
from .translate import translated

__all__ = ["CertificateEntry", "TokenListing", "list_tokens"]


@dataclass(frozen=True)
class CertificateEntry:
    key_id: bytes
    label: str
    der: bytes
    subject: str
    issuer: str
    serial: str
    not_before: str
    not_after: str
    key_type: str
    key_bits: int
    key_usage: tuple[str, ...]
    is_ca: bool


@dataclass(frozen=True)
class TokenListing:
    info: TokenInfo
    certificates: tuple[CertificateEntry, ...]
    mechanisms: tuple[int, ...]
    error: str | None = None  # error code when the token could not be read


def list_tokens(module: Pkcs11Module) -> list[TokenListing]:
    """Every initialised token on the module, with its public certificates and mechanisms."""
    listings = []
    for info in module.call(_token_infos):
        try:
            certificates, mechanisms = module.call(_read_public, info.slot_id)
            listings.append(TokenListing(info, tuple(certificates), tuple(sorted(mechanisms))))
        except TokenError as error:
            listings.append(TokenListing(info, (), (), error=error.code.value))
    return listings


@translated
def _read_public(lib: Any, slot_id: int) -> tuple[list[CertificateEntry], set[int]]:
    from pkcs11 import Attribute, ObjectClass

    slot = next(s for s in lib.get_slots(token_present=True) if int(s.slot_id) == slot_id)
    mechanisms = {int(m) for m in slot.get_mechanisms()}
    entries = []
    with slot.get_token().open() as session:
        for cert in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
            der = bytes(cert[Attribute.VALUE])
            entries.append(describe(bytes(cert[Attribute.ID]), str(cert[Attribute.LABEL]), der))
    return entries, mechanisms


def describe(key_id: bytes, label: str, der: bytes) -> CertificateEntry:
    from asn1crypto import x509

    cert = x509.Certificate.load(der)
    usage = cert.key_usage_value
    constraints = cert.basic_constraints_value
    return CertificateEntry(
        key_id=key_id,
        label=label,
        der=der,
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before.isoformat(),
        not_after=cert.not_valid_after.isoformat(),
        key_type=cert.public_key.algorithm,
        key_bits=cert.public_key.bit_size,
        key_usage=tuple(sorted(usage.native)) if usage is not None else (),
        is_ca=bool(constraints is not None and constraints["ca"].native),
    )
