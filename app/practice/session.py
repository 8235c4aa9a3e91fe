"""A practice session: one trainee (or the trainer) at one workstation with one workshop pack.

This is what the desktop's practice mode and `kyso … --practice PACK --trainee N` hold, with no
Qt: the banner text, the rack of practice tokens with its insert/pull acts, the backend the
signing job runs on, the audited session writing to the practice chain (every event carries
the trainee), the exercises, and the trainee's progress judged from that chain. The window
draws it; it never decides anything itself (docs/architecture.md, "Practice mode").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tokens.pin import PinStatus

from .backend import PracticeBackend
from .pack import Exercise, Trainee, WorkshopPack, load_pack

if TYPE_CHECKING:
    from tokens.discovery import ModuleCandidate
    from tokens.practice import PracticeRack

    from ..audit.journal import AuditJournal
    from ..signing_job import SignRequest
    from .progress import TraineeProgress

__all__ = ["PracticeSession", "RackToken", "open_practice"]


@dataclass(frozen=True)
class RackToken:
    """One practice token as the rack shows it (no PIN: the trainee has it on their card)."""

    id: str
    label: str
    purpose: str  # trainee, organisation, leader, expired, revoked, not-yet-valid, wrong-title
    holder: str
    inserted: bool
    pin_status: PinStatus


class PracticeSession:
    def __init__(self, pack: WorkshopPack, trainee: Trainee | None) -> None:
        self.pack = pack
        self.trainee = trainee

    # -- what the window shows ------------------------------------------------------------------

    def banner(self, lang: str) -> str:
        """"THỰC HÀNH — <workshop> — <number. name>": on every practice window and CLI run."""
        from ..i18n import message

        if self.trainee is None:
            return message("PRACTICE_BANNER_TRAINER", lang, workshop=self.pack.name)
        return message("PRACTICE_BANNER", lang, workshop=self.pack.name, number=self.trainee.number,
                       name=self.trainee.name)

    def exercises(self) -> list[tuple[Exercise, Path]]:
        return [(exercise, self.pack.exercise_path(exercise)) for exercise in self.pack.exercises]

    def progress(self, *, sources: Sequence[Path] = ()) -> TraineeProgress:
        """This trainee's scenarios, ticked from the practice chain of this workstation."""
        from .progress import gather_events, progress_of

        events = [e for e in gather_events(self.pack, sources=sources).events
                  if self.trainee is not None and e["data"]["practice"].get("trainee") == self.trainee.number]
        trainee = self.trainee
        return progress_of(trainee.number if trainee else 0, trainee.name if trainee else "",
                           trainee.title if trainee else "", events, scenario_ids=self.pack.scenarios)

    # -- the tokens ------------------------------------------------------------------------------

    @cached_property
    def rack(self) -> PracticeRack:
        from tokens.practice import PracticeRack

        mine = {self.trainee.token: self.pack.token_path(self.trainee.token)} if self.trainee else {}
        shared = {token.id: self.pack.token_path(token.id) for token in self.pack.tokens}
        who = f"{self.trainee.number:02d}" if self.trainee else "giang-vien"
        return PracticeRack(name=f"{self.pack.id}/{who}", tokens={**mine, **shared},
                            state_file=self.pack.state_dir / f"o-cam-{who}.json",
                            inserted_by_default=list(mine))

    def rack_tokens(self) -> list[RackToken]:
        from tokens.errors import TokenError

        inserted = self.rack.inserted()
        purposes = {token.id: (token.purpose, token.holder) for token in self.pack.tokens}
        if self.trainee is not None:
            purposes[self.trainee.token] = ("trainee", self.trainee.name)
        views = []
        for slot in self.rack.slots:
            try:
                token = self.rack.read(slot.token_id)
                label, status = token.label, PinStatus.from_flags(token.flags)
            except TokenError:
                label, status = slot.token_id, PinStatus.LOCKED
            purpose, holder = purposes.get(slot.token_id, ("", ""))
            views.append(RackToken(slot.token_id, label, purpose, holder, slot.token_id in inserted, status))
        return views

    def insert(self, token_id: str, *, journal: AuditJournal | None = None) -> None:
        self._plug(token_id, inserted=True, journal=journal)

    def pull(self, token_id: str, *, journal: AuditJournal | None = None) -> None:
        """The token comes out — also in the middle of a signing batch, as a real one can."""
        self._plug(token_id, inserted=False, journal=journal)

    def _plug(self, token_id: str, *, inserted: bool, journal: AuditJournal | None) -> None:
        from .errors import PracticeError, PracticeErrorCode

        try:
            token = self.rack.read(token_id)
        except KeyError:
            raise PracticeError(PracticeErrorCode.TOKEN_UNKNOWN, token=token_id,
                                tokens=", ".join(s.token_id for s in self.rack.slots)) from None
        (self.rack.insert if inserted else self.rack.pull)(token_id)
        if journal is not None:
            journal.token_event(inserted=inserted, label=token.label, serial=token.serial, module=self.rack.path)

    def token_candidates(self) -> list[ModuleCandidate]:
        """The rack as the desk's token list reads modules (app/desk/tokens.read_tokens)."""
        from tokens.discovery import ModuleCandidate

        return [ModuleCandidate(self.rack.path, "practice", None, "loaded", module=self.rack.module())]

    def unlock(self, token_id: str, *, so_pin: str, journal: AuditJournal | None = None) -> None:
        """The trainer's act: the token's PIN tries are reset with the trainer's PIN."""
        from tokens.practice_file import unlock_practice_token

        from ..audit.events import EventType, Outcome

        token = unlock_practice_token(self.rack.slot(token_id).path, so_pin=so_pin)
        if journal is not None:
            journal.record(EventType.PRACTICE_UNLOCKED, token={"label": token.label, "serial": token.serial},
                           outcome=Outcome.OK.value)

    # -- signing and the audit log ----------------------------------------------------------------

    @cached_property
    def backend(self) -> PracticeBackend:
        return PracticeBackend(self.pack, self.rack, self.trainee)

    def journal_options(self) -> dict[str, Any]:
        """mode, actor and context for app.audit.session: the practice chain, the trainee acting."""
        from ..audit.events import PRACTICE, AuditActor
        from ..audit.journal import os_user

        trainee = self.trainee
        actor = AuditActor(os_user(), trainee.name if trainee else self.pack.trainer,
                           trainee.title if trainee else None)
        context = {"practice": {"workshop": self.pack.id, "trainee": trainee.number if trainee else None}}
        return {"mode": PRACTICE, "actor": lambda: actor, "context": context}

    @contextmanager
    def audited(self, command: str, *, notify=None) -> Iterator[Any]:
        """An audited run in the practice chain (app.audit.session.audit_session)."""
        from ..audit.session import audit_session

        with audit_session(command=command, notify=notify, **self.journal_options()) as run:
            yield run

    def sign_request(self, *, files: Sequence[Path], appearance=None, level: str | None = None,
                     token_label: str | None = None, key_id: bytes | None = None, role: str | None = None,
                     declared_type: str | None = None, overrides: frozenset[str] = frozenset(),
                     out_dir: Path | None = None, allow_lower_level: bool = False, use_pss: bool = False,
                     doc_number: str | None = None, catalogue: Path | None = None) -> SignRequest:
        """A signing request from what the trainee chose; the practice backend fills the rest
        (the rack, the workshop's TSA and trust, the outputs folder, the pack's images)."""
        from signing.engine import SignOptions
        from signing.levels import PadesLevel

        from ..catalogue import load_catalogue
        from ..sign_plan import PreflightOptions
        from ..signing_job import SignRequest

        options = SignOptions(level=PadesLevel.parse(level or "B-LT"), allow_lower_level=allow_lower_level,
                              use_pss=use_pss, **({"appearance": appearance} if appearance is not None else {}))
        preflight = PreflightOptions(catalogue=load_catalogue(catalogue).catalogue, declared_type=declared_type,
                                     role=role, overrides=overrides, doc_number=doc_number)
        return self.backend.request_for(SignRequest(
            files=tuple(files), module_path=None, options=options, out_dir=out_dir, token_label=token_label,
            key_id=key_id, preflight=preflight, explicit_appearance=appearance is not None,
            explicit_level=level is not None,
        ))

    def close(self) -> None:
        if "rack" in self.__dict__:
            self.rack.close()


def open_practice(pack: Path, *, trainee: int | None = None) -> PracticeSession:
    """The session for trainee number `trainee` of the pack (None: the trainer)."""
    loaded = load_pack(pack)
    return PracticeSession(loaded, loaded.trainee(trainee) if trainee is not None else None)
