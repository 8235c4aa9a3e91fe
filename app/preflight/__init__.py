"""Preflight: know what a document is before anyone signs it.

Given a PDF (and optionally the type the user says it is, their role, the signature they ask
for), identify its type in the catalogue, read what is already there, check the file, the
number, the role and state-secret marks, and produce a plan — which signature comes next, by
which role, with which appearance, at which level, where — or say why none can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from signing.inspect import DocumentFacts, inspect_document

from ..catalogue.model import Catalogue, CatalogueInfo, DocumentType, Placement, Role, SignatureKind
from .findings import Finding, FindingCode, Severity
from .number import DocumentNumber, find_number
from .plan import SignaturePlan, next_step, signer_place, step_beyond_sequence
from .recognise import Recognition, recognise
from .secrets import secret_mark
from .text import strip_marks

__all__ = ["PreflightResult", "run_preflight", "role_in_certificate", "Finding", "FindingCode", "Severity", "SignaturePlan"]

_PAGE_SIZES_MM = {"A4": (210, 297), "A3": (297, 420), "A5": (148, 210)}


@dataclass(frozen=True)
class PreflightResult:
    path: Path
    catalogue: CatalogueInfo
    recognition: Recognition
    doc_type: DocumentType | None
    declared: bool
    number: DocumentNumber | None
    facts: DocumentFacts
    findings: tuple[Finding, ...]
    plan: SignaturePlan | None

    def blocking(self, overrides: frozenset[str] = frozenset()) -> tuple[Finding, ...]:
        """Blocking findings not lifted by an explicit override (some can never be)."""
        return tuple(
            f for f in self.findings
            if f.severity is Severity.BLOCK and not (f.overridable and f.code.value in overrides)
        )

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARN)

    @property
    def signable(self) -> bool:
        return not self.blocking() and self.plan is not None

    def with_certificate(self, catalogue: Catalogue, *, role: str | None, title: str | None,
                         holder: str | None = None) -> PreflightResult:
        """This result once the signer's certificate is known: the position given is compared
        with the certificate's title, the name printed in the signer block with the holder's
        (a warning when they differ; it never blocks)."""
        if self.plan is None:
            return self
        resolved = catalogue.role(role) if role else None
        extra = tuple(_certificate_findings(catalogue, resolved, title)) if resolved is not None and title else ()
        extra += tuple(_holder_findings(catalogue, self.plan, holder))
        return replace(self, findings=self.findings + extra) if extra else self


def run_preflight(
    path: Path,
    *,
    catalogue: Catalogue,
    declared_type: str | None = None,
    role: str | None = None,
    requested_kind: str | None = None,
    certificate_title: str | None = None,
    password: str | None = None,
) -> PreflightResult:
    facts = inspect_document(path, password=password)
    findings: list[Finding] = list(_file_findings(facts, catalogue))
    texts = [line.text for line in facts.first_page]
    mark = secret_mark(texts + [line.text for line in facts.second_page])
    if mark:
        findings.append(Finding(FindingCode.STATE_SECRET, Severity.BLOCK, {"mark": mark}))
    number = find_number(texts)
    recognition = recognise(catalogue, texts, number, path)
    doc_type, type_findings = _decide_type(catalogue, recognition, declared_type)
    findings += type_findings
    plan = None
    if doc_type is not None:
        plan, plan_findings = _plan(doc_type, facts, catalogue, requested_kind, role)
        findings += plan_findings
        findings += _number_findings(doc_type, number, catalogue, plan)
        findings += _role_findings(catalogue, role, plan, certificate_title)
    return PreflightResult(path, catalogue.info, recognition, doc_type, declared_type is not None, number,
                           facts, tuple(findings), plan)


def _file_findings(facts: DocumentFacts, catalogue: Catalogue):
    rules = catalogue.file_rules
    yield from _encryption_findings(facts)
    if facts.certified_no_changes:
        yield Finding(FindingCode.LOCKED, Severity.BLOCK)
    elif facts.certification == 2:  # verifiers (kyso's too) then call the certification "changed after signing"
        yield Finding(FindingCode.CERTIFIED_FORM_FILLING, Severity.WARN)
    if facts.size > rules.max_size_mb * 1024 * 1024:
        yield Finding(FindingCode.TOO_LARGE, Severity.BLOCK, {"mb": f"{facts.size / 1048576:.0f}",
                                                               "max": f"{rules.max_size_mb:g}"})
    if not facts.encrypted and not _page_size_ok(facts.page_size, rules.page_size, rules.page_size_tolerance_mm):
        width, height = (round(v / 72 * 25.4) for v in facts.page_size)
        yield Finding(FindingCode.PAGE_SIZE, Severity.WARN, {"size": f"{width}×{height} mm", "expected": rules.page_size})
    if not facts.encrypted and not facts.has_text:
        yield Finding(FindingCode.NO_TEXT, Severity.WARN)
        yield Finding(FindingCode.SECRET_UNCHECKABLE, Severity.WARN)
        if facts.scan_dpi is not None and facts.scan_dpi < rules.scan_min_dpi:
            yield Finding(FindingCode.LOW_RESOLUTION, Severity.WARN, {"dpi": f"{facts.scan_dpi:.0f}",
                                                                       "min": str(rules.scan_min_dpi)})
        if _version(facts.pdf_version) < _version(rules.min_pdf_version):
            yield Finding(FindingCode.PDF_VERSION, Severity.WARN, {"version": facts.pdf_version,
                                                                    "min": rules.min_pdf_version})


_CLOSED_BY = {"PDF_PASSWORD_REQUIRED": FindingCode.PASSWORD_REQUIRED, "PDF_PASSWORD_WRONG": FindingCode.PASSWORD_WRONG,
              "PDF_ENCRYPTED_CERTIFICATE": FindingCode.ENCRYPTED_CERTIFICATE}


def _encryption_findings(facts: DocumentFacts):
    """Each kind of encryption says what it is: an open password to ask for (or that was
    wrong), recipients' certificates, permissions that forbid a signature, or none of these."""
    if facts.encrypted:
        yield Finding(_CLOSED_BY.get(facts.closed_by or "", FindingCode.ENCRYPTED), Severity.BLOCK)
    elif not facts.may_add_signature:
        yield Finding(FindingCode.ENCRYPTED_NO_PERMISSION, Severity.BLOCK)
    elif facts.encryption != "none":
        yield Finding(FindingCode.ENCRYPTED_KEPT, Severity.INFO)


