"""A signing job: the files, the token, the options — and the order things happen in.

1. Preflight every file against the catalogue (when the request carries one): type, secret
   marks, file rules, role, what is already signed; a blocked file is reported and never
   reaches the token; warnings must be accepted. If nothing can be signed, no PIN is asked.
2. Find the token and its certificate *before* asking for the PIN where the token allows it,
   so an expired or revoked certificate never costs a PIN try.
3. Check the certificate (validity, key usage, chain, revocation). Errors stop the job;
   warnings must be accepted by the user (the `WarningAcceptor` asks).
4. Log in once (the `PinPrompter` asks), decide the reachable PAdES level, sign every file
   with its own appearance. One failed file does not stop the others; a removed token stops
   the rest cleanly.

The job never prompts by itself: the CLI and the UI pass in their prompter and acceptor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from signing.certcheck import CertificateFinding, CertificateReport, check_signer_certificate
from signing.engine import LevelDecision, SignedDocument, SigningBatch, SignOptions, reachable_level
from signing.errors import SigningError, SigningErrorCode
from signing.output import default_output_path
from signing.trust import TrustStore
from tokens import (
    ModuleOptions,
    PinPrompter,
    PinPurpose,
    Pkcs11Module,
    TokenError,
    TokenErrorCode,
    TokenInfo,
    TokenSession,
)
from tokens.holder import certificate_holder

from .audit.signing_audit import SigningAudit
from .backend import PRODUCTION, SigningBackend
from .errors import error_code, error_params
from .logs import active_log_file
from .module_choice import EarlyCertificate, certificate_before_login
from .preflight import Finding
from .sign_plan import (
    FilePlan,
    PasswordPrompter,
    PreflightOptions,
    job_level,
    plan_files,
    with_certificate,
)

if TYPE_CHECKING:
    from .audit.journal import AuditJournal

__all__ = ["SignRequest", "SignJob", "FileOutcome", "SignReport", "WarningAcceptor", "LowerLevelAnswer"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignRequest:
    files: tuple[Path, ...]
    module_path: str | None  # None: the first known module with a token present
    options: SignOptions
    out_dir: Path | None = None
    output_suffix: str = ".signed"  # NAME.signed.pdf
    token_label: str | None = None
    key_id: bytes | None = None
    trust_dirs: tuple[Path, ...] = ()
    module_options: ModuleOptions = field(default_factory=ModuleOptions)
    preflight: PreflightOptions | None = None  # None: no catalogue check (library use, tests)
    explicit_appearance: bool = True  # False: each file's appearance comes from its plan
    explicit_level: bool = True  # False: the level comes from the catalogue
    may_lower_level: bool = True  # policy (`lower_level`): may the user accept a level below the one asked?


class WarningAcceptor(Protocol):
    def accept(self, findings: Sequence[CertificateFinding], report: CertificateReport) -> bool:
        """True when the user explicitly accepts these certificate warnings."""
        ...

    def accept_preflight(self, items: Sequence[tuple[Path, Sequence[Finding]]]) -> bool:
        """True when the user explicitly accepts these documents' preflight warnings."""
        ...

    # Optional: `accept_lower_level(decision: LevelDecision, *, may_lower: bool) -> LowerLevelAnswer`,
    # asked BEFORE any PIN when the level cannot be reached; an acceptor without it stops the job.


class LowerLevelAnswer:
    RETRY = "retry"  # probe the TSA and fetch revocation data again
    LOWER = "lower"  # sign at the level reached; the shortfall is recorded (audit) and shown
    STOP = "stop"


@dataclass(frozen=True)
class FileOutcome:
    source: Path
    output: Path | None
    signed: SignedDocument | None = None
    error_code: str | None = None
    error_params: dict[str, str] = field(default_factory=dict)
    plan: FilePlan | None = None

    @property
    def ok(self) -> bool:
        return self.signed is not None


@dataclass(frozen=True)
class SignReport:
    token: TokenInfo | None  # None when nothing could be signed and the token was never used
    key_id: bytes | None
    certificate: CertificateReport | None
    decision: LevelDecision | None
    outcomes: tuple[FileOutcome, ...]

    @property
    def all_ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


Progress = Callable[[int, int, Path], None]
Picker = Callable[["SignRequest"], tuple[Pkcs11Module, ModuleOptions]]


