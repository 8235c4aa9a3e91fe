"""Finding the PKCS#11 modules on this machine: configured ones first, then known ones present.

Every module is reported with what happened to it — found, missing, built for the wrong
architecture, loaded, failed (and why) — so an administrator can see why a token is not seen;
a module that fails never stops the others.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .binary import BinaryKind, check_loadable, read_binary_kind
from .errors import TokenError, TokenErrorCode
from .module import ModuleOptions, Pkcs11Module, load_module
from .registry import ModuleEntry, ModuleRegistry

__all__ = ["MODULE_ENV", "ModuleCandidate", "discover", "load_candidates", "module_candidates"]

MODULE_ENV = "KYSO_PKCS11_MODULE"


@dataclass(frozen=True)
class ModuleCandidate:
    path: str
    source: str  # "configured", "environment" or "known"
    entry: ModuleEntry | None
    status: str  # "present", "missing", "wrong_architecture", "loaded", "failed"
    kind: BinaryKind | None = None
    error: TokenError | None = field(default=None, compare=False)
    module: Pkcs11Module | None = field(default=None, compare=False, repr=False)

    @property
    def options(self) -> ModuleOptions:
        return self.entry.options if self.entry is not None else ModuleOptions()

    @property
    def usable(self) -> bool:
        return self.status in ("present", "loaded")


def discover(
    *, configured: Sequence[str] = (), registry: ModuleRegistry | None = None, include_missing: bool = False
) -> list[ModuleCandidate]:
    """Candidate modules in the order kyso tries them (nothing is loaded yet)."""
    registry = registry or ModuleRegistry.load()
    found: dict[str, ModuleCandidate] = {}
    sources = [(path, "configured") for path in configured]
    if os.environ.get(MODULE_ENV):
        sources.append((os.environ[MODULE_ENV], "environment"))
    for path, source in sources:
        candidate = _examine(Path(path), source, registry.entry_for(path))
        found.setdefault(_key(path), candidate)
    for entry in registry.entries:
        for path in entry.candidate_paths():
            if path.is_file() or include_missing:
                found.setdefault(_key(str(path)), _examine(path, "known", entry))
    return list(found.values())


def load_candidates(candidates: Sequence[ModuleCandidate]) -> list[ModuleCandidate]:
    """Load every usable candidate; failures are kept with their reason, never raised."""
    loaded = []
    for candidate in candidates:
        if not candidate.usable:
            loaded.append(candidate)
            continue
        try:
            module = load_module(candidate.path, options=candidate.options)
            loaded.append(replace(candidate, status="loaded", module=module))
        except TokenError as error:
            loaded.append(replace(candidate, status="failed", error=error))
    return loaded


def module_candidates(explicit: str | None = None) -> list[str]:
    """Paths to try, in order (the simple view the CLI uses to pick a signing module)."""
    configured = [explicit] if explicit else []
    return [c.path for c in discover(configured=configured) if c.usable or c.source != "known"]


def _examine(path: Path, source: str, entry: ModuleEntry | None) -> ModuleCandidate:
    if not path.is_file():
        error = TokenError(TokenErrorCode.MODULE_NOT_FOUND, module=str(path))
        return ModuleCandidate(str(path), source, entry, "missing", error=error)
    try:
        kind = check_loadable(path)
    except TokenError as error:
        return ModuleCandidate(str(path), source, entry, "wrong_architecture", read_binary_kind(path), error)
    return ModuleCandidate(str(path), source, entry, "present", kind)


def _key(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))
