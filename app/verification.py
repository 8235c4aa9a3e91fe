"""What a user does with a verification, without widgets: the signed version of a signature (the
exact revision it covers, as Adobe's "view signed version"), and the printable validation report
(PDF, Vietnamese by default) with the verdicts, reasons, certificates, changes and the file's
SHA-256 — fit to print or attach to a case file. docs/verification.md."""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path

from app.i18n import message, moment
from app.printing import fit_text, serif_pdf

__all__ = ["change_line", "extend_file", "file_sha256", "signed_version", "signed_version_name", "write_verification_report"]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def signed_version_name(source: Path, index: int) -> str:
    """NAME.ban-da-ky-N.pdf: the version signature N (from 1, in signing order) covers."""
    return f"{source.stem}.ban-da-ky-{index}.pdf"


def signed_version(source: Path, signature, target: Path) -> Path:
    """Write the bytes `signature` covers (the file up to the end of its signed revision) to
    `target`, atomically, never over an existing file; the input is only read."""
    from signing.errors import SigningError, SigningErrorCode

    length = signature.signed_length
    if length is None:
        raise SigningError(SigningErrorCode.DAMAGED, file=source)
    if target.exists():
        raise SigningError(SigningErrorCode.OUTPUT_EXISTS, file=target)
    handle, temporary = tempfile.mkstemp(prefix=".~kyso-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out, open(source, "rb") as stream:
            left = length
            while left:
                block = stream.read(min(left, 1 << 20))
                if not block:
                    raise SigningError(SigningErrorCode.DAMAGED, file=source)
                out.write(block)
                left -= len(block)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, target)  # fails rather than replace a file that appeared meanwhile
    except FileExistsError as exc:
        raise SigningError(SigningErrorCode.OUTPUT_EXISTS, file=target) from exc
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def write_verification_report(path: Path, documents, *, lang: str, trust_sources: tuple[str, ...] = ()) -> Path:
    """One PDF for `documents` (DocumentVerification), written atomically."""
    from signing.fonts import serif_pair

    def t(code: str, **params) -> str:
        return message(code, lang, **params)

    pdf = serif_pdf(serif_pair())
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(t("VERIFY_REPORT_TITLE"))
    for document in documents:
        _document_pages(pdf, document, t, trust_sources)
    handle, temporary = tempfile.mkstemp(prefix=".~kyso-", suffix=".part", dir=path.parent)
    os.close(handle)
    try:
        pdf.output(temporary)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


