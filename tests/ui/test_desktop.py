"""The desktop application with real widgets, a real SoftHSM token and the test PKI."""

from __future__ import annotations

import hashlib

import pytest

from app.desk.documents import DocumentStatus
from signing.output import TEMP_PREFIX
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf
from tests.support.validators import pdfsig, pyhanko_validate
from ui.qt import QPoint, Qt

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


def _decision(tmp_path, name="quyet-dinh.pdf", **kwargs):
    return decree30_pdf(tmp_path / name, title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, **kwargs)


def test_documents_show_their_preflight_status(desk_factory, tmp_path):
    desk = desk_factory()
    good = _decision(tmp_path)
    secret = _decision(tmp_path, "mat.pdf", secret="TỐI MẬT")
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not a PDF body")
    desk.open([good, secret, broken])
    statuses = {d.path.name: d.status for d in desk.window.model.documents}
    assert statuses == {"quyet-dinh.pdf": DocumentStatus.SIGNABLE, "mat.pdf": DocumentStatus.BLOCKED,
                        "hong.pdf": DocumentStatus.ERROR}
    model = desk.window.model
    row = [d.path.name for d in model.documents].index("mat.pdf")
    assert model.data(model.index(row, 2)) == "Không được ký"
    assert "TỐI MẬT" in model.data(model.index(row, 2), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(row, 1)) == "Quyết định"


def test_a_document_opened_again_or_under_another_name_is_listed_once(desk_factory, tmp_path):
    desk = desk_factory()
    folder = tmp_path / "den"
    folder.mkdir()
    first, second = _decision(folder, "a.pdf"), _decision(folder, "b.pdf")
    (tmp_path / "link.pdf").symlink_to(first)
    desk.open([first])
    desk.open([folder, tmp_path / "link.pdf", folder / ".." / "den" / "b.pdf"])
    assert [d.path for d in desk.window.model.documents] == [first, second]
    assert all(d.checked for d in desk.window.model.documents)


def test_a_check_that_fails_inside_kyso_is_shown_and_the_other_documents_are_checked(desk_factory, tmp_path):
    """Fault injected where no real input can reach: recording the check raises. The document
    shows it cannot be read (not "Checking…" for ever), the one error dialog says so, and the
    document opened after it is still checked."""
    desk = desk_factory()
    first, second = _decision(tmp_path, "a.pdf"), _decision(tmp_path, "b.pdf")
    errors = []
    desk.answers.on("kyso-error", lambda box: errors.append(box.text()))
    recorded = desk.window.desk.audit.document_checked

    def record(document):
        if document.path == first:
            raise RuntimeError("the record could not be made")
        recorded(document)

    desk.window.desk.audit.document_checked = record
    desk.open([first, second])
    assert desk.document(first).status is DocumentStatus.ERROR
    assert desk.document(second).status is DocumentStatus.SIGNABLE
    desk.qtbot.waitUntil(lambda: len(errors) == 1, timeout=10000)


def test_secret_document_cannot_be_signed_from_the_desktop(desk_factory, tmp_path):
    desk = desk_factory()
    secret = _decision(tmp_path, "mat.pdf", secret="MẬT")
    desk.open([secret])
    desk.answer_pin(desk.hsm.pin)
    info = []
    desk.answers.on("kyso-info", lambda box: (info.append(box.text()), box.accept()))
    report = desk.sign([secret])
    assert report is None
    assert "kyso-pin" not in desk.answers.names() and "kyso-batch-confirm" not in desk.answers.names()
    desk.qtbot.waitUntil(lambda: bool(info))
    assert not (tmp_path / "mat.signed.pdf").exists()


