"""The audit log in the desktop: what a session records, the audit view (visibility, filters,
search, details, paging), verification that finds tampering, export, and the sync indicator
against a real central server."""

from __future__ import annotations

import csv
import sqlite3

import pytest

from app.audit.events import AuditActor
from app.audit.journal import AuditJournal, os_user
from app.audit.opening import open_audit_log
from app.audit.query import AuditFilter, AuditReader
from app.audit.verify import verify_log
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf
from tests.ui.test_desktop_tokens import _candidates, _status, _token

AN = AuditActor(os_user="an.nv", user_name="Nguyễn Văn An", user_role="vien-truong")
BINH = AuditActor(os_user="binh.tt", user_name="Trần Thị Bình", user_role="kiem-sat-vien")


def _types(path) -> list[str]:
    with AuditReader(path) as reader:
        return [event.type for event in reader.events(AuditFilter())]


@pytest.mark.pki
def test_a_desktop_session_is_recorded_from_start_to_stop(desk_factory, pki, tmp_path):
    token = _token(pki)
    desk = desk_factory(candidates=_candidates(token))
    window = desk.window
    desk.qtbot.waitUntil(lambda: window.desk.audit.journal is not None)
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    desk.open([document])
    desk.answer_pins(["000000", None])  # wrong, then cancelled in the same dialog
    assert desk.sign([document]) is None
    token.present = False
    desk.qtbot.waitUntil(lambda: "Chưa cắm thiết bị ký số" in _status(desk), timeout=10000)
    window.switch_language("en")
    window.switch_language("vi")
    log_path = window.desk.audit.log_path
    window.close()

    types = _types(log_path)
    assert types[0] == "app.started" and types[-1] == "app.stopped"
    for expected in ("catalogue.loaded", "document.opened", "preflight.done", "pin.wrong", "token.removed",
                     "settings.changed"):
        assert expected in types, (expected, types)
    assert types.index("catalogue.loaded") < types.index("preflight.done")
    assert "token.removed" not in types[: types.index("pin.wrong")]  # recorded when it happened
    with AuditReader(log_path) as reader:
        (wrong,) = [e for e in reader.events(AuditFilter(types=("pin.wrong",)))]
        (removed,) = [e for e in reader.events(AuditFilter(types=("token.removed",)))]
        changes = [e.data for e in reader.events(AuditFilter(types=("settings.changed",)))]
    assert "000000" not in str(wrong.data)  # never the PIN
    assert wrong.user_name == "Nguyễn Văn An" and removed.data["token"]["label"] == "VGCA Token"
    assert {"name": "language", "old": "vi", "new": "en"} in changes
    assert verify_log(log_path).ok


def test_a_damaged_audit_log_is_loud_and_kyso_keeps_working(desk_factory, kyso_home, qtbot):
    from app.audit.opening import default_log_path

    path = default_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database at all" * 100)
    desk = desk_factory(wait_tokens=False)  # the catalogue is loaded: the log was opened before it
    qtbot.waitUntil(lambda: "kyso-error" in desk.answers.names(), timeout=20000)
    (shown,) = [box.text() for name, box in desk.answers.seen if name == "kyso-error"]
    assert "NHẬT KÝ KIỂM TOÁN BỊ HỎNG" in shown
    assert desk.window.audit_alarm.isVisible()
    assert "NHẬT KÝ KIỂM TOÁN BỊ HỎNG" in desk.window.audit_alarm.toolTip()
    moved = list((path.parent / "damaged").glob(f"*/{path.name}"))
    assert len(moved) == 1 and moved[0].read_bytes() == b"this is not a database at all" * 100  # kept intact
    assert _types(path)[0] == "audit.restarted"  # the new chain begins with the incident
    assert desk.window.desk.catalogue is not None and desk.window.desk.audit.journal.store is not None


def _fill(path, *, binh_documents: int = 3) -> None:
    opened = open_audit_log(path)
    an = AuditJournal(opened.store, actor=lambda: AN)
    binh = AuditJournal(opened.store, actor=lambda: BINH)
    an.record("sign.succeeded", document="Quyết định số 12.pdf", outcome="ok")
    an.record("sign.failed", document="Công văn 7.pdf", error_code="SIGN_TSA_UNREACHABLE", outcome="failed")
    an.record("pin.wrong", token={"label": "VNPT-CA"}, error_code="TOKEN_PIN_INCORRECT", outcome="failed")
    for index in range(binh_documents):
        binh.record("sign.succeeded", document=f"Kết luận {index}.pdf", outcome="ok")
    opened.store.close()


def _view(qtbot, path, **options):
    from ui.audit_view import AuditWindow
    from ui.main import create_application

    create_application()
    window = AuditWindow(log_path=path, **options)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.count is not None and not window.model.loading, timeout=10000)
    return window


