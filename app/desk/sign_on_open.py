"""Documents the user asked to sign as they are opened — Explorer's "Ký số bằng kyso".

Explorer starts one `kyso --sign FILE` per selected file; each hands its file to the open window
(ui/single_instance.py). The window gathers what arrives, and once every file asked for is open
and checked, the signing flow starts for all of them at once: one confirmation, one PIN. A file
asked for that was open already (under this name or another) is signed too; one that could not
be opened is simply not among them (the window has said why).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .documents import DeskDocument, DeskDocuments

__all__ = ["SignOnOpen"]


class SignOnOpen:
    """Changed on the desk's thread only, as the desk."""

    def __init__(self) -> None:
        self._wanted: set[Path] = set()  # real paths
        self._opening = 0

    def opening(self) -> None:
        """A request to open and sign is under way (its files are being looked up)."""
        self._opening += 1

    def opened(self, real_paths: Iterable[Path]) -> None:
        self._opening -= 1
        self._wanted.update(real_paths)

    def open_failed(self) -> None:
        self._opening -= 1

    @property
    def waiting(self) -> bool:
        return self._opening > 0 or bool(self._wanted)

    def take_ready(self, documents: DeskDocuments) -> list[DeskDocument]:
        """The documents to sign now, in the desk's order — only once no request is still being
        opened and every document asked for is checked (else nothing yet); taken, so asked once."""
        if self._opening or not self._wanted:
            return []
        chosen = [document for document in documents if documents.real(document.path) in self._wanted]
        if not all(document.checked for document in chosen):
            return []
        self._wanted.clear()
        return chosen
