"""A received document's verification as the desk shows it, without widgets (docs/desktop.md).

`DeskVerifications` holds, per file, the verification in progress or done (`ReceivedDocument`):
the document's verdict, one `SignatureLine` per signature — who, their title and CA from the
certificate, when (proven by a timestamp, or only claimed), level, verdict — and the details
asked for on demand (certificate chain with validity, revocation evidence and where it is,
timestamp, covered range and pages, the changes after signing with their classification).

The acts on it run off the GUI thread: `verify_received` (audited as `kyso verify` is),
`signed_version_copy` + `compare_versions` (the exact revision a signature covers, and the pages
that render differently since), `write_report` (the PDF of `kyso verify --report`),
`verify_folder` (a folder, with progress and cancel, one summary row per file) and
`extend_received` (B-LT / B-LTA through `kyso extend`'s code, audited).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["ChangeLine", "DeskVerifications", "FolderRow", "PageComparison", "ReceivedDocument", "SignatureLine",
           "VersionComparison", "compare_versions", "export_summary", "extend_received", "received_document", "signed_version_copy",
           "verify_folder", "verify_received", "write_report"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeLine:
    revision: int  # 0-based; -1 = after the end of the file
    kind: str  # the change's message code (CHANGE_…)
    permitted: bool
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignatureLine:
    """One signature (or document timestamp) as the panel lists it."""

    number: int  # 1, 2… in signing order
    field_name: str
    document_timestamp: bool
    signer: str
    title: str | None  # the holder's title from the certificate ("Kiểm sát viên")
    organisation: str | None
    issuer: str
    when: datetime | None
    when_proven: bool  # True: a timestamp token proves it; False: only claimed by the signer
    timestamp_authority: str | None
    level: str | None
    verdict: str  # valid, changed, indeterminate, invalid (signing.verify.Verdict values)
    indication: str  # ETSI main indication
    sub_indication: str | None
    practice: bool
    problems: tuple[str, ...]  # message codes
    intact: bool
    trusted: bool
    revocation: str  # REVOCATION_… code
    cert_not_before: datetime | None
    cert_not_after: datetime | None
    serial: str
    revision: int | None
    signed_length: int | None
    pages: int | None  # pages of the revision it covers
    changes: tuple[ChangeLine, ...]
    chain: tuple[Any, ...] = ()  # signing.verify_evidence.CertificateEntry, signer first
    revocation_evidence: tuple[Any, ...] = ()  # signing.verify_evidence.RevocationEvidence
    verification: Any = field(default=None, compare=False, repr=False)  # the engine's SignatureVerification

    @property
    def tone(self) -> str:
        """What colour the verdict is drawn in: valid, warning (cannot tell yet), alarm."""
        if self.practice:
            return "practice"
        return {"valid": "valid", "indeterminate": "warning"}.get(self.verdict, "alarm")

    @property
    def verdict_code(self) -> str:
        return "VERDICT_" + self.verdict.upper()

    @property
    def changed_after(self) -> bool:
        return any(not change.permitted for change in self.changes)


@dataclass(frozen=True)
class ReceivedDocument:
    """A verified file: what the panel, the report and the folder table show."""

    path: Path
    verdict: str  # signing.verify.DocumentVerdict value
    size: int
    revisions: int
    appended: bool
    lines: tuple[SignatureLine, ...]
    verification: Any = field(compare=False, repr=False)  # signing.verify.DocumentVerification
    trust_sources: tuple[str, ...] = ()

    @property
    def signatures(self):  # what the details panel reads (the engine's per-signature results)
        return self.verification.signatures

    @property
    def verdict_code(self) -> str:
        return "DOC_VERDICT_" + self.verdict.upper()

    @property
    def tone(self) -> str:
        if self.lines and all(line.practice for line in self.lines if not line.document_timestamp):
            return "practice"
        return {"valid": "valid", "indeterminate": "warning", "unsigned": "neutral"}.get(self.verdict, "alarm")

    @property
    def all_valid(self) -> bool:
        return self.verification.all_valid

    def line(self, number: int) -> SignatureLine:
        return self.lines[number - 1]

    def has_signed_version(self, number: int) -> bool:
        """Only when the signature covers less than the whole file is there another version to see."""
        line = self.line(number)
        return line.signed_length is not None and line.signed_length < self.size


class DeskVerifications:
    """Per file: None while its verification runs, then the ReceivedDocument (GUI thread)."""

    def __init__(self) -> None:
        self._entries: dict[Path, ReceivedDocument | None] = {}

    def start(self, path: Path) -> bool:
        """True when `path` needs verifying now (not done, not running)."""
        if path in self._entries:
            return False
        self._entries[path] = None
        return True

    def finished(self, path: Path, received: ReceivedDocument) -> None:
        self._entries[path] = received

    def failed(self, path: Path) -> None:
        self._entries.pop(path, None)

    def forget(self, path: Path) -> None:
        """The file changed on the desk (extended, signed again): verify it afresh when shown."""
        self._entries.pop(path, None)

    def get(self, path: Path | None) -> ReceivedDocument | None:
        return self._entries.get(path) if path is not None else None

    def running(self, path: Path) -> bool:
        return path in self._entries and self._entries[path] is None

    def __contains__(self, path: Path) -> bool:
        return path in self._entries


# --- verifying ------------------------------------------------------------------------------------

def desk_trust(mode):
    """The anchors the desk verifies against: the mode's (shipped + machine + server, or the
    workshop's training root) — the same set as `kyso verify`."""
    from ..sign_settings import trust_dirs

    return mode.backend.trust_store(trust_dirs())


