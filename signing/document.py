"""Reading an input PDF safely: is it a PDF, is it whole, may it be signed at all?"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from .errors import SigningError, SigningErrorCode

__all__ = ["check_header", "open_reader", "refuse_unsignable"]

_HEADER_WINDOW = 1024


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


def open_reader(stream: BinaryIO, *, name: Path):
    """Parse the PDF structure (cross-references, trailer, catalogue) without loading streams."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(stream, strict=False)
        reader.root  # the catalogue must be reachable  # noqa: B018
        reader.root["/Pages"]["/Count"]
    except (PdfError, KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise SigningError(SigningErrorCode.DAMAGED, file=name) from exc
    return reader


def refuse_unsignable(reader, *, name: Path) -> None:
    """Encrypted documents and certified documents that forbid changes cannot be signed."""
    if reader.encrypted:
        raise SigningError(SigningErrorCode.ENCRYPTED, file=name)
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation.pdf_embedded import read_certification_data

    try:
        certification = read_certification_data(reader)
    except Exception as exc:  # a malformed /Perms entry is a damaged document
        raise SigningError(SigningErrorCode.DAMAGED, file=name) from exc
    if certification is not None and certification.permission == MDPPerm.NO_CHANGES:
        raise SigningError(SigningErrorCode.CERTIFIED_NO_CHANGES, file=name)