class SignJob:
    def __init__(
        self,
        request: SignRequest,
        *,
        prompter: PinPrompter,
        acceptor: WarningAcceptor,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
        picker: Picker | None = None,
        journal: AuditJournal | None = None,
        passwords: PasswordPrompter | None = None,
        backend: SigningBackend = PRODUCTION,
    ) -> None:
        self._backend = backend  # production or practice (app/backend.py), chosen at start-up
        self.request = request = backend.request_for(request)
        # Open passwords of encrypted documents: asked through the PIN prompter when it can ask.
        self._passwords = passwords if passwords is not None else (
            prompter if hasattr(prompter, "ask_password") else None)
        self._audit = SigningAudit(journal, token_label=request.token_label)  # docs/audit.md
        self._picker = picker or backend.pick_module
        self._prompter = prompter
        self._acceptor = acceptor
        self._progress = progress or (lambda done, total, path: None)
        self._level_named = request.options.level.value  # the level the PIN dialog names
        self._cancelled = cancelled or (lambda: False)

    def run(self) -> SignReport:
        """Run the whole job (blocking; call it from a worker thread in a GUI)."""
        try:
            report = asyncio.run(self._run())
        except BaseException as exc:
            self._audit.stopped(exc)
            raise
        self._audit.finished(report.outcomes)
        return report

    async def _run(self) -> SignReport:
        request = self.request
        plans = self._plans()
        self._audit.planned(plans)
        if not any(plan.signable for plan in plans):
            return SignReport(None, None, None, None, tuple(_not_signed(plan) for plan in plans))
        module, options = self._picker(request)
        early = certificate_before_login(module, request.token_label, request.key_id, options)
        if early is not None:
            self._backend.admit_certificate(early.der)  # before the PIN: refused, no try spent
        if request.preflight is not None:
            plans = with_certificate(plans, request.preflight, title=_title(early), holder=_holder_name(early))
        plans = self._accepted(self._level_warnings(plans))
        if not any(plan.signable for plan in plans):
            return SignReport(None, None, None, None, tuple(_not_signed(plan) for plan in plans))
        trust = self._backend.trust_store(request.trust_dirs)
        report = None
        sign_options = self._options(plans)
        if early is not None:  # the level is decided here, before any PIN is asked
            report = await self._check(early.der, early.chain, trust=trust)
            sign_options = await self._reachable(sign_options, early.der, early.chain, report, trust)
        with TokenSession.open(
            module=module, prompter=_AuditedPrompter(self._prompter, self._audit), token_label=request.token_label,
            options=options, issuer=early.issuer_ca if early is not None else "",
            holder=certificate_holder(early.der).name if early is not None else "",
            purpose=_purpose(plans, self._level_named),
        ) as session:
            key = session.key(key_id=request.key_id)
            self._backend.admit_certificate(key.certificate)
            if report is None:  # a token that shows its certificate only after the login
                report = await self._check(key.certificate, key.extra_certificates, trust=trust)
                sign_options = await self._reachable(sign_options, key.certificate, key.extra_certificates, report,
                                                     trust)
            batch = SigningBatch(
                key=key, chain=_embedded_chain(report, key.extra_certificates), options=sign_options,
                trust=trust, revocation=report.revocation, evidence=(report.ocsps, report.crls),
            )
            try:
                decision = await batch.prepare()
                self._audit.signer(token=session.info, certificate=report, level=decision.reached.value,
                                   tsa_url=batch.options.tsa_url, evidence=_evidence(decision, self._backend),
                                   requested=decision.requested.value,
                                   shortfalls=[code.value for code in decision.shortfalls])
                outcomes = await self._sign_all(batch, plans)
            finally:
                await batch.aclose()
            return SignReport(session.info, key.key_id, report, decision, tuple(outcomes))

    def _plans(self) -> list[FilePlan]:
        request = self.request
        if request.preflight is None:
            return [FilePlan(path, appearance=request.options.appearance) for path in request.files]
        requested = request.options.appearance if request.explicit_appearance else None
        return plan_files(request.files, request.preflight, requested=requested, passwords=self._passwords)

    def _accepted(self, plans: list[FilePlan]) -> list[FilePlan]:
        """Plans whose preflight warnings the user accepted; the others are not signed."""
        warned = [(p.source, p.preflight.warnings) for p in plans if p.signable and p.preflight and p.preflight.warnings]
        if not warned or self._acceptor.accept_preflight(warned):
            return plans
        refused = {source for source, _ in warned}
        return [
            replace(p, appearance=None, error_code="PREFLIGHT_WARNINGS_NOT_ACCEPTED") if p.source in refused else p
            for p in plans
        ]

    def _level_warnings(self, plans: list[FilePlan]) -> list[FilePlan]:
        """A level asked explicitly below the one the catalogue sets for a document is a warning
        the user must accept, like any other."""
        asked = self.request.options.level
        if not self.request.explicit_level or self.request.preflight is None:
            return plans
        from .preflight import Finding, FindingCode, Severity

        warned = []
        for plan in plans:
            if plan.signable and plan.preflight is not None and plan.level is not None and plan.level.rank > asked.rank:
                doc_type = plan.preflight.doc_type.name if plan.preflight.doc_type else "-"
                finding = Finding(FindingCode.LEVEL_BELOW_CATALOGUE, Severity.WARN,
                                  {"level": asked.value, "catalogue_level": plan.level.value, "type": doc_type})
                plan = replace(plan, preflight=replace(plan.preflight, findings=(*plan.preflight.findings, finding)))
            warned.append(plan)
        return warned

    def _options(self, plans: Sequence[FilePlan]) -> SignOptions:
        options = self.request.options
        if self.request.explicit_level or self.request.preflight is None:
            return options
        return replace(options, level=job_level(plans, options.level))

    async def _reachable(self, options: SignOptions, certificate: bytes, chain: Sequence[bytes],
                         report: CertificateReport, trust: TrustStore) -> SignOptions:
        """The options the batch runs with: the TSA (configured, else the preset for the signer's
        CA) and whether a lower level was accepted. The TSA is probed and the revocation status
        looked at now; when the level cannot be reached the acceptor is asked (wait and retry, or
        the lower level when the policy allows) — and without an answer nothing is signed."""
        from .endpoints import tsa_choice

        configured, fresh = options.tsa_url, False
        while True:
            choice = tsa_choice(configured=configured, certificate=certificate, chain=chain)
            reach = await reachable_level(level=options.level, tsa_urls=choice.urls, trust=trust,
                                          revocation=report.revocation, timeout=options.network_timeout,
                                          fresh=fresh)
            options = replace(options, tsa_url=reach.tsa_url)
            decision = reach.decision
            self._level_named = decision.requested.value
            if not decision.shortfalls or (options.allow_lower_level and self.request.may_lower_level):
                self._level_named = decision.reached.value
                return options
            log.info("level %s cannot be reached (%s); TSA %s", decision.requested.value,
                     ", ".join(code.value for code in decision.shortfalls), choice.urls or "-")
            ask = getattr(self._acceptor, "accept_lower_level", None)
            answer = ask(decision, may_lower=self.request.may_lower_level) if ask else LowerLevelAnswer.STOP
            if answer == LowerLevelAnswer.RETRY:
                fresh = True
                continue
            if answer == LowerLevelAnswer.LOWER and self.request.may_lower_level:
                self._level_named = decision.reached.value
                return replace(options, allow_lower_level=True)
            raise SigningError(decision.shortfalls[0], level=decision.requested.value,
                               url=", ".join(choice.urls) or "-", issuer=choice.issuer or "-")

    async def _check(self, certificate: bytes, chain: Sequence[bytes], *, trust: TrustStore) -> CertificateReport:
        from asn1crypto import x509

        public_key = x509.Certificate.load(certificate).public_key
        report = await check_signer_certificate(
            certificate=certificate,
            chain=chain,
            trust=trust,
            moment=datetime.now(UTC),
            key_bits=public_key.bit_size,
            key_type=public_key.algorithm,
            cache=self._backend.revocation_cache(),
        )
        if report.errors:
            first = report.errors[0]
            raise SigningError(first.code, **first.params)
        if report.warnings and not self._acceptor.accept(report.warnings, report):
            raise SigningError(
                SigningErrorCode.WARNINGS_NOT_ACCEPTED,
                warnings=", ".join(f.code.value for f in report.warnings),
            )
        return report

    async def _sign_all(self, batch: SigningBatch, plans: Sequence[FilePlan]) -> list[FileOutcome]:
        outcomes: list[FileOutcome] = []
        for index, plan in enumerate(plans):
            if self._cancelled():
                outcomes += _not_done(plans[index:], code="APP_CANCELLED")
                break
            self._progress(index, len(plans), plan.source)
            outcome = await self._sign_one(batch, plan) if plan.signable else _not_signed(plan)
            outcomes.append(outcome)
            if outcome.error_code == TokenErrorCode.TOKEN_REMOVED.value:
                outcomes += _not_done(plans[index + 1 :], code=TokenErrorCode.TOKEN_REMOVED.value)
                break
        self._audit.flush()  # the last outcomes on disk before the job reports them
        self._progress(len(plans), len(plans), plans[-1].source if plans else Path())
        return outcomes

    async def _sign_one(self, batch: SigningBatch, plan: FilePlan) -> FileOutcome:
        source = plan.source
        target = default_output_path(source, out_dir=self.request.out_dir, suffix=self.request.output_suffix)
        request_id = self._audit.requested(plan, target)  # on disk before the token is used
        try:
            facts = plan.preflight.facts if plan.preflight is not None else None
            with self._backend.document_for_signing(source, expected_sha256=plan.expected_sha256, facts=facts,
                                                    password=plan.password) as (document, sha256):
                signed = await batch.sign_document(source=document, target=target, appearance=plan.appearance,
                                                   expected_sha256=sha256, password=plan.password)
        except (SigningError, TokenError) as exc:
            log.info("signing %s failed: %s", source, exc, exc_info=exc.__cause__ is not None)
            self._audit.failed(request_id, plan, error_code(exc) or "", error_params(exc))
            return FileOutcome(source, None, error_code=error_code(exc), error_params=error_params(exc), plan=plan)
        except Exception:
            log.exception("unexpected failure while signing %s", source)
            params = {"log": str(active_log_file())}
            self._audit.failed(request_id, plan, SigningErrorCode.INTERNAL.value, params)
            return FileOutcome(source, None, error_code=SigningErrorCode.INTERNAL.value, error_params=params,
                               plan=plan)
        self._audit.succeeded(request_id, plan, signed)  # on disk with the next request, or before the report
        return FileOutcome(source, signed.output, signed=signed, plan=plan)


