"""Verifying signed PDFs: what Circular 15/2025 says a verifier must show, per signature.

Signer and issuing CA, signing time and timestamp, integrity, certificate validity at signing
time, chain to a trust anchor (kyso's own list, never the OS TLS list), revocation status,
PAdES level, and whether and how the file changed after signing.

The PAdES level is established from what is in the file: B-T when a valid signature
timestamp is there; B-LT when the certificate chain and revocation data embedded in the DSS
alone validate the signer; B-LTA when a valid document timestamp covers that DSS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

from .certcheck import RevocationStatus, make_validation_context
from .document import check_header, open_reader
from .errors import SigningError, SigningErrorCode
from .levels import PadesLevel
from .trust import TrustStore

__all__ = ["DocumentVerification", "SignatureVerification", "Verdict", "verify_document"]


class Verdict(Enum):
    VALID = "valid"
    INDETERMINATE = "indeterminate"  # nothing wrong found, but something could not be checked
    INVALID = "invalid"


class Problem(StrEnum):
    INTEGRITY = "VERIFY_INTEGRITY_BROKEN"
    UNTRUSTED = "VERIFY_UNTRUSTED"
    REVOKED = "VERIFY_REVOKED"
    EXPIRED_AT_SIGNING = "VERIFY_EXPIRED_AT_SIGNING"
    REVOCATION_UNKNOWN = "VERIFY_REVOCATION_UNKNOWN"
    MODIFIED_AFTER = "VERIFY_MODIFIED_AFTER_SIGNING"
    TIMESTAMP_INVALID = "VERIFY_TIMESTAMP_INVALID"
    PRACTICE = "VERIFY_PRACTICE_SIGNATURE"  # a training certificate, outside practice mode


_FATAL = {Problem.INTEGRITY, Problem.UNTRUSTED, Problem.REVOKED, Problem.EXPIRED_AT_SIGNING,
          Problem.MODIFIED_AFTER, Problem.TIMESTAMP_INVALID, Problem.PRACTICE}


@dataclass(frozen=True)
class SignatureVerification:
    field_name: str
    document_timestamp: bool
    signer: str
    signer_dn: str
    issuer: str
    serial: str
    cert_not_before: datetime
    cert_not_after: datetime
    signing_time: datetime | None
    timestamp_time: datetime | None
    timestamp_authority: str | None
    intact: bool
    trusted: bool
    cert_valid_at_signing: bool
    revocation: RevocationStatus
    level: PadesLevel | None
    covers_whole_file: bool
    changes_after: str  # none, lta_updates, form_filling, annotations, other
    problems: tuple[Problem, ...]
    practice: bool = False  # made with a practice (training) certificate: never a real signature

    @property
    def verdict(self) -> Verdict:
        if any(problem in _FATAL for problem in self.problems):
            return Verdict.INVALID
        return Verdict.INDETERMINATE if self.problems else Verdict.VALID


@dataclass(frozen=True)
class DocumentVerification:
    path: Path
    signatures: tuple[SignatureVerification, ...]

    @property
    def all_valid(self) -> bool:
        return bool(self.signatures) and all(s.verdict is Verdict.VALID for s in self.signatures)


async def verify_document(path: Path, *, trust: TrustStore, allow_fetching: bool = True) -> DocumentVerification:
    """Verify every signature and document timestamp in `path`."""
    check_header(path)
    with open(path, "rb") as stream:
        reader = open_reader(stream, name=path)
        if reader.encrypted:
            raise SigningError(SigningErrorCode.ENCRYPTED, file=path)
        embedded = list(reader.embedded_signatures)
        results = []
        for index, signature in enumerate(embedded):
            later = embedded[index + 1 :]
            results.append(await _verify_one(signature, reader, later, trust, allow_fetching))
    return DocumentVerification(path=path, signatures=tuple(results))


async def _verify_one(signature, reader, later, trust: TrustStore, allow_fetching: bool) -> SignatureVerification:
    from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp

    context = _context(reader, trust, allow_fetching, strict=True)
    try:
        is_timestamp = signature.sig_object_type == "/DocTimeStamp"
        if is_timestamp:
            status = await async_validate_pdf_timestamp(signature, validation_context=context)
        else:
            status = await async_validate_pdf_signature(
                signature, signer_validation_context=context, ts_validation_context=context
            )
        revocation = _revocation(status)
        if revocation is RevocationStatus.UNKNOWN:
            status = await _retry_soft(signature, reader, trust, allow_fetching, is_timestamp)
        level = None if is_timestamp else await _level(signature, status, reader, later, trust)
    finally:
        await context.aclose()
    return _practice_checked(_summarise(signature, status, revocation, level, is_timestamp), status, trust)


def _practice_checked(result: SignatureVerification, status, trust: TrustStore) -> SignatureVerification:
    """A practice certificate (signing/practice_mark.py) is said so; outside practice mode it is
    also a fatal problem, whatever trust anchors were given."""
    from .practice_mark import is_practice_certificate

    if not is_practice_certificate(status.signing_cert):
        return result
    problems = result.problems if trust.practice else result.problems + (Problem.PRACTICE,)
    return replace(result, practice=True, problems=problems)


async def _retry_soft(signature, reader, trust, allow_fetching, is_timestamp):
    """Revocation could not be established; is everything else in order?"""
    from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp

    context = _context(reader, trust, allow_fetching, strict=False)
    try:
        if is_timestamp:
            return await async_validate_pdf_timestamp(signature, validation_context=context)
        return await async_validate_pdf_signature(
            signature, signer_validation_context=context, ts_validation_context=context
        )
    finally:
        await context.aclose()


def _context(reader, trust: TrustStore, allow_fetching: bool, *, strict: bool):
    """Validation context over our anchors, seeded with the DSS's certificates and revocation data."""
    certs, ocsps, crls = _dss_contents(reader)
    return make_validation_context(
        trust=trust,
        other_certs=certs,
        require_revocation=strict,
        allow_fetching=allow_fetching,
        ocsps=ocsps,
        crls=crls,
    )


