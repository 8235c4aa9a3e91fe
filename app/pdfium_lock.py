"""The one lock every PDFium call in the process holds (PDFium is not thread-safe).

The signing job's view check (signing/view_check.py, on the job's thread) and the preview's
renderer (ui/pdf_render.py, on its own thread) both use PDFium; `ui/` imports `app` only, so the
lock signing owns is handed on here.
"""

from __future__ import annotations

from signing.view_check import PDFIUM_LOCK

__all__ = ["PDFIUM_LOCK"]
