"""Simulated (practice) tokens, presented exactly as PKCS#11 tokens are.

A `PracticeRack` is the set of practice token files one trainee's workstation can have plugged
in (docs/practice.md), and which of them are plugged in now. Its `module()` is a `Pkcs11Module`
whose library object speaks python-pkcs11's object API (`get_slots`, `get_token`, `open`,
`get_objects`, `sign`) over those files and raises python-pkcs11's own exception classes — so
listing, the PIN flags read before every prompt, login, key lookup by CKA_ID, signing, the
token watcher and the error translation all run kyso's real token code, unchanged. Nothing
above `tokens/` can tell the difference, except by what the token says about itself: its label,
its CA and its certificates say THỰC HÀNH.

The user PIN locks after `max_tries` wrong entries (3 by default), as the tokens users carry do;
only the trainer's unblocking PIN opens it again (`tokens.practice_file.unlock_practice_token`).
`insert()` and `pull()` are what the desktop's buttons and `kyso practice token` call, so the
removal paths can be rehearsed: a token pulled during a batch fails its next signature with
TOKEN_REMOVED, as a real one does. Which tokens are in is kept in a small JSON file, so another
kyso process sees a pull or an insert at its next look.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .mechanisms import CKM
from .module import Pkcs11Module
from .practice_file import PracticeToken, read_practice_token, write_practice_token

__all__ = ["PRACTICE_SCHEME", "PracticeRack", "RackSlot"]

PRACTICE_SCHEME = "practice:"  # module paths of practice racks start with it
_EC_MECHANISMS = frozenset({CKM.ECDSA, CKM.ECDSA_SHA256, CKM.ECDSA_SHA384, CKM.ECDSA_SHA512})
_RSA_MECHANISMS = frozenset({CKM.RSA_PKCS, CKM.SHA256_RSA_PKCS, CKM.SHA384_RSA_PKCS, CKM.SHA512_RSA_PKCS})


@dataclass(frozen=True)
class RackSlot:
    token_id: str  # the token's name in the rack ("07", "to-chuc"…)
    path: Path
    slot_id: int


class PracticeRack:
    def __init__(self, *, name: str, tokens: Mapping[str, Path], state_file: Path,
                 inserted_by_default: Sequence[str] = ()) -> None:
        self.path = PRACTICE_SCHEME + name
        self.slots = tuple(RackSlot(token_id, Path(path), index + 1) for index, (token_id, path) in enumerate(tokens.items()))
        self._state_file = Path(state_file)
        self._default = tuple(t for t in inserted_by_default if t in tokens)
        self._lock = threading.Lock()
        self._module: Pkcs11Module | None = None

    # -- what the UI and the CLI call --------------------------------------------------------

    def inserted(self) -> frozenset[str]:
        """The tokens plugged in now (read from the state file: another process may have acted)."""
        try:
            state = json.loads(self._state_file.read_text(encoding="utf-8"))
            return frozenset(str(t) for t in state["inserted"]) & {s.token_id for s in self.slots}
        except (OSError, ValueError, KeyError, TypeError):
            return frozenset(self._default)

    def insert(self, token_id: str) -> None:
        self._set(token_id, present=True)

    def pull(self, token_id: str) -> None:
        self._set(token_id, present=False)

    def slot(self, token_id: str) -> RackSlot:
        for slot in self.slots:
            if slot.token_id == token_id:
                return slot
        raise KeyError(token_id)

    def read(self, token_id: str) -> PracticeToken:
        return read_practice_token(self.slot(token_id).path)

    def module(self) -> Pkcs11Module:
        """The rack as a PKCS#11 module (one worker thread, like a real module)."""
        with self._lock:
            if self._module is None:
                self._module = _start(self)
            return self._module

    def close(self) -> None:
        with self._lock:
            module, self._module = self._module, None
        if module is not None:
            module._executor.shutdown(wait=True)

    def _set(self, token_id: str, *, present: bool) -> None:
        self.slot(token_id)  # an unknown token is a KeyError, not a silent no-op
        with self._lock:
            now = set(self.inserted())
            now = now | {token_id} if present else now - {token_id}
            order = [s.token_id for s in self.slots if s.token_id in now]
            self._state_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = self._state_file.with_name(self._state_file.name + ".part")
            temporary.write_text(json.dumps({"inserted": order}), encoding="utf-8")
            os.replace(temporary, self._state_file)

    # -- what the module thread calls ----------------------------------------------------------

    def pin_length_limits(self, slot_id: int) -> tuple[int, int] | None:
        """Answered for tokens/native.py (the C_GetTokenInfo PIN limits of a real module)."""
        slot = next((s for s in self.slots if s.slot_id == slot_id), None)
        if slot is None:
            return None
        token = read_practice_token(slot.path)
        return token.min_pin, token.max_pin


def _start(rack: PracticeRack) -> Pkcs11Module:
    from .native import register_simulated

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pkcs11-practice")
    ident: list[int] = []
    executor.submit(lambda: ident.append(threading.get_ident())).result()
    register_simulated(rack.path, rack)
    return Pkcs11Module(path=rack.path, _lib=_Library(rack), _executor=executor, _thread_ident=ident)


# --- python-pkcs11's object API over the rack ----------------------------------------------------


class _Library:
    def __init__(self, rack: PracticeRack) -> None:
        self.rack = rack

    def get_slots(self, token_present: bool = False) -> list[_Slot]:
        inserted = self.rack.inserted()
        return [_Slot(self.rack, slot) for slot in self.rack.slots if slot.token_id in inserted or not token_present]