def _refreshed(qtbot, window, change) -> None:
    with qtbot.waitSignal(window.pageShown, timeout=10000):
        change()


def _column(window, column: int) -> list[str]:
    model = window.model
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def test_audit_view_shows_ones_own_events_and_an_administrator_all(qtbot, kyso_home, tmp_path):
    path = tmp_path / "audit.sqlite3"
    _fill(path)
    own = _view(qtbot, path, user_name="Nguyễn Văn An", administrator=False)
    assert own.count == 3 and set(_column(own, 3)) == {"Nguyễn Văn An"}
    assert "Nguyễn Văn An" in own.scope_label.text()
    _refreshed(qtbot, own, lambda: own.user.setText("Trần Thị Bình") or own.user.editingFinished.emit())
    assert own.count == 0  # asking for another user's events shows nothing
    everyone = _view(qtbot, path, user_name="Nguyễn Văn An", administrator=True)
    assert everyone.count == 6 and "Trần Thị Bình" in _column(everyone, 3)
    shared = _view(qtbot, path, user_name="Nguyễn Văn An", administrator=False,
                   policy={"audit": {"administrators": [os_user()]}})
    assert shared.count == 6  # the policy names this account an administrator


def test_the_audit_window_fits_the_screen_it_opens_on(qtbot, kyso_home, tmp_path):
    path = tmp_path / "audit.sqlite3"
    _fill(path)
    window = _view(qtbot, path, user_name="Nguyễn Văn An", administrator=True)
    area = window.screen().availableGeometry()  # the test screen: 800×800
    smallest = window.minimumSizeHint()
    assert window.width() <= max(area.width() - 16, smallest.width())
    assert window.frameGeometry().bottom() <= area.bottom()
    laptop_height = 768 - 40 - 48  # a 1366×768 screen less the task bar and the title bar
    assert smallest.width() <= 1366 - 16 and smallest.height() <= laptop_height, smallest


def test_audit_view_filters_searches_and_details(qtbot, kyso_home, tmp_path):
    path = tmp_path / "audit.sqlite3"
    _fill(path)
    view = _view(qtbot, path, administrator=True)
    assert _column(view, 1)[-1] == "Ký thành công" and _column(view, 2)[-1] == "thành công"
    _refreshed(qtbot, view, lambda: view.search.setText("quyet dinh"))  # no diacritics, any case
    assert view.count == 1 and _column(view, 4) == ["Quyết định số 12.pdf"]
    _refreshed(qtbot, view, lambda: view.search.clear())
    _refreshed(qtbot, view, lambda: view.outcome.setCurrentIndex(view.outcome.findData("failed")))
    assert view.count == 2 and set(_column(view, 1)) == {"Ký không thành công", "Nhập sai mã PIN"}
    _refreshed(qtbot, view, lambda: view.type.setCurrentIndex(view.type.findData("sign")))
    assert _column(view, 4) == ["Công văn 7.pdf"]
    view.table.selectRow(0)
    detail = view.detail.toPlainText()
    event = view.current_event()
    assert event.hash in detail and "SIGN_TSA_UNREACHABLE" in detail and "Ký không thành công" in detail


def test_audit_view_pages_through_a_long_log(qtbot, kyso_home, tmp_path):
    path = tmp_path / "audit.sqlite3"
    _fill(path, binh_documents=450)
    view = _view(qtbot, path, administrator=True)
    assert view.count == 453 and view.model.rowCount() == 200
    while view.model.canFetchMore():
        _refreshed(qtbot, view, view.model.fetchMore)
    assert view.model.rowCount() == 453
    assert [e.seq for e in view.model.events] == sorted((e.seq for e in view.model.events), reverse=True)


def test_verify_button_finds_an_edited_event(qtbot, kyso_home, tmp_path):
    from app.desk.audit import DeskAudit

    path = tmp_path / "audit.sqlite3"
    _fill(path)
    audit = DeskAudit(path=path)
    audit.open()
    view = _view(qtbot, path, audit=audit, administrator=True)
    with qtbot.waitSignal(view.verified, timeout=20000) as blocker:
        view.verify()
    assert blocker.args[0].ok and "hợp lệ" in view.verdict.text()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE audit_event SET data = replace(data, 'Công văn 7', 'Công văn 8') WHERE seq = 2")
    conn.commit()
    conn.close()
    with qtbot.waitSignal(view.verified, timeout=20000) as blocker:
        view.verify()
    report = blocker.args[0]
    assert not report.ok and report.first_break.seq == 2
    assert "ĐÃ BỊ THAY ĐỔI" in view.verdict.text()
    from ui.qt import QMessageBox

    shown = [w for w in view.findChildren(QMessageBox) if w.objectName() == "kyso-audit-verified"]
    assert any("số 2" in box.informativeText() and "bị sửa" in box.informativeText() for box in shown)
    audit.close()
    assert _types(path).count("audit.verified") == 2  # each verification is itself recorded


