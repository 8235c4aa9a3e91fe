"""The practice token file: a simulated token's keys, certificates and PIN state in one small file.

A practice token (docs/practice.md) is a JSON file, `*.kyso-token`:

    {"format": "kyso-practice-token/1", "label", "serial", "manufacturer", "model",
     "pin": {"salt", "sha256", "min_length", "max_length", "max_tries"},
     "so_pin": {"salt", "pbkdf2_sha256", "iterations"},
     "objects": [{"id", "label", "certificate", "private_key"}],   # hex id, base64 DER
     "state": {"tries_left", "count_low", "seal"}}

Training keys and PINs are not secrets (they certify nothing real); still the PIN is stored as a
salted hash and the trainer's unblocking PIN (SO PIN) as PBKDF2, so reading the file does not
hand a trainee the trainer's PIN. The PIN state carries a seal (an HMAC keyed by the token's own
key): editing the tries left by hand makes the token read as locked until the trainer unlocks
it. That stops a casual edit, not a determined trainee (the key is in the same file, and an old
copy of the file can be put back) — it is training, not security; the trainer's report counts
wrong PINs and locks from the audit log, not from this file, so resetting it hides nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import TokenError, TokenErrorCode

__all__ = [
    "FORMAT",
    "SUFFIX",
    "PracticeObject",
    "PracticeToken",
    "SoPinRecord",
    "new_practice_token",
    "read_practice_token",
    "so_pin_record",
    "unlock_practice_token",
    "write_practice_token",
]

FORMAT = "kyso-practice-token/1"
SUFFIX = ".kyso-token"
SO_PIN_ITERATIONS = 200_000

CKF_LOGIN_REQUIRED = 0x00000004
CKF_USER_PIN_INITIALIZED = 0x00000008
CKF_TOKEN_INITIALIZED = 0x00000400
CKF_USER_PIN_COUNT_LOW = 0x00010000
CKF_USER_PIN_FINAL_TRY = 0x00020000
CKF_USER_PIN_LOCKED = 0x00040000


@dataclass(frozen=True)
class PracticeObject:
    """A certificate, with its private key when the token holds one (a CA certificate has none)."""

    key_id: bytes
    label: str
    certificate: bytes  # DER
    private_key: bytes | None = None  # PKCS#8 DER


@dataclass(frozen=True)
class SoPinRecord:
    salt: bytes
    digest: bytes
    iterations: int = SO_PIN_ITERATIONS

    def matches(self, pin: str) -> bool:
        candidate = hashlib.pbkdf2_hmac("sha256", pin.encode(), self.salt, self.iterations)
        return hmac.compare_digest(candidate, self.digest)


def so_pin_record(pin: str) -> SoPinRecord:
    """The trainer's unblocking PIN, hashed once per workshop (every token of it shares it)."""
    salt = secrets.token_bytes(16)
    return SoPinRecord(salt, hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, SO_PIN_ITERATIONS))


@dataclass(frozen=True)
class PracticeToken:
    label: str
    serial: str
    objects: tuple[PracticeObject, ...]
    pin_salt: bytes
    pin_sha256: bytes
    so_pin: SoPinRecord
    max_tries: int = 3
    tries_left: int = 3
    count_low: bool = False
    min_pin: int = 4
    max_pin: int = 16
    manufacturer: str = "kyso (THỰC HÀNH)"
    model: str = "THỰC HÀNH"
    seal_broken: bool = False  # the PIN state was edited outside kyso: read as locked

    @property
    def locked(self) -> bool:
        return self.tries_left <= 0 or self.seal_broken

    @property
    def flags(self) -> int:
        flags = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED
        if self.locked:
            return flags | CKF_USER_PIN_LOCKED
        if self.count_low:
            flags |= CKF_USER_PIN_COUNT_LOW
        if self.tries_left == 1:
            flags |= CKF_USER_PIN_FINAL_TRY
        return flags

    def pin_matches(self, pin: str) -> bool:
        return hmac.compare_digest(hashlib.sha256(self.pin_salt + pin.encode()).digest(), self.pin_sha256)

    def after_wrong_pin(self) -> PracticeToken:
        return replace(self, tries_left=max(0, self.tries_left - 1), count_low=True)

    def after_good_pin(self) -> PracticeToken:
        return replace(self, tries_left=self.max_tries, count_low=False)

    def unlocked(self) -> PracticeToken:
        return replace(self, tries_left=self.max_tries, count_low=False, seal_broken=False)


