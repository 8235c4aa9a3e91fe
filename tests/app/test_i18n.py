"""Every message exists in Vietnamese and English with the same placeholders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.audit.errors import AuditErrorCode
from app.audit.verify import BreakKind
from app.errors import AppErrorCode
from app.i18n import LANGUAGES, catalogue, message, placeholders, resolve_language
from app.preflight.findings import FindingCode
from signing.errors import SigningErrorCode
from signing.verify import Problem
from tokens import TokenErrorCode

ROOT = Path(__file__).resolve().parents[2]


def test_both_languages_have_the_same_keys_and_placeholders():
    vi, en = catalogue("vi"), catalogue("en")
    assert set(vi) == set(en)
    for key in vi:
        assert placeholders(vi[key]) == placeholders(en[key]), key
        assert vi[key] != en[key] or key in {"CLI_SIGN_FILE_OK", "CLI_SIGN_FILE_FAILED",
                                              "CLI_VERIFY_FILE_ERROR", "CLI_PREFLIGHT_WARNING"}, key


@pytest.mark.parametrize("codes", [TokenErrorCode, SigningErrorCode, AppErrorCode, Problem, FindingCode,
                                   AuditErrorCode])
def test_every_error_code_has_a_message(codes):
    for lang in LANGUAGES:
        missing = [code.value for code in codes if code.value not in catalogue(lang)]
        assert missing == [], (lang, missing)


def test_message_fills_placeholders_and_never_raises():
    assert message("PDF_ENCRYPTED", "vi", file="a.pdf").endswith("a.pdf")
    assert "?" in message("PDF_ENCRYPTED", "en")  # a missing parameter is shown, not raised
    assert message("NO_SUCH_CODE", "vi") == "NO_SUCH_CODE"


def test_language_resolution(monkeypatch):
    monkeypatch.delenv("KYSO_LANG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert resolve_language() == "vi"  # a neutral locale means Vietnamese
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert resolve_language() == "en"
    assert resolve_language("vi") == "vi"
    monkeypatch.setenv("KYSO_LANG", "vi")
    assert resolve_language() == "vi"


def _translation_calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in {"message", "t", "tr"}:
                yield node


def test_no_f_strings_in_translation_calls():
    offenders = []
    for path in [*ROOT.glob("app/**/*.py"), *ROOT.glob("ui/**/*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _translation_calls(tree):
            if isinstance(call.args[0], ast.JoinedStr):
                offenders.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert offenders == []


def test_every_audit_break_kind_and_column_has_a_name():
    from app.audit.export import HUMAN_COLUMNS

    for lang in LANGUAGES:
        texts = catalogue(lang)
        assert all("AUDIT_BREAK_" + kind.name in texts for kind in BreakKind), lang
        assert all("AUDIT_COLUMN_" + name.upper() in texts for name in HUMAN_COLUMNS), lang


def test_a_moment_reads_the_same_whatever_zone_it_came_in(monkeypatch):
    """A signature's claimed time (+07:00) and its timestamp (UTC, microseconds) are shown in one
    form, this computer's time with its offset, so a reader compares them at a glance."""
    import time
    from datetime import datetime, timedelta, timezone

    from app.i18n import moment

    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    try:
        claimed = datetime(2026, 12, 4, 1, 39, 56, tzinfo=timezone(timedelta(hours=7)))
        stamped = datetime(2026, 12, 3, 18, 39, 56, 526995, tzinfo=timezone.utc)
        assert moment(claimed) == moment(stamped) == "04/12/2026 01:39:56 (UTC+07:00)"
        assert moment(None) == "-"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
