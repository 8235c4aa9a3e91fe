"""Verifying signed PDFs: what Circular 15/2025 says a verifier must show, per signature.

Signer and issuing CA, signing time and timestamp, integrity, certificate validity at signing
time, chain to a trust anchor (kyso's own list, never the OS TLS list), revocation status,
PAdES level, and whether and how the file changed after signing.

Each signature gets one of the three outcomes of ETSI EN 319 102-1 (TOTAL-PASSED,
TOTAL-FAILED, INDETERMINATE) with its sub-indication; a signature that verifies for the
revision it signed while the file was changed after it in a way its rules do not permit is
`Verdict.CHANGED` — never plain valid (docs/verification.md). Structural checks come first
(verify_structure.py): a broken signature dictionary is that signature's "invalid", never an
error of kyso's, and never hides the file's other signatures. The changes after each signature
are classified revision by revision (verify_changes.py).

The PAdES level is established from what is in the file: B-T when a valid signature
timestamp is there; B-LT when the certificate chain and revocation data embedded in the DSS
alone validate the signer; B-LTA when a valid document timestamp covers that DSS.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from .asn1_names import memoise_name_preparation
from .certcheck import RevocationStatus, make_validation_context
from .document import check_header, open_reader
from .errors import SigningError, SigningErrorCode
from .levels import PadesLevel
from .pdf_hex import install_fast_hex_strings
from .trust import TrustStore
from .verify_changes import Change, ChangeKind, RevisionSigner, classify_revisions
from .verify_prehash import FileIdentity, prehashed_digest
from .verify_structure import BoundedStream, Malformed, check_signature_dictionary, file_end, range_digest

__all__ = ["Change", "ChangeKind", "DocumentVerdict", "DocumentVerification", "Indication", "Problem",
           "SignatureVerification", "Verdict", "verify_document"]

_log = logging.getLogger(__name__)


class Verdict(StrEnum):
    VALID = "valid"  # hợp lệ
    CHANGED = "changed"  # hợp lệ cho phiên bản đã ký, nhưng văn bản đã bị thay đổi sau khi ký
    INDETERMINATE = "indeterminate"  # không xác định: nothing wrong found, but something could not be checked
    INVALID = "invalid"  # không hợp lệ


class DocumentVerdict(StrEnum):
    UNSIGNED = "unsigned"
    VALID = "valid"
    CHANGED = "changed"
    INDETERMINATE = "indeterminate"
    INVALID = "invalid"


class Indication(StrEnum):
    """ETSI EN 319 102-1 §5.1.3 main indications."""

    TOTAL_PASSED = "TOTAL-PASSED"
    TOTAL_FAILED = "TOTAL-FAILED"
    INDETERMINATE = "INDETERMINATE"


class Problem(StrEnum):
    INTEGRITY = "VERIFY_INTEGRITY_BROKEN"
    UNTRUSTED = "VERIFY_UNTRUSTED"
    REVOKED = "VERIFY_REVOKED"  # revoked before the time a timestamp proves: invalid
    REVOKED_NO_POE = "VERIFY_REVOKED_NO_POE"  # revoked, and nothing proves the signature came first
    EXPIRED_NO_POE = "VERIFY_EXPIRED_NO_POE"  # expired since, and no LTV data made while it was valid
    EXPIRED_AT_SIGNING = "VERIFY_EXPIRED_AT_SIGNING"
    REVOCATION_UNKNOWN = "VERIFY_REVOCATION_UNKNOWN"
    MODIFIED_AFTER = "VERIFY_MODIFIED_AFTER_SIGNING"
    TIMESTAMP_INVALID = "VERIFY_TIMESTAMP_INVALID"
    PRACTICE = "VERIFY_PRACTICE_SIGNATURE"  # a training certificate, outside practice mode
    CONTENTS = Malformed.CONTENTS.value
    BYTE_RANGE = Malformed.BYTE_RANGE.value
    BYTE_RANGE_MISMATCH = Malformed.BYTE_RANGE_MISMATCH.value
    CMS = "VERIFY_CMS_INVALID"  # /Contents is not a CMS signature kyso can read
    SUBFILTER = "VERIFY_SUBFILTER_UNSUPPORTED"  # a kind of signature kyso does not check


_FATAL = {Problem.INTEGRITY, Problem.REVOKED, Problem.EXPIRED_AT_SIGNING, Problem.TIMESTAMP_INVALID,
          Problem.PRACTICE, Problem.CONTENTS, Problem.BYTE_RANGE, Problem.BYTE_RANGE_MISMATCH, Problem.CMS}

# ETSI EN 319 102-1 §5.1.3 sub-indications, by the problem that decides the outcome
SUB_INDICATIONS = {
    Problem.INTEGRITY: "HASH_FAILURE",
    Problem.CONTENTS: "FORMAT_FAILURE",
    Problem.BYTE_RANGE: "FORMAT_FAILURE",
    Problem.BYTE_RANGE_MISMATCH: "FORMAT_FAILURE",
    Problem.CMS: "FORMAT_FAILURE",
    Problem.REVOKED: "REVOKED",
    Problem.EXPIRED_AT_SIGNING: "NOT_YET_VALID_OR_EXPIRED",
    Problem.TIMESTAMP_INVALID: "TIMESTAMP_ORDER_FAILURE",
    Problem.PRACTICE: "CHAIN_CONSTRAINTS_FAILURE",
    Problem.UNTRUSTED: "NO_CERTIFICATE_CHAIN_FOUND",
    Problem.REVOCATION_UNKNOWN: "TRY_LATER",
    Problem.REVOKED_NO_POE: "REVOKED_NO_POE",
    Problem.EXPIRED_NO_POE: "OUT_OF_BOUNDS_NO_POE",
    Problem.SUBFILTER: "FORMAT_FAILURE",
}
_KNOWN_SUBFILTERS = {"/adbe.pkcs7.detached", "/ETSI.CAdES.detached", "/ETSI.RFC3161", "/adbe.pkcs7.sha1"}


@dataclass(frozen=True)
class SignatureVerification:
    field_name: str
    document_timestamp: bool
    signer: str
    signer_dn: str
    issuer: str
    serial: str
    cert_not_before: datetime | None
    cert_not_after: datetime | None
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
    revision: int | None = None  # the revision it signs (0 = the first)
    byte_range: tuple[int, ...] | None = None
    changes: tuple[Change, ...] = ()  # every change after the signed revision, classified
    subfilter: str | None = None

    @property
    def verdict(self) -> Verdict:
        if any(problem in _FATAL for problem in self.problems):
            return Verdict.INVALID
        if Problem.MODIFIED_AFTER in self.problems:
            return Verdict.CHANGED
        return Verdict.INDETERMINATE if self.problems else Verdict.VALID

    @property
    def indication(self) -> Indication:
        verdict = self.verdict
        if verdict is Verdict.INVALID:
            return Indication.TOTAL_FAILED
        return Indication.INDETERMINATE if verdict is Verdict.INDETERMINATE else Indication.TOTAL_PASSED

    @property
    def sub_indication(self) -> str | None:
        verdict = self.verdict
        if verdict in (Verdict.VALID, Verdict.CHANGED):
            return None
        wanted = _FATAL if verdict is Verdict.INVALID else set(Problem) - _FATAL
        for problem in self.problems:
            if problem in wanted and problem in SUB_INDICATIONS:
                return SUB_INDICATIONS[problem]
        return None

    @property
    def unpermitted_changes(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if not change.permitted)

    @property
    def signed_length(self) -> int | None:
        """How many bytes from the start of the file the signature covers (its revision)."""
        return self.byte_range[2] + self.byte_range[3] if self.byte_range else None


@dataclass(frozen=True)
class DocumentVerification:
    path: Path
    signatures: tuple[SignatureVerification, ...]
    size: int = 0
    revisions: int = 1
    appended: bool = False  # bytes after the last revision's end
    certification: int | None = None  # DocMDP P of the certifying signature, if any
    changes: tuple[Change, ...] = field(default=())  # every revision's changes after the first signature

    @property
    def all_valid(self) -> bool:
        return bool(self.signatures) and all(s.verdict is Verdict.VALID for s in self.signatures)

    @property
    def verdict(self) -> DocumentVerdict:
        if not self.signatures:
            return DocumentVerdict.UNSIGNED
        verdicts = {s.verdict for s in self.signatures}
        for worst in (Verdict.INVALID, Verdict.CHANGED, Verdict.INDETERMINATE):
            if worst in verdicts:
                return DocumentVerdict(worst.value)
        return DocumentVerdict.VALID


async def verify_document(path: Path, *, trust: TrustStore, allow_fetching: bool = True) -> DocumentVerification:
    """Verify every signature and document timestamp in `path`."""
    install_fast_hex_strings()
    check_header(path)
    with open(path, "rb") as stream:
        identity = FileIdentity.of(os.fstat(stream.fileno()))
        size = path.stat().st_size
        end = file_end(stream, size)
        view = BoundedStream(stream, end.end) if end.appended else stream
        reader = open_reader(view, name=path)
        if reader.encrypted:
            raise SigningError(SigningErrorCode.ENCRYPTED, file=path)
        found = _signature_fields(reader)
        digests = _Digests(path, identity, view)
        checked = [await _check_one(name, sig_field, value, reader, digests, end.end, trust, allow_fetching)
                   for name, sig_field, value in found]
        certification = _certification(checked)
        try:
            per_revision = classify_revisions(reader, [c.signer for c in checked], docmdp=certification[0],
                                              certified_at=certification[1])
        except Exception:  # a revision history too broken to walk: every later change is unexplained
            _log.warning("revision analysis failed for %s", path, exc_info=True)
            per_revision = [[] for _ in range(reader.xrefs.total_revisions)]
            per_revision[1:] = [[Change(r, ChangeKind.CONTENT, False)] for r in range(1, len(per_revision))]
        appended = (Change(-1, ChangeKind.APPENDED, False),) if end.appended else ()
        results = [_with_changes(c.result, per_revision, appended) for c in checked]
        results.sort(key=lambda r: (r.revision is None, r.revision or 0))
        first = min((r.revision for r in results if r.revision is not None), default=None)
        all_changes = tuple(ch for rev in per_revision[(first or 0) + 1:] for ch in rev) + appended if results else ()
        return DocumentVerification(path=path, signatures=tuple(results), size=size,
                                    revisions=reader.xrefs.total_revisions, appended=end.appended,
                                    certification=certification[0], changes=all_changes)


@dataclass
class _Checked:
    result: SignatureVerification
    signer: RevisionSigner
    docmdp: int | None = None


def _signature_fields(reader) -> list[tuple[str, Any, Any]]:
    """(full name, field, its /V) for every signature field that has a value — whatever the value
    is; pyhanko's own list silently drops unknown sub-filters."""
    from pyhanko.sign.fields import enumerate_sig_fields

    found = []
    try:
        for name, value, sig_field in enumerate_sig_fields(reader, filled_status=True):
            found.append((str(name), sig_field, value))
            if len(found) >= 500:
                break
    except Exception:  # a form too broken to walk: what was found so far is verified
        _log.warning("signature fields could not all be read", exc_info=True)
    return found


