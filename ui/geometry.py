"""A window's first size: what it asks for, never larger than the screen it opens on."""

from __future__ import annotations

from .qt import QApplication, QWidget

__all__ = ["fit_to_screen"]

# the title bar and borders are not known before a window is shown: room is left for them
FRAME_WIDTH, FRAME_HEIGHT = 16, 48


def fit_to_screen(widget: QWidget, *, width: int, height: int) -> None:
    """Resize `widget` to width×height or to the screen's available area (a 1366×768 laptop with
    a task bar), whichever is smaller, and centre it there."""
    screen = widget.screen() or QApplication.primaryScreen()
    area = screen.availableGeometry()
    width = min(width, area.width() - FRAME_WIDTH)
    height = min(height, area.height() - FRAME_HEIGHT)
    widget.resize(width, height)
    widget.move(area.x() + (area.width() - width - FRAME_WIDTH) // 2,
                area.y() + (area.height() - height - FRAME_HEIGHT) // 2)
