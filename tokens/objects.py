"""Certificates and private keys on a token, read through python-pkcs11 — or, for drivers whose
attribute size queries answer 0 (`fixed_attribute_buffers`), into fixed buffers directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .native import CKA_ID, CKA_LABEL, CKA_VALUE, native_module

__all__ = ["CertificateObject", "read_certificates", "read_private_keys", "always_authenticate"]


@dataclass(frozen=True)
class CertificateObject:
    key_id: bytes
    label: str
    der: bytes


def read_certificates(session: Any, *, module_path: str, fixed_buffers: bool) -> list[CertificateObject]:
    from pkcs11 import Attribute, ObjectClass

    found = []
    for cert in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
        if fixed_buffers:
            values = native_module(module_path).read_attributes(
                session.handle, cert.handle, [CKA_ID, CKA_LABEL, CKA_VALUE]
            )
            key_id, label, der = values.get(CKA_ID, b""), values.get(CKA_LABEL, b""), values.get(CKA_VALUE, b"")
            found.append(CertificateObject(key_id, label.decode("utf-8", "replace"), der))
        else:
            found.append(
                CertificateObject(bytes(cert[Attribute.ID]), str(cert[Attribute.LABEL]), bytes(cert[Attribute.VALUE]))
            )
    return [cert for cert in found if cert.der]


def read_private_keys(session: Any, *, module_path: str, fixed_buffers: bool) -> list[tuple[bytes, Any]]:
    """(CKA_ID, python-pkcs11 key object) for every private key visible in the session."""
    from pkcs11 import Attribute, ObjectClass

    keys = []
    for key in session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}):
        if fixed_buffers:
            key_id = native_module(module_path).read_attributes(session.handle, key.handle, [CKA_ID]).get(CKA_ID, b"")
        else:
            key_id = bytes(key[Attribute.ID])
        keys.append((key_id, key))
    return keys


def always_authenticate(key: Any) -> bool:
    from pkcs11 import Attribute
    from pkcs11.exceptions import PKCS11Error

    try:
        return bool(key[Attribute.ALWAYS_AUTHENTICATE])
    except PKCS11Error:
        return False