@dataclass(frozen=True)
class _Digests:
    """The opened file: its path and identity (for a digest made in the background while kyso
    started, verify_prehash.py) and the view the signatures are read through."""

    path: Path
    identity: FileIdentity
    view: Any


async def _check_one(name, sig_field, value, reader, digests: _Digests, length, trust, allow_fetching) -> _Checked:
    from pyhanko.pdf_utils import generic

    view = digests.view
    try:
        sig_object = value.get_object() if isinstance(value, generic.IndirectObject) else value
    except Exception as exc:
        _log.debug("handled: %r", exc)
        sig_object = None
    visible = _visible(sig_field)
    if not isinstance(sig_object, generic.DictionaryObject):
        return _broken(name, Problem.CONTENTS, visible)
    is_timestamp = sig_object.get("/Type") == "/DocTimeStamp"
    subfilter = str(sig_object.get("/SubFilter", "")) or None
    malformed = check_signature_dictionary(sig_object, view, length)
    if malformed is not None:
        return _broken(name, Problem(malformed.value), visible, subfilter=subfilter, timestamp=is_timestamp)
    byte_range = tuple(int(v) for v in sig_object["/ByteRange"])
    if subfilter not in _KNOWN_SUBFILTERS:
        return _broken(name, Problem.SUBFILTER, visible, subfilter=subfilter, timestamp=is_timestamp,
                       byte_range=byte_range)
    try:
        from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

        embedded = EmbeddedPdfSignature(reader, sig_field, name)
        _seed_digest(embedded, digests, byte_range)
        revision = embedded.signed_revision
        if not _ends_its_revision(reader, revision, byte_range):
            # the dictionary was written in another revision than the one its range signs:
            # reused or moved (signature wrapping)
            return _broken(name, Problem.BYTE_RANGE_MISMATCH, visible, subfilter=subfilter, timestamp=is_timestamp,
                           byte_range=byte_range)
    except Exception:
        _log.info("signature %s: CMS unreadable", name, exc_info=True)
        return _broken(name, Problem.CMS, visible, subfilter=subfilter, timestamp=is_timestamp, byte_range=byte_range)
    try:
        result = await _verify_one(embedded, reader, trust, allow_fetching)
    except Exception:  # pyhanko's SignatureValidationError and the like: the signature does not verify
        _log.info("signature %s: validation failed", name, exc_info=True)
        return _broken(name, Problem.CMS, visible, subfilter=subfilter, timestamp=is_timestamp,
                       byte_range=byte_range, revision=revision)
    result = replace(result, revision=revision, byte_range=byte_range, subfilter=subfilter)
    genuine = Problem.INTEGRITY not in result.problems and result.intact
    try:
        docmdp = embedded.docmdp_level
    except Exception as exc:
        _log.debug("handled: %r", exc)
        docmdp = None
    return _Checked(result, RevisionSigner(name, revision, genuine, is_timestamp, visible),
                    int(docmdp.value) if docmdp is not None else None)


