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

__all__ = ["TokenState", "TokenView", "TokenSet", "certificate_holder_name", "watch_tokens", "load_modules", "read_tokens",
           "EXPIRY_WARNING_DAYS"]

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


class TokenSet:
    """The desk's tokens: the modules loaded once, the watcher of insertions and removals, the
    views last read, and the certificates whose level was prepared ahead. Loading and reading
    run on a worker (`load`, `read`); the results are taken in on the thread that owns the desk
    (`loaded`, `publish`). No Qt: the window draws `views` and asks for a `refresh`."""

    def __init__(self, *, interval: float = 1.5) -> None:
        self.candidates: list[ModuleCandidate] = []
        self.views: list[TokenView] = []
        self.watcher = None
        self.interval = interval
        self.stopped = False  # the desk closed: answers still on their way are dropped
        self._prepared: set[bytes] = set()

    def load(self, configured: Sequence[str] = (), *, candidates=None, on_event=None):
        """On a worker: load the modules (or take `candidates` already loaded), read the tokens,
        start watching (what is there now is known; later changes call `on_event`)."""
        candidates = load_modules(configured) if candidates is None else list(candidates)
        views = read_tokens(candidates)
        modules = [c.module for c in candidates if c.module is not None]
        watcher = watch_tokens(modules, interval=self.interval, on_event=on_event or (lambda event: None)) \
            if modules else None
        return candidates, views, watcher

    def loaded(self, value) -> bool:
        """Take in what `load` found; False (and the watcher stopped) when the desk closed meanwhile."""
        candidates, views, watcher = value
        if self.stopped:
            if watcher is not None:
                watcher.stop()
            return False
        self.candidates, self.watcher = candidates, watcher
        self.views = views
        return True

    def read(self) -> list[TokenView]:
        """On a worker: the tokens present now."""
        return read_tokens(self.candidates)

    def publish(self, views: Sequence[TokenView]) -> list[bytes]:
        """Take in views just read; returns the certificates seen for the first time (their
        level is prepared ahead, `app.desk.signing.prepare_level`, before any PIN)."""
        self.views = list(views)
        new = []
        for view in self.views:
            for certificate in view.certificates:
                if certificate.der not in self._prepared:
                    self._prepared.add(certificate.der)
                    new.append(certificate.der)
        return new

    def failed(self, error_code: str | None) -> None:
        self.views = [TokenView(TokenState.NO_MODULE, error_code=error_code)]

    @property
    def ready(self) -> list[TokenView]:
        return [v for v in self.views if v.state is TokenState.READY and v.certificates]

    @property
    def locked(self) -> TokenView | None:
        return next((v for v in self.views if v.state is TokenState.LOCKED), None)

    def choices(self) -> list[tuple[TokenView, CertificateEntry]]:
        """Every certificate the user could sign with now."""
        return [(view, certificate) for view in self.ready for certificate in view.certificates]

    def module_for(self, path: str):
        """The loaded module behind a token view, with its quirk options (for the signing job)."""
        candidate = next(c for c in self.candidates if c.path == path and c.module is not None)
        return candidate.module, candidate.options

    def stop(self) -> None:
        self.stopped = True
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None


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
