"""Slots and tokens of a module: what is plugged in, and what each token says about itself."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .errors import TokenError, TokenErrorCode
from .module import Pkcs11Module
from .pin import PinStatus
from .translate import translated

__all__ = ["TokenInfo", "token_infos", "find_token_info", "token_present"]

log = logging.getLogger(__name__)

CKF_TOKEN_INITIALIZED = 0x00000400
CKF_PROTECTED_AUTHENTICATION_PATH = 0x00000100


@dataclass(frozen=True)
class TokenInfo:
    label: str
    serial: str
    manufacturer: str
    model: str
    flags: int
    slot_id: int
    min_pin: int = 0
    max_pin: int = 0

    @property
    def pin_status(self) -> PinStatus:
        return PinStatus.from_flags(self.flags)

    @property
    def pin_pad(self) -> bool:
        return bool(self.flags & CKF_PROTECTED_AUTHENTICATION_PATH)

    @property
    def identity(self) -> tuple[int, str, str]:
        return (self.slot_id, self.serial, self.label)


def token_infos(module: Pkcs11Module) -> list[TokenInfo]:
    """Every initialised token present on the module (a slot that cannot be read is skipped)."""
    return module.call(_token_infos, module.path)


def find_token_info(*, module: Pkcs11Module, token_label: str | None) -> TokenInfo:
    """The token to use: by label, or the only one present."""
    infos = token_infos(module)
    if not infos:
        raise TokenError(TokenErrorCode.NO_TOKEN, module=module.path)
    if token_label is not None:
        matching = [info for info in infos if info.label == token_label]
        if not matching:
            raise TokenError(TokenErrorCode.TOKEN_NOT_FOUND, token=token_label)
        return matching[0]
    if len(infos) > 1:
        raise TokenError(TokenErrorCode.TOKEN_AMBIGUOUS, tokens=", ".join(info.label for info in infos))
    return infos[0]


def token_present(module: Pkcs11Module, info: TokenInfo) -> bool:
    """Is this very token (same slot and serial) still there and readable?"""
    try:
        return any(other.slot_id == info.slot_id and other.serial == info.serial for other in token_infos(module))
    except TokenError:
        return False


@translated
def _token_infos(lib: Any, path: str) -> list[TokenInfo]:
    from pkcs11.exceptions import PKCS11Error

    infos = []
    for slot in lib.get_slots(token_present=True):
        try:
            info = _read_token(slot)
        except PKCS11Error as exc:  # a token being pulled out, or a broken one: not there
            log.info("slot %s of %s cannot be read: %s", slot.slot_id, path, type(exc).__name__)
            continue
        if info is not None:
            infos.append(_with_pin_limits(info, path))
    return infos


def _read_token(slot: Any) -> TokenInfo | None:
    token = slot.get_token()
    flags = int(token.flags)
    if not flags & CKF_TOKEN_INITIALIZED:  # a blank token cannot hold keys
        return None
    return TokenInfo(
        label=token.label.strip(),
        serial=_text(token.serial),
        manufacturer=token.manufacturer_id.strip(),
        model=token.model.strip(),
        flags=flags,
        slot_id=int(slot.slot_id),
    )


def _with_pin_limits(info: TokenInfo, path: str) -> TokenInfo:
    from dataclasses import replace

    from .native import native_module

    try:
        limits = native_module(path).pin_length_limits(info.slot_id)
    except (OSError, AttributeError):
        return info
    if limits is None:
        return info
    return replace(info, min_pin=limits[0], max_pin=limits[1])


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").strip()
    return str(value).strip()