def _seed_digest(embedded, digests: _Digests, byte_range: tuple[int, ...]) -> None:
    """Hash the signed ranges once, in large reads (verify_structure.range_digest) — or take the
    digest of exactly these ranges of this very file made in the background (verify_prehash.py)
    — and hand it to pyhanko's signature object, which otherwise reads them 4 KiB at a time."""
    algorithm = embedded.external_md_algorithm
    digest = prehashed_digest(digests.path, digests.identity, byte_range, algorithm)
    if digest is None:
        digest = range_digest(digests.view, byte_range, algorithm)
    if digest is not None:
        embedded.external_digests[algorithm] = digest


def _ends_its_revision(reader, revision: int, byte_range: tuple[int, ...]) -> bool:
    """The signed range ends after its revision's cross-reference and before the next revision's."""
    xrefs = reader.xrefs
    end = byte_range[2] + byte_range[3]
    if end < xrefs.get_xref_container_info(revision).end_location:
        return False
    if revision + 1 < xrefs.total_revisions:
        return end <= xrefs.get_xref_container_info(revision + 1).start_location
    return True


def _broken(name, problem: Problem, visible: bool, *, subfilter=None, timestamp=False, byte_range=None,
            revision=None) -> _Checked:
    result = SignatureVerification(
        field_name=name, document_timestamp=timestamp, signer="", signer_dn="", issuer="", serial="",
        cert_not_before=None, cert_not_after=None, signing_time=None, timestamp_time=None,
        timestamp_authority=None, intact=False, trusted=False, cert_valid_at_signing=False,
        revocation=RevocationStatus.NOT_CHECKED, level=None, covers_whole_file=False, changes_after="other",
        problems=(problem,), revision=revision, byte_range=byte_range, subfilter=subfilter,
    )
    return _Checked(result, RevisionSigner(name, revision, False, timestamp, visible))


