"""Screenshots of the practice window for docs/practice.md, at 1366x768, in Vietnamese and English.

    .venv/bin/python scripts/practice_screenshots.py [--out docs/screenshots]

For each language a child process (QT_QPA_PLATFORM=offscreen) makes a two-trainee workshop pack
in a fresh KYSO_HOME, opens the desktop in practice mode as trainee 1, signs an exercise for real
on the simulated token, locks the token with three wrong PINs, and saves: the practice window
with the signed exercise and the ticks, the PIN dialog, the locked token with the trainer's
unlock dialog, and the trainer's workshop progress.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZE = (1366, 768)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--child", metavar="LANG")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.child:
        return child(args.child, out=args.out.resolve())
    for lang in ("vi", "en"):
        home = Path(tempfile.mkdtemp(prefix="kyso-practice-shots-"))
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KYSO_HOME": str(home / "home"), "KYSO_LANG": lang}
        subprocess.run([sys.executable, __file__, "--child", lang, "--out", str(args.out)], env=env, check=True)
    return 0


def wait(app, condition, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there")
        app.processEvents()  # (PySide6 6.12's processEvents(flags, ms) ends in "deallocating None")
        time.sleep(0.01)


def visible(name: str):
    from ui.qt import QApplication

    return next((w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()), None)


def child(lang: str, *, out: Path) -> int:
    from app.practice import open_practice
    from app.practice.builder import make_pack
    from app.practice.trainees import Participant
    from ui.main import create_application, create_main_window
    from ui.qt import QApplication, QPushButton, QTimer

    work = Path(os.environ["KYSO_HOME"]).parent
    made = make_pack(participants=[Participant(1, "Phạm Thị Thu Hà", "Kiểm sát viên"),
                                   Participant(2, "Đinh Văn Toàn", "Kiểm tra viên")],
                     out=work / "lop", trainer="Nguyễn Thị Hoa", unit="Viện kiểm sát nhân dân khu vực 1")
    app = create_application()
    session = open_practice(made.location, trainee=1)
    window = create_main_window(practice=session)
    window.resize(*SIZE)
    window.warm_up([])
    wait(app, lambda: window.catalogue is not None and bool(window.token_monitor.views))
    exercise = next(p for _, p in session.exercises() if p.name == "01-phieu-kiem-sat.pdf")
    finished = []
    window.signingFinished.connect(finished.append)
    checked = []
    window.documentsChecked.connect(lambda: checked.append(1))
    window.practice_exercises.open_exercises()
    wait(app, lambda: bool(checked))
    row = next(i for i, d in enumerate(window.model.documents) if d.path == exercise)
    window.table.selectRow(row)

    answers = {"pin": "", "shot": None}

    def answer_dialogs() -> None:
        """On a timer (modal dialogs run their own loop): confirm, PIN, results, errors."""
        for widget in QApplication.topLevelWidgets():
            if not widget.isVisible():
                continue
            name = widget.objectName()
            if name == "kyso-batch-confirm":
                widget.accept()
            elif name == "kyso-pin":
                widget.pin.setText(answers["pin"])
                if widget.confirm.isVisible():
                    widget.confirm.setChecked(True)
                if answers["shot"]:
                    widget.grab().save(str(out / answers["shot"]))
                    answers["shot"] = None
                widget.accept()
            elif name in ("kyso-results", "kyso-error") and not answers.get("keep"):
                widget.close()

    timer = QTimer()
    timer.setInterval(30)
    timer.timeout.connect(answer_dialogs)
    timer.start()

    def sign(path: Path, pin: str, shot: str | None = None) -> None:
        count = len(finished)
        answers.update(pin=pin, shot=shot)
        window.sign_documents([window.model.find(path)])
        wait(app, lambda: len(finished) > count)

    sign(exercise, session.trainee.pin, shot=f"practice-pin-{lang}.png")
    window.table.selectRow(row)
    window._show_current()
    wait(app, lambda: "THỰC HÀNH" in window.details.toPlainText() or "PRACTICE" in window.details.toPlainText())
    wait(app, lambda: "ky-ca-nhan" in window.practice_exercises.ticked() and "xac-minh" in window.practice_exercises.ticked())
    window.grab().save(str(out / f"practice-main-{lang}.png"))
    second = next(p for _, p in session.exercises() if p.name == "02-bao-cao-an.pdf")
    sign(second, "000000")  # wrong three times in the same dialog: the token locks
    wait(app, lambda: not window.token_monitor._reading)
    token = session.trainee.token
    wait(app, lambda: window.practice_rack.findChildren(QPushButton, f"rack-unlock-{token}"))
    window.practice_rack.findChildren(QPushButton, f"rack-unlock-{token}")[0].click()
    wait(app, lambda: visible("kyso-practice-unlock") is not None)
    unlock = visible("kyso-practice-unlock")
    app.processEvents()
    window.grab().save(str(out / f"practice-locked-{lang}.png"))
    unlock.grab().save(str(out / f"practice-unlock-{lang}.png"))
    unlock.reject()
    timer.stop()
    window.close()
    trainer = create_main_window(practice=open_practice(made.location, trainee=None))
    trainer.resize(*SIZE)
    trainer.warm_up([])
    wait(app, lambda: trainer.catalogue is not None)
    trainer.act_practice_workshop.trigger()
    wait(app, lambda: visible("kyso-practice-workshop") is not None)
    dialog = visible("kyso-practice-workshop")
    wait(app, lambda: dialog.table.rowCount() == 2)
    dialog.grab().save(str(out / f"practice-workshop-{lang}.png"))
    trainer.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
