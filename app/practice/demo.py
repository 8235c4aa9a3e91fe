"""The try-it-now pack: a one-trainee workshop in the data folder, so a newcomer with no token can
sign a document in practice mode within a minute of the first start (`kyso practice try`, and
the desktop's offer when no token is found)."""

from __future__ import annotations

from pathlib import Path

from .session import PracticeSession, open_practice

__all__ = ["DEMO_FOLDER", "demo_session"]

DEMO_FOLDER = "thu-nghiem"


def demo_session() -> PracticeSession:
    """Trainee 1 of KYSO_HOME/practice/thu-nghiem, made on first use (a few seconds), reused after."""
    from ..paths import data_home
    from .builder import make_pack
    from .trainees import Participant

    folder: Path = data_home() / "practice" / DEMO_FOLDER
    if not (folder / "workshop.toml").is_file():
        import secrets
        import shutil

        partial = folder.parent / f".{DEMO_FOLDER}-{secrets.token_hex(4)}"  # a crash leaves no half pack
        partial.mkdir(parents=True)
        try:
            made = make_pack(participants=[Participant(1, "Người dùng thử", "Kiểm sát viên")],
                             out=partial / DEMO_FOLDER, trainer="kyso", unit="Đơn vị thử nghiệm")
            shutil.rmtree(folder, ignore_errors=True)
            (partial / DEMO_FOLDER).rename(folder)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        (folder.parent / f"{DEMO_FOLDER}.giang-vien.txt").write_text(made.trainer_pin + "\n", encoding="utf-8")
    return open_practice(folder, trainee=1)