def _visible(sig_field) -> bool:
    try:
        rect = [float(v) for v in sig_field.get_object().get("/Rect", [0, 0, 0, 0])]
        return abs(rect[2] - rect[0]) > 0 and abs(rect[3] - rect[1]) > 0
    except Exception as exc:
        _log.debug("handled: %r", exc)
        return True


def _certification(checked: list[_Checked]) -> tuple[int | None, int | None]:
    for item in sorted(checked, key=lambda c: c.result.revision if c.result.revision is not None else 1 << 30):
        if item.docmdp is not None and item.signer.genuine:
            return item.docmdp, item.result.revision
    return None, None


def _with_changes(result: SignatureVerification, per_revision, appended) -> SignatureVerification:
    if result.revision is None:
        return result
    changes = tuple(ch for rev in per_revision[result.revision + 1:] for ch in rev) + appended
    problems = result.problems
    unexplained = any(not ch.permitted for ch in changes)
    if unexplained and Problem.MODIFIED_AFTER not in problems:
        problems = problems + (Problem.MODIFIED_AFTER,)
    changes_after = "other" if unexplained else result.changes_after
    return replace(result, changes=changes, problems=problems, changes_after=changes_after)


async def _verify_one(signature, reader, trust: TrustStore, allow_fetching: bool) -> SignatureVerification:
    memoise_name_preparation()
    from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp

    later = [s for s in _embedded(reader) if s.signed_revision > signature.signed_revision]
    is_timestamp = signature.sig_object_type == "/DocTimeStamp"
    decided = None if is_timestamp else await _soft_then_strict_path(signature, reader, trust, allow_fetching)
    if decided is None:
        status, revocation = await _strict_then_soft(signature, reader, trust, allow_fetching, is_timestamp)
    else:
        status, revocation = decided
    level = None if is_timestamp else await _level(signature, status, reader, later, trust)
    result = _summarise(signature, status, revocation, level, is_timestamp)
    if not is_timestamp:
        result = await _past_validation(result, signature, status, reader, later, trust, allow_fetching)
    return _practice_checked(result, status, trust)


