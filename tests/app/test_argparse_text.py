"""`kyso` and `kyso-server` speak Vietnamese in argparse's own words too: the help's titles, the
usage line and argparse's usage errors — every command's help, both programs."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.argparse_text import VIETNAMESE, speak

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = re.compile(r"usage:|positional arguments|options:|show this help message|error:|required:|"
                     r"invalid choice|unrecognized arguments|expected one argument")


def _helps(parser: argparse.ArgumentParser):
    """The help of the parser and of every subcommand under it, recursively."""
    yield parser.prog, parser.format_help()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _helps(child)


def _parsers():
    from app.cli.main import build_parser
    from server import cli as server_cli

    return [build_parser("vi"), server_cli._parser(lambda code, **params: code)]


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    speak("en")


def test_every_help_screen_of_both_programs_is_free_of_argparse_english():
    screens = [screen for parser in _parsers() for screen in _helps(parser)]
    assert len(screens) > 20
    leftovers = {prog: ENGLISH.findall(text) for prog, text in screens if ENGLISH.search(text)}
    assert leftovers == {}
    assert all("cách dùng:" in text for _, text in screens)


@pytest.mark.parametrize("argv, expected", [
    (["sign"], "thiếu đối số bắt buộc"),
    (["frobnicate"], "lựa chọn không hợp lệ"),
    (["verify", "a.pdf", "--no-such-option"], "đối số không nhận ra"),
    (["--lang"], "cần đúng một giá trị"),
])
def test_a_usage_error_is_explained_in_vietnamese(argv, expected):
    run = subprocess.run([sys.executable, "-c", "import sys; from app.cli.main import main; sys.exit(main())", *argv], capture_output=True, text=True, cwd=ROOT,
                         env={"PATH": "/usr/bin:/bin", "KYSO_LANG": "vi", "HOME": "/tmp"})
    assert run.returncode == 2, run.stderr
    assert expected in run.stderr and "APP_USAGE" in run.stderr
    assert not ENGLISH.search(run.stderr), run.stderr


def test_english_stays_english():
    from app.cli.main import build_parser

    text = build_parser("en").format_help()
    assert "usage:" in text and "cách dùng" not in text


def test_every_vietnamese_text_keeps_the_placeholders_of_the_english_one():
    placeholders = re.compile(r"%(?:\(\w+\))?[rs]")
    for english, vietnamese in VIETNAMESE.items():
        assert sorted(placeholders.findall(english)) == sorted(placeholders.findall(vietnamese)), english
