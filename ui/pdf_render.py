"""Page images for the preview, rendered by PDFium (pypdfium2) on one thread of their own.

QtPdf renders with the same engine but never runs PDFium's form-fill pass (FPDF_FFLDraw), and
signature appearances are form-field widgets: QtPdf shows a signed page without its stamps.
pypdfium2 runs that pass (`init_forms`), so the preview of a signed file shows its signatures.
PDFium is not thread-safe: every call happens on the renderer's thread; requests are queued,
and a request for another document or zoom makes the older ones stale (they are skipped).
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from .qt import QImage, QObject, Signal

__all__ = ["PdfRenderer", "DocumentInfo"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentInfo:
    path: Path
    page_sizes: tuple[tuple[float, float], ...]  # points
    error: str | None = None  # "password" or "unreadable"


class PdfRenderer(QObject):
    loaded = Signal(int, object)  # generation, DocumentInfo
    rendered = Signal(int, int, str, int, QImage)  # generation, page, purpose, width requested, image

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._queue: queue.Queue = queue.Queue()
        self.generation = 0
        self._thread = threading.Thread(target=self._run, name="kyso-pdf-render", daemon=True)
        self._thread.start()

    def open(self, path: Path | None) -> int:
        """Open `path` (None: close); `loaded` follows. Returns the document's generation."""
        self.generation += 1
        self._queue.put(("open", self.generation, path))
        return self.generation

    def request(self, page: int, width: int, *, purpose: str) -> None:
        self._queue.put(("render", self.generation, page, width, purpose))

    def close(self) -> None:
        self._queue.put(("stop",))

    # --- the renderer's thread ----------------------------------------------------------------
    def _run(self) -> None:
        document = None
        current = 0
        while True:
            item = self._queue.get()
            if item[0] == "stop":
                break
            if item[0] == "open":
                _, current, path = item
                document = self._open(document, current, path)
            elif item[1] == current and item[1] == self.generation and document is not None:
                self._render(document, *item[1:])
        if document is not None:
            from app.pdfium_lock import PDFIUM_LOCK

            with PDFIUM_LOCK:
                document.close()

    def _open(self, previous, generation: int, path: Path | None):
        import pypdfium2 as pdfium

        from app.pdfium_lock import PDFIUM_LOCK

        with PDFIUM_LOCK:  # the signing job's view check uses PDFium on its own thread
            return self._open_locked(pdfium, previous, generation, path)

    def _open_locked(self, pdfium, previous, generation: int, path: Path | None):
        if previous is not None:
            previous.close()
        if path is None:
            return None
        try:
            document = pdfium.PdfDocument(str(path))
            document.init_forms()  # widgets (signatures) are drawn by the form-fill pass
            sizes = tuple(tuple(document.get_page_size(i)) for i in range(len(document)))
        except pdfium.PdfiumError as error:
            code = "password" if getattr(error, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD else "unreadable"
            log.info("cannot render %s: %s", path, error)
            self.loaded.emit(generation, DocumentInfo(path, (), code))
            return None
        self.loaded.emit(generation, DocumentInfo(path, sizes))
        return document

    def _render(self, document, generation: int, page_index: int, width: int, purpose: str) -> None:
        from app.pdfium_lock import PDFIUM_LOCK

        try:
            with PDFIUM_LOCK:
                page = document[page_index]
                points_width = page.get_width()
                bitmap = page.render(scale=width / points_width, may_draw_forms=True, prefer_bgrx=True,
                                     draw_annots=True)
                image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                               QImage.Format.Format_RGB32).copy()
                page.close()
        except Exception:  # noqa: BLE001 - a page that cannot be drawn shows empty, never crashes
            log.exception("rendering page %s failed", page_index)
            return
        self.rendered.emit(generation, page_index, purpose, width, image)
