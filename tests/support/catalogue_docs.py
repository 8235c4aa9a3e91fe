"""A sample document for each catalogue type, as a unit would produce it."""

from __future__ import annotations

from pathlib import Path

from app.catalogue import DocumentType
from tests.support.documents import decree30_pdf

NEUTRAL_BODY = "Nội dung văn bản theo quy định."


def sample_for(doc_type: DocumentType, folder: Path, *, index: int = 0, number: int = 5) -> Path:
    """A PDF a unit would write for `doc_type` (title, words under it, number, file name)."""
    abbreviation = doc_type.abbreviations[0] if doc_type.abbreviations else None
    symbol = f"{abbreviation}-VKSTC" if abbreviation else "VKSTC-VP"
    stem = doc_type.file_names[0] if doc_type.file_names else f"van-ban-{index}"
    return decree30_pdf(
        folder / f"{stem}-{index}.pdf",
        title=doc_type.titles[0] if doc_type.titles else "",
        subtitle=doc_type.subtitle[0].capitalize() if doc_type.subtitle else None,
        number=f"Số: {number:02d}/{symbol}",
        summary="V/v trả lời đơn của công dân" if doc_type.recognise_without_title else None,
        body=NEUTRAL_BODY,
    )