def verify_received(path: Path, *, mode, audit) -> ReceivedDocument:
    """Verify `path` (slow, network for revocation: off the GUI thread), audited as `kyso verify`."""
    try:
        verification = mode.verify(path)
    except Exception as exc:
        audit.verified(path, exc)
        raise
    audit.verified(path, verification)
    return received_document(verification, trust=desk_trust(mode))


def received_document(verification, *, trust) -> ReceivedDocument:
    from signing.verify_evidence import signature_evidence
    from tokens.holder import certificate_holder

    evidence = signature_evidence(verification.path, trust=trust) if verification.signatures else {}
    lines = []
    for number, sig in enumerate(verification.signatures, start=1):
        found = evidence.get(sig.field_name)
        chain = found.chain if found else ()
        holder = certificate_holder(chain[0].der) if chain and not sig.document_timestamp else None
        lines.append(SignatureLine(
            number=number, field_name=sig.field_name, document_timestamp=sig.document_timestamp,
            signer=sig.signer or (holder.name if holder else ""), title=holder.title if holder else None,
            organisation=holder.organisation if holder else None, issuer=sig.issuer,
            when=sig.timestamp_time or sig.signing_time, when_proven=sig.timestamp_time is not None,
            timestamp_authority=sig.timestamp_authority, level=sig.level.value if sig.level else None,
            verdict=sig.verdict.value, indication=sig.indication.value, sub_indication=sig.sub_indication,
            practice=sig.practice, problems=tuple(p.value for p in sig.problems), intact=sig.intact,
            trusted=sig.trusted, revocation="REVOCATION_" + sig.revocation.name,
            cert_not_before=sig.cert_not_before, cert_not_after=sig.cert_not_after, serial=sig.serial,
            revision=sig.revision, signed_length=sig.signed_length, pages=found.pages if found else None,
            changes=tuple(ChangeLine(c.revision, c.kind.value, c.permitted, tuple(c.fields)) for c in sig.changes),
            chain=chain, revocation_evidence=found.revocation if found else (), verification=sig,
        ))
    return ReceivedDocument(path=verification.path, verdict=verification.verdict.value, size=verification.size,
                            revisions=verification.revisions, appended=verification.appended, lines=tuple(lines),
                            verification=verification, trust_sources=tuple(getattr(trust, "sources", ()) or ()))


# --- the validation report ------------------------------------------------------------------------

def write_report(received: Sequence[ReceivedDocument], path: Path, *, lang: str) -> Path:
    """The PDF validation report of `kyso verify --report` for these documents."""
    from ..verification import write_verification_report

    sources = received[0].trust_sources if received else ()
    return write_verification_report(path, [r.verification for r in received], lang=lang, trust_sources=sources)


# --- the signed version -------------------------------------------------------------------------

def signed_version_copy(received: ReceivedDocument, number: int, *, folder: Path) -> Path:
    """The exact bytes signature `number` covers, as a file in `folder` (made again if present)."""
    from ..verification import signed_version, signed_version_name

    target = folder / signed_version_name(received.path, number)
    target.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    return signed_version(received.path, received.line(number).verification, target)


