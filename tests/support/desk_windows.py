"""Every window of the desktop, built with real widgets and realistic content — the dialogs made
at signing time too (batch confirmation, level, the PIN dialog in each state, progress, results,
the error dialog, Qt's own file dialog) — and a walk over the texts a user sees in them.

Used by tests/ui/test_translations.py (every text in Vietnamese) and tests/ui/test_scaling.py
(sized for its text at 100–200 %, in a child process with QT_SCALE_FACTOR)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["SIGNING_TIME", "WINDOWS", "build", "visible_texts", "labels", "self_signed"]


def self_signed(common_name: str, *, title: str | None = None) -> bytes:
    """A certificate to show (holder, CA, expiry) — nothing is signed with it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name), x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if title:
        attributes.append(x509.NameAttribute(NameOID.TITLE, title))
    name = x509.Name(attributes)
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=700)).sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.DER)


def _entry(common_name: str, key_id: bytes):
    from tokens.listing import describe

    return describe(key_id, "key", self_signed(common_name, title="Kiểm sát viên"), [])


def _token_view():
    from app.desk.tokens import TokenState, TokenView

    entries = (_entry("Nguyễn Văn An", b"\x01"), _entry("Trần Thị Bình", b"\x02"))
    return TokenView(TokenState.READY, "/usr/lib/vnpt-ca/pkcs11.so", "VNPT-CA Token", "54030011223344",
                     "VNPT-CA", entries)


def _decision(*, lower: bool):
    from signing.engine import LevelDecision
    from signing.errors import SigningErrorCode
    from signing.levels import PadesLevel

    return LevelDecision(PadesLevel.B_LT, PadesLevel.B_B if lower else PadesLevel.B_LT,
                         (SigningErrorCode.TSA_UNREACHABLE, SigningErrorCode.REVOCATION_UNKNOWN) if lower else ())


def _pin(status: str, **fields):
    from tokens.pin import PinPurpose, PinRequest, PinStatus

    from ui.prompts import PinDialog

    request = PinRequest("VNPT-CA Token", "54030011223344", PinStatus(status), holder="Nguyễn Văn An",
                         purpose=PinPurpose(3, ("personal", "organisation"), "B-LT"), min_length=4, max_length=16,
                         **fields)
    return lambda parent, folder: PinDialog(request, parent)


def _batch(parent, folder: Path):
    from app.desk.signing import BatchLine

    from ui.sign_dialogs import BatchConfirmDialog

    files = [folder / f"quyet-dinh-phan-cong-kiem-sat-vien-{n:02}.pdf" for n in range(1, 13)]
    return BatchConfirmDialog([BatchLine("personal", "B-LT", 11), BatchLine("organisation", "B-LT", 1)], files,
                              holder="Nguyễn Văn An", parent=parent)


def _certificates(parent, folder: Path):
    from ui.sign_dialogs import CertificateChoiceDialog

    return CertificateChoiceDialog([_token_view()], parent)


def _level(may_lower: bool):
    def make(parent, folder: Path):
        from ui.prompts import LevelDialog

        return LevelDialog(_decision(lower=True), may_lower=may_lower, parent=parent)

    return make


def _warnings(parent, folder: Path):
    from ui.i18n import text
    from ui.prompts import WarningsDialog, _title_documents

    lines = [f"quyet-dinh-01.pdf: {text('PREFLIGHT_SIGNER_NAME_MISMATCH', printed='Trần Văn Khác', holder='Nguyễn Văn An')}",
             f"quyet-dinh-02.pdf: {text('PREFLIGHT_NUMBER_MISSING')}"]
    return WarningsDialog(_title_documents(), lines, parent)


def _password(attempt: int):
    def make(parent, folder: Path):
        from app.sign_plan import PasswordRequest

        from ui.prompts import password_dialog

        return password_dialog(PasswordRequest(folder / "cong-van-mat-khau.pdf", attempt=attempt), parent)

    return make


def _progress(cancelling: bool):
    def make(parent, folder: Path):
        from ui.sign_dialogs import SigningProgressDialog

        dialog = SigningProgressDialog(12, parent)
        dialog.show_progress(4, 12, folder / "quyet-dinh-phan-cong-kiem-sat-vien-05.pdf")
        if cancelling:
            dialog.request_cancel()
        return dialog

    return make