def _drag(desk, dx: int, dy: int) -> None:
    view = desk.window.preview.view
    item = desk.window.preview.box_item
    centre = view.mapFromScene(item.sceneBoundingRect().center())
    viewport = view.viewport()
    desk.qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=centre)
    desk.qtbot.mouseMove(viewport, centre + QPoint(dx // 2, dy // 2))
    desk.qtbot.mouseMove(viewport, centre + QPoint(dx, dy))
    desk.qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=centre + QPoint(dx, dy))


def test_drag_the_signature_box_then_sign(desk_factory, tmp_path, pki, nss):
    desk = desk_factory()
    document = _decision(tmp_path)
    desk.open([document])
    desk.select(document)
    preview = desk.window.preview
    desk.qtbot.waitUntil(lambda: preview.box_item is not None, timeout=20000)
    before = preview.box[1]
    _drag(desk, -60, 40)
    after = desk.window.desk.placements[document].box
    scale = preview.scale()
    assert after.x1 == pytest.approx(before[0] - 60 / scale, abs=1.5)
    assert after.y1 == pytest.approx(before[1] - 40 / scale, abs=1.5)  # down on screen is down the page

    desk.choose_token("KYSO-RSA")
    desk.answer_pin(desk.hsm.pin)
    report = desk.sign([document])
    assert report is not None, (desk.answers.names(), [w.text() for n, w in desk.answers.seen if n == "kyso-error"])
    assert report.all_ok, [o.error_code for o in report.outcomes]
    output = report.outcomes[0].output
    assert pyhanko_validate(output, pki.cert_der("root"))[0].bottom_line
    (view,) = pdfsig(output, nss)
    assert view.validation == "Signature is Valid."  # B-LT: a DSS revision follows the signature
    widget = _signature_rect(output)
    assert widget == pytest.approx((after.x1, after.y1, after.x2, after.y2), abs=0.6)
    assert desk.document(document).status is DocumentStatus.SIGNED
    desk.qtbot.waitUntil(lambda: preview.path == output)  # the preview now shows the signed file…
    desk.qtbot.waitUntil(lambda: _blue_pixels(preview, widget) > 20, timeout=20000)  # …with its stamp
    desk.qtbot.waitUntil(lambda: "kyso-results" in desk.answers.names())
    results = [w for name, w in desk.answers.seen if name == "kyso-results"][0]
    assert results.target(folder=False) == output and results.target(folder=True) == output.parent


def _blue_pixels(preview, rect) -> int:
    """Pixels of the (blue) handwritten signature inside `rect` of the page image on screen."""
    pixmap = preview.view.page_item.pixmap()
    if pixmap.isNull() or preview.info is None:
        return 0
    image = pixmap.toImage()
    factor = image.width() / preview.page_points().width()
    height = preview.page_points().height()
    x1, y1, x2, y2 = rect
    count = 0
    for x in range(int(x1 * factor), int(x2 * factor)):
        for y in range(int((height - y2) * factor), int((height - y1) * factor)):
            colour = image.pixelColor(x, y)
            count += colour.blue() > colour.red() + 60
    return count


def _signature_rect(path):
    from pypdf import PdfReader

    reader = PdfReader(path)
    for annotation in reader.pages[0].get("/Annots", []):
        annotation = annotation.get_object()
        if annotation.get("/FT") == "/Sig" or annotation.get("/Parent", {}).get("/FT") == "/Sig":
            return tuple(float(v) for v in annotation["/Rect"])
    raise AssertionError("no signature widget")


def test_cancel_mid_batch_leaves_complete_files_only(desk_factory, tmp_path, pki):
    desk = desk_factory()
    files = [_decision(tmp_path, f"van-ban-{index}.pdf") for index in range(6)]
    desk.open(files)
    desk.choose_token("KYSO-RSA")
    desk.answer_pin(desk.hsm.pin)

    def cancel_after_two(dialog):
        dialog.bar.valueChanged.connect(lambda value: dialog.request_cancel() if value >= 2 else None)

    desk.answers.on("kyso-progress", cancel_after_two)
    report = desk.sign(files)
    signed = [o for o in report.outcomes if o.ok]
    cancelled = [o for o in report.outcomes if o.error_code == "APP_CANCELLED"]
    assert 2 <= len(signed) < 6 and len(signed) + len(cancelled) == 6
    for outcome in signed:
        assert pyhanko_validate(outcome.output, pki.cert_der("root"))[0].bottom_line
    for outcome in cancelled:
        assert not outcome.source.with_name(outcome.source.stem + ".signed.pdf").exists()
        assert desk.document(outcome.source).status is DocumentStatus.SIGNABLE  # can be signed later
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_a_file_changed_behind_an_unchanged_size_and_time_is_not_signed_but_checked_again(desk_factory, tmp_path):
    """The batch reuses the window's check while size and modification time are unchanged; the
    engine signs only the bytes that were checked. A rewrite that keeps both is refused, the
    document is checked again, and then it signs."""
    import os
    import re

    desk = desk_factory()
    document = _decision(tmp_path)
    desk.open([document])
    stat = document.stat()
    data = document.read_bytes()
    rewritten = re.sub(rb"/CreationDate \(D:(\d)", lambda m: m.group(0)[:-1] + (b"1" if m.group(1) != b"1" else b"2"), data)
    assert rewritten != data and len(rewritten) == len(data)
    document.write_bytes(rewritten)
    os.utime(document, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not desk.document(document).changed_since_checked
    desk.choose_token("KYSO-RSA")
    desk.answer_pin(desk.hsm.pin)
    with desk.qtbot.waitSignal(desk.window.documentsChecked, timeout=30000):
        report = desk.sign([document])
    assert [o.error_code for o in report.outcomes] == ["PDF_CHANGED_SINCE_CHECKED"]
    assert not document.with_name("quyet-dinh.signed.pdf").exists()
    assert desk.document(document).sha256 == hashlib.sha256(rewritten).hexdigest()  # checked again
    desk.answer_pin(desk.hsm.pin)
    again = desk.sign([document])
    assert again.all_ok


def test_language_switch_keeps_the_open_documents(desk_factory, tmp_path):
    desk = desk_factory()
    document = _decision(tmp_path)
    desk.open([document])
    window = desk.window
    assert window.windowTitle() == "kyso — Ký số văn bản"
    window.switch_language("en")
    desk.qtbot.waitUntil(lambda: window.windowTitle() == "kyso — Digital signing of documents")
    assert window.model.headerData(0, Qt.Orientation.Horizontal) == "Document"
    assert window.model.data(window.model.index(0, 2)) == "Ready to sign"
    assert window.act_sign.text() == "&Sign selected"
    assert [d.path for d in window.model.documents] == [document]
    window.switch_language("vi")
    desk.qtbot.waitUntil(lambda: window.act_sign.text() == "&Ký văn bản đang chọn")
    from app.settings import load_settings

    assert load_settings().settings.language == "vi"


def test_settings_locked_by_policy_cannot_be_edited(desk_factory, policy_dir, qtbot):
    (policy_dir / "policy.toml").write_text(
        'locked_by = "Văn phòng VKSND tối cao"\n[locked]\nrole = "kiem-sat-vien"\ntsa_url = "http://tsa.vks.gov.vn"\n',
        encoding="utf-8")
    desk = desk_factory()
    from app.settings import load_settings
    from ui.settings_dialog import SettingsDialog

    roles = {r.id: r.name for r in desk.window.desk.catalogue.roles.values()}
    dialog = SettingsDialog(load_settings(), roles=roles, parent=desk.window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.fields["role"].isEnabled() and not dialog.fields["tsa_url"].isEnabled()
    assert dialog.fields["full_name"].isEnabled()
    assert dialog.lock_labels["role"].isVisible()
    assert "Văn phòng VKSND tối cao" in dialog.lock_labels["role"].text()
    assert dialog.fields["role"].currentData() == "kiem-sat-vien"
    dialog.fields["role"].setCurrentIndex(dialog.fields["role"].findData("vien-truong"))  # even if forced
    dialog.fields["full_name"].setText("Trần Thị Bình")
    assert dialog.changes() == {"full_name": "Trần Thị Bình"}


def test_keyboard_shortcuts_and_accessible_names(desk_factory):
    desk = desk_factory()
    window = desk.window
    shortcuts = {action.objectName(): action.shortcut().toString() for action in window.actions()}
    assert shortcuts["open"] == "Ctrl+O" and shortcuts["sign"] == "Ctrl+S" and shortcuts["help"] == "F1"
    assert shortcuts["audit-log"] == "Ctrl+L"
    for widget in (window.table, window.preview.view, window.details, window.token_status, window.sync_status):
        assert widget.accessibleName()
    window.open_audit()
    view = window.audit_window
    for widget in (view.table, view.detail, view.search, view.date_from, view.date_to):
        assert widget.accessibleName()
    for label in view.labels.values():
        assert label.buddy() is not None and "&" in label.text()


def test_gui_thread_keeps_running_through_a_batch_of_100(desk_factory, tmp_path):
    """Signing runs off the GUI thread: a heartbeat timer keeps ticking and progress arrives
    document by document while the batch runs (the stall itself is measured in benchmarks/)."""
    from ui.qt import QTimer

    desk = desk_factory()
    source = _decision(tmp_path, "mau.pdf")
    files = []
    for index in range(100):
        copy = tmp_path / f"van-ban-{index:03d}.pdf"
        copy.write_bytes(source.read_bytes())
        files.append(copy)
    desk.open(files, timeout=120000)
    ticks = [0]
    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    seen_at: list[int] = []

    def watch(dialog):
        dialog.bar.valueChanged.connect(lambda value: seen_at.append(ticks[0]))

    desk.answers.on("kyso-progress", watch)
    desk.choose_token("KYSO-RSA")
    desk.answer_pin(desk.hsm.pin)
    heartbeat.start()
    report = desk.sign(files, timeout=300000)
    heartbeat.stop()
    assert report is not None and report.all_ok
    assert len(seen_at) >= 90  # progress reached the window as the documents were signed…
    assert len(set(seen_at)) >= 20  # …with the event loop turning in between (never one late burst)


def test_signatures_already_in_a_document_are_verified(desk_factory, tmp_path, hsm, trust_dir):
    from tests.support.signing import sign_files

    document = _decision(tmp_path)
    signed = sign_files(hsm, [document], trust_dir=trust_dir).outcomes[0].output
    desk = desk_factory()
    desk.open([signed])
    desk.select(signed)
    desk.qtbot.waitUntil(lambda: "HỢP LỆ" in desk.window.details.toPlainText(), timeout=30000)
    assert "Nguyễn Văn An" in desk.window.details.toPlainText()


def test_output_folder_and_name_from_the_settings(desk_factory, tmp_path, pki):
    out = tmp_path / "da-ky"
    out.mkdir()
    desk = desk_factory(settings={"output_folder": str(out), "output_suffix": "_da-ky"})
    document = _decision(tmp_path)
    desk.open([document])
    desk.choose_token("KYSO-RSA")
    desk.answer_pin(desk.hsm.pin)
    report = desk.sign([document])
    assert report.all_ok and report.outcomes[0].output == out / "quyet-dinh_da-ky.pdf"
    assert pyhanko_validate(out / "quyet-dinh_da-ky.pdf", pki.cert_der("root"))[0].bottom_line


def test_a_first_window_fits_the_screen_it_opens_on(desk_factory):
    """No layout remembered yet: 1280×800 where there is room, never past the screen's edges
    (a 1366×768 laptop with a task bar has less than 800 pixels of height)."""
    window = desk_factory(wait_tokens=False).window
    area = window.screen().availableGeometry()
    assert area.contains(window.frameGeometry()), (area, window.frameGeometry())
    assert window.width() >= min(1280, area.width()) * 0.9
