"""The desk without a window: documents opened once each, checked, their state kept through the
user's acts and told to whoever draws the list; what is signed now and what changed since it was
checked — all without Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.desk.desk import Desk
from app.desk.documents import DocumentStatus
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf

ROOT = Path(__file__).resolve().parents[2]


class Drawing:
    """What a list drawing is told (the window's model does the same with rows)."""

    def __init__(self) -> None:
        self.told: list[tuple[str, object]] = []

    def added(self, row: int) -> None:
        self.told.append(("added", row))

    def changed(self, row: int) -> None:
        self.told.append(("changed", row))

    def removed(self, rows: list[int]) -> None:
        self.told.append(("removed", rows))


def _desk(kyso_home) -> Desk:
    desk = Desk()
    desk.load_settings()
    desk.session_started(desk.start_session())
    return desk


def _check_all(desk: Desk, paths) -> None:
    desk.take_checked([desk.check(path, desk.check_options(path)) for path in paths])


def test_the_desk_loads_no_qt():
    code = "import sys, app.desk.desk; sys.exit(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_documents_are_opened_once_checked_and_drawn(kyso_home, tmp_path):
    folder = tmp_path / "van-ban"
    folder.mkdir()
    first = decree30_pdf(folder / "qd-1.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    secret = decree30_pdf(folder / "qd-mat.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, secret="TỐI MẬT")
    os.symlink(first, tmp_path / "ten-khac.pdf")
    desk = _desk(kyso_home)
    drawing = Drawing()
    desk.documents.listen(drawing)
    try:
        added = desk.add(desk.open([folder]))
        assert added == [first, secret] and drawing.told == [("added", 0), ("added", 1)]
        assert desk.add(desk.open([tmp_path / "ten-khac.pdf", first])) == []  # the same file by another name
        assert [d.status for d in desk.documents] == [DocumentStatus.CHECKING] * 2
        _check_all(desk, added)
        assert desk.documents.find(first).signable
        assert desk.documents.find(secret).status is DocumentStatus.BLOCKED
        assert ("changed", 0) in drawing.told and ("changed", 1) in drawing.told

        desk.lift_blocks(first, {"PREFLIGHT_ROLE_MISSING"})
        _check_all(desk, [first])  # checked again: the block the user lifted stays lifted
        assert "PREFLIGHT_ROLE_MISSING" in desk.documents.find(first).overrides

        desk.remove([secret])
        assert drawing.told[-1] == ("removed", [1]) and [d.path for d in desk.documents] == [first]
    finally:
        desk.close()


def test_a_document_changed_since_it_was_checked_is_not_signed_now(kyso_home, tmp_path):
    one = decree30_pdf(tmp_path / "qd-1.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    two = decree30_pdf(tmp_path / "qd-2.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    desk = _desk(kyso_home)
    try:
        desk.add(desk.open([one, two]))
        _check_all(desk, [one, two])
        with open(two, "ab") as handle:
            handle.write(b"\n% changed after the check\n")
        choice = desk.signing_choice(list(desk.documents))
        assert [d.path for d in choice.documents] == [one] and [d.path for d in choice.changed] == [two]
        assert [(line.kind, line.count) for line in desk.batch_summary(choice.documents)] == [("personal", 1)]
    finally:
        desk.close()


def test_a_moved_box_is_the_documents_and_remembered_for_its_type(kyso_home, tmp_path):
    one = decree30_pdf(tmp_path / "qd-1.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    two = decree30_pdf(tmp_path / "qd-2.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    desk = _desk(kyso_home)
    try:
        desk.add(desk.open([one, two]))
        _check_all(desk, [one, two])
        first = desk.documents.find(one)
        desk.proposed(first, desk.propose(first))
        proposed = desk.placement(one)
        box = proposed.box
        desk.place(one, page=proposed.page, box=(box.x1 + 20, box.y1, box.x2 + 20, box.y2), pages=1)
        assert desk.placement(one).box.x1 == box.x1 + 20
        second = desk.documents.find(two)
        desk.proposed(second, desk.propose(second))  # the next document of the type: moved the same way
        assert round(desk.placement(two).box.x1, 2) == round(box.x1 + 20, 2)
        desk.remove([one])
        assert desk.placement(one) is None
    finally:
        desk.close()