def _results(parent, folder: Path):
    from types import SimpleNamespace

    from app.signing_job import FileOutcome

    from ui.sign_dialogs import ResultDialog

    outcomes = [
        FileOutcome(folder / "quyet-dinh-01.pdf", folder / "quyet-dinh-01.signed.pdf", signed=SimpleNamespace()),
        FileOutcome(folder / "quyet-dinh-02.pdf", None, error_code="PREFLIGHT_WARNINGS_NOT_ACCEPTED"),
        FileOutcome(folder / "quyet-dinh-03.pdf", None, error_code="TOKEN_REMOVED"),
    ]
    return ResultDialog(outcomes, parent, decision=_decision(lower=True))


def _error(code: str, **params):
    def make(parent, folder: Path):
        from ui.errors import show_code

        box = show_code(parent, code, params)
        box.hide()  # shown again by `build`, like the others
        return box

    return make


def _file_dialog(parent, folder: Path):
    from ui.qt import QCoreApplication, QFileDialog

    (folder / "quyet-dinh-01.pdf").write_bytes(b"%PDF-1.7\n")
    dialog = QFileDialog(parent, QCoreApplication.translate("MainWindow", "Open documents"), str(folder),
                         QCoreApplication.translate("MainWindow", "PDF documents (*.pdf)"))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # Qt's own: its labels are ours to translate
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)  # the columns too: name, size, type, date
    return dialog


def _type_choice(parent, folder: Path):
    from app.catalogue import load_catalogue

    from ui.document_dialogs import TypeChoiceDialog

    names = [t.name for t in load_catalogue().catalogue.types]
    return TypeChoiceDialog(names, proposed=names[:2], current=None, parent=parent)


def _override(parent, folder: Path):
    from app.preflight import Finding, FindingCode, Severity

    from ui.document_dialogs import OverrideDialog

    findings = [Finding(FindingCode.ROLE_NOT_ALLOWED, Severity.BLOCK, {"role": "Kiểm sát viên", "allowed": "Viện trưởng"})]
    return OverrideDialog("quyet-dinh-01.pdf", findings, parent=parent)


def _settings(parent, folder: Path):
    from app.catalogue import load_catalogue
    from app.settings import load_settings

    from ui.settings_dialog import SettingsDialog

    roles = {role.id: role.name for role in load_catalogue().catalogue.roles.values()}
    return SettingsDialog(load_settings(), roles=roles, parent=parent)


def _guide(parent, folder: Path):
    from ui.guide import GuideDialog

    return GuideDialog(parent)


def _export(parent, folder: Path):
    from ui.audit_view import ExportDialog

    return ExportDialog(count=120, start_folder=folder, parent=parent)


def _unlock(parent, folder: Path):
    from ui.practice_panels import UnlockDialog

    return UnlockDialog("THUC-HANH-01", parent)


def _folder_verify(parent, folder: Path):
    from app.desk.practice import PRODUCTION_DESK

    from ui.folder_verify import FolderVerifyDialog

    received = folder / "van-ban-den"
    received.mkdir(exist_ok=True)
    return FolderVerifyDialog(received, mode=PRODUCTION_DESK, audit=None, parent=parent)


def _extend(parent, folder: Path):
    from ui.extend_signatures import ExtendDialog

    return ExtendDialog(folder / "cong-van-den.pdf", parent)