def _page_size_ok(size: tuple[float, float], expected: str, tolerance_mm: float) -> bool:
    if expected == "any" or expected not in _PAGE_SIZES_MM:
        return True
    width, height = sorted(v / 72 * 25.4 for v in size)
    want_w, want_h = _PAGE_SIZES_MM[expected]
    return abs(width - want_w) <= tolerance_mm and abs(height - want_h) <= tolerance_mm


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.strip().split(".")[:2])
    except ValueError:
        return (0,)


def _decide_type(catalogue: Catalogue, recognition: Recognition, declared: str | None):
    if declared is not None:
        doc_type = catalogue.type_named(declared)
        if doc_type is None:
            from ..errors import AppError, AppErrorCode

            raise AppError(AppErrorCode.TYPE_NOT_IN_CATALOGUE, type=declared, catalogue=catalogue.info.name)
        findings = []
        if recognition.type is not None and recognition.confidence == "high" and recognition.type is not doc_type:
            findings.append(Finding(FindingCode.TYPE_DECLARED_DIFFERS, Severity.WARN,
                                    {"declared": doc_type.name, "found": recognition.type.name}))
        return doc_type, findings
    if recognition.type is None and not recognition.candidates:
        return None, [Finding(FindingCode.TYPE_UNKNOWN, Severity.BLOCK)]
    if recognition.type is None:
        return None, [Finding(FindingCode.TYPE_AMBIGUOUS, Severity.BLOCK,
                              {"candidates": ", ".join(recognition.candidates)})]
    if recognition.confidence != "high":
        return recognition.type, [Finding(FindingCode.TYPE_LOW_CONFIDENCE, Severity.WARN,
                                          {"type": recognition.type.name})]
    return recognition.type, []


def _plan(doc_type: DocumentType, facts: DocumentFacts, catalogue: Catalogue, requested: str | None, role: str | None):
    findings: list[Finding] = []
    upcoming = next_step(doc_type, facts)
    kinds = [step.kind for step in doc_type.signatures]
    wanted = SignatureKind(requested) if requested in {k.value for k in SignatureKind} else None
    if wanted is not None and upcoming is not None and wanted is not upcoming[1].kind:
        done = {s.kind for s in facts.signatures}
        if wanted is SignatureKind.ORGANISATION and upcoming[1].kind is SignatureKind.PERSONAL:
            findings.append(Finding(FindingCode.ORGANISATION_BEFORE_PERSONAL, Severity.BLOCK))
        elif wanted.value in done:
            findings.append(Finding(FindingCode.ALREADY_SIGNED, Severity.BLOCK, {"kind": wanted.value}))
        elif wanted not in kinds:
            findings.append(Finding(FindingCode.KIND_NOT_FOR_TYPE, Severity.WARN,
                                    {"kind": wanted.value, "type": doc_type.name}))
    if upcoming is None:
        if wanted is not None and wanted.value in {s.kind for s in facts.signatures}:
            findings.append(Finding(FindingCode.ALREADY_SIGNED, Severity.BLOCK, {"kind": wanted.value}))
        else:
            findings.append(Finding(FindingCode.SIGNATURES_COMPLETE, Severity.BLOCK, {"type": doc_type.name}))
        upcoming = step_beyond_sequence(doc_type, facts, wanted=wanted, role=_role_id(catalogue, role))
    index, step = upcoming
    if wanted is not None and wanted is not step.kind and wanted in kinds:
        index, step = kinds.index(wanted), doc_type.signatures[kinds.index(wanted)]
    box, page, name = None, 1, None
    if step.placement is Placement.SIGNER_BLOCK:
        page = facts.pages
        box, printed = signer_place(facts, catalogue, step.roles)
        if box is None:
            findings.append(Finding(FindingCode.NO_SIGNER_BLOCK, Severity.WARN))
        elif step.kind is SignatureKind.PERSONAL:
            name = printed
    return SignaturePlan(index, step.kind, step.roles, step.level, step.placement, page, box, name), findings