def test_export_dialog_writes_what_the_filters_show(qtbot, kyso_home, tmp_path):
    from app.desk.audit import DeskAudit
    from tests.ui.conftest import DialogAnswers

    path = tmp_path / "audit.sqlite3"
    _fill(path)
    audit = DeskAudit(path=path)
    audit.open()
    view = _view(qtbot, path, audit=audit, user_name="Nguyễn Văn An", administrator=False)
    visible = view.count  # An's events and this session's own (same computer account)
    assert visible >= 3
    out = tmp_path / "xuat.csv"
    answers = DialogAnswers()

    def fill(dialog):
        dialog.format.setCurrentIndex(dialog.format.findData("csv"))
        dialog.file.setText(str(out))
        dialog.accept()

    answers.on("kyso-audit-export", fill)
    answers.on("kyso-audit-exported", lambda box: None)
    try:
        with qtbot.waitSignal(view.exported, timeout=20000) as blocker:
            view.export()
    finally:
        answers.stop()
    assert blocker.args[0].count == visible
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == visible + 1 and all("Trần Thị Bình" not in ",".join(row) for row in rows)  # own events only
    assert "Quyết định số 12.pdf" in raw.decode("utf-8-sig")
    audit.close()
    with AuditReader(path) as reader:
        (exported,) = list(reader.events(AuditFilter(types=("audit.exported",))))
    assert exported.data["count"] == visible and exported.data["out"] == str(out)
    assert exported.data["filter"]["users"]  # the visibility restriction is part of the record


def test_sync_indicator_words(qtbot):
    from datetime import UTC, datetime

    from app.sync.status import SyncPhase, SyncStatus
    from ui.main import create_application
    from ui.sync_status import SyncMonitor, SyncStatusWidget

    create_application()
    monitor = SyncMonitor()
    widget = SyncStatusWidget(monitor)
    qtbot.addWidget(widget)
    assert "Nhật ký lưu trên máy này" in widget.label.text() and "kyso enroll" in widget.toolTip()
    monitor.changed.emit(SyncStatus(phase=SyncPhase.WAITING, server_url="https://kt.vks.example", pending=12,
                                    last_error_code="SYNC_UNREACHABLE", consecutive_failures=2,
                                    next_attempt_utc=datetime(2026, 11, 22, 3, 0, tzinfo=UTC)))
    assert "12 sự kiện" in widget.label.text()
    assert "Không kết nối được máy chủ https://kt.vks.example" in widget.toolTip()
    assert "Lần thử tiếp theo" in widget.toolTip()


@pytest.fixture
def central(tmp_path):
    import keyring
    from keyring.backends import fail

    from server.migrate import upgrade
    from tests.app.sync.conftest import make_central

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # as on CI: no OS credential store, the 0600 file is used
    url = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    upgrade(url)
    made = make_central(url, tmp_path / "central")
    yield made
    if made.server is not None:
        made.server.stop()
    keyring.set_keyring(previous)


def test_sync_indicator_follows_a_real_server(desk_factory, central, kyso_home):
    from app.sync import enroll

    opened = open_audit_log()
    workstation, chain = opened.store.workstation_id(), opened.store.chain_workstation()
    opened.store.close()
    enroll(url=central.url, code=central.code(), workstation_id=workstation)
    desk = desk_factory(wait_tokens=False)
    widget = desk.window.sync_status
    desk.qtbot.waitUntil(lambda: "Đã gửi nhật ký lên máy chủ" in widget.label.text(), timeout=30000)
    assert central.url in widget.toolTip()
    stored = len(central.stored(chain))
    assert stored >= 2  # app.started, catalogue.loaded… reached the centre
    central.server.stop()
    central.server = None
    desk.window.switch_language("en")  # one more event, and the server is gone
    desk.window.act_sync_now.trigger()
    desk.qtbot.waitUntil(lambda: "waiting" in widget.label.text(), timeout=30000)
    assert f"Cannot reach the server {central.url}" in widget.toolTip()


def test_an_event_after_the_window_closed_is_still_recorded(kyso_home, tmp_path):
    """A check still running when the window closes: its events land after "app.stopped", and the
    closed log is not mistaken for a damaged one."""
    from app.desk.audit import DeskAudit
    from app.desk.documents import DeskDocument

    path = tmp_path / "audit.sqlite3"
    audit = DeskAudit(path=path)
    audit.open()
    audit.close()
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    audit.document_checked(DeskDocument(document, checked=True, error_code="PDF_DAMAGED"))
    assert _types(path)[-3:] == ["app.stopped", "document.opened", "preflight.done"]
    assert not (tmp_path / "damaged").exists() and verify_log(path).ok