def new_practice_token(*, label: str, serial: str, objects: Sequence[PracticeObject], pin: str,
                       so_pin: SoPinRecord, max_tries: int = 3) -> PracticeToken:
    if len(label.encode("utf-8")) > 32 or len(serial) > 16:
        raise ValueError("a token label holds 32 bytes and a serial 16 characters (PKCS#11)")
    salt = secrets.token_bytes(16)
    return PracticeToken(label=label, serial=serial, objects=tuple(objects), pin_salt=salt,
                         pin_sha256=hashlib.sha256(salt + pin.encode()).digest(), so_pin=so_pin,
                         max_tries=max_tries, tries_left=max_tries)


def read_practice_token(path: Path) -> PracticeToken:
    """Parse a practice token file; TOKEN_PRACTICE_FILE_DAMAGED when it cannot be read."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("not a practice token")
        return _parse(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TokenError(TokenErrorCode.PRACTICE_FILE_DAMAGED, file=Path(path).name) from exc


def write_practice_token(path: Path, token: PracticeToken) -> None:
    """Write atomically (a crash leaves the old file or the new one, whole)."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".~kyso-token-", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(_document(token), out, ensure_ascii=False, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def unlock_practice_token(path: Path, *, so_pin: str) -> PracticeToken:
    """The trainer's act: with the right SO PIN the user PIN's tries are reset."""
    token = read_practice_token(path)
    if not token.so_pin.matches(so_pin):
        raise TokenError(TokenErrorCode.SO_PIN_INCORRECT, token=token.label)
    unlocked = token.unlocked()
    write_practice_token(path, unlocked)
    return unlocked


# --- the file's JSON ----------------------------------------------------------------------


def _document(token: PracticeToken) -> dict:
    return {
        "format": FORMAT,
        "label": token.label,
        "serial": token.serial,
        "manufacturer": token.manufacturer,
        "model": token.model,
        "pin": {"salt": token.pin_salt.hex(), "sha256": token.pin_sha256.hex(), "min_length": token.min_pin,
                "max_length": token.max_pin, "max_tries": token.max_tries},
        "so_pin": {"salt": token.so_pin.salt.hex(), "pbkdf2_sha256": token.so_pin.digest.hex(),
                   "iterations": token.so_pin.iterations},
        "objects": [{"id": o.key_id.hex(), "label": o.label, "certificate": _b64(o.certificate),
                     "private_key": _b64(o.private_key) if o.private_key else None} for o in token.objects],
        "state": {"tries_left": token.tries_left, "count_low": token.count_low, "seal": _seal(token)},
    }


def _parse(data: dict) -> PracticeToken:
    pin, so_pin, state = data["pin"], data["so_pin"], data["state"]
    objects = tuple(
        PracticeObject(bytes.fromhex(o["id"]), str(o["label"]), base64.b64decode(o["certificate"]),
                       base64.b64decode(o["private_key"]) if o.get("private_key") else None)
        for o in data["objects"]
    )
    token = PracticeToken(
        label=str(data["label"]), serial=str(data["serial"]), objects=objects,
        pin_salt=bytes.fromhex(pin["salt"]), pin_sha256=bytes.fromhex(pin["sha256"]),
        so_pin=SoPinRecord(bytes.fromhex(so_pin["salt"]), bytes.fromhex(so_pin["pbkdf2_sha256"]),
                           int(so_pin["iterations"])),
        max_tries=int(pin["max_tries"]), tries_left=int(state["tries_left"]), count_low=bool(state["count_low"]),
        min_pin=int(pin["min_length"]), max_pin=int(pin["max_length"]),
        manufacturer=str(data.get("manufacturer", "")), model=str(data.get("model", "")),
    )
    if not hmac.compare_digest(str(state.get("seal", "")), _seal(token)):
        return replace(token, seal_broken=True)
    return token


def _seal(token: PracticeToken) -> str:
    key_material = next((o.private_key for o in token.objects if o.private_key), b"")
    key = hashlib.sha256(b"kyso-practice-pin-state\0" + key_material).digest()
    body = f"{token.serial}|{token.tries_left}|{int(token.count_low)}|{token.max_tries}".encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
