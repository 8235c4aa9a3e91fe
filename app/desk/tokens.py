"""The token the user will sign with, as the status bar shows it: none, present, locked.

Reads only public objects (no PIN). Called off the GUI thread: module loading and listing talk
to the token's own thread and can take a second on a slow reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from tokens.pin import PinStatus

from ..paths import data_home

if TYPE_CHECKING:  # loaded on a worker, by the functions below (not before the window paints)
    from tokens.discovery import ModuleCandidate
    from tokens.listing import CertificateEntry, TokenListing

__all__ = ["TokenState", "TokenView", "certificate_holder_name", "watch_tokens", "load_modules", "read_tokens", "EXPIRY_WARNING_DAYS"]

EXPIRY_WARNING_DAYS = 30


class TokenState(StrEnum):
    NO_MODULE = "no_module"  # no PKCS#11 module installed or configured
    NO_TOKEN = "no_token"
    READY = "ready"
    LOCKED = "locked"  # PIN locked: only the CA (or the unblock PIN) can help
    UNREADABLE = "unreadable"  # present but its objects could not be read


@dataclass(frozen=True)
class TokenView:
    state: TokenState
    module_path: str = ""
    label: str = ""
    serial: str = ""
    issuer_ca: str = ""
    certificates: tuple[CertificateEntry, ...] = ()  # the signing (end-entity) certificates
    pin_status: PinStatus = PinStatus.OK
    error_code: str | None = None

    @property
    def certificate(self) -> CertificateEntry | None:
        return self.certificates[0] if self.certificates else None

    @property
    def holder(self) -> str:
        return _common_name(self.certificate.der) if self.certificate else ""

    @property
    def not_after(self) -> datetime | None:
        return datetime.fromisoformat(self.certificate.not_after) if self.certificate else None

    def days_left(self, *, now: datetime | None = None) -> int | None:
        if self.not_after is None:
            return None
        return (self.not_after - (now or datetime.now(UTC))).days

    def expiring_soon(self, *, now: datetime | None = None) -> bool:
        days = self.days_left(now=now)
        return days is not None and days <= EXPIRY_WARNING_DAYS


def load_modules(configured: Sequence[str] = ()) -> list[ModuleCandidate]:
    """Every module kyso would try, loaded once (failures kept with their reason)."""
    from tokens.discovery import discover, load_candidates
    from tokens.registry import ModuleRegistry

    registry = ModuleRegistry.load(extra_files=[data_home() / "modules.toml"])
    return load_candidates(discover(configured=configured, registry=registry))


def read_tokens(candidates: Sequence[ModuleCandidate]) -> list[TokenView]:
    """One view per token present; a single NO_MODULE / NO_TOKEN view when there is none."""
    from tokens.errors import TokenError
    from tokens.listing import list_tokens

    loaded = [c for c in candidates if c.module is not None]
    if not loaded:
        return [TokenView(TokenState.NO_MODULE)]
    views: list[TokenView] = []
    for candidate in loaded:
        try:
            listings = list_tokens(candidate.module, options=candidate.options)
        except TokenError as error:
            views.append(TokenView(TokenState.UNREADABLE, candidate.path, error_code=error.code.value))
            continue
        views += [_view(candidate.path, listing) for listing in listings]
    return views or [TokenView(TokenState.NO_TOKEN)]


def _view(module_path: str, listing: TokenListing) -> TokenView:
    info = listing.info
    signing = tuple(c for c in listing.certificates if not c.is_ca)
    state = TokenState.LOCKED if info.pin_status is PinStatus.LOCKED else TokenState.READY
    if listing.error:
        state = TokenState.UNREADABLE
    return TokenView(
        state, module_path, info.label, info.serial,
        issuer_ca=signing[0].issuer_ca if signing else "",
        certificates=signing, pin_status=info.pin_status, error_code=listing.error,
    )


def watch_tokens(modules: Sequence, *, interval: float, on_event):
    """A started watcher of insert/remove on these modules; what is there now is taken as known
    (the caller has just read it), later changes call `on_event` (on the watcher's thread)."""
    from tokens.watch import TokenWatcher

    watcher = TokenWatcher(list(modules), on_event=lambda event: None, interval=interval)
    watcher.poll()
    watcher.on_event = on_event
    watcher.start()
    return watcher


def certificate_holder_name(der: bytes) -> str:
    """The holder's name as the desk shows it (read in tokens/holder.py, once per certificate)."""
    return _common_name(der)


def _common_name(der: bytes) -> str:
    from tokens.holder import certificate_holder

    return certificate_holder(der).name
