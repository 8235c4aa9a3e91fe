"""The desktop in practice mode, with real widgets, the real signing flow and PIN dialog, and the
simulated tokens of a real workshop pack: the trainee's whole journey, the trainer's unlock,
the banner on every window, the trainer's view of the workshop."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.ui.conftest import DialogAnswers, close_desk
from ui.qt import QApplication, QPushButton, QTimer, QWidget

pytestmark = [pytest.mark.pki]


@pytest.fixture(scope="module")
def small_pack(tmp_path_factory):
    """A two-trainee workshop, made once for the module (keys, PKI, exercises, handout)."""
    from app.practice.builder import make_pack
    from app.practice.trainees import Participant

    home = tmp_path_factory.mktemp("pack-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KYSO_HOME", str(home))
        return make_pack(participants=[Participant(1, "Phạm Thị Thu Hà", "Kiểm sát viên"),
                                       Participant(2, "Đinh Văn Toàn", "Kiểm tra viên")],
                         out=tmp_path_factory.mktemp("made") / "lop", trainer="Nguyễn Thị Hoa",
                         unit="Viện kiểm sát nhân dân khu vực 1")


class PracticeDesk:
    def __init__(self, window, qtbot, answers: DialogAnswers) -> None:
        self.window, self.qtbot, self.answers = window, qtbot, answers
        self.dialogs: list[tuple[str, str, bool]] = []  # (object name, title, has the banner)

    @property
    def session(self):
        return self.window.desk.mode.session

    def watch(self, name: str, act) -> None:
        """Answer dialog `name` with `act`, noting first whether it carries the practice banner."""
        def handler(widget):
            self.dialogs.append((name, widget.windowTitle(), _has_banner(widget)))
            act(widget)

        self.answers.on(name, handler)

    def open(self, paths) -> None:
        with self.qtbot.waitSignal(self.window.documentsChecked, timeout=30000):
            self.window.add_documents(list(paths))

    def sign(self, paths):
        documents = [self.window.model.find(p) for p in paths]
        with self.qtbot.waitSignal(self.window.signingFinished, timeout=60000) as blocker:
            self.window.sign_documents(documents)
        return blocker.args[0]

    def answer_pin(self, pin: str) -> None:
        """Answer each PIN request with `pin` — after a wrong PIN the same dialog asks again
        (request.attempt + 1, the token's state read again) and is answered again."""
        self.pins_entered = 0

        def enter(dialog):
            self.pins_entered += 1
            answered = dialog.request.attempt
            dialog.pin.setText(pin)
            if dialog.confirm.isVisible():
                dialog.confirm.setChecked(True)
            dialog.accept()

            def again(tries=[400]):  # noqa: B006 - a countdown shared by this answer's checks
                try:
                    shown_again = dialog.isVisible() and dialog.request.attempt == answered + 1
                except RuntimeError:  # the dialog is gone: the login succeeded or the job ended
                    return
                if shown_again:
                    enter(dialog)
                elif tries[0] > 0:
                    tries[0] -= 1
                    QTimer.singleShot(15, again)

            QTimer.singleShot(15, again)

        self.watch("kyso-pin", enter)

    def rack_button(self, name: str) -> QPushButton | None:
        found = self.window.practice_rack.findChildren(QPushButton, name)
        return found[0] if found else None

    def ticked(self) -> set[str]:
        return self.window.practice_exercises.ticked()


def _has_banner(widget) -> bool:
    strips = widget.findChildren(QWidget, "practice-banner")
    return bool(strips) and strips[0].isVisible() and widget.windowTitle().startswith(("THỰC HÀNH — ", "PRACTICE — "))


@pytest.fixture
def practice_desk(qtbot, small_pack, tmp_path, monkeypatch):
    from app.practice import open_practice
    from ui.main import create_application, create_main_window

    created = []

    def make(*, trainee: int | None = 1) -> PracticeDesk:
        pack = Path(shutil.copytree(small_pack.location, tmp_path / f"lop-{len(created)}"))
        create_application()
        window = create_main_window(practice=open_practice(pack, trainee=trainee))
        qtbot.addWidget(window)
        window.token_monitor.interval = 0.2
        answers = DialogAnswers()
        desk = PracticeDesk(window, qtbot, answers)
        desk.watch("kyso-batch-confirm", lambda dialog: dialog.accept())
        desk.watch("kyso-results", lambda dialog: None)
        window.warm_up([])
        qtbot.waitUntil(lambda: window.desk.catalogue is not None, timeout=30000)
        qtbot.waitUntil(lambda: bool(window.token_monitor.views), timeout=30000)
        created.append(desk)
        return desk

    yield make
    for desk in created:
        close_desk(desk, close_window=True)


def _exercise(desk, name: str, folder: Path, copy_as: str | None = None) -> Path:
    path = next(p for _, p in desk.session.exercises() if p.name == name)
    if copy_as is None:
        return path
    target = folder / copy_as
    shutil.copyfile(path, target)
    return target


def test_trainee_journey(practice_desk, small_pack, tmp_path):
    desk = practice_desk(trainee=1)
    window, qtbot = desk.window, desk.qtbot
    # The window says THỰC HÀNH, with the workshop and the trainee, before anything else.
    assert _has_banner(window)
    banner = window.findChildren(QWidget, "practice-banner-text")[0].text()
    assert banner.startswith("THỰC HÀNH") and "Phạm Thị Thu Hà" in banner
    # The trainee's token is in; the status bar shows it like any token (its label says THỰC HÀNH).
    qtbot.waitUntil(lambda: "THỰC HÀNH" in window.token_status.label.text(), timeout=10000)
    trainee_token = desk.session.trainee.token
    assert desk.rack_button(f"rack-plug-{trainee_token}").text() == "Rút ra"

    # 1. Open and sign an exercise: a practice copy in the pack, never beside the exercise.
    first = _exercise(desk, "01-phieu-kiem-sat.pdf", tmp_path)
    desk.open([first])
    desk.answer_pin(desk.session.trainee.pin)
    report = desk.sign([first])
    assert report is not None and report.all_ok, [(o.error_code, o.error_params) for o in report.outcomes]
    output = report.outcomes[0].output
    assert output.name.endswith(".thuc-hanh.pdf") and desk.session.pack.folder in output.parents
    qtbot.waitUntil(lambda: {"mo-va-kiem-tra", "ky-ca-nhan"} <= desk.ticked(), timeout=10000)

    # 2. The signed file verifies as a practice signature — never as "valid".
    window._show_current()
    qtbot.waitUntil(lambda: "CHỮ KÝ THỰC HÀNH" in window.details.toPlainText(), timeout=30000)
    assert "HỢP LỆ" not in window.details.toPlainText().replace("KHÔNG HỢP LỆ", "")
    qtbot.waitUntil(lambda: "xac-minh" in desk.ticked(), timeout=10000)

    # 3. Three wrong PINs lock the token; the fourth attempt asks no PIN and says it is locked.
    second = _exercise(desk, "02-bao-cao-an.pdf", tmp_path, copy_as="bao-cao.pdf")
    desk.open([second])
    errors: list[str] = []
    desk.watch("kyso-error", lambda box: errors.append(box.text()))
    desk.answer_pin("000000")
    asked_before = [name for name, _, _ in desk.dialogs].count("kyso-pin")
    assert desk.sign([second]) is None  # three wrong PINs, answered in the same dialog, lock it
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=10000)
    qtbot.waitUntil(lambda: not window.token_monitor._reading, timeout=10000)
    assert desk.pins_entered == 3 and [name for name, _, _ in desk.dialogs].count("kyso-pin") == asked_before + 1
    qtbot.waitUntil(lambda: "đã bị khoá" in window.token_status.label.text(), timeout=10000)
    assert desk.sign([second]) is None
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=10000)
    assert "đã bị khoá" in errors[1]
    assert desk.pins_entered == 3  # no 4th prompt
    qtbot.waitUntil(lambda: desk.rack_button(f"rack-unlock-{trainee_token}") is not None, timeout=10000)
    qtbot.waitUntil(lambda: "sai-pin-khoa" in desk.ticked(), timeout=10000)

    # 4. The trainer unlocks it with the trainer's PIN (a wrong one is refused first).
    def unlock_with(pin):
        def enter(dialog):
            dialog.pin.setText(pin)
            dialog.accept()
        return enter

    desk.watch("kyso-practice-unlock", unlock_with("99999999"))
    desk.rack_button(f"rack-unlock-{trainee_token}").click()
    qtbot.waitUntil(lambda: len(errors) == 3, timeout=10000)
    desk.answers._handled.clear()
    desk.watch("kyso-practice-unlock", unlock_with(small_pack.trainer_pin))
    desk.rack_button(f"rack-unlock-{trainee_token}").click()
    qtbot.waitUntil(lambda: desk.rack_button(f"rack-plug-{trainee_token}") is not None, timeout=10000)
    qtbot.waitUntil(lambda: "đã bị khoá" not in window.token_status.label.text(), timeout=10000)

    # 5. The token pulled out in the middle of a batch: the rest fail with TOKEN_REMOVED.
    batch = [second] + [_exercise(desk, "02-bao-cao-an.pdf", tmp_path, copy_as=f"bao-cao-{i}.pdf") for i in range(3)]
    desk.open(batch[1:])
    desk.answer_pin(desk.session.trainee.pin)

    def pull_after_first(progress):
        buttons = progress.findChildren(QPushButton, "practice-pull-now")
        assert buttons and buttons[0].isVisible()
        button = buttons[0]
        progress.bar.valueChanged.connect(lambda value: button.click() if value == 1 else None)

    desk.watch("kyso-progress", pull_after_first)
    report = desk.sign(batch)
    codes = [o.error_code for o in report.outcomes]
    assert report.outcomes[0].ok and "TOKEN_REMOVED" in codes, codes
    qtbot.waitUntil(lambda: "rut-token" in desk.ticked(), timeout=10000)
    qtbot.waitUntil(lambda: desk.rack_button(f"rack-plug-{trainee_token}").text() == "Cắm vào", timeout=10000)
    desk.rack_button(f"rack-plug-{trainee_token}").click()
    qtbot.waitUntil(lambda: desk.rack_button(f"rack-plug-{trainee_token}").text() == "Rút ra", timeout=10000)

    # Every dialog of the session carried the banner, in its title and across its top.
    names = {name for name, _, _ in desk.dialogs}
    assert {"kyso-pin", "kyso-batch-confirm", "kyso-results", "kyso-error", "kyso-practice-unlock",
            "kyso-progress"} <= names
    assert all(framed for _, _, framed in desk.dialogs), [d for d in desk.dialogs if not d[2]]
    progress_text = window.practice_exercises.summary.text()
    assert "Sai PIN: 3" in progress_text


