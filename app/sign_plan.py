"""Before a signing job touches the token: run preflight on every file and turn each plan into
the appearance and level it will be signed with — or the reason it will not be signed."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from signing.appearance import AppearanceKind, AppearanceSpec, Box
from signing.errors import SigningError
from signing.levels import PadesLevel

from .catalogue import Catalogue, SignatureKind
from .errors import error_code, error_params
from .preflight import Finding, PreflightResult, run_preflight

__all__ = ["CheckedFile", "ChosenPlacement", "file_stamp", "planned_appearance", "PasswordPrompter", "PasswordRequest",
           "PreflightOptions", "FilePlan", "opened_with_password", "plan_files", "job_level", "with_certificate"]

PASSWORD_TRIES = 3  # an open password is asked again after a wrong one, at most this often


@dataclass(frozen=True)
class PasswordRequest:
    """A document that needs its open password; `attempt` > 1 after a wrong one."""

    document: Path
    attempt: int = 1


class PasswordPrompter(Protocol):
    def ask_password(self, request: PasswordRequest) -> str | None:
        """The open password the user gives (None: they gave none). Never stored or logged."""
        ...


@dataclass(frozen=True)
class ChosenPlacement:
    """Where the user put a signature: 1-based page, box in PDF points."""

    page: int
    box: Box


def file_stamp(path: Path) -> tuple[int, int] | None:
    """(size, modification time) — to notice a file changed after it was checked and shown."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns)


@dataclass(frozen=True)
class CheckedFile:
    """A preflight already run on a file (the desk checks each document as it is opened), with
    what it was run with. A job reuses it instead of checking the file again only while the file
    and those inputs are unchanged."""

    stamp: tuple[int, int]
    result: PreflightResult
    declared_type: str | None
    role: str | None
    sha256: str  # the bytes checked: the job signs these bytes or nothing


@dataclass(frozen=True)
class PreflightOptions:
    catalogue: Catalogue
    declared_type: str | None = None
    role: str | None = None
    overrides: frozenset[str] = frozenset()
    signature_image: Path | None = None  # for a personal signature
    seal_image: Path | None = None  # for the organisation's signature
    organisation_name: str | None = None  # printed on copies
    doc_number: str | None = None  # the main document's number, printed on attachments
    placements: Mapping[Path, ChosenPlacement] = field(default_factory=dict)  # where the user moved a box
    declared_types: Mapping[Path, str] = field(default_factory=dict)  # per file, over declared_type
    file_overrides: Mapping[Path, frozenset[str]] = field(default_factory=dict)  # per file, with overrides
    checked: Mapping[Path, CheckedFile] = field(default_factory=dict)  # results already at hand

    def already_checked(self, path: Path, *, declared: str | None, requested_kind: str | None) -> CheckedFile | None:
        """The check at hand for `path` when it still holds: same file (size and modification
        time; the signing engine then insists on the same bytes), same catalogue, same declared
        type and position, no kind asked for explicitly."""
        known = self.checked.get(path)
        if (known is None or requested_kind is not None or known.declared_type != declared
                or known.role != self.role or known.result.catalogue != self.catalogue.info):
            return None
        return known if file_stamp(path) == known.stamp else None

    def for_file(self, path: Path) -> tuple[str | None, frozenset[str]]:
        """The declared type and the overrides that apply to one file."""
        return (self.declared_types.get(path, self.declared_type),
                self.overrides | self.file_overrides.get(path, frozenset()))


@dataclass(frozen=True)
class FilePlan:
    source: Path
    preflight: PreflightResult | None = None
    appearance: AppearanceSpec | None = None  # None: not signed
    level: PadesLevel | None = None
    error_code: str | None = None  # why it will not be signed
    error_params: dict[str, str] = field(default_factory=dict)
    expected_sha256: str | None = None  # the plan rests on an earlier check of these bytes
    password: str | None = field(default=None, repr=False)  # held for this job only

    @property
    def signable(self) -> bool:
        return self.appearance is not None


def plan_files(
    files: Sequence[Path], options: PreflightOptions, *, requested: AppearanceSpec | None,
    passwords: PasswordPrompter | None = None,
) -> list[FilePlan]:
    """A plan per file. `requested` is the appearance the user asked for explicitly (--kind);
    `passwords` is asked for the open password of a file that needs one."""
    return [_plan_file(path, options, requested, passwords) for path in files]


