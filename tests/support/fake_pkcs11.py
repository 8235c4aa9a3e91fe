"""A stand-in for a vendor's PKCS#11 library, for what SoftHSM2 cannot show.

SoftHSM never locks a PIN, has no PIN pad and no USB plug. This stand-in speaks python-pkcs11's
object API (`lib.get_slots`, `token.open`, `key.sign`…) and raises python-pkcs11's real
exception classes — the ones a vendor module's CKR_PIN_LOCKED, CKR_DEVICE_REMOVED… become — so
kyso's own token code runs unchanged on top of it. Keys sign with a real software key, so
signatures made through it validate.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

__all__ = ["FakeToken", "FakeLibrary", "fake_module"]

CKF_LOGIN_REQUIRED = 0x4
CKF_TOKEN_INITIALIZED = 0x400
CKF_PROTECTED_AUTHENTICATION_PATH = 0x100
CKF_USER_PIN_COUNT_LOW = 0x10000
CKF_USER_PIN_FINAL_TRY = 0x20000
CKF_USER_PIN_LOCKED = 0x40000


@dataclass
class FakeToken:
    label: str
    pin: str
    slot_id: int = 1
    serial: str = "FAKE0001"
    flags: int = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED
    key_pem: bytes | None = None
    cert_der: bytes | None = None
    key_id: bytes = b"\x01"
    ca_ders: tuple[bytes, ...] = ()  # CA certificates stored alongside, as real tokens do
    tries_left: int = 3
    present: bool = True
    fail_after_signatures: int | None = None  # the token is "pulled out" after N signatures
    logins: list[str | None] = field(default_factory=list)  # what was sent to C_Login
    signatures: int = 0


class FakeLibrary:
    def __init__(self, *tokens: FakeToken) -> None:
        self.tokens = list(tokens)
        self.calls_in_progress = 0
        self.overlaps = 0
        self.calls = 0
        self._lock = threading.Lock()

    # python-pkcs11's lib API -------------------------------------------------------------
    def get_slots(self, token_present: bool = False):
        self._enter()
        try:
            return [_Slot(self, token) for token in self.tokens if token.present or not token_present]
        finally:
            self._leave()

    def _enter(self) -> None:
        with self._lock:
            self.calls += 1
            self.calls_in_progress += 1
            if self.calls_in_progress > 1:
                self.overlaps += 1

    def _leave(self) -> None:
        with self._lock:
            self.calls_in_progress -= 1


class _Slot:
    def __init__(self, lib: FakeLibrary, token: FakeToken) -> None:
        self.lib, self.token, self.slot_id = lib, token, token.slot_id

    def get_token(self):
        from pkcs11.exceptions import TokenNotPresent

        if not self.token.present:
            raise TokenNotPresent()
        return _Token(self.lib, self.token)

    def get_mechanisms(self):
        return {0x0001, 0x0040}  # CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS


class _Token:
    def __init__(self, lib: FakeLibrary, token: FakeToken) -> None:
        self.lib, self.t = lib, token
        self.label, self.serial = token.label, token.serial.encode()
        self.manufacturer_id, self.model = "FEITIAN", "ePass2003"

    @property
    def flags(self) -> int:
        return self.t.flags

    def open(self, rw: bool = False, user_pin=None, **_):
        from pkcs11 import PROTECTED_AUTH
        from pkcs11.exceptions import DeviceRemoved, PinIncorrect, PinLocked

        token = self.t
        if not token.present:
            raise DeviceRemoved()
        if user_pin is None:  # a public session: no login
            return _Session(self.lib, token)
        token.logins.append(None if user_pin is PROTECTED_AUTH else user_pin)
        if token.flags & CKF_USER_PIN_LOCKED:
            raise PinLocked()
        if user_pin is not PROTECTED_AUTH and user_pin != token.pin:
            token.tries_left -= 1
            token.flags |= CKF_USER_PIN_COUNT_LOW
            if token.tries_left == 1:
                token.flags |= CKF_USER_PIN_FINAL_TRY
            if token.tries_left == 0:
                token.flags = (token.flags & ~CKF_USER_PIN_FINAL_TRY) | CKF_USER_PIN_LOCKED
                raise PinLocked()
            raise PinIncorrect()
        token.tries_left = 3
        token.flags &= ~(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY)
        return _Session(self.lib, token)


class _Session:
    def __init__(self, lib: FakeLibrary, token: FakeToken) -> None:
        self.lib, self.token, self.handle = lib, token, 1

    def get_objects(self, attrs=None):
        from pkcs11 import Attribute, ObjectClass

        wanted = (attrs or {}).get(Attribute.CLASS)
        if wanted == ObjectClass.CERTIFICATE and self.token.cert_der:
            mine = [_Object(self, {Attribute.ID: self.token.key_id, Attribute.LABEL: self.token.label,
                                   Attribute.VALUE: self.token.cert_der})]
            return mine + [_Object(self, {Attribute.ID: bytes([0xCA, i]), Attribute.LABEL: f"CA {i}",
                                          Attribute.VALUE: der}) for i, der in enumerate(self.token.ca_ders)]
        if wanted == ObjectClass.PRIVATE_KEY and self.token.key_pem:
            return [_Key(self, {Attribute.ID: self.token.key_id})]
        return []

    def close(self) -> None:
        from pkcs11.exceptions import DeviceRemoved

        if not self.token.present:
            raise DeviceRemoved()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Object:
    def __init__(self, session: _Session, attrs: dict) -> None:
        self.session, self.attrs, self.handle = session, attrs, 2

    def __getitem__(self, key):
        from pkcs11.exceptions import AttributeTypeInvalid

        if key not in self.attrs:
            raise AttributeTypeInvalid()
        return self.attrs[key]


class _Key(_Object):
    def sign(self, data: bytes, mechanism=None, mechanism_param=None, pin=None):
        from pkcs11.exceptions import DeviceRemoved

        lib, token = self.session.lib, self.session.token
        lib._enter()
        try:
            if token.fail_after_signatures is not None and token.signatures >= token.fail_after_signatures:
                token.present = False  # the user pulls the token out
            if not token.present:
                raise DeviceRemoved()
            token.signatures += 1
            key = serialization.load_pem_private_key(token.key_pem, password=None)
            return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        finally:
            lib._leave()


def fake_module(library: FakeLibrary, path: str = "/fake/vendor-pkcs11.so"):
    """A kyso Pkcs11Module around the stand-in (one worker thread, like a real module)."""
    from tokens.module import Pkcs11Module

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pkcs11-fake")
    ident: list[int] = []
    executor.submit(lambda: ident.append(threading.get_ident())).result()
    return Pkcs11Module(path=path, _lib=library, _executor=executor, _thread_ident=ident)
