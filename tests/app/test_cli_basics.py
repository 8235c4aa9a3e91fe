"""`kyso` with no command or with documents starts the desktop without building the CLI; the
list of command names it relies on matches the parser."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from app.cli.main import COMMANDS, build_parser
from tests.support.documents import decree30_pdf


def test_the_command_names_known_in_advance_are_the_parsers():
    parser = build_parser("vi")
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(commands.choices) == COMMANDS


def _kyso(*args: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "launch", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def _without_display(kyso_home) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return {**env, "KYSO_HOME": str(kyso_home), "KYSO_LANG": "vi"}


def test_without_a_screen_kyso_says_so_in_both_languages_and_fails(kyso_home, tmp_path):
    document = decree30_pdf(tmp_path / "quyet-dinh.pdf")
    for args in ((), (str(document),), ("--lang", "en")):
        result = _kyso(*args, env=_without_display(kyso_home), cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "Không có màn hình" in result.stderr and "There is no display" in result.stderr
        assert "[APP_NO_DISPLAY]" in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""
    english = _kyso("--lang", "en", env=_without_display(kyso_home), cwd=tmp_path)
    assert english.stderr.index("There is no display") < english.stderr.index("Không có màn hình")


def test_the_cli_never_imports_the_window():
    """The entry point above both front ends chooses; app/cli/ itself never loads ui/ or Qt."""
    code = ("import sys; from app.cli.main import main; main(['--version']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ui', 'PySide6')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().endswith("[]"), result.stdout + result.stderr


def test_kyso_with_documents_opens_the_window(kyso_home, tmp_path):
    document = decree30_pdf(tmp_path / "quyet-dinh.pdf")
    env = {**_without_display(kyso_home), "QT_QPA_PLATFORM": "offscreen", "KYSO_EXIT_AFTER_FIRST_PAINT": "1"}
    result = _kyso(document.name, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("first-paint ")
    assert "usage" not in result.stdout.lower()


def test_kyso_sign_files_asks_the_window_to_sign_them_and_a_missing_one_is_named(kyso_home, tmp_path):
    """`kyso --sign FILE…` (Explorer's "Ký số bằng kyso") opens the window to sign; practice
    windows take no files; a file that is not there is named before any window opens."""
    from app.cli.main import main

    document = decree30_pdf(tmp_path / "quyet-dinh.pdf")
    asked: list[tuple] = []
    desktop = lambda lang, files, **options: asked.append((lang, list(files), options)) or 0  # noqa: E731
    assert main(["--sign", str(document)], desktop=desktop) == 0
    assert asked == [("vi", [str(document)], {"sign": True})]
    result = _kyso("--sign", str(document), "thieu.pdf", env=_without_display(kyso_home), cwd=tmp_path)
    assert result.returncode == 2 and "[PDF_NOT_FOUND] Không có tệp: thieu.pdf" in result.stderr
    assert "Traceback" not in result.stderr
    both = _kyso("--sign", str(document), "--practice", "goi.zip", env=_without_display(kyso_home), cwd=tmp_path)
    assert both.returncode == 2 and "--practice" in both.stderr
