"""Reading an input PDF safely: is it a PDF, is it whole, how is it protected, may it be signed?

Encryption comes in kinds a user must be told apart (ISO 32000-2 §7.6):
- an empty user password (most "protected" files: restrictions without an open password) —
  opened without asking and signed, the update encrypted like the original;
- an open password — asked of the user; the update keeps the encryption, if the permissions
  the password gives allow adding a signature field (or the owner password was given);
- recipients' certificates (public-key security handler) — refused with its own code;
- a security handler kyso does not know — refused.
The password is only ever held by the caller for the time of one job: never logged or stored.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from .errors import SigningError, SigningErrorCode

__all__ = ["Encryption", "parser_errors", "Protection", "check_header", "encryption_of", "open_document",
           "open_reader", "refuse_unsignable", "unlock"]

_HEADER_WINDOW = 1024


class Encryption(StrEnum):
    NONE = "none"
    EMPTY_PASSWORD = "empty-password"  # encrypted, opened without a password
    PASSWORD = "password"  # needs the user's open password
    CERTIFICATE = "certificate"  # encrypted for recipients' certificates
    UNSUPPORTED = "unsupported"  # a security handler kyso does not know


@dataclass(frozen=True)
class Protection:
    """How an opened document is protected, and whether the access obtained allows signing."""

    encryption: Encryption = Encryption.NONE
    may_add_signature: bool = True


@functools.cache
def parser_errors() -> tuple[type[BaseException], ...]:
    """What a PDF parser raises on a file it cannot read (as opposed to a fault in kyso): pyhanko's
    and pypdf's errors, and the Python errors their parsers let through on malformed input."""
    from pyhanko.pdf_utils.misc import PdfError
    from pypdf.errors import PyPdfError

    return (PdfError, PyPdfError, zlib.error, KeyError, ValueError, TypeError, AttributeError, IndexError,
            RecursionError, NotImplementedError, AssertionError, EOFError, UnicodeError)



def check_header(path: Path) -> int:
    """Refuse a missing, unreadable or non-PDF file before anything else; return its size."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEADER_WINDOW)
            size = handle.seek(0, 2)
    except FileNotFoundError:
        raise SigningError(SigningErrorCode.INPUT_NOT_FOUND, file=path) from None
    except OSError as exc:
        raise SigningError(SigningErrorCode.INPUT_UNREADABLE, file=path) from exc
    if b"%PDF-" not in head:
        raise SigningError(SigningErrorCode.NOT_A_PDF, file=path)
    return size


def open_reader(stream: BinaryIO, *, name: Path, password: str | None = None):
    """Parse the PDF structure (cross-references, trailer, catalogue) without loading streams;
    an encrypted file is unlocked (with the empty password, else `password`) or refused."""
    return open_document(stream, name=name, password=password)[0]


def open_document(stream: BinaryIO, *, name: Path, password: str | None = None):
    """(reader, Protection): `open_reader` that also says how the document is protected."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from .verify_structure import check_xref_bounds

    size = stream.seek(0, 2)
    if not check_xref_bounds(stream, size):  # /Index [0 99999999]: the parser would loop for minutes
        raise SigningError(SigningErrorCode.DAMAGED, file=name)
    stream.seek(0)
    try:
        reader = PdfFileReader(stream, strict=False)
    except parser_errors() as exc:
        raise SigningError(SigningErrorCode.DAMAGED, file=name) from exc
    protection = unlock(reader, name=name, password=password) if reader.encrypted else Protection()
    try:
        reader.root  # the catalogue must be reachable  # noqa: B018
        reader.root["/Pages"]["/Count"]
    except parser_errors() as exc:
        raise SigningError(SigningErrorCode.DAMAGED, file=name) from exc
    return reader, protection