class _Slot:
    def __init__(self, rack: PracticeRack, slot: RackSlot) -> None:
        self.rack, self.slot, self.slot_id = rack, slot, slot.slot_id

    def present(self) -> bool:
        return self.slot.token_id in self.rack.inserted() and self.slot.path.is_file()

    def get_token(self) -> _Token:
        from pkcs11.exceptions import DeviceError, TokenNotPresent

        if not self.present():
            raise TokenNotPresent()
        try:
            return _Token(self, read_practice_token(self.slot.path))
        except Exception as exc:  # a damaged file is a token that cannot be read
            raise DeviceError() from exc

    def get_mechanisms(self) -> set[int]:
        token = read_practice_token(self.slot.path)
        return set(_RSA_MECHANISMS if _key_type(token) == "rsa" else _EC_MECHANISMS)


class _Token:
    def __init__(self, slot: _Slot, token: PracticeToken) -> None:
        self._slot, self._token = slot, token
        self.label, self.serial = token.label, token.serial.encode("ascii")
        self.manufacturer_id, self.model = token.manufacturer, token.model
        self.flags = token.flags

    def open(self, rw: bool = False, user_pin: Any = None, **_: Any) -> _Session:
        from pkcs11 import PROTECTED_AUTH
        from pkcs11.exceptions import DeviceRemoved, PinIncorrect, PinLenRange, PinLocked

        if not self._slot.present():
            raise DeviceRemoved()
        if user_pin is None:  # a public session: certificates only
            return _Session(self._slot, self._token, logged_in=False)
        token = read_practice_token(self._slot.slot.path)  # the state as it is now, not when listed
        if token.locked:
            raise PinLocked()
        if user_pin is PROTECTED_AUTH or not token.min_pin <= len(user_pin) <= token.max_pin:
            raise PinLenRange()
        if not token.pin_matches(user_pin):
            after = token.after_wrong_pin()
            write_practice_token(self._slot.slot.path, after)
            raise PinLocked() if after.locked else PinIncorrect()
        if token.count_low:
            write_practice_token(self._slot.slot.path, token.after_good_pin())
        return _Session(self._slot, token, logged_in=True)


class _Session:
    handle = 1

    def __init__(self, slot: _Slot, token: PracticeToken, *, logged_in: bool) -> None:
        self._slot, self._token, self._logged_in = slot, token, logged_in

    def get_objects(self, attrs: Mapping | None = None) -> list:
        from pkcs11 import Attribute, ObjectClass

        wanted = (attrs or {}).get(Attribute.CLASS)
        if wanted == ObjectClass.CERTIFICATE:
            return [_Object({Attribute.ID: o.key_id, Attribute.LABEL: o.label, Attribute.VALUE: o.certificate})
                    for o in self._token.objects]
        if wanted == ObjectClass.PRIVATE_KEY and self._logged_in:
            return [_Key(self._slot, o.private_key, {Attribute.ID: o.key_id})
                    for o in self._token.objects if o.private_key]
        return []

    def close(self) -> None:
        from pkcs11.exceptions import DeviceRemoved

        if not self._slot.present():
            raise DeviceRemoved()

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Object:
    handle = 2

    def __init__(self, attrs: dict) -> None:
        self.attrs = attrs

    def __getitem__(self, key: Any) -> Any:
        from pkcs11.exceptions import AttributeTypeInvalid

        if key not in self.attrs:
            raise AttributeTypeInvalid()
        return self.attrs[key]


class _Key(_Object):
    def __init__(self, slot: _Slot, private_key: bytes, attrs: dict) -> None:
        super().__init__(attrs)
        self._slot = slot
        from cryptography.hazmat.primitives import serialization

        self._key = serialization.load_der_private_key(private_key, password=None)

    def sign(self, data: bytes, mechanism: Any = None, mechanism_param: Any = None, pin: Any = None) -> bytes:
        from pkcs11.exceptions import DeviceRemoved, MechanismInvalid

        if not self._slot.present():  # pulled out: the signature cannot happen
            raise DeviceRemoved()
        try:
            return _sign(self._key, data, int(mechanism))
        except (KeyError, TypeError, ValueError) as exc:
            raise MechanismInvalid() from exc


def _sign(key: Any, data: bytes, mechanism: int) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

    hashes_by_size = {32: hashes.SHA256(), 48: hashes.SHA384(), 64: hashes.SHA512()}
    combined = {CKM.ECDSA_SHA256: hashes.SHA256(), CKM.ECDSA_SHA384: hashes.SHA384(), CKM.ECDSA_SHA512: hashes.SHA512(),
                CKM.SHA256_RSA_PKCS: hashes.SHA256(), CKM.SHA384_RSA_PKCS: hashes.SHA384(),
                CKM.SHA512_RSA_PKCS: hashes.SHA512()}
    if isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm = (ec.ECDSA(utils.Prehashed(hashes_by_size[len(data)])) if mechanism == CKM.ECDSA
                     else ec.ECDSA(combined[mechanism]))
        r, s = utils.decode_dss_signature(key.sign(data, algorithm))
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")  # PKCS#11 answers r‖s
    if mechanism == CKM.RSA_PKCS:  # a DigestInfo hashed on the host
        digest = data[-32:] if len(data) == 51 else data[-48:] if len(data) == 67 else data[-64:]
        return key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes_by_size[len(digest)]))
    return key.sign(data, padding.PKCS1v15(), combined[mechanism])


def _key_type(token: PracticeToken) -> str:
    from asn1crypto import keys

    for obj in token.objects:
        if obj.private_key:
            return keys.PrivateKeyInfo.load(obj.private_key).algorithm
    return "ec"
