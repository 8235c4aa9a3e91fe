"""One window per user: a later `kyso FILE…` (Explorer starts one per selected file) hands its
files to the open window and exits; a lock left by a process that died does not stop kyso."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf

ROOT = Path(__file__).resolve().parents[2]


def _kyso(home: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "KYSO_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen([sys.executable, "-c", "import sys; from launch import main; sys.exit(main())", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_second_kyso_hands_its_files_to_the_open_window_and_exits(qtbot, kyso_home, tmp_path):
    from ui.main import create_application
    from ui.single_instance import InstanceServer, claim_or_hand_over

    create_application()
    lock = claim_or_hand_over(home=kyso_home, files=[])
    assert lock is not None and lock.isLocked()
    received: list[list[Path]] = []
    server = InstanceServer(home=kyso_home, lock=lock, opened=lambda files, sign: received.append((files, sign)))
    first, second = decree30_pdf(tmp_path / "một.pdf"), decree30_pdf(tmp_path / "hai.pdf")
    later = _kyso(kyso_home, str(first), str(second))
    qtbot.waitUntil(lambda: bool(received), timeout=60_000)
    assert later.wait(timeout=60) == 0, later.stderr.read()
    assert received == [([first.resolve(), second.resolve()], False)]
    to_sign = _kyso(kyso_home, "--sign", str(first))  # Explorer's "Ký số bằng kyso"
    qtbot.waitUntil(lambda: len(received) == 2, timeout=60_000)
    assert to_sign.wait(timeout=60) == 0, to_sign.stderr.read()
    assert received[1] == ([first.resolve()], True)
    lock.unlock()
    del server


def test_a_lock_left_by_a_process_that_died_is_taken_over(qtbot, kyso_home):
    from ui.main import create_application
    from ui.single_instance import claim_or_hand_over

    create_application()
    kyso_home.mkdir(parents=True, exist_ok=True)
    died = subprocess.run([sys.executable, "-c", (
        "import os, sys; from PySide6.QtCore import QLockFile; "
        f"lock = QLockFile({str(kyso_home / 'window.lock')!r}); lock.setStaleLockTime(0); "
        "assert lock.tryLock(0); os._exit(0)")], cwd=ROOT, check=True)
    assert died.returncode == 0 and (kyso_home / "window.lock").exists()
    lock = claim_or_hand_over(home=kyso_home, files=[])
    assert lock is not None and lock.isLocked()
    lock.unlock()


def test_the_open_window_comes_forward_with_the_handed_files(desk_factory, tmp_path, qtbot):
    desk = desk_factory(wait_tokens=False)
    document = decree30_pdf(tmp_path / "ba.pdf")
    desk.window.showMinimized()
    desk.window.bring_documents([document])
    assert not desk.window.isMinimized()
    qtbot.waitUntil(lambda: [d.path.name for d in desk.window.model.documents] == ["ba.pdf"], timeout=30_000)


@pytest.mark.hsm
@pytest.mark.pki
def test_files_handed_over_to_sign_are_signed_in_one_batch_once_checked(desk_factory, tmp_path, qtbot):
    """Explorer starts one `kyso --sign FILE` per selected file: what arrives is gathered — files
    already open among them — and signed with one confirmation and one PIN."""
    from ui.qt import QListWidget

    desk = desk_factory()
    window = desk.window
    files = [decree30_pdf(tmp_path / f"quyet-dinh-{n}.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY,
                          number=f"Số: {n + 1:02d}/QĐ-VKSTC") for n in range(3)]
    desk.open([files[2]])  # open already, then asked to sign too (under another name for it)
    other_name = tmp_path / "lien-ket.pdf"
    other_name.symlink_to(files[2])
    desk.choose_token("KYSO-RSA")
    desk.answer_pin(desk.hsm.pin)
    confirmed: list[list[str]] = []
    desk.answers.on("kyso-batch-confirm", lambda dialog: (confirmed.append(
        [dialog.findChild(QListWidget).item(row).text() for row in range(dialog.findChild(QListWidget).count())]),
        dialog.accept()))
    with qtbot.waitSignal(window.signingFinished, timeout=120_000) as finished:
        window.bring_documents([files[0]], sign=True)
        window.bring_documents([files[1], other_name], sign=True)
    report = finished.args[0]
    assert report is not None and report.all_ok, desk.answers.names()
    assert sorted(o.source.name for o in report.outcomes) == sorted(f.name for f in files)
    assert [sorted(names) for names in confirmed] == [sorted(f.name for f in files)]  # one batch
    assert desk.answers.names().count("kyso-pin") == 1
    assert not window.desk.sign_on_open.waiting  # asked once: opening them again later signs nothing