def test_practice_events_stay_in_the_practice_chain(practice_desk, tmp_path):
    from app.audit.opening import default_log_path

    desk = practice_desk(trainee=2)
    first = _exercise(desk, "01-phieu-kiem-sat.pdf", tmp_path)
    desk.open([first])
    desk.answer_pin(desk.session.trainee.pin)
    assert desk.sign([first]).all_ok
    desk.window.close()
    import sqlite3

    with sqlite3.connect(default_log_path()) as db:
        modes = {row[0] for row in db.execute("select distinct mode from audit_event")}
        types = {row[0] for row in db.execute("select type from audit_event")}
    assert modes == {"practice"}  # the desktop's start, the check, the signature: all practice
    assert {"app.started", "sign.succeeded", "app.stopped"} <= types


def test_trainer_sees_the_workshop(practice_desk, tmp_path):
    desk = practice_desk(trainee=None)
    window = desk.window
    assert "giảng viên" in window.findChildren(QWidget, "practice-banner-text")[0].text()
    window.act_practice_workshop.trigger()
    desk.qtbot.waitUntil(lambda: any(w.objectName() == "kyso-practice-workshop" and w.isVisible()
                                     for w in QApplication.topLevelWidgets()), timeout=10000)
    dialog = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "kyso-practice-workshop")
    assert _has_banner(dialog)
    desk.qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10000)
    assert dialog.table.item(1, 1).text() == "Đinh Văn Toàn"
    out = tmp_path / "bao-cao.csv"
    dialog.export_to(out)
    desk.qtbot.waitUntil(out.exists, timeout=10000)
    assert "Phạm Thị Thu Hà" in out.read_text(encoding="utf-8-sig")


