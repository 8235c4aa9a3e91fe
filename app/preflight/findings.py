"""Preflight findings: a stable code, a severity and whether the user may override it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum

__all__ = ["Severity", "FindingCode", "Finding", "NOT_OVERRIDABLE"]


class Severity(Enum):
    BLOCK = "block"  # not signed unless overridden (and some cannot be)
    WARN = "warn"  # the user must confirm
    INFO = "info"  # shown only


class FindingCode(StrEnum):
    TYPE_UNKNOWN = "PREFLIGHT_TYPE_UNKNOWN"
    TYPE_AMBIGUOUS = "PREFLIGHT_TYPE_AMBIGUOUS"
    TYPE_LOW_CONFIDENCE = "PREFLIGHT_TYPE_LOW_CONFIDENCE"
    TYPE_DECLARED_DIFFERS = "PREFLIGHT_TYPE_DECLARED_DIFFERS"
    NUMBER_MISSING = "PREFLIGHT_NUMBER_MISSING"
    NUMBER_LEADING_ZERO = "PREFLIGHT_NUMBER_LEADING_ZERO"
    NUMBER_SPACES = "PREFLIGHT_NUMBER_SPACES"
    NUMBER_WRONG_ABBREVIATION = "PREFLIGHT_NUMBER_WRONG_ABBREVIATION"
    ROLE_MISSING = "PREFLIGHT_ROLE_MISSING"
    ROLE_NOT_ALLOWED = "PREFLIGHT_ROLE_NOT_ALLOWED"
    ROLE_CERTIFICATE_MISMATCH = "PREFLIGHT_ROLE_CERTIFICATE_MISMATCH"
    SIGNER_NAME_MISMATCH = "PREFLIGHT_SIGNER_NAME_MISMATCH"  # the signer block names someone else
    ORGANISATION_BEFORE_PERSONAL = "PREFLIGHT_ORGANISATION_BEFORE_PERSONAL"
    ALREADY_SIGNED = "PREFLIGHT_ALREADY_SIGNED"
    SIGNATURES_COMPLETE = "PREFLIGHT_SIGNATURES_COMPLETE"
    KIND_NOT_FOR_TYPE = "PREFLIGHT_KIND_NOT_FOR_TYPE"
    STATE_SECRET = "PREFLIGHT_STATE_SECRET"
    SECRET_UNCHECKABLE = "PREFLIGHT_SECRET_UNCHECKABLE"
    ENCRYPTED = "PREFLIGHT_ENCRYPTED"  # by a security handler kyso does not know
    PASSWORD_REQUIRED = "PREFLIGHT_PASSWORD_REQUIRED"
    PASSWORD_WRONG = "PREFLIGHT_PASSWORD_WRONG"
    ENCRYPTED_CERTIFICATE = "PREFLIGHT_ENCRYPTED_CERTIFICATE"
    ENCRYPTED_NO_PERMISSION = "PREFLIGHT_ENCRYPTED_NO_PERMISSION"
    ENCRYPTED_KEPT = "PREFLIGHT_ENCRYPTED_KEPT"  # info: the signed copy stays encrypted
    LOCKED = "PREFLIGHT_LOCKED"
    CERTIFIED_FORM_FILLING = "PREFLIGHT_CERTIFIED_FORM_FILLING"  # DocMDP P2: a new visible signature is not permitted
    TOO_LARGE = "PREFLIGHT_TOO_LARGE"
    PAGE_SIZE = "PREFLIGHT_PAGE_SIZE"
    PDF_VERSION = "PREFLIGHT_PDF_VERSION"
    LOW_RESOLUTION = "PREFLIGHT_LOW_RESOLUTION"
    NO_TEXT = "PREFLIGHT_NO_TEXT"
    NO_SIGNER_BLOCK = "PREFLIGHT_NO_SIGNER_BLOCK"
    LEVEL_BELOW_CATALOGUE = "PREFLIGHT_LEVEL_BELOW_CATALOGUE"  # kyso sign --level below the type's level


# Blocks nobody may override: the law (state secrets: Decree 68/2024; the organisation signs
# only over a personal signature: Decree 30 art. 14) or what cannot be signed at all.
NOT_OVERRIDABLE = frozenset(
    {FindingCode.STATE_SECRET, FindingCode.ORGANISATION_BEFORE_PERSONAL, FindingCode.ENCRYPTED,
     FindingCode.PASSWORD_REQUIRED, FindingCode.PASSWORD_WRONG, FindingCode.ENCRYPTED_CERTIFICATE,
     FindingCode.ENCRYPTED_NO_PERMISSION, FindingCode.LOCKED, FindingCode.TYPE_UNKNOWN, FindingCode.TYPE_AMBIGUOUS}
)


@dataclass(frozen=True)
class Finding:
    code: FindingCode
    severity: Severity
    params: dict[str, str] = field(default_factory=dict)

    @property
    def overridable(self) -> bool:
        return self.severity is Severity.BLOCK and self.code not in NOT_OVERRIDABLE
