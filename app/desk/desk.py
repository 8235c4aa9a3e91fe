"""The desk: what the desktop holds and does, without a widget.

A `Desk` owns the open documents and their checks, the signature placements (proposed and
chosen), the verifications of the signatures already in them, the token set (modules loaded
once, the watcher, the views last read), the settings and catalogue in force, the audited
session, and the mode (production or practice, app/desk/practice.py). The window (ui/) draws it
and forwards the user's acts; the signing flow takes the desk, never the window.

Threads: the desk's state is changed on one thread (the window's GUI thread). What is slow is a
method that returns a value and changes nothing (`open`, `check`, `verify`, `propose`,
`start_session`, the token set's `load`/`read`): the window runs it on a worker and hands the
value back to the matching method (`add`, `take_checked`, `verified`, `proposed`, `session_started`,
`tokens.loaded`/`publish`). The audit journal is thread-safe.

Nothing here loads the signing stack before it is used: the window is built from this module
before its first paint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .audit import DeskAudit
from .documents import DeskDocument, DeskDocuments
from .practice import PRODUCTION_DESK, DeskMode
from .sign_on_open import SignOnOpen
from .tokens import TokenSet
from .verification import DeskVerifications

if TYPE_CHECKING:
    from ..catalogue import Catalogue
    from ..settings import Settings, SettingsState
    from ..sign_plan import ChosenPlacement, PreflightOptions
    from ..signing_job import SignJob, SignReport, SignRequest
    from .placements import ProposedSignature
    from .tokens import TokenView

__all__ = ["Desk", "SigningChoice"]


@dataclass(frozen=True)
class SigningChoice:
    """Which of the documents the user asked to sign are signed now, and which changed on disk
    since they were checked (checked again, not signed now)."""

    documents: tuple[DeskDocument, ...]
    changed: tuple[DeskDocument, ...]


class Desk:
    def __init__(self, *, mode: DeskMode | None = None, notify_audit: Callable[[Any], None] | None = None,
                 token_interval: float = 1.5) -> None:
        self.mode = mode or PRODUCTION_DESK
        self.settings_state: SettingsState | None = None
        self.catalogue: Catalogue | None = None
        self.documents = DeskDocuments()
        self.placements: dict[Path, ChosenPlacement] = {}  # where the user put the box
        self.proposals: dict[Path, ProposedSignature] = {}  # what the next signature looks like, where
        self.verifications = DeskVerifications()  # path → ReceivedDocument (app/desk/verification.py)
        self.tokens = TokenSet(interval=token_interval)
        self.sign_on_open = SignOnOpen()  # files to sign once open and checked (`kyso --sign FILE…`)
        self.audit = DeskAudit(notify=notify_audit, options=self.mode.journal_options())

    # --- settings and the session ------------------------------------------------------------
    @property
    def settings(self) -> Settings | None:
        return self.settings_state.settings if self.settings_state is not None else None

    def load_settings(self) -> SettingsState:
        from ..settings import load_settings

        self.settings_state = self.mode.settings_state(load_settings())
        return self.settings_state

    def save_settings(self, changes: Mapping[str, Any]) -> SettingsState:
        """Save the user's changes (a locked setting raises `SettingLocked`); the checks that
        depend on them are the caller's to ask again (`documents_to_check_again`)."""
        from ..settings import save_settings

        self.settings_state = self.mode.settings_state(save_settings(dict(changes), journal=self.audit.journal))
        return self.settings_state

    def start_session(self):
        """On a worker: the catalogue in force, then the audit log (which records the start,
        the catalogue and the policy, and reconciles an unfinished signature). The log opens
        even when the catalogue cannot be loaded."""
        from ..catalogue import load_catalogue
        from ..paths import machine_trust_dirs

        try:
            loaded = load_catalogue()
        except Exception:
            self.audit.open(trust_dirs=machine_trust_dirs())
            raise
        self.audit.open(catalogue=loaded, trust_dirs=machine_trust_dirs())
        return loaded

    def session_started(self, loaded) -> None:
        self.catalogue = loaded.catalogue

    def roles(self) -> dict[str, str]:
        return {role.id: role.name for role in self.catalogue.roles.values()} if self.catalogue else {}

    def close(self) -> None:
        self.tokens.stop()
        self.audit.close()
        self.mode.close()

    # --- documents -----------------------------------------------------------------------------
    @staticmethod
    def open(paths: Iterable[Path]) -> dict[Path, Path]:
        """On a worker: the PDF files named (folders expanded), each with its real path."""
        from .documents import opened_files

        return opened_files(list(paths))

    def add(self, files: Mapping[Path, Path]) -> list[Path]:
        """The files opened; returns those not already on the desk (to be checked)."""
        return self.documents.add(files)

    def remove(self, paths: Iterable[Path]) -> None:
        paths = list(paths)
        for path in paths:
            self.placements.pop(path, None)
            self.proposals.pop(path, None)
        self.documents.remove(paths)

    def preflight_options(self, *, placements=None, documents: Sequence[DeskDocument] = ()) -> PreflightOptions:
        from .documents import preflight_options  # not app.desk.signing: it loads pyhanko

        return preflight_options(settings=self.settings, catalogue=self.catalogue, placements=placements,
                                 documents=documents)

    def check_options(self, path: Path) -> PreflightOptions:
        """How `path` is checked: the settings, the type the user chose, the blocks lifted."""
        document = self.documents.find(path)
        return self.preflight_options(documents=[document] if document is not None else [])

    def check(self, path: Path, options: PreflightOptions) -> DeskDocument:
        """On a worker: preflight one file; recorded in the audit log before it is shown."""
        from .documents import check_document

        checked = check_document(path, options=options)
        self.audit.document_checked(checked)
        return checked

    def take_checked(self, documents: Iterable[DeskDocument]) -> list[Path]:
        """Checked documents onto the desk (blocks lifted meanwhile are kept); returns those
        still open."""
        taken = []
        for document in documents:
            listed = self.documents.find(document.path)
            if listed is not None:  # else removed meanwhile
                self.documents.replace(replace(document, overrides=listed.overrides))
                taken.append(document.path)
        return taken

    def check_failed(self, path: Path, error: BaseException) -> None:
        """kyso itself failed while checking `path`: not checkable, rather than "checking…"."""
        if self.documents.find(path) is not None:
            self.documents.replace(DeskDocument.not_checked(path, error))

    def declare_type(self, path: Path, type_name: str) -> None:
        """The user says which type the document is: it is checked again as that type."""
        document = self.documents.find(path)
        if document is not None:
            self.documents.replace(replace(document, declared_type=type_name, checked=False))
            self.proposals.pop(path, None)

    def lift_blocks(self, path: Path, codes: Iterable[str]) -> None:
        document = self.documents.find(path)
        if document is not None:
            self.documents.replace(replace(document, overrides=document.overrides | frozenset(codes)))

    def documents_to_check_again(self) -> list[Path]:
        """The settings changed (position, images…): every unsigned document is checked again."""
        self.proposals.clear()
        return [d.path for d in self.documents if d.signed_path is None]

    # --- verification of the signatures already there ------------------------------------------
    def needs_verification(self, document: DeskDocument) -> Path | None:
        """The file whose signatures should be verified now (once per file), or None."""
        if document.signed_path is None and not (document.result and document.result.facts.signatures):
            return None
        shown = document.signed_path or document.path
        return shown if self.verifications.start(shown) else None  # else done or under way

    def verify(self, path: Path):
        """On a worker: verify the signatures in `path` as the mode trusts (audited), with the
        details the signature panel shows on demand: a ReceivedDocument."""
        from .verification import verify_received

        return verify_received(path, mode=self.mode, audit=self.audit)

    def verified(self, path: Path, result) -> None:
        self.verifications.finished(path, result)

    def verify_failed(self, path: Path) -> None:
        self.verifications.failed(path)  # asked again next time the document is shown

    def verification(self, document: DeskDocument | None):
        if document is None:
            return None
        return self.verifications.get(document.signed_path or document.path)

    # --- where the signature goes --------------------------------------------------------------
    def propose(self, document: DeskDocument) -> ProposedSignature | None:
        """On a worker: the plan's appearance and the engine's placement for it."""
        from .placements import propose_signature

        return propose_signature(document, self.preflight_options())

    def proposed(self, document: DeskDocument, proposal: ProposedSignature | None) -> None:
        """A proposal onto the desk; the placement remembered for its type, if any, is taken."""
        if proposal is None:
            return
        self.proposals[document.path] = proposal
        if document.path not in self.placements and proposal.placement is not None:
            remembered = self._recall(document, proposal)
            if remembered is not None:
                self.placements[document.path] = remembered

    def placement(self, path: Path) -> ChosenPlacement | None:
        """Where the box of `path` is: chosen by the user, else proposed."""
        proposal = self.proposals.get(path)
        return self.placements.get(path) or (proposal.placement if proposal is not None else None)

    def place(self, path: Path, *, page: int, box: tuple[float, float, float, float], pages: int) -> None:
        """The user moved the box (page 1-based, PDF coordinates): used for this document and
        remembered for the next of its type."""
        from .placements import PlacementMemory, chosen_placement

        chosen = chosen_placement(page, box)
        self.placements[path] = chosen
        document, proposal = self.documents.find(path), self.proposals.get(path)
        if document is not None and document.type_name is not None and proposal is not None:
            PlacementMemory().remember(type_id=document.type_name, kind=proposal.appearance.kind.value,
                                       proposed=proposal.placement, chosen=chosen, pages=pages)

    @staticmethod
    def _recall(document: DeskDocument, proposal: ProposedSignature) -> ChosenPlacement | None:
        from .placements import PlacementMemory

        if document.result is None or document.result.doc_type is None:
            return None
        return PlacementMemory().recall(type_id=document.result.doc_type.name, kind=proposal.appearance.kind.value,
                                        proposed=proposal.placement, pages=document.result.facts.pages)

    # --- signing -------------------------------------------------------------------------------
    def signing_choice(self, documents: Iterable[DeskDocument]) -> SigningChoice:
        """Of the documents asked for, those that can be signed now (as the desk holds them now)
        and those changed on disk since they were checked."""
        current = [self.documents.find(d.path) or d for d in documents]
        signable = [d for d in current if d.signable and d.signed_path is None]
        changed = tuple(d for d in signable if d.changed_since_checked)
        return SigningChoice(tuple(d for d in signable if d not in changed), changed)

    @staticmethod
    def batch_summary(documents: Sequence[DeskDocument]):
        """"12 documents, personal signature, level B-LT": one line per (kind, level)."""
        from .signing import batch_summary

        return batch_summary(documents)

    @staticmethod
    def holder_name(certificate) -> str:
        """Whose certificate signs (read once per certificate, in tokens/holder.py)."""
        from .tokens import certificate_holder_name

        return certificate_holder_name(certificate.der)

    def sign_request(self, documents: Sequence[DeskDocument], *, token: TokenView, key_id: bytes) -> SignRequest:
        """The request for these documents with the chosen token's key, built from the settings
        by the same functions as `kyso sign`'s."""
        from .signing import desk_request

        return desk_request(
            documents=documents, settings=self.settings, catalogue=self.catalogue,
            module_path=token.module_path, token_label=token.label, key_id=key_id,
            placements={d.path: self.placements[d.path] for d in documents if d.path in self.placements},
        )

    def sign_job(self, request: SignRequest, *, token: TokenView, prompter, acceptor, progress,
                 cancelled: Callable[[], bool]) -> SignJob:
        """The job for `request` on the desk's token set, audit journal and backend."""
        from ..signing_job import SignJob

        return SignJob(
            request, prompter=prompter, acceptor=acceptor, progress=progress, cancelled=cancelled,
            picker=lambda request: self.tokens.module_for(token.module_path),
            journal=self.audit.journal,
            backend=self.mode.backend,  # production, or the practice session's (app/desk/practice.py)
        )

    def take_report(self, report: SignReport) -> list[Path]:
        """Each outcome onto its document (one not tried stays as it was, ready to sign later);
        returns the documents to check again (changed since they were checked)."""
        again = []
        for outcome in report.outcomes:
            document = self.documents.find(outcome.source)
            if document is None or outcome.error_code == "APP_CANCELLED":
                continue
            self.documents.replace(document.with_outcome(signed_path=outcome.output if outcome.ok else None,
                                                         code=outcome.error_code, params=outcome.error_params))
            if outcome.error_code == "PDF_CHANGED_SINCE_CHECKED":
                again.append(outcome.source)  # what the list and preview show must be the file
        return again
