"""Real PKCS#11 tokens for the tests: SoftHSM2, initialised at test time.

A SoftHSM2 module reads its configuration once, when it is first initialised in a process,
and a loaded module stays loaded for the life of the process (kyso never finalises a module).
So one configuration folder serves a whole test session; every token the tests need is
created with `softhsm2-util` before the module is first loaded, then filled with keys and
certificates through PKCS#11 itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

__all__ = ["SO_PIN", "USER_PIN", "KeySpec", "SoftHsm", "TokenSpec", "find_softhsm_module"]

USER_PIN = "246810"
SO_PIN = "13572468"

_MODULE_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)


def find_softhsm_module() -> str:
    for candidate in _MODULE_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError("libsofthsm2.so not found: run scripts/setup.sh")


@dataclass(frozen=True)
class KeySpec:
    """A key pair with its certificate (and chain) to put on a token."""

    label: str
    key_id: bytes
    key_pem: Path
    cert_der: bytes
    always_authenticate: bool = False


@dataclass(frozen=True)
class TokenSpec:
    label: str
    keys: tuple[KeySpec, ...]
    ca_certs: tuple[bytes, ...] = ()  # stored alongside, as real tokens carry their chain
    pin: str = USER_PIN


class SoftHsm:
    """One SoftHSM2 configuration folder with its tokens."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.tokens_root = directory / "tokens"
        self.tokens_root.mkdir(parents=True, exist_ok=True)
        self.conf = directory / "softhsm2.conf"
        self.conf.write_text(
            f"directories.tokendir = {self.tokens_root}\n"
            "objectstore.backend = file\n"
            "log.level = ERROR\n"
            "slots.removable = false\n"
        )
        self.module = find_softhsm_module()

    @property
    def env(self) -> dict[str, str]:
        return {"SOFTHSM2_CONF": str(self.conf)}

    def init_token(self, label: str, *, pin: str = USER_PIN) -> None:
        """Create a token with `softhsm2-util` (before the module is loaded in-process)."""
        util = shutil.which("softhsm2-util")
        if util is None:
            raise FileNotFoundError("softhsm2-util not found: run scripts/setup.sh")
        subprocess.run(
            [util, "--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", pin],
            check=True,
            capture_output=True,
            env={**os.environ, **self.env},
        )

    def token_dir(self, label: str) -> Path:
        """The folder SoftHSM keeps a token in (deleting it pulls the token out for good)."""
        padded = label.encode().ljust(32)
        for folder in self.tokens_root.iterdir():
            info = folder / "token.object"
            if info.is_file() and padded in info.read_bytes():
                return folder
        raise FileNotFoundError(label)

    def fill_token(self, spec: TokenSpec) -> None:
        """Store keys and certificates on an initialised token through PKCS#11."""
        # Through kyso's own loaded module: a second pkcs11.lib for the same file would
        # finalise the module under kyso's feet when garbage-collected.
        from tokens.module import load_module

        load_module(self.module).call(_fill, spec)


def _fill(lib, spec: TokenSpec) -> None:
    token = lib.get_token(token_label=spec.label)
    with token.open(rw=True, user_pin=spec.pin) as session:
        for key in spec.keys:
            _store_key(session, key)
        for index, der in enumerate(spec.ca_certs):
            _store_certificate(session, der, label=f"CA {index + 1}", key_id=bytes([0xCA, index]))


def _store_key(session, key: KeySpec) -> None:
    from pkcs11 import Attribute, ObjectClass

    private = serialization.load_pem_private_key(key.key_pem.read_bytes(), password=None)
    attrs = {
        Attribute.CLASS: ObjectClass.PRIVATE_KEY,
        Attribute.TOKEN: True,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
        Attribute.SIGN: True,
        Attribute.ID: key.key_id,
        Attribute.LABEL: key.label,
    }
    attrs.update(_private_key_attrs(private))
    if key.always_authenticate:
        attrs[Attribute.ALWAYS_AUTHENTICATE] = True
    session.create_object(attrs)
    _store_certificate(session, key.cert_der, label=key.label, key_id=key.key_id)


def _store_certificate(session, der: bytes, *, label: str, key_id: bytes) -> None:
    """A certificate object as vendor tools write it: subject, issuer and serial included
    (NSS, and so pdfsig, only lists certificates that carry them)."""
    from pkcs11 import Attribute
    from pkcs11.util.x509 import decode_x509_certificate

    attrs = decode_x509_certificate(der)
    attrs.update({Attribute.TOKEN: True, Attribute.PRIVATE: False, Attribute.LABEL: label,
                  Attribute.ID: key_id})
    session.create_object(attrs)


def _private_key_attrs(private) -> dict:
    from pkcs11 import Attribute, KeyType
    from pkcs11.util import biginteger
    from pkcs11.util.ec import encode_named_curve_parameters

    if isinstance(private, rsa.RSAPrivateKey):
        numbers = private.private_numbers()
        public = numbers.public_numbers
        return {
            Attribute.KEY_TYPE: KeyType.RSA,
            Attribute.MODULUS: biginteger(public.n),
            Attribute.PUBLIC_EXPONENT: biginteger(public.e),
            Attribute.PRIVATE_EXPONENT: biginteger(numbers.d),
            Attribute.PRIME_1: biginteger(numbers.p),
            Attribute.PRIME_2: biginteger(numbers.q),
            Attribute.EXPONENT_1: biginteger(numbers.dmp1),
            Attribute.EXPONENT_2: biginteger(numbers.dmq1),
            Attribute.COEFFICIENT: biginteger(numbers.iqmp),
        }
    if isinstance(private, ec.EllipticCurvePrivateKey):
        oid = {"secp256r1": "1.2.840.10045.3.1.7", "secp384r1": "1.3.132.0.34"}[
            private.curve.name
        ]
        size = (private.curve.key_size + 7) // 8
        return {
            Attribute.KEY_TYPE: KeyType.EC,
            Attribute.EC_PARAMS: encode_named_curve_parameters(oid),
            Attribute.VALUE: private.private_numbers().private_value.to_bytes(size, "big"),
        }
    raise TypeError(f"unsupported key type {type(private)!r}")