@dataclass(frozen=True)
class PageComparison:
    index: int  # 0-based page
    signed: Any  # PIL image of the page in the signed version (None: not there)
    current: Any  # PIL image of the page now (None: removed)
    boxes: tuple[tuple[int, int, int, int], ...]  # differing areas, pixels of the images


@dataclass(frozen=True)
class VersionComparison:
    signed_pages: int
    current_pages: int
    pages: tuple[PageComparison, ...]  # only the pages that render differently

    @property
    def same(self) -> bool:
        return not self.pages


def compare_versions(signed: Path, current: Path, *, width: int = 700, cell: int = 12,
                     cancelled: Callable[[], bool] = lambda: False) -> VersionComparison:
    """Render both files page by page (PDFium, forms drawn) and mark where they differ."""
    import pypdfium2 as pdfium

    from ..pdfium_lock import PDFIUM_LOCK

    with PDFIUM_LOCK:
        before, after = pdfium.PdfDocument(str(signed)), pdfium.PdfDocument(str(current))
        try:
            before.init_forms()
            after.init_forms()
            counts = len(before), len(after)
            pages = []
            for index in range(max(counts)):
                if cancelled():
                    break
                old = _render(before, index, width) if index < counts[0] else None
                new = _render(after, index, width) if index < counts[1] else None
                boxes = _differences(old, new, cell)
                if boxes:
                    pages.append(PageComparison(index, old, new, boxes))
        finally:
            before.close()
            after.close()
    return VersionComparison(counts[0], counts[1], tuple(pages))


def _render(document, index: int, width: int):
    page = document[index]
    try:
        bitmap = page.render(scale=width / page.get_width(), may_draw_forms=True, draw_annots=True)
        return bitmap.to_pil().convert("RGB")
    finally:
        page.close()


