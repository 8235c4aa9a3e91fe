"""The desktop application under test: real widgets (offscreen), real SoftHSM tokens, real PKI.

Modal dialogs are answered by `DialogAnswers`: a timer on the GUI thread that finds each
dialog by its object name once it is shown and lets the test act on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.settings import save_settings
from ui.qt import QApplication, QTimer


class DialogAnswers:
    def __init__(self) -> None:
        self.handlers: dict[str, object] = {}
        self.seen: list[tuple[str, object]] = []
        self._handled: set[int] = set()
        self.timer = QTimer()
        self.timer.setInterval(15)
        self.timer.timeout.connect(self._scan)
        self.timer.start()

    def on(self, name: str, handler) -> None:
        self.handlers[name] = handler

    def _scan(self) -> None:
        for widget in QApplication.topLevelWidgets():
            name = widget.objectName()
            if name in self.handlers and widget.isVisible() and id(widget) not in self._handled:
                self._handled.add(id(widget))
                self.seen.append((name, widget))
                self.handlers[name](widget)

    def names(self) -> list[str]:
        return [name for name, _ in self.seen]

    def stop(self) -> None:
        self.timer.stop()


@dataclass
class Desk:
    window: object
    qtbot: object
    answers: DialogAnswers
    hsm: object
    folder: Path
    reports: list = field(default_factory=list)

    def open(self, paths: list[Path], *, timeout: int = 30000) -> None:
        with self.qtbot.waitSignal(self.window.documentsChecked, timeout=timeout):
            self.window.add_documents(paths)

    def document(self, path: Path):
        return self.window.model.find(path)

    def select(self, path: Path) -> None:
        row = next(i for i, d in enumerate(self.window.model.documents) if d.path == path)
        self.window.table.selectRow(row)

    def sign(self, paths: list[Path], *, timeout: int = 60000):
        documents = [self.document(p) for p in paths]
        with self.qtbot.waitSignal(self.window.signingFinished, timeout=timeout) as blocker:
            self.window.sign_documents(documents)
        return blocker.args[0]

    def choose_token(self, label: str, key_holder: str = "Nguyễn Văn An") -> None:
        def choose(dialog):
            for row in range(dialog.list.count()):
                text = dialog.list.item(row).text()
                if f"({label})" in text.replace("thiết bị ", "").replace("token ", "") and key_holder in text:
                    dialog.list.setCurrentRow(row)
                    dialog.accept()
                    return
            raise AssertionError(f"no certificate of {key_holder} on {label}")

        self.answers.on("kyso-certificate-choice", choose)

    def answer_pin(self, pin: str) -> None:
        def enter(dialog):
            dialog.pin.setText(pin)
            dialog.accept()

        self.answers.on("kyso-pin", enter)

    def answer_pins(self, pins: list, seen: list | None = None) -> list:
        """Answer the PIN dialog with each PIN in turn (None: cancel) — after a wrong PIN the same
        dialog is shown again with the token's new state. `seen`: (attempt, about, warning) per ask."""
        remaining, seen = list(pins), seen if seen is not None else []

        def enter(dialog):
            seen.append((dialog.request.attempt, dialog.about.text(), dialog.warning.text()))
            pin = remaining.pop(0)
            if pin is None:
                dialog.reject()
                return
            dialog.pin.setText(pin)
            dialog.accept()
            if remaining:
                asked = len(seen)

                def again():
                    if dialog.isVisible() and dialog.request.attempt == asked + 1:
                        enter(dialog)
                    else:
                        QTimer.singleShot(15, again)

                QTimer.singleShot(15, again)

        self.answers.on("kyso-pin", enter)
        return seen


def write_settings(hsm, assets, pki, **extra) -> None:
    from app.settings import load_settings

    locked = load_settings().locked
    values = {
        "full_name": "Nguyễn Văn An",
        "role": "vien-truong",
        "signature_image": str(assets["signature"]),
        "seal_image": str(assets["seal"]),
        "pkcs11_modules": (hsm.module,),
        "tsa_url": pki.tsa_url,
        "language": "vi",
        **extra,
    }
    save_settings({name: value for name, value in values.items() if name not in locked})


@pytest.fixture
def policy_dir(tmp_path, monkeypatch, trust_dir) -> Path:
    """The machine-wide policy folder: the test PKI's root is deployed as a trust anchor."""
    import shutil

    folder = tmp_path / "policy"
    shutil.copytree(trust_dir, folder / "trust")
    monkeypatch.setenv("KYSO_POLICY_DIR", str(folder))
    return folder


@pytest.fixture
def desk_factory(qtbot, kyso_home, hsm, pki, assets, policy_dir, tmp_path, monkeypatch):
    """A main window, warmed up with the given token candidates (default: SoftHSM)."""
    monkeypatch.delenv("KYSO_LANG", raising=False)
    created: list[Desk] = []

    def make(*, candidates=None, settings: dict | None = None, wait_tokens: bool = True) -> Desk:
        from ui.main import create_application, create_main_window

        write_settings(hsm, assets, pki, **(settings or {}))
        create_application()
        window = create_main_window()
        qtbot.addWidget(window)
        window.token_monitor.interval = 0.2
        window.show()
        answers = DialogAnswers()
        answers.on("kyso-batch-confirm", lambda dialog: dialog.accept())
        answers.on("kyso-results", lambda dialog: None)
        answers.on("kyso-error", lambda dialog: None)
        window.warm_up([], token_candidates=candidates)
        qtbot.waitUntil(lambda: window.desk.catalogue is not None, timeout=30000)
        if wait_tokens:
            qtbot.waitUntil(lambda: bool(window.token_monitor.views), timeout=30000)
        desk = Desk(window, qtbot, answers, hsm, tmp_path)
        created.append(desk)
        return desk

    yield make
    for desk in created:
        close_desk(desk, close_window=False)


def close_desk(desk, *, close_window: bool) -> None:
    """After a test: stop answering dialogs and watching tokens, close what the test left open."""
    desk.answers.stop()
    desk.window.token_monitor.stop()
    for widget in QApplication.topLevelWidgets():
        if widget is not desk.window and widget.isVisible():
            widget.close()
    if close_window:
        desk.window.close()
