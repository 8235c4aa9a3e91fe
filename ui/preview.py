"""Preview of the exact file that will be signed: pages, thumbnails, zoom, and the signature box.

Pages are rendered by PDFium on the renderer's own thread (ui/pdf_render.py: with the form
pass that draws signature stamps); the page is shown in a graphics scene in which the signature
box is an item the user drags and resizes. The box is kept in
PDF points (origin bottom left), the same coordinates the signing engine uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .qt import (
    QBrush,
    QColor,
    QFont,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QImage,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPainter,
    QPen,
    QPixmap,
    QPointF,
    QRectF,
    QSize,
    QSizeF,
    QSpinBox,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

__all__ = ["AppearancePreview", "PdfPreview", "SignatureBoxItem", "PX_PER_PT"]

PX_PER_PT = 96 / 72  # 100 % zoom shows the page at its real size
THUMB_WIDTH = 96
MAX_THUMBNAILS = 300
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
HANDLE = 10.0  # px: the resize corner


@dataclass(frozen=True)
class AppearancePreview:
    """What the stamp shows: an image (signature, seal) or text lines (copies, attachments)."""

    image: Path | None = None
    lines: tuple[str, ...] = ()
    resizable: bool = True  # the seal is printed at its real size: it moves but is not resized


class SignatureBoxItem(QGraphicsRectItem):
    """The signature's box on the page: drag to move, drag the lower-right corner to resize."""

    def __init__(self, rect: QRectF, *, bounds: QRectF, appearance: AppearancePreview, scale: float,
                 on_change) -> None:
        super().__init__(QRectF(0, 0, rect.width(), rect.height()))
        self.setPos(rect.topLeft())
        self.bounds = bounds
        self.appearance = appearance
        self.scale_factor = scale
        self.on_change = on_change
        self._resizing = False
        self._image = QImage(str(appearance.image)) if appearance.image else QImage()
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCursor(Qt.CursorShape.SizeAllCursor)
        self.setAcceptHoverEvents(True)
        self.setZValue(10)

    def scene_rect(self) -> QRectF:
        return QRectF(self.pos(), self.rect().size())

    def paint(self, painter: QPainter, option, widget=None) -> None:
        rect = self.rect()
        painter.fillRect(rect, QColor(255, 255, 200, 70))
        if not self._image.isNull():
            target = _fit(self._image.size().toSizeF(), rect)
            painter.drawImage(target, self._image)
        elif self.appearance.lines:
            self._paint_lines(painter, rect)
        painter.setPen(QPen(QColor("#1b5fad"), 1.5, Qt.PenStyle.DashLine))
        painter.drawRect(rect)
        if self.appearance.resizable:
            corner = QRectF(rect.right() - HANDLE, rect.bottom() - HANDLE, HANDLE, HANDLE)
            painter.fillRect(corner, QBrush(QColor("#1b5fad")))

    def _paint_lines(self, painter: QPainter, rect: QRectF) -> None:
        font = QFont("Liberation Serif")
        font.setStyleHint(QFont.StyleHint.Serif)
        font.setPointSizeF(10 * self.scale_factor * 72 / 96)  # 10 pt on the page, at this zoom
        painter.setFont(font)
        painter.setPen(QColor("black"))
        line_height = 12 * self.scale_factor
        for number, line in enumerate(self.appearance.lines):
            painter.drawText(QPointF(rect.left() + 1, rect.top() + line_height * (number + 1) - 2), line)

    def _near_corner(self, point: QPointF) -> bool:
        rect = self.rect()
        return (self.appearance.resizable and rect.right() - HANDLE * 1.5 <= point.x() <= rect.right()
                and rect.bottom() - HANDLE * 1.5 <= point.y() <= rect.bottom())

    def hoverMoveEvent(self, event) -> None:
        self.setCursor(Qt.CursorShape.SizeFDiagCursor if self._near_corner(event.pos())
                       else Qt.CursorShape.SizeAllCursor)
        super().hoverMoveEvent(event)

    def mousePressEvent(self, event) -> None:
        self._resizing = self._near_corner(event.pos())
        if self._resizing:
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if not self._resizing:
            super().mouseMoveEvent(event)
            return
        limit = self.bounds.bottomRight() - self.pos()
        width = min(max(event.pos().x(), 20.0), limit.x())
        height = min(max(event.pos().y(), 12.0), limit.y())
        self.prepareGeometryChange()
        self.setRect(QRectF(0, 0, width, height))

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        self._resizing = False
        self.on_change()

    def keyPressEvent(self, event) -> None:
        """Arrow keys move the box by 1 pt (10 pt with Shift): placement without a mouse."""
        step = (10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1) * self.scale_factor
        moves = {Qt.Key.Key_Left: (-step, 0), Qt.Key.Key_Right: (step, 0),
                 Qt.Key.Key_Up: (0, -step), Qt.Key.Key_Down: (0, step)}
        if event.key() not in moves:
            super().keyPressEvent(event)
            return
        dx, dy = moves[event.key()]
        self.setPos(self.pos() + QPointF(dx, dy))
        self.on_change()

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange:
            size = self.rect().size()
            x = min(max(value.x(), self.bounds.left()), self.bounds.right() - size.width())
            y = min(max(value.y(), self.bounds.top()), self.bounds.bottom() - size.height())
            return QPointF(x, y)
        return super().itemChange(change, value)


