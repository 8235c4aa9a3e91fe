"""The one place that shows an error (after Anki's show_exception).

A known error (any exception with a stable `code`) gets its message, what to do next and a
"copy details" button for the helpdesk; a cancel is silent; anything unexpected is logged with
its traceback and shown as an internal error — never a traceback on screen. Uncaught
exceptions on any thread end up here too (`install_hooks`).
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback

from app import __version__
from app.errors import Cancelled, error_code, error_params

from .i18n import has_text, text
from .qt import QApplication, QMessageBox, QWidget

__all__ = ["show_error", "show_code", "install_hooks", "error_details"]

log = logging.getLogger(__name__)
SILENT = {"APP_CANCELLED", "TOKEN_PIN_CANCELLED", "AUDIT_CANCELLED"}
_hooks = {"last": None}


def show_error(parent: QWidget | None, error: BaseException) -> QMessageBox | None:
    """The one place an exception becomes a dialog: the user's own cancel shows nothing (only the
    log has it), a kyso error its message and what to do, anything else APP_INTERNAL."""
    if isinstance(error, Cancelled):
        log.info("cancelled: %s", error)
        return None
    code = error_code(error)
    if code is None:
        log.error("unexpected error", exc_info=error)
        return show_code(parent, "APP_INTERNAL", {"log": _log_path()}, error=error)
    log.info("error shown: %s", error, exc_info=error.__cause__ is not None)
    return show_code(parent, code, error_params(error), error=error)


def show_code(parent: QWidget | None, code: str, params: dict[str, str], *, error: BaseException | None = None):
    if code in SILENT:
        return None
    box = QMessageBox(parent)
    box.setObjectName("kyso-error")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(QApplication.translate("errors", "kyso — something went wrong"))
    box.setText(text(code, **params))
    box.setInformativeText(text(f"{code}_NEXT", **params) if has_text(f"{code}_NEXT") else text("UI_NEXT_DEFAULT"))
    box.setDetailedText(error_details(code, params, error))
    copy = box.addButton(QApplication.translate("errors", "Copy details"), QMessageBox.ButtonRole.ActionRole)
    box.addButton(QApplication.translate("errors", "Close"), QMessageBox.ButtonRole.AcceptRole)
    copy.clicked.disconnect()  # copying must not close the dialog
    copy.clicked.connect(lambda: QApplication.clipboard().setText(box.detailedText()))
    box.setAccessibleName(QApplication.translate("errors", "Error message"))
    box.open()
    _hooks["last"] = box
    return box


def error_details(code: str, params: dict[str, str], error: BaseException | None) -> str:
    """What the helpdesk needs: code, parameters, versions; never a PIN (no error carries one)."""
    lines = [f"code: {code}", f"kyso: {__version__}", f"python: {sys.version.split()[0]}",
             f"platform: {sys.platform}", f"log: {_log_path()}"]
    lines += [f"{key}: {value}" for key, value in sorted(params.items())]
    if error is not None and error_code(error) is None:
        lines.append("")
        lines += traceback.format_exception(type(error), error, error.__traceback__)
    return "\n".join(line.rstrip("\n") for line in lines)


def _log_path() -> str:
    from app.paths import data_home

    return str(data_home() / "logs" / "kyso.log")


def install_hooks(window_getter) -> None:
    """Route uncaught exceptions (GUI thread and workers) to the log and the error dialog."""
    from .tasks import tasks

    def on_gui(error: BaseException) -> None:
        show_error(window_getter(), error)

    def excepthook(kind, error, tb):
        if issubclass(kind, KeyboardInterrupt):
            return
        error.__traceback__ = tb
        log.error("uncaught exception", exc_info=(kind, error, tb))
        tasks().call_on_gui(lambda: on_gui(error))

    def thread_hook(args):
        if args.exc_value is not None:
            excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = excepthook
    threading.excepthook = thread_hook