def encryption_of(reader) -> Encryption:
    """The kind of protection of an opened (possibly still locked) document."""
    if not reader.encrypted:
        return Encryption.NONE
    from pyhanko.pdf_utils.crypt import PubKeySecurityHandler, StandardSecurityHandler

    try:
        handler = reader.security_handler
    except parser_errors():
        return Encryption.UNSUPPORTED
    if isinstance(handler, PubKeySecurityHandler):
        return Encryption.CERTIFICATE
    if not isinstance(handler, StandardSecurityHandler) or "/ID" not in reader.trailer:
        return Encryption.UNSUPPORTED  # the legacy key derivation needs the file's /ID
    return Encryption.EMPTY_PASSWORD if _empty_password_opens(reader, handler) else Encryption.PASSWORD


def _empty_password_opens(reader, handler) -> bool:
    """Viewers open a file without asking when its *user* password is empty; an empty owner
    password (which pyhanko's `authenticate` also accepts) does not open it in Acrobat or PDFium,
    so kyso asks for the password too. pyhanko has no public user-password-only check."""
    from pyhanko.pdf_utils.crypt import standard

    try:
        if handler.revision >= standard.StandardSecuritySettingsRevision.AES256:
            entry = standard._R6KeyEntry.from_bytes(handler.udata)
            return bool(standard._r6_password_authenticate(b"", entry))
        return bool(handler._auth_user_password_legacy(reader.document_id[0], b"")[0])
    except parser_errors():
        return False


def unlock(reader, *, name: Path, password: str | None) -> Protection:
    """Unlock an encrypted document for reading and for an incremental update, or refuse it
    with the code that says which kind of encryption stops it."""
    from pyhanko.pdf_utils.crypt import AuthStatus

    kind = encryption_of(reader)
    if kind is Encryption.CERTIFICATE:
        raise SigningError(SigningErrorCode.ENCRYPTED_CERTIFICATE, file=name)
    if kind is Encryption.UNSUPPORTED:
        raise SigningError(SigningErrorCode.ENCRYPTED, file=name)
    if kind is Encryption.PASSWORD and not password:
        raise SigningError(SigningErrorCode.PASSWORD_REQUIRED, file=name)
    try:
        result = reader.decrypt("" if kind is Encryption.EMPTY_PASSWORD else password)
    except UnicodeError as exc:  # legacy encryption: a password outside PDFDocEncoding cannot match
        raise SigningError(SigningErrorCode.PASSWORD_WRONG, file=name) from exc
    except parser_errors() as exc:
        raise SigningError(SigningErrorCode.DAMAGED, file=name) from exc
    if result.status is AuthStatus.FAILED:
        raise SigningError(SigningErrorCode.PASSWORD_WRONG, file=name)
    return Protection(kind, _may_add_signature(result))


def _may_add_signature(result) -> bool:
    """A new signature field is an annotation and a form field: ISO 32000-2 Table 22 asks for
    bits 4 (modify) and 6 (annotations, forms) with the user password; the owner may do anything."""
    from pyhanko.pdf_utils.crypt import AuthStatus
    from pyhanko.pdf_utils.crypt.permissions import StandardPermissions

    if result.status is AuthStatus.OWNER:
        return True
    flags = result.permission_flags
    needed = StandardPermissions.ALLOW_MODIFICATION_GENERIC | StandardPermissions.ALLOW_ANNOTS_FORM_FILLING
    return flags is None or (flags & needed) == needed


def refuse_unsignable(reader, *, name: Path, protection: Protection = Protection()) -> None:
    """A document whose encryption permissions forbid a new signature, or certified so that it
    forbids changes, cannot be signed."""
    if not protection.may_add_signature:
        raise SigningError(SigningErrorCode.ENCRYPTED_NO_PERMISSION, file=name)
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation.pdf_embedded import read_certification_data

    try:
        certification = read_certification_data(reader)
    except Exception as exc:  # a malformed /Perms entry is a damaged document
        raise SigningError(SigningErrorCode.DAMAGED, file=name) from exc
    if certification is not None and certification.permission == MDPPerm.NO_CHANGES:
        raise SigningError(SigningErrorCode.CERTIFIED_NO_CHANGES, file=name)
