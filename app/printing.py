"""Documents kyso prints itself with fpdf2 (the audit report, a workshop's exercises, handout and
report): a page set-up with the serif pair registered as "serif" (regular and "B"), and text cut
to fit a cell with an ellipsis."""

from __future__ import annotations

from pathlib import Path

__all__ = ["fit_text", "serif_pdf"]


def serif_pdf(fonts: tuple[Path, Path], *, orientation: str = "P", unit: str = "mm"):
    """An A4 fpdf2 document with the Vietnamese-capable serif pair (signing.fonts) as "serif"."""
    from fpdf import FPDF

    regular, bold = fonts
    pdf = FPDF(orientation=orientation, unit=unit, format="A4")
    pdf.add_font("serif", "", str(regular))
    pdf.add_font("serif", "B", str(bold))
    return pdf


def fit_text(pdf, text: str, width: float, *, margin: float = 2) -> str:
    """`text`, cut with "…" when it does not fit `width` (less `margin`) in the current font."""
    if pdf.get_string_width(text) <= width - margin:
        return text
    while text and pdf.get_string_width(text + "…") > width - margin:
        text = text[:-1]
    return text + "…"
