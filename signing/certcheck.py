"""Checking the signer's certificate before signing (Law 20/2023; DOMAIN.md §4).

Validity period, a key usage that allows signing, a key strong enough, a chain to a trust
anchor, and the revocation status from OCSP or the newest CRL. Expired, not-yet-valid,
revoked, untrusted or unusable certificates are errors nobody can accept away; a revocation
status that cannot be learnt is a warning the signer must accept explicitly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from .errors import SigningErrorCode
from .revocation_cache import RevocationCache
from .trust import TrustStore

__all__ = [
    "CertificateFinding",
    "CertificateReport",
    "RevocationStatus",
    "check_signer_certificate",
    "describe_certificate",
    "make_validation_context",
]


class RevocationStatus(Enum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"
    NOT_CHECKED = "not_checked"


@dataclass(frozen=True)
class CertificateFinding:
    code: SigningErrorCode
    acceptable: bool  # True: a warning the user may accept; False: an error
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CertificateReport:
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    revocation: RevocationStatus
    findings: tuple[CertificateFinding, ...]
    path: tuple[bytes, ...] = ()  # signer → root, DER, when a path to an anchor was found
    ocsps: tuple = ()  # the revocation evidence used (asn1crypto objects), for B-LT and the log
    crls: tuple = ()

    @property
    def errors(self) -> tuple[CertificateFinding, ...]:
        return tuple(f for f in self.findings if not f.acceptable)

    @property
    def warnings(self) -> tuple[CertificateFinding, ...]:
        return tuple(f for f in self.findings if f.acceptable)


def describe_certificate(der: bytes) -> dict[str, object]:
    from asn1crypto import x509

    cert = x509.Certificate.load(der)
    return {
        "subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before,
        "not_after": cert.not_valid_after,
        "fingerprint_sha256": hashlib.sha256(der).hexdigest(),
    }


def make_validation_context(
    *,
    trust: TrustStore,
    other_certs: Sequence[bytes] = (),
    require_revocation: bool,
    moment: datetime | None = None,
    allow_fetching: bool = True,
    timeout: float = 10.0,
    crls: Sequence[object] = (),
    ocsps: Sequence[object] = (),
    retroactive_revinfo: bool = False,
):
    """A pyhanko-certvalidator context over our anchors (never the OS TLS list), fetching through
    the trust store's services (the network, or a workshop's in-process authority)."""
    from asn1crypto import x509
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )

    ee_rule = (
        RevocationCheckingRule.CRL_OR_OCSP_REQUIRED
        if require_revocation
        else RevocationCheckingRule.CHECK_IF_DECLARED_SOFT
    )
    ca_rule = (
        RevocationCheckingRule.CHECK_IF_DECLARED
        if require_revocation
        else RevocationCheckingRule.CHECK_IF_DECLARED_SOFT
    )
    policy = CertRevTrustPolicy(
        RevocationCheckingPolicy(ee_certificate_rule=ee_rule, intermediate_ca_cert_rule=ca_rule),
        retroactive_revinfo=retroactive_revinfo,  # revocation data issued after `moment` counts (B-LT)
    )
    return ValidationContext(
        trust_roots=trust.asn1_anchors(),
        other_certs=[x509.Certificate.load(der) for der in other_certs],
        allow_fetching=allow_fetching,
        revinfo_policy=policy,
        moment=moment,
        crls=list(crls),
        ocsps=list(ocsps),
        fetcher_backend=OwnedFetcherBackend(trust.network.fetcher_backend(timeout=timeout)),
    )


async def check_signer_certificate(
    *,
    certificate: bytes,
    chain: Sequence[bytes],
    trust: TrustStore,
    moment: datetime,
    key_bits: int,
    key_type: str,
    cache: RevocationCache | None = None,
) -> CertificateReport:
    """Every check of DOMAIN.md §4, with findings instead of exceptions."""
    info = describe_certificate(certificate)
    findings = list(_local_findings(certificate, moment=moment, key_bits=key_bits, key_type=key_type))
    evidence = _Evidence(cache)
    revocation, path = RevocationStatus.NOT_CHECKED, ()
    if not any(f.code in _PERIOD_CODES for f in findings):
        revocation, path, path_findings = await _validate_path(certificate, chain, trust=trust, evidence=evidence)
        findings += path_findings
    evidence.save()
    return CertificateReport(
        revocation=revocation,
        findings=tuple(findings),
        path=path,
        ocsps=tuple(evidence.ocsps),
        crls=tuple(evidence.crls),
        **info,  # type: ignore[arg-type]
    )


class _Evidence:
    """OCSP responses and CRLs: those cached and still fresh, plus those fetched now."""

    def __init__(self, cache: RevocationCache | None) -> None:
        self.cache = cache
        self.ocsps, self.crls = cache.load() if cache is not None else ([], [])
        self._from_cache = {item.dump() for item in (*self.ocsps, *self.crls)}

    def absorb(self, context) -> None:
        known_ocsp = {item.dump() for item in self.ocsps}
        known_crl = {item.dump() for item in self.crls}
        self.ocsps += [item for item in context.ocsps if item.dump() not in known_ocsp]
        self.crls += [item for item in context.crls if item.dump() not in known_crl]

    def save(self) -> None:
        """Store what was fetched now (never re-store cached items: that would renew them)."""
        if self.cache is not None:
            self.cache.store(
                ocsps=[item for item in self.ocsps if item.dump() not in self._from_cache],
                crls=[item for item in self.crls if item.dump() not in self._from_cache],
            )


_PERIOD_CODES = {SigningErrorCode.CERT_EXPIRED, SigningErrorCode.CERT_NOT_YET_VALID}


def _local_findings(der: bytes, *, moment: datetime, key_bits: int, key_type: str):
    from asn1crypto import x509

    cert = x509.Certificate.load(der)
    if moment > cert.not_valid_after:
        yield CertificateFinding(
            SigningErrorCode.CERT_EXPIRED, False, {"date": cert.not_valid_after.date().isoformat()}
        )
    elif moment < cert.not_valid_before:
        yield CertificateFinding(
            SigningErrorCode.CERT_NOT_YET_VALID,
            False,
            {"date": cert.not_valid_before.date().isoformat()},
        )
    usage = cert.key_usage_value
    if usage is not None and not ({"digital_signature", "non_repudiation"} & set(usage.native)):
        yield CertificateFinding(SigningErrorCode.CERT_KEY_USAGE, False)
    minimum = 2048 if key_type == "rsa" else 256
    if key_bits < minimum:
        yield CertificateFinding(SigningErrorCode.CERT_WEAK_KEY, False, {"bits": str(key_bits)})


async def _validate_path(der: bytes, chain: Sequence[bytes], *, trust: TrustStore, evidence: _Evidence):
    from pyhanko_certvalidator import errors as cv_errors

    try:
        path = await _run_validation(der, chain, trust=trust, strict=True, evidence=evidence)
        return RevocationStatus.GOOD, path, []
    except cv_errors.RevokedError as exc:
        finding = CertificateFinding(SigningErrorCode.CERT_REVOKED, False, _revoked_params(exc))
        return RevocationStatus.REVOKED, (), [finding]
    except cv_errors.InsufficientRevinfoError:
        pass
    except (cv_errors.PathBuildingError, cv_errors.PathValidationError, cv_errors.ValidationError) as exc:
        return RevocationStatus.NOT_CHECKED, (), [_path_failure(exc)]
    # The revocation status could not be learnt: is everything else in order?
    try:
        path = await _run_validation(der, chain, trust=trust, strict=False, evidence=evidence)
    except (cv_errors.PathBuildingError, cv_errors.PathValidationError, cv_errors.ValidationError) as exc:
        return RevocationStatus.UNKNOWN, (), [_path_failure(exc)]
    return RevocationStatus.UNKNOWN, path, [CertificateFinding(SigningErrorCode.REVOCATION_UNKNOWN, True)]


async def _run_validation(der, chain, *, trust, strict: bool, evidence: _Evidence):
    from asn1crypto import x509
    from pyhanko_certvalidator import CertificateValidator

    # Validated "now" as the validator reads its clock: a moment computed before the network
    # round trips would be older than fresh OCSP answers and make them look not yet valid.
    context = make_validation_context(
        trust=trust,
        other_certs=chain,
        require_revocation=strict,
        ocsps=evidence.ocsps,
        crls=evidence.crls,
    )
    try:
        validator = CertificateValidator(x509.Certificate.load(der), validation_context=context)
        path = await validator.async_validate_path()
        return tuple(cert.dump() for cert in reversed(list(path)))
    finally:
        evidence.absorb(context)
        await context.aclose()


def _path_failure(exc: Exception) -> CertificateFinding:
    from pyhanko_certvalidator import errors as cv_errors

    if isinstance(exc, cv_errors.PathBuildingError):
        return CertificateFinding(SigningErrorCode.CERT_UNTRUSTED, False)
    if isinstance(exc, cv_errors.ExpiredError):
        return CertificateFinding(SigningErrorCode.CERT_EXPIRED, False, {"date": "?"})
    if isinstance(exc, cv_errors.NotYetValidError):
        return CertificateFinding(SigningErrorCode.CERT_NOT_YET_VALID, False, {"date": "?"})
    return CertificateFinding(SigningErrorCode.CERT_INVALID, False, {"reason": type(exc).__name__})


def _revoked_params(exc: Exception) -> dict[str, str]:
    moment = getattr(exc, "revocation_dt", None)
    return {"date": moment.date().isoformat() if moment else "?"}