async def _past_validation(result: SignatureVerification, signature, status, reader, later, trust: TrustStore,
                           allow_fetching: bool) -> SignatureVerification:
    """ETSI EN 319 102-1 past signature validation: a certificate revoked or expired *now* does not
    settle the verdict when a proof of existence (POE: the signature's valid timestamp) dates the
    signature. Revoked: after the POE → the signature stands (its path is validated again at the
    POE); at or before it → invalid (REVOKED); no POE → indeterminate (REVOKED_NO_POE). Expired
    since: valid when the DSS alone validates the signer at the POE and a valid document timestamp
    made while the certificate was valid covers it (B-LTA made in time); otherwise indeterminate
    (OUT_OF_BOUNDS_NO_POE) — unless the chain is not trusted at all, which stays "untrusted"."""
    poe = result.timestamp_time if Problem.TIMESTAMP_INVALID not in result.problems else None
    cert = status.signing_cert
    details = getattr(status, "revocation_details", None)
    if Problem.REVOKED in result.problems and details is not None and not details.ca_revoked:
        if poe is not None and poe < details.revocation_date:
            if await _path_valid_at(signature, reader, trust, poe, allow_fetching=allow_fetching):
                return replace(result, problems=_without(result.problems, Problem.REVOKED), trusted=True,
                               revocation=RevocationStatus.GOOD)
            return replace(result, problems=_swap(result.problems, Problem.REVOKED, Problem.REVOKED_NO_POE))
        if poe is None:
            return replace(result, problems=_swap(result.problems, Problem.REVOKED, Problem.REVOKED_NO_POE))
        return result
    from datetime import UTC

    expired_now = cert.not_valid_after < datetime.now(UTC)
    if not expired_now or result.trusted or Problem.EXPIRED_AT_SIGNING in result.problems:
        return result
    if not await _path_valid_at(signature, reader, trust, poe or cert.not_valid_after, allow_fetching=False,
                                revocation=False):
        return result  # not trusted whatever the time: "untrusted" says it
    if (poe is not None and await _dss_validates_signer(status, reader, trust)
            and await _stamped_before(later, reader, trust, cert.not_valid_after)):
        return replace(result, problems=_without(result.problems, Problem.UNTRUSTED, Problem.REVOCATION_UNKNOWN),
                       trusted=True, revocation=RevocationStatus.GOOD)
    return replace(result, problems=(*_without(result.problems, Problem.UNTRUSTED, Problem.REVOCATION_UNKNOWN),
                                     Problem.EXPIRED_NO_POE))


def _without(problems: tuple[Problem, ...], *gone: Problem) -> tuple[Problem, ...]:
    return tuple(problem for problem in problems if problem not in gone)


def _swap(problems: tuple[Problem, ...], old: Problem, new: Problem) -> tuple[Problem, ...]:
    return tuple(new if problem is old else problem for problem in problems)


async def _path_valid_at(signature, reader, trust: TrustStore, moment: datetime, *, allow_fetching: bool,
                         revocation: bool = True) -> bool:
    """The signer's certificate path validated at `moment`, with the DSS's and the signature's
    certificates and the DSS's revocation data (and fetched data, which may be newer: a
    revocation dated after `moment` does not count against it)."""
    from pyhanko_certvalidator import CertificateValidator

    certs, ocsps, crls = _dss_contents(reader)
    context = make_validation_context(trust=trust, other_certs=certs, require_revocation=revocation,
                                      allow_fetching=allow_fetching, moment=moment, ocsps=ocsps, crls=crls,
                                      retroactive_revinfo=True)
    try:
        validator = CertificateValidator(signature.signer_cert, intermediate_certs=list(signature.other_embedded_certs),
                                         validation_context=context)
        await validator.async_validate_path()
        return True
    except Exception as exc:  # revoked, expired, no path: not valid at that moment
        _log.debug("path not valid at %s: %r", moment, exc)
        return False
    finally:
        await context.aclose()


