"""What a signing job records, in order: documents opened and checked, then per document
"sign requested" (on disk before the token is used), then "sign succeeded" or "sign failed"
(on disk before the job reports it); documents never signed get "sign refused"; a wrong or
locked PIN gets its own event (the PIN itself never).

SignJob calls a SigningAudit; with no journal every call does nothing.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .journal import AuditJournal

__all__ = ["SigningAudit", "HASH_ON_OPEN_LIMIT", "extension_details", "file_size_and_sha256", "record_document_opened"]

HASH_ON_OPEN_LIMIT = 64 * 1024 * 1024  # larger inputs: "document opened" has sha256 null, the
# signature's event carries the input's SHA-256 (the engine hashes it while copying, for free)
_PIN_WRONG = {"TOKEN_PIN_INCORRECT"}
_PIN_LOCKED = {"TOKEN_PIN_LOCKED"}


class SigningAudit:
    def __init__(self, journal: AuditJournal | None, *, token_label: str | None = None) -> None:
        self.journal = journal
        self._token_label = token_label
        self._requested: dict[Path, str] = {}  # source → request id
        self._recorded: set[Path] = set()  # sources whose outcome is recorded
        self._planned: list[Path] = []
        self._signer: dict[str, Any] = {}

    # -- before the token ---------------------------------------------------------------------------

    def planned(self, plans: Sequence[Any]) -> None:
        """Each document opened and, when the catalogue ran, what preflight found."""
        if self.journal is None:
            return
        self.journal.hold()  # all documents' events in one transaction, before any PIN is asked
        try:
            self._opened_and_checked(plans)
        finally:
            self.journal.release()

    def _opened_and_checked(self, plans: Sequence[Any]) -> None:
        for plan in plans:
            self._planned.append(plan.source)
            record_document_opened(self.journal, plan.source)
            result = plan.preflight
            if result is not None:
                self.journal.preflight_done(
                    path=plan.source, doc_type=result.doc_type.name if result.doc_type else None,
                    findings=[f.code.value for f in result.findings],
                    blocking=[] if plan.signable else [plan.error_code or "PREFLIGHT_BLOCKED"],
                    catalogue_version=result.catalogue.version,
                )

    def signer(self, *, token: Any, certificate: Any, level: str, tsa_url: str | None, evidence: str,
               requested: str | None = None, shortfalls: Any = ()) -> None:
        """The token and certificate the job signs with (recorded with each request); when the
        level reached is below the one `requested`, the `shortfalls` (codes) say why."""
        self._signer = {
            "token": {"label": token.label, "serial": token.serial} if token is not None else None,
            "certificate": None if certificate is None else {
                "serial": certificate.serial, "subject": certificate.subject, "issuer": certificate.issuer,
                "sha256": certificate.fingerprint_sha256,
            },
            "level": level, "tsa": tsa_url, "revocation": evidence,
            "revocation_status": getattr(getattr(certificate, "revocation", None), "value", None),
            "level_requested": requested or level, "shortfalls": list(shortfalls),
        }

    # -- per document --------------------------------------------------------------------------------

    def requested(self, plan: Any, target: Path) -> str | None:
        if self.journal is None:
            return None
        request_id = uuid.uuid4().hex
        data: dict[str, Any] = {"pid": os.getpid()}
        try:
            data["output_mtime_ns"] = str(target.stat().st_mtime_ns)  # an older file there (--force)
        except OSError:
            pass
        self.journal.sign_requested(
            request_id=request_id, path=plan.source, output=target, kind=_kind(plan),
            level=self._signer.get("level", ""), certificate=self._signer.get("certificate"),
            token=self._signer.get("token"), **data,
        )
        self.journal.release()  # with the previous document's outcome: on disk before the token is used
        self._requested[plan.source] = request_id
        return request_id

    def succeeded(self, request_id: str | None, plan: Any, signed: Any) -> None:
        if self.journal is None:
            return
        self._recorded.add(plan.source)
        details = {
            "input_sha256": signed.input_sha256, "input_size": signed.input_size, "output": str(signed.output),
            "output_sha256": signed.output_sha256, "output_size": signed.output_size, "kind": _kind(plan),
            "level": signed.level.value, "field": signed.field_name, "signing_time": signed.signing_time.isoformat(),
            "certificate": self._signer.get("certificate"), "token": self._signer.get("token"),
            "tsa": self._signer.get("tsa") if signed.level.value != "B-B" else None,
            "revocation": self._signer.get("revocation"),
            "revocation_status": self._signer.get("revocation_status"),
        }
        if self._signer.get("shortfalls"):  # signed below the level asked, accepted: say why
            details["level_requested"] = self._signer.get("level_requested")
            details["shortfalls"] = self._signer.get("shortfalls")
        # Held: written in one transaction with the next document's request, or by `flush` at the
        # end of the batch before the job reports. The signed file is already durable; if the
        # process dies in between, its pending request is reconciled at the next start
        # (app/audit/reconcile.py) — the event is never lost.
        self.journal.hold()
        self.journal.sign_succeeded(request_id=request_id or "", path=plan.source, details=details)

    def flush(self) -> None:
        """Write what is held (the last documents' outcomes): before the job reports them."""
        if self.journal is not None:
            self.journal.release()

    def failed(self, request_id: str | None, plan: Any, code: str, params: dict[str, str]) -> None:
        if self.journal is None:
            return
        self._recorded.add(plan.source)
        self.journal.sign_failed(request_id=request_id, path=plan.source, error_code=code, error_params=params)
        self.journal.release()
        self._pin(code)

    # -- the end -----------------------------------------------------------------------------------

    def finished(self, outcomes: Sequence[Any]) -> None:
        """Documents that never reached the token: "sign refused" with the reason."""
        if self.journal is None:
            return
        self.journal.release()
        for outcome in outcomes:
            if outcome.source not in self._recorded and outcome.source not in self._requested:
                self._recorded.add(outcome.source)
                self.journal.sign_refused(path=outcome.source, error_code=outcome.error_code or "APP_INTERNAL",
                                          error_params=outcome.error_params)

    def stopped(self, exc: BaseException) -> None:
        """The job stopped before its end (certificate refused, wrong PIN, token missing…)."""
        if self.journal is None:
            return
        self.journal.release()  # outcomes already held first, in their order
        code = str(getattr(getattr(exc, "code", None), "value", None) or getattr(exc, "code", None)
                   or ("APP_CANCELLED" if isinstance(exc, KeyboardInterrupt) else "APP_INTERNAL"))
        params = {k: str(v) for k, v in (getattr(exc, "params", None) or {}).items()}
        self._pin(code)
        for source in self._planned:
            if source in self._recorded:
                continue
            self._recorded.add(source)
            if source in self._requested:
                self.journal.sign_failed(request_id=self._requested[source], path=source, error_code=code,
                                         error_params=params)
            else:
                self.journal.sign_refused(path=source, error_code=code, error_params=params)

    def pin_wrong(self, *, token: dict) -> None:
        """A wrong PIN the user is asked to correct in the same login (never the PIN)."""
        if self.journal is not None:
            self.journal.pin_wrong(token=self._signer.get("token") or token, error_code="TOKEN_PIN_INCORRECT")

    def _pin(self, code: str) -> None:
        token = self._signer.get("token") or {"label": self._token_label, "serial": None}
        if code in _PIN_WRONG:
            self.journal.pin_wrong(token=token, error_code=code)
        elif code in _PIN_LOCKED:
            self.journal.pin_locked(token=token, error_code=code)


def _kind(plan: Any) -> str | None:
    appearance = getattr(plan, "appearance", None)
    return appearance.kind.value if appearance is not None else None


def signature_records(verification: Any) -> list[dict[str, Any]]:
    """The signatures of a DocumentVerification as "verification done" records them."""
    return [{"field": s.field_name, "verdict": s.verdict.value, "signer": s.signer, "serial": s.serial,
             "issuer": s.issuer, "integrity": s.intact, "trusted": s.trusted,
             "revocation": s.revocation.value, "level": s.level.value if s.level else None}
            for s in verification.signatures]


def extension_details(*, before: Any, after: Any, output: Path, renewed: bool,
                      input_sha256: str | None) -> dict[str, Any]:
    """What "document extended" records of one file (docs/audit.md): each earlier signature's
    level before and after and its verdict after (the DocumentVerifications of the input and the
    output, both checked offline), whether every one was kept valid, the output's SHA-256."""
    size, digest = file_size_and_sha256(output)
    earlier = {s.field_name: s for s in before.signatures}
    records = []
    for sig in after.signatures:
        old = earlier.get(sig.field_name)
        records.append({"field": sig.field_name, "document_timestamp": sig.document_timestamp,
                        "level_before": old.level.value if old is not None and old.level else None,
                        "level_after": sig.level.value if sig.level else None, "verdict_after": sig.verdict.value,
                        "new": old is None})
    worse = {"invalid", "changed"}
    after_verdicts = {r["field"]: r["verdict_after"] for r in records}
    kept = all(name in after_verdicts and (after_verdicts[name] not in worse or old.verdict.value in worse)
               for name, old in earlier.items())
    return {"input_sha256": input_sha256, "output_sha256": digest, "output_size": size, "renewed": renewed,
            "signatures_before": len(before.signatures), "signatures_after": len(after.signatures),
            "signatures_kept": kept, "signatures": records}


def file_size_and_sha256(path: Path) -> tuple[int | None, str | None]:
    """Size and SHA-256 whatever the size (streamed): the extended output's event always has it."""
    try:
        with open(path, "rb") as handle:
            return os.fstat(handle.fileno()).st_size, hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None, None


def record_document_opened(journal: AuditJournal | None, path: Path) -> None:
    """"document opened" with its size and SHA-256 (null above HASH_ON_OPEN_LIMIT)."""
    size, digest = size_and_hash(path)
    if journal is not None and size is not None:
        journal.document_opened(path=path, size=size, sha256=digest)


def size_and_hash(path: Path) -> tuple[int | None, str | None]:
    """The file's size and SHA-256 (None above HASH_ON_OPEN_LIMIT); (None, None) if unreadable."""
    try:
        size = path.stat().st_size
        if size > HASH_ON_OPEN_LIMIT:
            return size, None
        with open(path, "rb") as handle:
            return size, hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None, None
