"""Production or practice, as the desk sees it: the few things the window takes from its mode.

The window is built once with a `DeskMode` and never asks which one it has. `PRODUCTION_DESK`
changes nothing. `PracticeDesk` wraps a `PracticeSession` (app/practice/session.py): the audit
journal writes to the practice chain with the trainee as actor; the token list is the trainee's
rack of practice tokens; the settings a document is checked and signed with are the trainee's
(name, position, the workshop's signature and seal images, no output folder — so outputs go into
the pack, never beside production files); verification trusts the workshop's training root
(a practice signature is then shown as a practice signature, never as valid: ui/details.py);
and the signing job runs on the practice backend. The signing flow, the PIN dialog and the audit
code are the production code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backend import PRODUCTION

if TYPE_CHECKING:
    from ..practice.session import PracticeSession
    from ..settings import SettingsState

__all__ = ["PRODUCTION_DESK", "DeskMode", "PracticeDesk"]


@dataclass(frozen=True)
class DeskMode:
    """Production: the user's settings, the machine's tokens and trust, the production chain."""

    @property
    def backend(self):
        return PRODUCTION

    @property
    def session(self) -> PracticeSession | None:
        return None

    def journal_options(self) -> dict[str, Any]:
        return {}

    def token_candidates(self):
        return None  # discover the installed modules

    def settings_state(self, loaded: SettingsState) -> SettingsState:
        return loaded

    def verify(self, path: Path):
        from .signing import verify_signatures

        return verify_signatures(path)

    def close(self) -> None:
        pass


PRODUCTION_DESK = DeskMode()


@dataclass(frozen=True)
class PracticeDesk(DeskMode):
    practice: PracticeSession

    @property
    def backend(self):
        return self.practice.backend

    @property
    def session(self) -> PracticeSession:
        return self.practice

    def journal_options(self) -> dict[str, Any]:
        return self.practice.journal_options()

    def token_candidates(self):
        return self.practice.token_candidates()

    def settings_state(self, loaded: SettingsState) -> SettingsState:
        """The trainee's signing settings over the user's own (language and the rest kept)."""
        pack, trainee = self.practice.pack, self.practice.trainee
        settings = replace(
            loaded.settings, full_name=trainee.name if trainee else pack.trainer,
            role=(trainee.role or "") if trainee else "", unit=pack.unit, organisation_name=pack.unit,
            signature_image=str(pack.signature_image or ""), seal_image=str(pack.seal_image or ""),
            output_folder="", output_suffix=".signed", tsa_url="", pkcs11_modules=(),
        )
        return replace(loaded, settings=settings)

    def verify(self, path: Path):
        """Against the workshop's training root, answered by its in-process CA (no network)."""
        import asyncio

        from signing.verify import verify_document

        return asyncio.run(verify_document(path, trust=self.practice.backend.trust_store()))

    def close(self) -> None:
        self.practice.close()