def test_newcomer_tries_practice_from_the_production_window(qtbot, kyso_home):
    """No token: the status bar offers "Thử ký số (thực hành)"; it opens the try-out workshop."""
    from tests.support.fake_pkcs11 import FakeLibrary, fake_module
    from tokens.discovery import ModuleCandidate
    from ui import practice_window
    from ui.main import create_application, create_main_window

    create_application()
    window = create_main_window()
    qtbot.addWidget(window)
    window.show()
    module = fake_module(FakeLibrary())
    window.warm_up([], token_candidates=[ModuleCandidate(module.path, "configured", None, "loaded", module=module)])
    qtbot.waitUntil(lambda: window.practice_try_link.isVisible(), timeout=30000)
    assert window.practice_try_link.text().startswith("Thử ký số (thực hành)")
    assert not window.windowTitle().startswith("THỰC HÀNH")
    window.practice_try_link.click()
    qtbot.waitUntil(lambda: bool(practice_window._open_windows), timeout=60000)
    practice = practice_window._open_windows[-1]
    try:
        assert _has_banner(practice) and not _has_banner(window)
        qtbot.waitUntil(lambda: "THỰC HÀNH" in practice.token_status.label.text(), timeout=30000)
    finally:
        practice.token_monitor.stop()
        practice.close()
        window.token_monitor.stop()
        window.close()