def _role_id(catalogue: Catalogue, role: str | None) -> str | None:
    resolved = catalogue.role(role) if role else None
    return resolved.id if resolved is not None else None


def _number_findings(doc_type: DocumentType, number: DocumentNumber | None, catalogue: Catalogue, plan):
    personal_stage = plan is not None and plan.kind is SignatureKind.PERSONAL
    if number is None or number.number is None:
        # The records office numbers a document after the leader's signature (Decree 30 art. 14).
        yield Finding(FindingCode.NUMBER_MISSING, Severity.INFO if personal_stage else Severity.WARN)
        if number is None:
            return
    if number.has_spaces:
        yield Finding(FindingCode.NUMBER_SPACES, Severity.WARN, {"number": number.text})
    if number.needs_leading_zero:
        yield Finding(FindingCode.NUMBER_LEADING_ZERO, Severity.WARN, {"number": number.text})
    first = number.first_part
    expected = doc_type.abbreviations
    if expected and not any(first.startswith(a) for a in expected):
        yield Finding(FindingCode.NUMBER_WRONG_ABBREVIATION, Severity.WARN,
                      {"found": first, "expected": "/".join(expected), "type": doc_type.name})
    if not expected and any(first.startswith(a) for a in catalogue.abbreviations):
        yield Finding(FindingCode.NUMBER_WRONG_ABBREVIATION, Severity.WARN,
                      {"found": first, "expected": "-", "type": doc_type.name})


def _role_findings(catalogue: Catalogue, role: str | None, plan: SignaturePlan | None, certificate_title: str | None):
    if plan is None:
        return
    allowed = ", ".join(catalogue.roles[r].name for r in plan.roles if r in catalogue.roles)
    resolved = catalogue.role(role) if role else None
    if resolved is None:
        yield Finding(FindingCode.ROLE_MISSING, Severity.WARN, {"role": role or "-", "allowed": allowed})
        return
    if resolved.id not in plan.roles:
        yield Finding(FindingCode.ROLE_NOT_ALLOWED, Severity.BLOCK, {"role": resolved.name, "allowed": allowed})
    yield from _certificate_findings(catalogue, resolved, certificate_title)


def _certificate_findings(catalogue: Catalogue, resolved: Role, certificate_title: str | None):
    named = role_in_certificate(catalogue, certificate_title) if certificate_title else None
    if named is not None and named is not resolved:
        yield Finding(FindingCode.ROLE_CERTIFICATE_MISMATCH, Severity.WARN,
                      {"role": resolved.name, "certificate": certificate_title or named.name})


def _holder_findings(catalogue: Catalogue, plan: SignaturePlan, holder: str | None):
    """The name printed under a personal signature's block is not the certificate holder's."""
    from .names import same_person

    if not holder or not plan.printed_name:
        return
    titles = [t for role in catalogue.roles.values() for t in (role.name, *role.titles)]
    if not same_person(plan.printed_name, holder, titles=titles):
        yield Finding(FindingCode.SIGNER_NAME_MISMATCH, Severity.WARN, {"printed": plan.printed_name, "holder": holder})


_DELEGATION = re.compile(r"^(kt|tl|tuq|tm|q)\.\s*")


def role_in_certificate(catalogue: Catalogue, title: str) -> Role | None:
    """The catalogue role a certificate's title attribute (2.5.4.12) names, if any. The longest
    match wins, so "Phó Viện trưởng" is not read as "Viện trưởng"; marks are ignored because
    many CAs issue subjects without Vietnamese diacritics."""
    wanted = strip_marks(title)
    best: tuple[int, Role] | None = None
    for role in catalogue.roles.values():
        for term in (role.name, *role.titles):
            folded = strip_marks(term)
            if _DELEGATION.match(folded) or not folded or not _contains_words(wanted, folded):
                continue
            if best is None or len(folded) > best[0]:
                best = (len(folded), role)
    return best[1] if best is not None else None


def _contains_words(text: str, term: str) -> bool:
    return re.search(rf"(^|\W){re.escape(term)}($|\W)", text) is not None
