"""A signing job: the files, the token, the options — and the order things happen in.

1. Find the token and its certificate *before* asking for the PIN where the token allows it,
   so an expired or revoked certificate never costs a PIN try.
2. Check the certificate (validity, key usage, chain, revocation). Errors stop the job;
   warnings must be accepted by the user (the `WarningAcceptor` asks).
3. Log in once (the `PinPrompter` asks), decide the reachable PAdES level, sign every file.
   One failed file does not stop the others; a removed token stops the rest cleanly.

The job never prompts by itself: the CLI and the UI pass in their prompter and acceptor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from signing.certcheck import CertificateFinding, CertificateReport, check_signer_certificate
from signing.engine import LevelDecision, SignedDocument, SigningBatch, SignOptions
from signing.errors import SigningError, SigningErrorCode
from signing.output import default_output_path
from signing.revocation_cache import RevocationCache
from signing.trust import TrustStore
from tokens import (
    ModuleOptions,
    PinPrompter,
    Pkcs11Module,
    TokenError,
    TokenErrorCode,
    TokenInfo,
    TokenSession,
)
from tokens.discovery import discover, load_candidates
from tokens.listing import list_tokens
from tokens.registry import ModuleRegistry
from tokens.slots import token_infos

from .errors import error_code, error_params
from .paths import data_home

__all__ = ["FileOutcome", "SignJob", "SignReport", "SignRequest", "WarningAcceptor"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignRequest:
    files: tuple[Path, ...]
    module_path: str | None  # None: the first known module with a token present
    options: SignOptions
    out_dir: Path | None = None
    token_label: str | None = None
    key_id: bytes | None = None
    trust_dirs: tuple[Path, ...] = ()
    module_options: ModuleOptions = field(default_factory=ModuleOptions)


class WarningAcceptor(Protocol):
    def accept(self, findings: Sequence[CertificateFinding], report: CertificateReport) -> bool:
        """True when the user explicitly accepts these warnings."""
        ...


@dataclass(frozen=True)
class FileOutcome:
    source: Path
    output: Path | None
    signed: SignedDocument | None = None
    error_code: str | None = None
    error_params: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.signed is not None


@dataclass(frozen=True)
class SignReport:
    token: TokenInfo
    key_id: bytes
    certificate: CertificateReport
    decision: LevelDecision
    outcomes: tuple[FileOutcome, ...]

    @property
    def all_ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)


Progress = Callable[[int, int, Path], None]


class SignJob:
    def __init__(
        self,
        request: SignRequest,
        *,
        prompter: PinPrompter,
        acceptor: WarningAcceptor,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
        picker: Callable[[SignRequest], tuple[Pkcs11Module, ModuleOptions]] | None = None,
    ) -> None:
        self.request = request
        self._picker = picker or pick_module
        self._prompter = prompter
        self._acceptor = acceptor
        self._progress = progress or (lambda done, total, path: None)
        self._cancelled = cancelled or (lambda: False)

    def run(self) -> SignReport:
        """Run the whole job (blocking; call it from a worker thread in a GUI)."""
        return asyncio.run(self._run())

    async def _run(self) -> SignReport:
        request = self.request
        trust = TrustStore.load(extra_dirs=request.trust_dirs)
        module, options = self._picker(request)
        report = None
        early = _certificate_before_login(module, request, options)
        if early is not None:
            report = await self._check(early.der, early.chain, trust=trust)
        with TokenSession.open(
            module=module,
            prompter=self._prompter,
            token_label=request.token_label,
            options=options,
            issuer=early.issuer_ca if early is not None else "",
        ) as session:
            key = session.key(key_id=request.key_id)
            if report is None:
                report = await self._check(key.certificate, key.extra_certificates, trust=trust)
            chain = _embedded_chain(report, key.extra_certificates)
            batch = SigningBatch(
                key=key,
                chain=chain,
                options=request.options,
                trust=trust,
                revocation=report.revocation,
                evidence=(report.ocsps, report.crls),
            )
            try:
                decision = await batch.prepare()
                outcomes = await self._sign_all(batch)
            finally:
                await batch.aclose()
            return SignReport(session.info, key.key_id, report, decision, tuple(outcomes))

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
            cache=RevocationCache(data_home() / "cache" / "revocation"),
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

    async def _sign_all(self, batch: SigningBatch) -> list[FileOutcome]:
        files = self.request.files
        outcomes: list[FileOutcome] = []
        for index, source in enumerate(files):
            if self._cancelled():
                outcomes += _not_done(files[index:], code="APP_CANCELLED")
                break
            self._progress(index, len(files), source)
            outcome = await self._sign_one(batch, source)
            outcomes.append(outcome)
            if outcome.error_code == TokenErrorCode.TOKEN_REMOVED.value:
                outcomes += _not_done(files[index + 1 :], code=TokenErrorCode.TOKEN_REMOVED.value)
                break
        self._progress(len(files), len(files), files[-1] if files else Path())
        return outcomes

    async def _sign_one(self, batch: SigningBatch, source: Path) -> FileOutcome:
        target = default_output_path(source, out_dir=self.request.out_dir)
        try:
            signed = await batch.sign_document(source=source, target=target)
        except (SigningError, TokenError) as exc:
            log.info("signing %s failed: %s", source, exc, exc_info=exc.__cause__ is not None)
            return FileOutcome(source, None, error_code=error_code(exc), error_params=error_params(exc))
        except Exception:
            log.exception("unexpected failure while signing %s", source)
            return FileOutcome(source, None, error_code=SigningErrorCode.INTERNAL.value)
        return FileOutcome(source, signed.output, signed=signed)


def _not_done(files: Sequence[Path], *, code: str) -> list[FileOutcome]:
    return [FileOutcome(path, None, error_code=code) for path in files]


@dataclass(frozen=True)
class _EarlyCertificate:
    der: bytes
    chain: list[bytes]
    issuer_ca: str


def pick_module(request: SignRequest) -> tuple[Pkcs11Module, ModuleOptions]:
    """The module named in the request, else the first known one with a matching token present;
    its quirks come from the module registry, plus what the request forces."""
    configured = [request.module_path] if request.module_path else []
    candidates = load_candidates(discover(configured=configured, registry=ModuleRegistry.load(
        extra_files=[data_home() / "modules.toml"])))
    if configured:
        chosen = candidates[0]
        if chosen.module is None:
            raise chosen.error or TokenError(TokenErrorCode.MODULE_NOT_FOUND, module=request.module_path)
        return chosen.module, _merged(chosen.options, request.module_options)
    for candidate in candidates:
        if candidate.module is not None and _has_token(candidate.module, request.token_label):
            return candidate.module, _merged(candidate.options, request.module_options)
    if not candidates:
        raise TokenError(TokenErrorCode.MODULE_NOT_CONFIGURED)
    raise TokenError(TokenErrorCode.NO_TOKEN, module=", ".join(c.path for c in candidates))


def _has_token(module: Pkcs11Module, label: str | None) -> bool:
    try:
        return any(label is None or info.label == label for info in token_infos(module))
    except TokenError:
        return False


def _merged(registry: ModuleOptions, forced: ModuleOptions) -> ModuleOptions:
    return replace(registry, host_hash=registry.host_hash or forced.host_hash)


def _certificate_before_login(module, request: SignRequest, options: ModuleOptions) -> _EarlyCertificate | None:
    """The signer's certificate read from public objects, when it can be identified."""
    try:
        listings = [
            listing
            for listing in list_tokens(module, options=options)
            if request.token_label is None or listing.info.label == request.token_label
        ]
    except TokenError:
        return None
    if len(listings) != 1 or listings[0].needs_login:
        return None
    certificates = listings[0].certificates
    others = [entry.der for entry in certificates if entry.is_ca]
    if request.key_id is not None:
        chosen = [entry for entry in certificates if entry.key_id == request.key_id]
    else:
        chosen = [entry for entry in certificates if not entry.is_ca]
    if len(chosen) != 1:
        return None
    return _EarlyCertificate(chosen[0].der, others, chosen[0].issuer_ca)


def _embedded_chain(report: CertificateReport, token_certificates: Sequence[bytes]) -> list[bytes]:
    """Certificates to embed with the signature: the intermediates up to (not including) the root."""
    if len(report.path) >= 2:
        return list(report.path[1:-1])
    from asn1crypto import x509

    return [der for der in token_certificates if x509.Certificate.load(der).self_signed == "no"]
