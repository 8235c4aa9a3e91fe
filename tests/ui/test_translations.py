"""Every text of the desktop has its Vietnamese translation, with the same placeholders."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "resources" / "translations"


def _ts(name: str) -> dict[tuple[str, str], list[str]]:
    table = {}
    for context in ET.parse(TRANSLATIONS / name).getroot().iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            forms = [f.text or "" for f in translation.findall("numerusform")] or [translation.text or ""]
            if translation.get("type") in ("unfinished", "obsolete", "vanished"):
                forms = []
            table[(context.findtext("name"), message.findtext("source"))] = forms
    return table


def _texts_in_code():
    """(context, text) of every tr()/translate() call in ui/, found by reading the code."""
    for path in sorted((ROOT / "ui").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in [None, *[n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]]:
            body = tree if cls is None else cls
            for node in ast.walk(body):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "attr", None)
                args = node.args
                if name == "tr" and cls is not None and isinstance(args[0], ast.Constant):
                    yield path.name, cls.name, args[0].value
                elif name == "translate" and len(args) >= 2 and all(isinstance(a, ast.Constant) for a in args[:2]):
                    yield path.name, args[0].value, args[1].value


def test_every_text_in_the_code_is_translated_to_vietnamese():
    table = _ts("kyso_vi.ts")
    missing = [(f, c, t) for f, c, t in _texts_in_code() if not table.get((c, t))]
    assert missing == []


def test_translations_keep_placeholders_and_accelerators_sensible():
    for (context, source), forms in _ts("kyso_vi.ts").items():
        wanted = set(re.findall(r"%[0-9n]", source))
        for form in forms:
            assert set(re.findall(r"%[0-9n]", form)) == wanted, (context, source, form)
            assert form.count("&") <= 1, (context, source, form)


def test_english_plurals_are_complete():
    table = _ts("kyso_en.ts")
    assert table and all(len(forms) == 2 and all(forms) for forms in table.values())


def test_ts_sources_are_up_to_date_and_compiled():
    result = subprocess.run([sys.executable, "scripts/translations.py", "check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    for name in ("kyso_vi", "kyso_en", "qt_vi"):
        assert (TRANSLATIONS / f"{name}.qm").stat().st_size > 0  # built by the set-up


def test_qt_standard_buttons_read_vietnamese(qtbot):
    from ui.i18n import set_language
    from ui.qt import QDialogButtonBox

    set_language("vi")
    try:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        qtbot.addWidget(box)
        texts = {box.button(b).text().replace("&", "") for b in (QDialogButtonBox.StandardButton.Ok,
                                                                 QDialogButtonBox.StandardButton.Cancel)}
        assert texts == {"Đồng ý", "Huỷ"}
    finally:
        set_language("vi")
