"""What is on a module's tokens, read without logging in (public objects only).

For drivers that must not be searched before login (`login_before_search`), the listing says
so instead of searching.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import TokenError
from .module import ModuleOptions, Pkcs11Module
from .objects import read_certificates
from .slots import TokenInfo, token_infos
from .translate import translated

__all__ = ["CertificateEntry", "TokenListing", "list_tokens", "describe"]


@dataclass(frozen=True)
class CertificateEntry:
    key_id: bytes
    label: str
    der: bytes
    subject: str
    issuer: str
    issuer_ca: str  # the CA's name, from the chain (not the token's manufacturer)
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
    needs_login: bool = False  # objects not read: this driver must not be searched before login


def list_tokens(module: Pkcs11Module, *, options: ModuleOptions | None = None) -> list[TokenListing]:
    """Every initialised token on the module, with its public certificates and mechanisms."""
    options = options or ModuleOptions()
    listings = []
    for info in token_infos(module):
        try:
            certificates, mechanisms = module.call(
                _read_public, info.slot_id, module.path, options.fixed_attribute_buffers,
                not options.login_before_search,
            )
        except TokenError as error:
            listings.append(TokenListing(info, (), (), error=error.code.value))
            continue
        listings.append(
            TokenListing(info, tuple(certificates), tuple(sorted(mechanisms)), needs_login=options.login_before_search)
        )
    return listings


@translated
def _read_public(lib: Any, slot_id: int, module_path: str, fixed_buffers: bool, search: bool):
    slot = next(s for s in lib.get_slots(token_present=True) if int(s.slot_id) == slot_id)
    mechanisms = {int(m) for m in slot.get_mechanisms()}
    if not search:
        return [], mechanisms
    with slot.get_token().open() as session:
        objects = read_certificates(session, module_path=module_path, fixed_buffers=fixed_buffers)
    chain = [obj.der for obj in objects]
    return [describe(obj.key_id, obj.label, obj.der, chain) for obj in objects], mechanisms


def describe(key_id: bytes, label: str, der: bytes, chain: list[bytes] = ()) -> CertificateEntry:
    from asn1crypto import x509

    from .issuers import issuer_name

    cert = x509.Certificate.load(der)
    usage = cert.key_usage_value
    constraints = cert.basic_constraints_value
    return CertificateEntry(
        key_id=key_id,
        label=label,
        der=der,
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        issuer_ca=issuer_name(der, [c for c in chain if c != der]),
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before.isoformat(),
        not_after=cert.not_valid_after.isoformat(),
        key_type=cert.public_key.algorithm,
        key_bits=cert.public_key.bit_size,
        key_usage=tuple(sorted(usage.native)) if usage is not None else (),
        is_ca=bool(constraints is not None and constraints["ca"].native),
    )