class _AuditedPrompter:
    """The front end's prompter, with each wrong PIN recorded in the audit log as it happens (the
    tokens layer asks again after one, in the same login, when the prompter can)."""

    def __init__(self, prompter: PinPrompter, audit: SigningAudit) -> None:
        self._prompter = prompter
        self._audit = audit
        self.asks_again = bool(getattr(prompter, "asks_again", False))

    def ask_pin(self, request):
        if request.attempt > 1:
            self._audit.pin_wrong(token={"label": request.token_label, "serial": request.token_serial})
        return self._prompter.ask_pin(request)

    def ask_password(self, request):
        return self._prompter.ask_password(request)

    def pin_accepted(self) -> None:
        accepted = getattr(self._prompter, "pin_accepted", None)
        if accepted is not None:
            accepted()


def _purpose(plans: Sequence[FilePlan], level: str) -> PinPurpose:
    signable = [plan for plan in plans if plan.signable]
    kinds = tuple(sorted({plan.appearance.kind.value for plan in signable}))
    return PinPurpose(documents=len(signable), kinds=kinds, level=level)


def _evidence(decision: LevelDecision, backend: SigningBackend) -> str:
    """Where the revocation evidence of the signer's certificate is kept."""
    if decision.reached.value in ("B-LT", "B-LTA"):
        return "in the signed PDF (DSS)"
    return "revocation cache: " + str(backend.revocation_cache().folder)


def _not_signed(plan: FilePlan) -> FileOutcome:
    return FileOutcome(plan.source, None, error_code=plan.error_code, error_params=plan.error_params, plan=plan)


def _not_done(plans: Sequence[FilePlan], *, code: str) -> list[FileOutcome]:
    return [FileOutcome(plan.source, None, error_code=code, plan=plan) for plan in plans]


def _embedded_chain(report: CertificateReport, token_certificates: Sequence[bytes]) -> list[bytes]:
    """Certificates to embed with the signature: the intermediates up to (not including) the root."""
    if len(report.path) >= 2:
        return list(report.path[1:-1])
    from asn1crypto import x509

    return [der for der in token_certificates if x509.Certificate.load(der).self_signed == "no"]


def _holder_name(early: EarlyCertificate | None) -> str | None:
    """The certificate holder's name, compared with the name printed in the signer block."""
    return certificate_holder(early.der).name or None if early is not None else None


def _title(early: EarlyCertificate | None) -> str | None:
    """The certificate subject's title attribute (2.5.4.12), e.g. "Kiểm sát viên"."""
    if early is None:
        return None
    from tokens.holder import certificate_holder

    return certificate_holder(early.der).title
