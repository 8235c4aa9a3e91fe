"""The documents a user has opened, each with its preflight result and signing outcome.

The document list imports this module before the window first paints; preflight, the catalogue
and the signing plan are imported where they are used (on the worker that checks documents).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import error_code, error_params

if TYPE_CHECKING:
    from ..catalogue import Catalogue
    from ..preflight import Finding, PreflightResult
    from ..settings import Settings
    from ..sign_plan import CheckedFile, ChosenPlacement, PreflightOptions

__all__ = ["DocumentStatus", "DeskDocument", "DeskDocuments", "pdf_files", "opened_files", "check_document", "preflight_options"]


class DocumentStatus(StrEnum):
    CHECKING = "checking"  # preflight not finished yet
    SIGNABLE = "signable"
    CONFIRM = "confirm"  # signable once the user accepts the warnings
    BLOCKED = "blocked"
    ERROR = "error"  # the file could not be read at all
    SIGNED = "signed"
    FAILED = "failed"  # signing was tried and did not succeed


@dataclass(frozen=True)
class DeskDocument:
    path: Path
    result: PreflightResult | None = None
    error_code: str | None = None  # why the file cannot be checked, or why signing failed
    error_params: dict[str, str] = field(default_factory=dict)
    checked: bool = False
    signed_path: Path | None = None
    overrides: frozenset[str] = frozenset()
    stamp: tuple[int, int] | None = None  # size and mtime when checked (what the user saw)
    declared_type: str | None = None  # the type the user chose (scans, unrecognised documents)
    checked_role: str | None = None  # the position the preflight was run for
    size: int | None = None  # when checked
    sha256: str | None = None  # of the bytes checked (None: too large to hash on opening)

    @property
    def as_checked(self) -> CheckedFile | None:
        """The preflight at hand, for a signing job to reuse while the file is unchanged."""
        from ..sign_plan import CheckedFile

        if self.result is None or self.stamp is None or self.sha256 is None:
            return None
        return CheckedFile(self.stamp, self.result, self.declared_type, self.checked_role, self.sha256)

    @property
    def changed_since_checked(self) -> bool:
        from ..sign_plan import file_stamp

        return self.checked and self.stamp != file_stamp(self.path)

    @property
    def status(self) -> DocumentStatus:
        if self.signed_path is not None:
            return DocumentStatus.SIGNED
        if not self.checked:
            return DocumentStatus.CHECKING
        if self.result is None:
            return DocumentStatus.ERROR
        if self.error_code is not None:
            return DocumentStatus.FAILED
        if self.result.blocking(self.overrides) or self.result.plan is None:
            return DocumentStatus.BLOCKED
        return DocumentStatus.CONFIRM if self.result.warnings else DocumentStatus.SIGNABLE

    @property
    def signable(self) -> bool:
        return self.status in (DocumentStatus.SIGNABLE, DocumentStatus.CONFIRM)

    @property
    def reason(self) -> Finding | None:
        """The finding that decides the status (first block, else first warning)."""
        if self.result is None:
            return None
        blocking = self.result.blocking(self.overrides)
        if blocking:
            return blocking[0]
        from ..preflight import Severity

        return next((f for f in self.result.findings if f.severity is Severity.WARN), None)

    @property
    def overridable_blocks(self) -> tuple[Finding, ...]:
        """The blocks the user may lift explicitly (never a state secret, never an encrypted…)."""
        if self.result is None:
            return ()
        blocking = self.result.blocking(self.overrides)
        return blocking if blocking and all(f.overridable for f in blocking) else ()

    @property
    def type_name(self) -> str | None:
        return self.result.doc_type.name if self.result and self.result.doc_type else None

    @classmethod
    def not_checked(cls, path: Path, error: BaseException, **fields) -> DeskDocument:
        """A document whose check failed: the error's code (or APP_INTERNAL) is its status."""
        return cls(path, checked=True, error_code=error_code(error) or "APP_INTERNAL",
                   error_params=error_params(error), **fields)

    def with_outcome(self, *, signed_path: Path | None, code: str | None, params: dict[str, str]) -> DeskDocument:
        return replace(self, signed_path=signed_path, error_code=None if signed_path else code,
                       error_params={} if signed_path else dict(params))