def _differences(old, new, cell: int) -> tuple[tuple[int, int, int, int], ...]:
    """The areas where two page images differ, as boxes over a grid of `cell` pixels merged
    where they touch; a page only in one version is one box over all of it."""
    from PIL import ImageChops

    if old is None or new is None:
        image = old or new
        return ((0, 0, image.width, image.height),)
    if old.size != new.size:
        return ((0, 0, new.width, new.height),)
    bbox = ImageChops.difference(old, new).convert("L").point(lambda v: 255 if v > 24 else 0).getbbox()
    if bbox is None:
        return ()
    mask = ImageChops.difference(old, new).convert("L").point(lambda v: 255 if v > 24 else 0)
    columns, rows = (new.width + cell - 1) // cell, (new.height + cell - 1) // cell
    marked = set()
    for row in range(bbox[1] // cell, (bbox[3] - 1) // cell + 1):
        for column in range(bbox[0] // cell, (bbox[2] - 1) // cell + 1):
            area = mask.crop((column * cell, row * cell, min((column + 1) * cell, new.width),
                              min((row + 1) * cell, new.height)))
            if area.getbbox() is not None:
                marked.add((column, row))
    return tuple(_merge(marked, cell, new.size, columns, rows))


def _merge(marked: set[tuple[int, int]], cell: int, size, columns: int, rows: int):
    """Cells that touch (8 neighbours) become one box."""
    seen: set[tuple[int, int]] = set()
    for start in sorted(marked):
        if start in seen:
            continue
        stack, group = [start], []
        seen.add(start)
        while stack:
            column, row = stack.pop()
            group.append((column, row))
            for dc in (-1, 0, 1):
                for dr in (-1, 0, 1):
                    neighbour = (column + dc, row + dr)
                    if neighbour in marked and neighbour not in seen:
                        seen.add(neighbour)
                        stack.append(neighbour)
        left = min(c for c, _ in group) * cell
        top = min(r for _, r in group) * cell
        right = min((max(c for c, _ in group) + 1) * cell, size[0])
        bottom = min((max(r for _, r in group) + 1) * cell, size[1])
        yield (left, top, right, bottom)


# --- a folder ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FolderRow:
    """One file of a folder verification: the summary table's row (and the export's)."""

    path: Path
    verdict: str  # DocumentVerdict value, or "error"
    signer: str
    time: datetime | None
    time_proven: bool
    reason: str  # message code of what decides the verdict ("" when valid), or the error code
    received: ReceivedDocument | None = field(default=None, compare=False, repr=False)
    error_code: str | None = None
    error: BaseException | None = field(default=None, compare=False, repr=False)  # what the file ended in


def folder_files(folder: Path) -> list[Path]:
    """The PDFs in `folder` and its subfolders, in name order (as `kyso verify DIR`)."""
    from ..cli.verify_cmd import expand_folders

    return expand_folders([folder])


def verify_folder(folder: Path, *, mode, audit, progress: Callable[[int, int, FolderRow], None] = lambda *a: None,
                  cancelled: Callable[[], bool] = lambda: False, files: Sequence[Path] | None = None) -> list[FolderRow]:
    """Verify every PDF in `folder` (off the GUI thread), each audited; stops between two files
    when `cancelled()` says so. `progress(done, total, row)` after each file. One event loop and
    one trust store for the whole folder, as `kyso verify DIR` (the mode's anchors: the same as
    `mode.verify` uses for one file)."""
    import asyncio

    files = list(files) if files is not None else folder_files(folder)
    trust = desk_trust(mode)
    return asyncio.run(_verify_files(files, trust, audit, progress, cancelled))


async def _verify_files(files, trust, audit, progress, cancelled) -> list[FolderRow]:
    from signing.verify import verify_document

    from ..errors import error_code

    rows: list[FolderRow] = []
    for path in files:
        if cancelled():
            break
        try:
            verification = await verify_document(path, trust=trust)
        except Exception as exc:  # this file's answer is its typed error; the others go on
            _log.info("verifying %s failed", path, exc_info=True)
            audit.verified(path, exc)
            code = error_code(exc) or "APP_INTERNAL"
            row = FolderRow(path, "error", "", None, False, code, error_code=code, error=exc)
        else:
            audit.verified(path, verification)
            row = folder_row(received_document(verification, trust=trust))
        rows.append(row)
        progress(len(rows), len(files), row)
    return rows


def folder_row(received: ReceivedDocument) -> FolderRow:
    regular = [line for line in received.lines if not line.document_timestamp] or list(received.lines)
    deciding = next((line for line in regular if line.verdict == received.verdict), regular[0] if regular else None)
    if deciding is None:
        return FolderRow(received.path, received.verdict, "", None, False, "VERIFY_NO_SIGNATURES", received)
    signer = "; ".join(dict.fromkeys(line.signer for line in regular if line.signer))
    reason = ""
    if received.verdict != "valid":
        unpermitted = next((c for c in deciding.changes if not c.permitted), None)
        if received.verdict == "changed" and unpermitted is not None:
            reason = unpermitted.kind
        elif deciding.sub_indication:
            reason = "SUBIND_" + deciding.sub_indication
        elif deciding.problems:
            reason = deciding.problems[0]
    return FolderRow(received.path, received.verdict, signer, deciding.when, deciding.when_proven, reason, received)


def export_summary(rows: Sequence[FolderRow], path: Path, *, lang: str) -> Path:
    """The folder's table as CSV or XLSX (by the name's suffix), by the same functions as
    `kyso verify DIR --summary` (app/verification_summary.py): one row per signature."""
    from ..verification_summary import summary_rows, write_summary

    results = [(row.path, row.received.verification if row.received is not None else row.error) for row in rows]
    return write_summary(rows=summary_rows(results, lang=lang), path=path, lang=lang,
                         inputs=[row.path for row in rows])


# --- extending ----------------------------------------------------------------------------------

def extend_received(path: Path, *, level: str, mode, audit, out_dir: Path | None = None):
    """`kyso extend` from the desk, by the same function (app.verification.extend_file):
    NAME.gia-han.pdf beside the file (or in `out_dir`), the signatures given validation data (B-LT)
    and a document timestamp (B-LTA); audited as the CLI is — "document opened" for the input,
    then "document extended" with each signature's level before and after (or the error)."""
    import asyncio

    from signing.levels import PadesLevel

    from ..errors import error_code, error_params
    from ..settings import load_settings
    from ..verification import extend_file

    trust = desk_trust(mode)
    tsa = load_settings().settings.tsa_url or None
    audit.document_opened(path)
    try:
        result, details = asyncio.run(extend_file(path, out_dir, trust=trust, level=PadesLevel(level), tsa=tsa))
    except Exception as exc:
        audit.document_extended(path=path, level=level, error_code=error_code(exc) or "APP_INTERNAL",
                                error_params=error_params(exc))
        raise
    audit.document_extended(path=path, level=result.level.value, output=result.output, details=details)
    return result


# --- the folder verification's state (cancel from the GUI thread) ---------------------------------

class CancelFlag:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def __call__(self) -> bool:
        return self._event.is_set()