def with_certificate(
    plans: Sequence[FilePlan], options: PreflightOptions, *, title: str | None, holder: str | None
) -> list[FilePlan]:
    """Plans once the signer's certificate is read: a position that differs from the
    certificate's title, a name in the signer block that is not the holder's, become warnings
    on the files that would be signed (accepted like any other, before the PIN)."""
    return [
        replace(plan, preflight=plan.preflight.with_certificate(options.catalogue, role=options.role, title=title,
                                                                holder=holder))
        if plan.signable and plan.preflight is not None else plan
        for plan in plans
    ]


def job_level(plans: Sequence[FilePlan], default: PadesLevel) -> PadesLevel:
    """One level per job: the highest any signable file's catalogue entry requires."""
    levels = [plan.level for plan in plans if plan.signable and plan.level is not None]
    return max(levels, key=lambda level: level.rank) if levels else default


def _plan_file(path: Path, options: PreflightOptions, requested: AppearanceSpec | None,
               passwords: PasswordPrompter | None) -> FilePlan:
    declared, overrides = options.for_file(path)
    kind = requested.kind.value if requested is not None else None
    known = options.already_checked(path, declared=declared, requested_kind=kind)

    def check(password: str | None = None) -> PreflightResult:
        return run_preflight(path, catalogue=options.catalogue, declared_type=declared, role=options.role,
                             requested_kind=kind, password=password)

    password = None
    try:
        result = known.result if known is not None else check()
        if passwords is not None and result.facts.closed_by == "PDF_PASSWORD_REQUIRED":
            known = None  # the check is made again, on the bytes the password opens
            result, password = opened_with_password(path, check, passwords, result)
    except SigningError as exc:  # not a PDF, damaged…: the file's own error
        return FilePlan(path, error_code=error_code(exc), error_params=error_params(exc))
    blocking = result.blocking(overrides)
    if blocking:
        first: Finding = blocking[0]
        return FilePlan(path, result, error_code=first.code.value, error_params=dict(first.params))
    if result.plan is None:
        return FilePlan(path, result, error_code="PREFLIGHT_NO_PLAN")
    appearance = requested if requested is not None else planned_appearance(result, options)
    chosen = options.placements.get(path)
    if chosen is not None and appearance.kind is not AppearanceKind.INVISIBLE:
        appearance = replace(appearance, page=chosen.page, box=chosen.box)
    try:  # what the appearance lacks (no signature image set…) is known before the PIN
        appearance.validate()
    except SigningError as exc:
        return FilePlan(path, result, error_code=error_code(exc), error_params=error_params(exc))
    return FilePlan(path, result, appearance, PadesLevel.parse(result.plan.level),
                    expected_sha256=known.sha256 if known is not None else None, password=password)


def opened_with_password(path: Path, check, passwords: PasswordPrompter, result: PreflightResult):
    """Ask for the open password (again after a wrong one, a few times) and check the file with it."""
    for attempt in range(1, PASSWORD_TRIES + 1):
        password = passwords.ask_password(PasswordRequest(path, attempt))
        if not password:
            return result, None
        result = check(password)
        if result.facts.closed_by != "PDF_PASSWORD_WRONG":
            return result, password
    return result, None


def planned_appearance(result: PreflightResult, options: PreflightOptions) -> AppearanceSpec:
    """The appearance the plan gives this document (before any box the user moved)."""
    plan = result.plan
    if plan.kind is SignatureKind.PERSONAL:
        return AppearanceSpec(AppearanceKind.PERSONAL, page=plan.page, box=plan.box, image=options.signature_image)
    if plan.kind is SignatureKind.ORGANISATION:
        return AppearanceSpec(AppearanceKind.ORGANISATION, image=options.seal_image)
    if plan.kind is SignatureKind.ATTACHMENT:
        return AppearanceSpec(AppearanceKind.ATTACHMENT, doc_number=options.doc_number)
    copy_form = result.doc_type.copy_form if result.doc_type else None
    return AppearanceSpec(AppearanceKind.COPY, copy_form=copy_form, organisation=options.organisation_name)