def _dss_contents(reader) -> tuple[list[bytes], list[Any], list[Any]]:
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], [], []
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    certs = [cert.dump() for cert in dss.load_certs()]
    ocsps = [
        asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
        for ref in dss.ocsps
    ]
    crls = [
        asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
        for ref in dss.crls
    ]
    return certs, ocsps, crls


def _revocation(status) -> RevocationStatus:
    from pyhanko.sign.ades.report import AdESIndeterminate

    if status.revoked:
        return RevocationStatus.REVOKED
    indication = status.trust_problem_indic
    if indication in (AdESIndeterminate.TRY_LATER, AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE):
        return RevocationStatus.UNKNOWN
    return RevocationStatus.GOOD if status.trusted else RevocationStatus.NOT_CHECKED


async def _level(signature, status, reader, later, trust: TrustStore) -> PadesLevel | None:
    if signature.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return None
    timestamped = status.timestamp_validity is not None and status.timestamp_validity.valid
    if not timestamped:
        return PadesLevel.B_B
    if not await _dss_validates_signer(status, reader, trust):
        return PadesLevel.B_T
    for stamp in later:
        if stamp.sig_object_type == "/DocTimeStamp" and await _timestamp_ok(stamp, reader, trust):
            return PadesLevel.B_LTA
    return PadesLevel.B_LT


async def _dss_validates_signer(status, reader, trust: TrustStore) -> bool:
    """True when the DSS alone (no network) holds the chain and revocation data for the signer."""
    from pyhanko_certvalidator import CertificateValidator

    certs, ocsps, crls = _dss_contents(reader)
    if not certs or not (ocsps or crls):
        return False
    context = make_validation_context(
        trust=trust,
        other_certs=certs,
        require_revocation=True,
        allow_fetching=False,
        moment=status.timestamp_validity.timestamp,
        ocsps=ocsps,
        crls=crls,
    )
    try:
        await CertificateValidator(status.signing_cert, validation_context=context).async_validate_path()
        return True
    except Exception:
        return False
    finally:
        await context.aclose()


async def _timestamp_ok(stamp, reader, trust: TrustStore) -> bool:
    from pyhanko.sign.validation import async_validate_pdf_timestamp

    context = _context(reader, trust, allow_fetching=True, strict=False)
    try:
        result = await async_validate_pdf_timestamp(stamp, validation_context=context)
        return bool(result.intact and result.valid and result.trusted)
    finally:
        await context.aclose()


def _summarise(signature, status, revocation, level, is_timestamp) -> SignatureVerification:
    cert = status.signing_cert
    signing_time = getattr(status, "signer_reported_dt", None)
    ts_status = getattr(status, "timestamp_validity", None)
    timestamp_time = status.timestamp if is_timestamp else (ts_status.timestamp if ts_status else None)
    authority = None
    if ts_status is not None:
        authority = ts_status.signing_cert.subject.human_friendly
    moment = timestamp_time or signing_time
    valid_then = moment is None or cert.not_valid_before <= moment <= cert.not_valid_after
    covers = _covers_whole_file(status)
    changes = _changes_after(status)
    problems = _problems(status, revocation, valid_then, ts_status, changes)
    return SignatureVerification(
        field_name=str(signature.field_name),
        document_timestamp=is_timestamp,
        signer=_common_name(cert.subject),
        signer_dn=cert.subject.human_friendly,
        issuer=_common_name(cert.issuer),
        serial=format(cert.serial_number, "x"),
        cert_not_before=cert.not_valid_before,
        cert_not_after=cert.not_valid_after,
        signing_time=signing_time,
        timestamp_time=timestamp_time,
        timestamp_authority=authority,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        cert_valid_at_signing=valid_then,
        revocation=revocation,
        level=level,
        covers_whole_file=covers,
        changes_after=changes,
        problems=problems,
    )


def _problems(status, revocation, valid_then, ts_status, changes) -> tuple[Problem, ...]:
    problems = []
    if not (status.intact and status.valid):
        problems.append(Problem.INTEGRITY)
    if revocation is RevocationStatus.REVOKED:
        problems.append(Problem.REVOKED)
    elif revocation is RevocationStatus.UNKNOWN:
        problems.append(Problem.REVOCATION_UNKNOWN if status.trusted else Problem.UNTRUSTED)
    elif not status.trusted:
        problems.append(Problem.UNTRUSTED)
    if not valid_then:
        problems.append(Problem.EXPIRED_AT_SIGNING)
    if ts_status is not None and not (ts_status.intact and ts_status.valid):
        problems.append(Problem.TIMESTAMP_INVALID)
    if changes == "other" or getattr(status, "docmdp_ok", True) is False:
        problems.append(Problem.MODIFIED_AFTER)
    return tuple(problems)


def _covers_whole_file(status) -> bool:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return getattr(status, "coverage", None) == SignatureCoverageLevel.ENTIRE_FILE


def _changes_after(status) -> str:
    if _covers_whole_file(status):
        return "none"
    level = getattr(status, "modification_level", None)
    return level.name.lower() if level is not None else "other"


def _common_name(name) -> str:
    native = name.native
    return native.get("common_name") or name.human_friendly
