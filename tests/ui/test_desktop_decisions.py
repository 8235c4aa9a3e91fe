"""Decisions the user takes in the desktop: the type of a scan, lifting an overridable block;
what the window remembers; errors that reach the one error dialog."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.desk.documents import DocumentStatus
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf, scan_pdf

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


def test_scan_becomes_signable_once_the_user_chooses_its_type(desk_factory, tmp_path):
    desk = desk_factory()
    scan = scan_pdf(tmp_path / "ban-quet.pdf", dpi=200)
    desk.open([scan])
    assert desk.document(scan).status is DocumentStatus.BLOCKED
    desk.select(scan)

    def choose(dialog):
        dialog.types.setCurrentText("Công văn")
        dialog.accept()

    desk.answers.on("kyso-type-choice", choose)
    with desk.qtbot.waitSignal(desk.window.documentsChecked, timeout=20000):
        desk.window.choose_type()
    document = desk.document(scan)
    assert document.declared_type == "Công văn" and document.type_name == "Công văn"
    assert document.status is DocumentStatus.CONFIRM  # a scan: secret marks cannot be read, so confirm


def test_an_overridable_block_is_lifted_explicitly_and_signing_follows(desk_factory, tmp_path, pki):
    desk = desk_factory(settings={"role": "kiem-sat-vien"})  # may not sign a decision
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    desk.open([document])
    assert desk.document(document).status is DocumentStatus.BLOCKED
    desk.select(document)
    assert desk.window.act_override.isEnabled()
    desk.answers.on("kyso-override", lambda dialog: (dialog.responsible.setChecked(True), dialog.accept()))
    desk.window.override_block()
    assert desk.document(document).status is DocumentStatus.SIGNABLE
    desk.answers.on("kyso-warnings", lambda dialog: dialog.accept())
    desk.choose_token("KYSO-RSA")
    desk.answer_pin(desk.hsm.pin)
    report = desk.sign([document])
    assert report.all_ok, [o.error_code for o in report.outcomes]


def test_secret_block_can_never_be_lifted(desk_factory, tmp_path):
    desk = desk_factory()
    secret = decree30_pdf(tmp_path / "mat.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, secret="TUYỆT MẬT")
    desk.open([secret])
    desk.select(secret)
    assert desk.document(secret).overridable_blocks == ()
    assert not desk.window.act_override.isEnabled()


def test_unexpected_error_reaches_the_error_dialog_and_the_log(desk_factory, caplog):
    desk = desk_factory()
    shown = []
    desk.answers.on("kyso-error", lambda box: shown.append((box.text(), box.detailedText())))
    from ui.tasks import Operation

    def broken():
        raise RuntimeError("a bug in kyso")

    Operation(parent=desk.window, op=broken, success=lambda value: None).run()
    desk.qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    message, details = shown[0]
    assert "Lỗi ngoài dự kiến" in message and "Traceback" not in message
    assert "RuntimeError: a bug in kyso" in details  # for the helpdesk, behind "details"
    logged = [r for r in caplog.records if r.levelname == "ERROR" and r.exc_info]
    assert logged and "a bug in kyso" in str(logged[0].exc_info[1])


def test_window_remembers_layout_recent_documents_and_last_folder(desk_factory, tmp_path):
    desk = desk_factory()
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    desk.open([document])
    desk.window.resize(701, 603)
    desk.window.close()
    again = desk_factory()
    assert (again.window.width(), again.window.height()) == (701, 603)
    assert again.window.ui_state.value("last_folder") == str(tmp_path)
    again.window._fill_recent()
    assert [a.text() for a in again.window.menu_recent.actions()] == ["qd.pdf"]


def test_window_paints_before_the_signing_stack_loads(kyso_home):
    """The main window is built from light modules: pyhanko and the token modules come later."""
    code = (
        "import sys; from ui.main import create_application, create_main_window\n"
        "app = create_application(); window = create_main_window(); window.show(); app.processEvents()\n"
        "print(sorted(m for m in ('pyhanko', 'pkcs11', 'signing.engine', 'app.signing_job') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("accept", [False, True])
def test_a_signer_block_naming_someone_else_is_a_warning_before_the_pin(desk_factory, tmp_path, accept):
    """The token's certificate is issued to "Nguyễn Văn An"; the document names another signer."""
    desk = desk_factory()
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, signer_name="Trần Văn Khác")
    desk.open([document])
    shown = []

    def answer(dialog):
        from ui.qt import QListWidget

        items = dialog.findChild(QListWidget)
        shown.append([items.item(row).text() for row in range(items.count())])
        (dialog.accept if accept else dialog.reject)()

    desk.answers.on("kyso-warnings", answer)
    desk.choose_token("KYSO-RSA")
    desk.answer_pin(desk.hsm.pin)
    report = desk.sign([document])
    assert any("Trần Văn Khác" in line and "Nguyễn Văn An" in line for line in shown[0])
    names = desk.answers.names()
    if accept:
        assert report.all_ok and names.index("kyso-warnings") < names.index("kyso-pin")
    else:  # refused before any PIN: the token was never asked
        assert "kyso-pin" not in names
        assert [o.error_code for o in report.outcomes] == ["PREFLIGHT_WARNINGS_NOT_ACCEPTED"]