def test_expired_certificate_and_secret_document_are_refused_before_any_pin(practice_desk, tmp_path):
    """The rack's deliberately bad token: inserted instead of the trainee's own, its certificate is
    refused before the PIN; the secret-marked exercise is blocked in the list. Both ticked."""
    desk = practice_desk(trainee=2)
    window, qtbot = desk.window, desk.qtbot
    own = desk.session.trainee.token
    qtbot.waitUntil(lambda: desk.rack_button(f"rack-plug-{own}") is not None, timeout=10000)
    desk.rack_button(f"rack-plug-{own}").click()
    qtbot.waitUntil(lambda: desk.rack_button(f"rack-plug-{own}").text() == "Cắm vào", timeout=10000)
    desk.rack_button("rack-plug-het-han").click()
    qtbot.waitUntil(lambda: "HẾT HẠN" in window.token_status.label.text(), timeout=10000)
    assert window.token_monitor.ready and all("HẾT HẠN" in v.label for v in window.token_monitor.ready)
    document = _exercise(desk, "02-bao-cao-an.pdf", tmp_path, copy_as="bao-cao.pdf")
    secret = _exercise(desk, "05-van-ban-mat.pdf", tmp_path)
    desk.open([document, secret])
    assert not window.model.find(secret).signable  # blocked: never near a token
    errors: list[str] = []
    desk.watch("kyso-error", lambda box: errors.append(box.text()))
    desk.watch("kyso-warnings", lambda dialog: dialog.accept())  # the position differs from the document's
    desk.answer_pin("0000")
    report = desk.sign([document])
    codes = [o.error_code for o in report.outcomes] if report is not None else []
    qtbot.waitUntil(lambda: "CERT_EXPIRED" in codes or bool(errors), timeout=10000)
    assert "kyso-pin" not in [name for name, _, _ in desk.dialogs]  # refused before any PIN
    qtbot.waitUntil(lambda: {"chung-thu-loi", "van-ban-bi-chan"} <= desk.ticked(), timeout=10000)


def test_every_window_of_the_session_carries_the_banner(practice_desk):
    """The settings and the audit log opened from the practice window: framed like the rest."""
    desk = practice_desk(trainee=1)
    window = desk.window
    window.open_audit()
    desk.qtbot.waitUntil(lambda: window.audit_window is not None and window.audit_window.isVisible(), timeout=10000)
    assert _has_banner(window.audit_window)
    seen = []
    desk.watch("kyso-settings", lambda dialog: (seen.append(_has_banner(dialog)), dialog.reject()))
    window.open_settings()
    assert seen == [True]