def _fit(size, rect: QRectF) -> QRectF:
    """`size` scaled to fit in `rect`, keeping its proportions, centred (as the engine does)."""
    if size.width() <= 0 or size.height() <= 0:
        return rect
    factor = min(rect.width() / size.width(), rect.height() / size.height())
    width, height = size.width() * factor, size.height() * factor
    return QRectF(rect.center().x() - width / 2, rect.center().y() - height / 2, width, height)


class PageView(QGraphicsView):
    zoomRequested = Signal(int)  # +1 / -1 (Ctrl+wheel)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setBackgroundBrush(QColor("#e4e6ea"))
        self.page_frame = QGraphicsRectItem()
        self.page_frame.setPen(QPen(QColor("#9aa0a6"), 1))
        self.page_frame.setBrush(QBrush(QColor("white")))
        self.scene().addItem(self.page_frame)
        self.page_item = QGraphicsPixmapItem()
        self.scene().addItem(self.page_item)

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoomRequested.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)


class PdfPreview(QWidget):
    """Pages of one document, its thumbnails, zoom, and (when signing is planned) the box."""

    placementChanged = Signal(int, tuple)  # page index (0-based), (x1, y1, x2, y2) in points
    pageChanged = Signal(int)
    pageRendered = Signal(int)  # the page image on screen is up to date

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        from .pdf_render import PdfRenderer

        self.renderer = PdfRenderer(self)
        self.renderer.loaded.connect(self._loaded)
        self.renderer.rendered.connect(self._rendered)
        self.info = None  # DocumentInfo once the renderer has opened the file
        self.path: Path | None = None
        self.page = 0
        self.zoom = 1.0
        self.fit_width_mode = True
        self.box_item: SignatureBoxItem | None = None
        self._box_spec: tuple[int, tuple[float, float, float, float], AppearancePreview] | None = None
        self._build()
        self.retranslate()

    # --- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.view = PageView(self)
        self.view.zoomRequested.connect(lambda step: self.zoom_in() if step > 0 else self.zoom_out())
        self.thumbnails = QListWidget(self)
        self.thumbnails.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbnails.setFlow(QListWidget.Flow.TopToBottom)
        self.thumbnails.setWrapping(False)
        self.thumbnails.setIconSize(QSize(THUMB_WIDTH, int(THUMB_WIDTH * 1.42)))
        self.thumbnails.setFixedWidth(THUMB_WIDTH + 36)
        self.thumbnails.setSpacing(4)
        self.thumbnails.currentRowChanged.connect(lambda row: self.go_to(row) if row >= 0 else None)
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.hide()
        pages = QHBoxLayout()
        pages.setContentsMargins(0, 0, 0, 0)
        pages.addWidget(self.thumbnails)
        pages.addWidget(self.view, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_bar())
        layout.addWidget(self.message)
        layout.addLayout(pages, 1)

    def _build_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.prev_button = self._tool("go-previous", self.previous_page)
        self.next_button = self._tool("go-next", self.next_page)
        self.page_box = QSpinBox(self)
        self.page_box.setMinimum(1)
        self.page_box.valueChanged.connect(lambda value: self.go_to(value - 1))
        self.page_count_label = QLabel(self)
        self.zoom_out_button = self._tool("zoom-out", self.zoom_out)
        self.zoom_label = QLabel(self)
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = self._tool("zoom-in", self.zoom_in)
        self.fit_button = self._tool("zoom-fit-width", self.fit_width)
        for widget in (self.prev_button, self.page_box, self.page_count_label, self.next_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button):
            bar.addWidget(widget)
        return bar

    def _tool(self, icon: str, slot) -> QToolButton:
        from .qt import QIcon

        button = QToolButton(self)
        button.setIcon(QIcon.fromTheme(icon))
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def retranslate(self) -> None:
        for button, (label, tip) in {
            self.prev_button: (self.tr("◀"), self.tr("Previous page (Page Up)")),
            self.next_button: (self.tr("▶"), self.tr("Next page (Page Down)")),
            self.zoom_out_button: (self.tr("−"), self.tr("Zoom out (Ctrl+−)")),
            self.zoom_in_button: (self.tr("+"), self.tr("Zoom in (Ctrl++)")),
            self.fit_button: (self.tr("Fit width"), self.tr("Fit the page to the window's width (Ctrl+0)")),
        }.items():
            if button.icon().isNull():
                button.setText(label)
            button.setToolTip(tip)
            button.setAccessibleName(tip)
        self.page_box.setAccessibleName(self.tr("Page number"))
        self.thumbnails.setAccessibleName(self.tr("Page thumbnails"))
        self.view.setAccessibleName(self.tr("Document page"))
        self._update_labels()

    # --- documents ----------------------------------------------------------------------------
    def show_document(self, path: Path | None) -> None:
        """Show `path` (None: nothing); the pages follow once the renderer has opened it."""
        self.clear_box()
        self.path = path
        self.info = None
        self.thumbnails.clear()
        self.view.page_item.setPixmap(QPixmap())
        self.view.page_frame.setRect(QRectF())
        self.page = 0
        self._show_message("")
        self.renderer.open(path)

    def _loaded(self, generation: int, info) -> None:
        if generation != self.renderer.generation:
            return  # another document was asked for meanwhile
        if info.error is not None:
            self._show_message(self._load_error(info.error))
            return
        self.info = info
        self.page = min(self.page, max(self.page_count - 1, 0))
        self.page_box.blockSignals(True)
        self.page_box.setMaximum(max(1, self.page_count))
        self.page_box.blockSignals(False)
        self._request_thumbnails()
        self._render()

    def _load_error(self, error: str) -> str:
        if error == "password":
            return self.tr("This document is protected by a password: it cannot be previewed or signed.")
        return self.tr("This file cannot be shown: it is not a readable PDF.")

    def _show_message(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))

    @property
    def page_count(self) -> int:
        return len(self.info.page_sizes) if self.info is not None else 0

    # --- navigation and zoom ------------------------------------------------------------------
    def go_to(self, page: int) -> None:
        if not 0 <= page < self.page_count or page == self.page:
            return
        self.page = page
        self._render()
        self.pageChanged.emit(page)

    def next_page(self) -> None:
        self.go_to(self.page + 1)

    def previous_page(self) -> None:
        self.go_to(self.page - 1)

    def zoom_in(self) -> None:
        self._set_zoom(next((z for z in ZOOM_STEPS if z > self.zoom + 1e-3), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        self._set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < self.zoom - 1e-3), ZOOM_STEPS[0]))

    def fit_width(self) -> None:
        self.fit_width_mode = True
        self._render()

    def _set_zoom(self, zoom: float) -> None:
        self.fit_width_mode = False
        self.zoom = zoom
        self._render()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit_width_mode and self.path is not None:
            self._render()

    # --- rendering ----------------------------------------------------------------------------
    def page_points(self, page: int | None = None) -> QSizeF:
        width, height = self.info.page_sizes[self.page if page is None else page]
        return QSizeF(width, height)

    def scale(self) -> float:
        """Scene pixels per PDF point at the current zoom."""
        return self.zoom * PX_PER_PT

    def _render(self) -> None:
        if self.path is None or self.page_count == 0:
            return
        points = self.page_points()
        if self.fit_width_mode:
            available = max(200, self.view.viewport().width() - 24)
            self.zoom = min(4.0, max(0.25, available / (points.width() * PX_PER_PT)))
        self.renderer.request(self.page, self._page_width_px(), purpose="page")
        page_rect = QRectF(0, 0, points.width() * self.scale(), points.height() * self.scale())
        self.view.scene().setSceneRect(page_rect.adjusted(-8, -8, 8, 8))
        self.view.page_frame.setRect(page_rect)
        self._place_box()
        self._update_labels()
        self.thumbnails.blockSignals(True)
        self.thumbnails.setCurrentRow(self.page)
        self.thumbnails.blockSignals(False)
        self.page_box.blockSignals(True)
        self.page_box.setValue(self.page + 1)
        self.page_box.blockSignals(False)

    def _rendered(self, generation: int, page: int, purpose: str, width: int, image: QImage) -> None:
        if generation != self.renderer.generation or self.info is None:
            return
        if purpose == "thumb":
            self._thumbnail_rendered(page, image)
            return
        if page != self.page or width != self._page_width_px():
            return  # an answer to an earlier request (another page or zoom)
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.view.page_item.setPixmap(pixmap)
        self.pageRendered.emit(page)

    def _page_width_px(self) -> int:
        return max(1, int(self.page_points().width() * self.scale() * self.devicePixelRatioF()))

    def _request_thumbnails(self) -> None:
        for page in range(min(self.page_count, MAX_THUMBNAILS)):
            item = QListWidgetItem(str(page + 1))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.thumbnails.addItem(item)
            self.renderer.request(page, THUMB_WIDTH, purpose="thumb")

    def _thumbnail_rendered(self, page: int, image: QImage) -> None:
        from .qt import QIcon

        item = self.thumbnails.item(page)
        if item is not None:
            item.setIcon(QIcon(QPixmap.fromImage(image)))

    def _update_labels(self) -> None:
        self.page_count_label.setText(self.tr("of %1").replace("%1", str(max(self.page_count, 1))))
        self.zoom_label.setText(f"{self.zoom * 100:.0f} %")
        self.prev_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page + 1 < self.page_count)

    # --- the signature box --------------------------------------------------------------------
    def set_box(self, page: int, box: tuple[float, float, float, float], appearance: AppearancePreview) -> None:
        """Show the signature box on `page` (0-based), `box` in PDF points; go to that page."""
        self._box_spec = (page, box, appearance)
        if self.info is None:
            self.page = page  # shown once the document is open
        elif page != self.page and 0 <= page < self.page_count:
            self.page = page
            self._render()
        else:
            self._place_box()

    def clear_box(self) -> None:
        self._box_spec = None
        self._remove_box_item()

    def _remove_box_item(self) -> None:
        if self.box_item is not None:
            self.view.scene().removeItem(self.box_item)
            self.box_item = None

    def _place_box(self) -> None:
        self._remove_box_item()
        if self._box_spec is None or self._box_spec[0] != self.page or self.info is None:
            return
        _, (x1, y1, x2, y2), appearance = self._box_spec
        height = self.page_points().height()
        s = self.scale()
        rect = QRectF(x1 * s, (height - y2) * s, (x2 - x1) * s, (y2 - y1) * s)
        self.box_item = SignatureBoxItem(rect, bounds=self.view.page_frame.rect(), appearance=appearance, scale=s,
                                         on_change=self._box_moved)
        self.view.scene().addItem(self.box_item)

    def _box_moved(self) -> None:
        if self.box_item is None or self._box_spec is None:
            return
        rect = self.box_item.scene_rect()
        s = self.scale()
        height = self.page_points().height()
        box = (round(rect.left() / s, 2), round(height - rect.bottom() / s, 2),
               round(rect.right() / s, 2), round(height - rect.top() / s, 2))
        self._box_spec = (self.page, box, self._box_spec[2])
        self.placementChanged.emit(self.page, box)

    @property
    def box(self) -> tuple[int, tuple[float, float, float, float]] | None:
        return (self._box_spec[0], self._box_spec[1]) if self._box_spec else None