SIGNING_TIME: dict[str, Callable] = {
    "certificate choice": _certificates,
    "batch confirmation": _batch,
    "document warnings": _warnings,
    "level, lower allowed": _level(True),
    "level, lower not allowed": _level(False),
    "PIN": _pin("ok"),
    "PIN, count low": _pin("count_low"),
    "PIN, final try": _pin("final_try"),
    "PIN, after a wrong PIN": _pin("count_low", attempt=2),
    "PIN, final try after wrong PINs": _pin("final_try", attempt=3),
    "PIN, PIN pad": _pin("ok", pin_pad=True),
    "PIN, for one document": _pin("ok", context_specific=True, document="quyet-dinh-phan-cong-05.pdf"),
    "open password": _password(1),
    "open password, again": _password(2),
    "progress": _progress(False),
    "progress, stopping": _progress(True),
    "results": _results,
    "error, token locked": _error("TOKEN_PIN_LOCKED", token="VNPT-CA Token"),
    "error, internal": _error("APP_INTERNAL", log="C:\\Users\\an\\AppData\\Roaming\\kyso\\logs\\kyso.log"),
}
WINDOWS: dict[str, Callable] = {
    **SIGNING_TIME,
    "file dialog": _file_dialog,
    "type choice": _type_choice,
    "override": _override,
    "settings": _settings,
    "user guide": _guide,
    "audit export": _export,
    "practice unlock": _unlock,
    "folder verification": _folder_verify,
    "extend signatures": _extend,
}


def build(name: str, parent, folder: Path):
    """The window `name`, shown (not executed: a test looks at it, then closes it)."""
    widget = WINDOWS[name](parent, folder)
    widget.show()
    return widget


# --- what a user sees ---------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    text = _TAG.sub(" ", text.replace("<br>", "\n")).replace("&nbsp;", " ")
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def visible_texts(top) -> Iterator[tuple[str, str]]:
    """(where, text) of every text shown in `top`: title, labels, buttons, fields' hints, lists,
    combo items, column headers, menus and their actions, tabs, rich text."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QMainWindow,
        QTabWidget,
        QTextBrowser,
        QWidget,
    )

    yield "title", top.windowTitle()
    for widget in [top, *top.findChildren(QWidget)]:
        if widget is not top and not widget.isVisibleTo(top):
            continue
        kind = type(widget).__name__
        if isinstance(widget, QLabel):
            yield kind, _plain(widget.text())
        elif isinstance(widget, QAbstractButton):
            yield kind, _plain(widget.text())
        elif isinstance(widget, QLineEdit):
            yield kind + " hint", widget.placeholderText()
        elif isinstance(widget, QGroupBox):
            yield kind, _plain(widget.title())
        elif isinstance(widget, QComboBox):
            for index in range(widget.count()):
                yield kind, widget.itemText(index)
        elif isinstance(widget, QTabWidget):
            for index in range(widget.count()):
                yield kind, _plain(widget.tabText(index))
        elif isinstance(widget, QTextBrowser):
            yield kind, widget.toPlainText()
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            yield from _item_texts(widget)
    if isinstance(top, QMainWindow):
        for action in top.menuBar().actions():
            yield "menu", _plain(action.text())
            if action.menu() is not None:
                for item in action.menu().actions():
                    yield "menu item", _plain(item.text())
        for action in top.actions():
            yield "action", _plain(action.text())
            yield "tooltip", action.toolTip()


def _item_texts(view) -> Iterator[tuple[str, str]]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QListWidget, QTableWidget

    if isinstance(view, QListWidget):
        yield from (("item", view.item(row).text()) for row in range(view.count()))
        return
    if isinstance(view, QTableWidget):
        for column in range(view.columnCount()):
            header = view.horizontalHeaderItem(column)
            if header is not None:
                yield "header", header.text()
        for row in range(min(view.rowCount(), 50)):
            for column in range(view.columnCount()):
                item = view.item(row, column)
                if item is not None:
                    yield "item", item.text()
        return
    model = view.model()
    root = view.rootIndex() if hasattr(view, "rootIndex") else None
    columns = model.columnCount(root) if root is not None else model.columnCount()
    for column in range(columns):
        header = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        if isinstance(header, str):
            yield "header", header
    rows = model.rowCount(root) if root is not None else model.rowCount()
    for row in range(min(rows, 50)):
        for column in range(columns):
            value = model.index(row, column, root).data(Qt.ItemDataRole.DisplayRole) if root is not None \
                else model.index(row, column).data(Qt.ItemDataRole.DisplayRole)
            if isinstance(value, str):
                yield "item", value


def labels(top) -> list:
    """The visible labels of `top` with text."""
    from PySide6.QtWidgets import QLabel

    return [label for label in top.findChildren(QLabel) if label.isVisibleTo(top) and label.text().strip()]
