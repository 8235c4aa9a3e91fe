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


VARIANTS = ("canonical", "no-diacritics", "other-unit", "not-numbered", "title-and-words-one-line",
            "title-split-two-lines", "extra-spaces", "words-in-capitals", "number-above-unit",
            "title-mixed-case", "all-without-diacritics", "summary-line", "file-name-spaced", "two-pages",
            "provincial-unit")
"""Ways units lay a document out (`_layout`): the first four as before, then a title and
its words on one line, a title split over two lines, extra spaces, the words under the title in
capitals, the number line above the unit's name, a title in mixed case alone on its line, the
whole head typed without diacritics, a "V/v …" summary under the number, the file name with
spaces and underscores, a second page, and a provincial unit's long name."""


def _strip(text: str) -> str:
    from app.preflight.text import strip_marks

    return strip_marks(text).upper()


def applies(doc_type, variant: str) -> bool:
    """Variants about the title need one (a copy or a công văn has none); splitting needs two words."""
    if variant in ("canonical", "other-unit", "not-numbered", "number-above-unit", "summary-line", "extra-spaces",
                   "all-without-diacritics", "file-name-spaced", "two-pages", "provincial-unit"):
        return True
    if not doc_type.titles:
        return False
    if variant == "title-split-two-lines":
        return len(doc_type.titles[0].split()) >= 2
    if variant == "words-in-capitals":
        return bool(doc_type.subtitle)
    return True


def _layout(doc_type, variant: str, index: int) -> dict:
    """decree30_pdf's arguments for `doc_type` laid out as `variant`."""
    abbreviation = doc_type.abbreviations[0] if doc_type.abbreviations else None
    unit = "VKS-P2" if variant == "other-unit" else "VKSTC"
    symbol = f"{abbreviation}-{unit}" if abbreviation else f"{unit}-VP"
    number = "..." if variant == "not-numbered" else f"{(index * 7) % 98 + 1:02d}"
    title = doc_type.titles[0] if doc_type.titles else ""
    subtitle = doc_type.subtitle[0].capitalize() if doc_type.subtitle else None
    summary = "V/v trả lời đơn của công dân" if doc_type.recognise_without_title else None
    layout = {"number": f"Số: {number}/{symbol}"}
    if variant == "no-diacritics":
        title = _strip(title)
    elif variant == "title-and-words-one-line":
        words = subtitle.upper() if subtitle else "VỀ CÔNG TÁC NĂM 2026"
        title, subtitle = f"{title} {words}", None
    elif variant == "title-split-two-lines":
        words = title.split()
        half = len(words) // 2
        title, rest = " ".join(words[:half]), " ".join(words[half:])
        subtitle = f"{rest} {subtitle.upper()}" if subtitle else rest
    elif variant == "extra-spaces":
        title = "  " + title.replace(" ", "   ") + " " if title else ""
        subtitle = subtitle.replace(" ", "  ") if subtitle else None
        layout["number"] = f"Số:  {number}/{symbol}"
    elif variant == "words-in-capitals":
        subtitle = subtitle.upper() if subtitle else None
    elif variant == "number-above-unit":
        layout["number_above_unit"] = True
    elif variant == "title-mixed-case":
        title = title.capitalize()
    elif variant == "all-without-diacritics":
        title = _strip(title)
        subtitle = _strip(subtitle).capitalize() if subtitle else None
        layout["number"] = _strip(layout["number"]).capitalize()
        summary = _strip(summary).capitalize() if summary else None
    elif variant == "summary-line":
        summary = summary or "V/v thực hiện công tác kiểm sát"
    elif variant == "two-pages":
        layout["pages"] = 2
    elif variant == "provincial-unit":
        layout["organisation"] = "VIỆN KIỂM SÁT NHÂN DÂN TỈNH QUẢNG NAM"
    return {**layout, "title": title, "subtitle": subtitle, "summary": summary}


def variant_document(doc_type, folder: Path, variant: str, index: int) -> Path:
    """A document of `doc_type` laid out as `variant` (one of VARIANTS)."""
    stem = doc_type.file_names[0] if doc_type.file_names else "van-ban"
    if variant == "file-name-spaced":
        stem = stem.replace("-", " ").replace(" ", "_", 1) if "-" in stem else f"{stem} scan"
    return decree30_pdf(folder / f"{stem}-{index}.pdf", body=NEUTRAL_BODY, **_layout(doc_type, variant, index))