def _document_pages(pdf, document, t, trust_sources) -> None:
    pdf.add_page()
    pdf.set_font("serif", "B", 15)
    pdf.cell(0, 9, t("VERIFY_REPORT_TITLE"), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("serif", "", 10)
    pdf.cell(0, 6, t("VERIFY_REPORT_MADE_AT", when=datetime.now().astimezone().strftime("%d/%m/%Y %H:%M:%S %z")),
             new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(3)
    _rows(pdf, [
        (t("VERIFY_REPORT_FILE"), document.path.name),
        (t("VERIFY_REPORT_SIZE"), t("VERIFY_REPORT_BYTES", count=f"{document.size:,}".replace(",", "."))),
        ("SHA-256", file_sha256(document.path)),
        (t("VERIFY_REPORT_REVISIONS"), str(document.revisions)),
        (t("VERIFY_REPORT_SIGNATURES"), str(len(document.signatures))),
    ])
    if trust_sources:
        _rows(pdf, [(t("VERIFY_REPORT_TRUST"), "; ".join(trust_sources))])
    pdf.ln(2)
    pdf.set_font("serif", "B", 12)
    pdf.multi_cell(0, 7, t("CLI_VERIFY_DOCUMENT", verdict=t("DOC_VERDICT_" + document.verdict.name)),
                   new_x="LMARGIN", new_y="NEXT")
    for number, signature in enumerate(document.signatures, start=1):
        _signature_block(pdf, number, signature, document, t)


def change_line(change, t) -> str:
    """One change after a signature, in words (kyso verify and the report)."""
    where = t("CHANGE_END_OF_FILE") if change.revision < 0 else t("CHANGE_REVISION", revision=change.revision + 1)
    what = t(change.kind.value) + (f" ({', '.join(change.fields)})" if change.fields else "")
    return t("CLI_VERIFY_CHANGE", where=where, what=what,
             status=t("CHANGE_PERMITTED" if change.permitted else "CHANGE_NOT_PERMITTED"))


def _signature_block(pdf, number: int, sig, document, t) -> None:
    pdf.ln(3)
    pdf.set_font("serif", "B", 11)
    kind = t("VERIFY_REPORT_DOCUMENT_TIMESTAMP") if sig.document_timestamp else t("VERIFY_REPORT_SIGNATURE")
    pdf.multi_cell(0, 6, f"{number}. {kind} «{sig.field_name}»: {t('VERDICT_' + sig.verdict.name)}",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("serif", "", 10)
    reason = t("SUBIND_" + sig.sub_indication) if sig.sub_indication else "—"
    rows = [
        (t("VERIFY_REPORT_INDICATION"), f"{sig.indication.value} ({t('INDICATION_' + sig.indication.value)})"),
        (t("VERIFY_REPORT_REASON"), reason),
        (t("VERIFY_REPORT_SIGNER"), sig.signer_dn or "—"),
        (t("VERIFY_REPORT_ISSUER"), sig.issuer or "—"),
        (t("VERIFY_REPORT_SERIAL"), sig.serial or "—"),
    ]
    if sig.cert_not_before is not None:
        rows.append((t("VERIFY_REPORT_CERT_VALIDITY"), f"{sig.cert_not_before:%d/%m/%Y} – {sig.cert_not_after:%d/%m/%Y}"))
    if sig.timestamp_time is not None:
        rows.append((t("VERIFY_REPORT_TIME"), t("VERIFY_REPORT_TIME_PROVEN", when=moment(sig.timestamp_time),
                                         authority=sig.timestamp_authority or "?")))
    elif sig.signing_time is not None:
        rows.append((t("VERIFY_REPORT_TIME"), t("VERIFY_REPORT_TIME_CLAIMED", when=moment(sig.signing_time))))
    rows += [
        (t("VERIFY_REPORT_INTEGRITY"), t("YES" if sig.intact else "NO")),
        (t("VERIFY_REPORT_TRUSTED"), t("YES" if sig.trusted else "NO")),
        (t("VERIFY_REPORT_REVOCATION"), t("REVOCATION_" + sig.revocation.name)),
        (t("VERIFY_REPORT_LEVEL"), sig.level.value if sig.level else "—"),
    ]
    if sig.signed_length is not None and sig.revision is not None:
        rows.append((t("VERIFY_REPORT_COVERS"), t("VERIFY_REPORT_COVERS_VALUE", signed=sig.signed_length, size=document.size,
                                           revision=sig.revision + 1, revisions=document.revisions)))
    _rows(pdf, rows)
    for problem in sig.problems:
        pdf.multi_cell(0, 5, "! " + t(problem.value), new_x="LMARGIN", new_y="NEXT")
    for change in sig.changes:
        pdf.multi_cell(0, 5, ("   " if change.permitted else "! ") + change_line(change, t),
                       new_x="LMARGIN", new_y="NEXT")


def _rows(pdf, rows) -> None:
    label_width = 52
    for label, value in rows:
        pdf.set_font("serif", "", 10)
        pdf.cell(label_width, 5.5, fit_text(pdf, label, label_width))
        pdf.multi_cell(0, 5.5, value, new_x="LMARGIN", new_y="NEXT")


async def extend_file(path: Path, out_dir: Path | None, *, trust, level, tsa: str | None):
    """Extend one file (`kyso extend`, the desktop's "Gia hạn chữ ký…"), and what its audit event
    records: each signature's level before and after, checked offline on the input and on the
    output (no second fetch), and the output's SHA-256."""
    from app.audit.signing_audit import extension_details, file_size_and_sha256
    from signing.extend import extend_document, extended_name
    from signing.verify import verify_document

    target = (out_dir or path.parent) / extended_name(path)
    before = await verify_document(path, trust=trust, allow_fetching=False)
    _, input_sha256 = file_size_and_sha256(path)
    result = await extend_document(path, target, trust=trust, level=level, tsa_url=tsa)
    after = await verify_document(result.output, trust=trust, allow_fetching=False)
    return result, extension_details(before=before, after=after, output=result.output, renewed=result.renewed,
                                     input_sha256=input_sha256)