async def _stamped_before(later, reader, trust: TrustStore, deadline: datetime) -> bool:
    """A valid document timestamp after the signature, made no later than `deadline`."""
    from pyhanko.sign.validation import async_validate_pdf_timestamp

    for stamp in later:
        if stamp.sig_object_type != "/DocTimeStamp":
            continue
        context = _context(reader, trust, allow_fetching=True, strict=False)
        try:
            status = await async_validate_pdf_timestamp(stamp, validation_context=context)
        except Exception as exc:
            _log.debug("document timestamp not valid: %r", exc)
            continue
        finally:
            await context.aclose()
        if status.intact and status.valid and status.trusted and status.timestamp <= deadline:
            return True
    return False


async def _strict_then_soft(signature, reader, trust, allow_fetching, is_timestamp):
    """The reference: a strict validation (revocation required), then, when it failed without a
    revocation, a soft one (was it only that revocation data could not be had: no pointer in the
    certificate, responder down, offline?)."""
    from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp

    context = _context(reader, trust, allow_fetching, strict=True)
    try:
        if is_timestamp:
            status = await async_validate_pdf_timestamp(signature, validation_context=context)
        else:
            status = await async_validate_pdf_signature(
                signature, signer_validation_context=context, ts_validation_context=context
            )
    finally:
        await context.aclose()
    revocation = _revocation(status)
    if not status.trusted and revocation is not RevocationStatus.REVOKED:
        soft = await _retry_soft(signature, reader, trust, allow_fetching, is_timestamp)
        if soft.trusted:
            status, revocation = soft, RevocationStatus.UNKNOWN
    return status, revocation


async def _soft_then_strict_path(signature, reader, trust, allow_fetching):
    """The same outcome as `_strict_then_soft` with one signature validation where it can be had
    (docs/performance.md §11): the soft validation (revocation checked where it can be), then only
    the signer's certificate path again with revocation required — no second CMS, integrity or
    timestamp check. A soft pass trusted means the strict one differs from it only in trust, so:
    strict path valid → the strict status would be trusted (revocation GOOD); strict path fails
    without a revocation → "revocation unknown", as the soft retry decides. Anything else (the soft
    pass not trusted, a revocation found only by the strict rules, an unexpected error) is left to
    the reference (None)."""
    soft = await _retry_soft(signature, reader, trust, allow_fetching, False)
    if not soft.trusted:
        return None
    strict = await _strict_path_trusted(signature, reader, trust, allow_fetching)
    if strict is None:
        return None
    return soft, RevocationStatus.GOOD if strict else RevocationStatus.UNKNOWN


async def _strict_path_trusted(signature, reader, trust, allow_fetching) -> bool | None:
    """Would the strict validation trust the signer? Its trust step exactly (pyhanko's
    cms_basic_validation → validate_cert_usage), over the same certificates: the DSS's, the
    signature's and its timestamp tokens' (which pyhanko registers when it checks them).
    True / False (failed, not revoked) / None (revoked or unexpected: run the reference)."""
    from pyhanko.sign.validation.generic_cms import extract_certs_for_validation, extract_tst_data_iter
    from pyhanko.sign.validation.status import PdfSignatureStatus
    from pyhanko_certvalidator import find_valid_path
    from pyhanko_certvalidator.errors import PathBuildingError, RevokedError, ValidationError

    context = _context(reader, trust, allow_fetching, strict=True)
    try:
        for signed in (False, True):
            for tst in extract_tst_data_iter(signature.signer_info, signed=signed):
                context.certificate_registry.register_multiple(extract_certs_for_validation(tst).other_certs)
        context.certificate_registry.register_multiple(signature.other_embedded_certs)
        cert = signature.signer_cert
        path = await find_valid_path(cert, context.path_builder.async_build_paths_lazy(cert),
                                     validation_context=context)
        if path.pkix_len > 0:
            PdfSignatureStatus.default_usage_constraints(None).validate(cert)
        else:  # the signer's certificate is itself an anchor: pyhanko's corner cases, its own pass
            return None
        return True
    except RevokedError:
        return None
    except (ValidationError, PathBuildingError, ValueError):
        return False
    except Exception:
        _log.info("strict path check failed unexpectedly; validating again", exc_info=True)
        return None
    finally:
        await context.aclose()


def _embedded(reader) -> list:
    try:
        return list(reader.embedded_signatures)
    except Exception as exc:
        _log.debug("handled: %r", exc)
        return []


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
        retroactive_revinfo=True,  # data added later (kyso extend) proves the status at the signing time
    )
    try:
        await CertificateValidator(status.signing_cert, validation_context=context).async_validate_path()
        return True
    except Exception as exc:
        _log.debug("handled: %r", exc)
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
