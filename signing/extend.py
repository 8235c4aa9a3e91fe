"""Keeping signatures valid for years: extend a signed PDF to B-LT or B-LTA (`kyso extend`).

B-LT: the certificates and revocation data (OCSP responses, CRLs) that validate each signature
and its timestamp are added to the document security store (DSS), one incremental update per
signature — no earlier byte changes, every earlier signature stays valid.
B-LTA: then a document timestamp over all of it. A file that already has a document timestamp
gets its chain renewed the same way (validation data for every signature and timestamp, then a
new timestamp): do it before the last timestamp's certificate expires.

The output is a new file (NAME.gia-han.pdf by default), written atomically; the input is only
read. Validation data is fetched through the trust store's services (the Internet, or a
workshop's in-process authority).
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .certcheck import make_validation_context
from .document import check_header, open_reader
from .errors import SigningError, SigningErrorCode
from .levels import PadesLevel
from .trust import TrustStore

__all__ = ["ExtendResult", "extend_document", "extended_name"]


@dataclass(frozen=True)
class ExtendResult:
    source: Path
    output: Path
    level: PadesLevel
    signatures: int  # how many signatures got validation data
    renewed: bool  # an existing document timestamp chain was renewed


def extended_name(source: Path) -> str:
    return f"{source.stem}.gia-han.pdf"


async def extend_document(source: Path, target: Path, *, trust: TrustStore, level: PadesLevel,
                          tsa_url: str | None = None, timeout: float = 10.0) -> ExtendResult:
    """Write `source` extended to `level` (B-LT or B-LTA) into `target` (never over a file)."""
    if level not in (PadesLevel.B_LT, PadesLevel.B_LTA):
        raise SigningError(SigningErrorCode.LEVEL_UNSUPPORTED, level=level.value)
    if level is PadesLevel.B_LTA and not tsa_url:
        raise SigningError(SigningErrorCode.TSA_MISSING, level=level.value, issuer="-")
    check_header(source)
    if target.exists():
        raise SigningError(SigningErrorCode.OUTPUT_EXISTS, file=target)
    data = source.read_bytes()
    data, count, stamped = await _add_validation_data(data, source, trust, timeout)
    renewed = False
    if level is PadesLevel.B_LTA:
        data, renewed = await _document_timestamp(data, source, trust, tsa_url, timeout, stamped)
    _write_atomically(target, data)
    return ExtendResult(source, target, level, count, renewed)


async def _add_validation_data(data: bytes, source: Path, trust: TrustStore, timeout: float):
    from pyhanko.sign.validation.dss import async_add_validation_info

    reader = open_reader(io.BytesIO(data), name=source)
    if reader.encrypted:
        raise SigningError(SigningErrorCode.ENCRYPTED, file=source)
    names = [s.field_name for s in _signatures(reader, source)]
    stamped = any(s.sig_object_type == "/DocTimeStamp" for s in _signatures(reader, source))
    if not names:
        raise SigningError(SigningErrorCode.NOT_SIGNED, file=source)
    for name in names:
        reader = open_reader(io.BytesIO(data), name=source)
        (signature,) = [s for s in _signatures(reader, source) if s.field_name == name]
        context = _context(trust, timeout)
        try:
            # no VRI entries: optional in PAdES, and rewriting one on a later extension is a change
            out = await async_add_validation_info(signature, context, output=io.BytesIO(), add_vri_entry=False)
        except SigningError:
            raise
        except Exception as exc:  # chain or revocation data not to be had: the level cannot be reached
            raise SigningError(SigningErrorCode.REVINFO_UNAVAILABLE, level=PadesLevel.B_LT.value, url="-") from exc
        finally:
            await context.aclose()
        data = out.getvalue()
    return data, len(names), stamped


async def _document_timestamp(data: bytes, source: Path, trust: TrustStore, tsa_url: str, timeout: float,
                              stamped: bool):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    stamper = PdfTimeStamper(trust.network.timestamper(tsa_url, timeout=timeout))
    context = _context(trust, timeout)
    try:
        # a renewal is the same step: the earlier timestamps got their validation data above
        # (pyhanko's update_archival_timestamp_chain rewrites a VRI entry, which its own
        # difference analysis then calls suspicious)
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        out = await stamper.async_timestamp_pdf(writer, "sha256", validation_context=context, output=io.BytesIO())
    except SigningError:
        raise
    except Exception as exc:
        raise SigningError(SigningErrorCode.TSA_UNREACHABLE, level=PadesLevel.B_LTA.value, url=tsa_url) from exc
    finally:
        await context.aclose()
    return out.getvalue(), stamped


def _signatures(reader, source: Path):
    try:
        return list(reader.embedded_signatures)
    except Exception as exc:  # a broken signature dictionary: verify it first (kyso verify says which)
        raise SigningError(SigningErrorCode.DAMAGED, file=source) from exc


def _context(trust: TrustStore, timeout: float):
    return make_validation_context(trust=trust, require_revocation=True, timeout=timeout)


def _write_atomically(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".~kyso-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, target)  # never over a file that appeared meanwhile
    except FileExistsError as exc:
        raise SigningError(SigningErrorCode.OUTPUT_EXISTS, file=target) from exc
    finally:
        Path(temporary).unlink(missing_ok=True)