class DeskDocuments:
    """The open documents, in the order they were opened, each once (another name for an open
    file is not opened twice). Changed only on the thread that owns the desk; whoever draws the
    list listens (`listen`): `added(row)`, `changed(row)`, `removed(rows)`."""

    def __init__(self) -> None:
        self._items: list[DeskDocument] = []
        self._rows: dict[Path, int] = {}
        self._real: dict[Path, Path] = {}  # path → the real path it names
        self._listeners: list[DocumentsListener] = []

    def listen(self, listener: DocumentsListener) -> None:
        self._listeners.append(listener)

    def __iter__(self) -> Iterator[DeskDocument]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, row: int) -> DeskDocument:
        return self._items[row]

    @property
    def items(self) -> list[DeskDocument]:
        return list(self._items)

    def real(self, path: Path) -> Path | None:
        """The real path an open document names (None: not open)."""
        return self._real.get(path)

    def find(self, path: Path) -> DeskDocument | None:
        row = self._rows.get(path)
        return self._items[row] if row is not None else None

    def add(self, files: Mapping[Path, Path]) -> list[Path]:
        """Add documents not already open (`files`: path → the real path it names, from
        `opened_files`); returns the ones added."""
        known = set(self._real.values())
        added = []
        for path, real in files.items():
            if real in known or path in self._rows:
                continue
            known.add(real)
            added.append(path)
            self._rows[path], self._real[path] = len(self._items), real
            self._items.append(DeskDocument(path))
            for listener in self._listeners:
                listener.added(len(self._items) - 1)
        return added

    def replace(self, document: DeskDocument) -> None:
        row = self._rows.get(document.path)
        if row is not None:
            self._items[row] = document
            for listener in self._listeners:
                listener.changed(row)

    def remove(self, paths: Iterable[Path]) -> None:
        rows = sorted({self._rows[p] for p in paths if p in self._rows}, reverse=True)
        for row in rows:
            document = self._items.pop(row)
            self._real.pop(document.path, None)
        self._rows = {document.path: row for row, document in enumerate(self._items)}
        if rows:
            for listener in self._listeners:
                listener.removed(rows)


class DocumentsListener(Protocol):
    """What a drawing of the list is told (`removed`: the rows it had, highest first)."""

    def added(self, row: int) -> None: ...

    def changed(self, row: int) -> None: ...

    def removed(self, rows: list[int]) -> None: ...


def pdf_files(paths: Iterable[Path]) -> list[Path]:
    """The PDF files named, folders expanded (their PDFs, sorted, not recursive), each once;
    kyso's own signed outputs and temporaries in a folder are left out."""
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        items = sorted(p for p in path.iterdir() if _is_pdf(p) and not p.name.startswith(".~kyso")) \
            if path.is_dir() else [path]
        for item in items:
            key = item.resolve()
            if key not in seen:
                seen.add(key)
                found.append(item)
    return found


def opened_files(paths: Iterable[Path]) -> dict[Path, Path]:
    """`pdf_files`, each with the real path that tells whether it is already open (another
    name for an open file is not opened twice). Touches the disk: off the GUI thread."""
    return {path: path.resolve() for path in pdf_files(paths)}


def _is_pdf(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() == ".pdf"


def check_document(path: Path, *, options: PreflightOptions) -> DeskDocument:
    """Preflight one file (slow for a large file: run it off the GUI thread), with the size and
    SHA-256 of the bytes checked — a signing job signs exactly those bytes or nothing."""
    from ..audit.signing_audit import size_and_hash
    from ..preflight import run_preflight
    from ..sign_plan import file_stamp

    stamp = file_stamp(path)
    declared, overrides = options.for_file(path)
    size, sha256 = size_and_hash(path)
    try:
        result = run_preflight(path, catalogue=options.catalogue, declared_type=declared, role=options.role)
    except Exception as exc:  # noqa: BLE001 - any failure is this file's status, shown with its code
        return DeskDocument.not_checked(path, exc, stamp=stamp, declared_type=declared, overrides=overrides,
                                        size=size, sha256=sha256)
    if file_stamp(path) != stamp:  # changed while being checked: the hash may not be of what was read
        sha256 = None
    return DeskDocument(path, result, checked=True, overrides=overrides, stamp=stamp, declared_type=declared,
                        checked_role=options.role, size=size, sha256=sha256)


def preflight_options(*, settings: Settings, catalogue: Catalogue,
                      placements: Mapping[Path, ChosenPlacement] | None = None,
                      documents: Sequence[DeskDocument] = ()) -> PreflightOptions:
    """Preflight as the desk does it: the user's settings (through the same function as the
    CLI, app/sign_settings.py), and per document the type the user chose and the blocks the
    user lifted."""
    from .. import sign_settings

    return sign_settings.preflight_options(
        settings, catalogue=catalogue, placements=placements,
        declared_types={d.path: d.declared_type for d in documents if d.declared_type},
        file_overrides={d.path: d.overrides for d in documents if d.overrides},
        checked={d.path: d.as_checked for d in documents if d.as_checked is not None},
    )
