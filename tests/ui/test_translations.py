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


# --- every window, walked: no English left -------------------------------------------------------

_PLACEHOLDER = re.compile(r"%[0-9n]|\{[a-z_]+\}|<[^>]+>")
_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # whole words, Vietnamese ones too


def _english_texts() -> list[str]:
    """What the desktop would show in English: the source texts of ui/ and of Qt's own widgets
    (the .ts files), and the en catalogue of coded messages."""
    from app.i18n import catalogue

    texts = [source for _, source in _ts("kyso_vi.ts")] + [source for _, source in _ts("qt_vi.ts")]
    return texts + [value for value in catalogue("en").values() if isinstance(value, str)]


def _vietnamese_corpus() -> str:
    from app.i18n import catalogue

    forms = [form for table in (_ts("kyso_vi.ts"), _ts("qt_vi.ts")) for values in table.values() for form in values]
    return "\n".join(forms + [v for v in catalogue("vi").values() if isinstance(v, str)]).replace("&", "")


def english_phrases() -> tuple[set[str], set[str]]:
    """(phrases of two English words or more, English texts of one word): the pieces of each
    English text between its placeholders, those also written in the Vietnamese texts (B-LT,
    PIN, PDF, kyso…) left out."""
    vietnamese = "\n".join(" ".join(_WORDS.findall(line)) for line in _vietnamese_corpus().casefold().split("\n"))
    phrases, single = set(), set()
    for source in _english_texts():
        for piece in _PLACEHOLDER.split(source.replace("&", "")):
            words = _WORDS.findall(piece)
            if not words:
                continue
            phrase = " ".join(words).casefold()
            if re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", vietnamese):
                continue
            if len(words) >= 2:
                phrases.add(phrase)
            elif len(_PLACEHOLDER.sub("", source).split()) == 1 and len(phrase) >= 3:
                single.add(phrase)
    return phrases, single


def english_left(texts, phrases: set[str], single: set[str]) -> list[tuple[str, str, str]]:
    found = []
    for where, shown in texts:
        words = " ".join(_WORDS.findall(shown)).casefold()
        if not words:
            continue
        if words in single:
            found.append((where, shown, words))
            continue
        padded = f" {words} "
        found += [(where, shown, p) for p in phrases if f" {p} " in padded]
    return found


def test_the_english_list_catches_english(qtbot):
    """The check itself: the English source texts are found, the Vietnamese ones are not."""
    phrases, single = english_phrases()
    assert len(phrases) > 500 and {"cancel", "close"} <= single
    english = [("label", "Sign these documents?"), ("button", "Cancel"), ("label", "Look in:"),
               ("label", "Files of type:"), ("label", "Enter the PIN on the reader's own keypad, then wait.")]
    assert len({shown for _, shown, _ in english_left(english, phrases, single)}) == len(english)
    vietnamese = [("label", "Ký các văn bản này?"), ("button", "Huỷ"), ("label", "Tìm trong:"),
                  ("label", "Token VNPT-CA Token (số sê-ri 54030011223344). Mức B-LT, PIN, kyso.")]
    assert english_left(vietnamese, phrases, single) == []


def test_every_window_reads_vietnamese(qtbot, kyso_home, tmp_path):
    """Each window — the dialogs built at signing time in each of their states, Qt's own file
    dialog ("Look in", "Files of type") through the installed translator — built with real widgets:
    every visible text is Vietnamese, no English text of the desktop left in it."""
    from tests.support.desk_windows import WINDOWS, build, visible_texts
    from ui.i18n import set_language
    from ui.main import create_application
    from ui.qt import QMainWindow

    create_application()
    set_language("vi")
    phrases, single = english_phrases()
    parent = QMainWindow()
    qtbot.addWidget(parent)
    folder = tmp_path / "van-ban"
    folder.mkdir()
    left = {}
    for name in WINDOWS:
        window = build(name, parent, folder)
        qtbot.waitUntil(lambda: not getattr(window, "running", False), timeout=20000)  # a folder's verification
        texts = list(visible_texts(window))
        assert any(shown.strip() for _, shown in texts), name  # the walk saw it
        found = english_left(texts, phrases, single)
        if found:
            left[name] = found
        window.close()
        window.deleteLater()
    assert left == {}


def test_the_main_window_reads_vietnamese(qtbot, kyso_home):
    from tests.support.desk_windows import visible_texts
    from ui.main import create_application, create_main_window

    create_application()
    window = create_main_window()
    qtbot.addWidget(window)
    window.show()
    phrases, single = english_phrases()
    texts = list(visible_texts(window))
    assert len(texts) > 40
    assert english_left(texts, phrases, single) == []


def _coded_texts_in_code():
    """(file, code) of every message code ui/ passes as a literal to text() / _text() / has_text()."""
    for path in sorted((ROOT / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in ("text", "_text") and isinstance(first, ast.Constant) and isinstance(first.value, str) \
                    and re.fullmatch(r"[A-Z][A-Z0-9_\-]+", first.value):
                yield path.name, first.value


def test_every_message_code_the_desktop_shows_exists_in_both_languages():
    """Texts of the desktop kept in resources/messages (the verification panel's, errors…): each
    code the widgets name is there in Vietnamese — with its diacritics — and in English."""
    from app.i18n import catalogue

    vi, en = catalogue("vi"), catalogue("en")
    found = list(_coded_texts_in_code())
    assert len(found) > 50
    missing = [(f, code) for f, code in found if code not in vi or code not in en]
    assert missing == []
    panel = {code for f, code in found if code.startswith("VDESK_")}
    assert panel and all(vi[code] != en[code] for code in panel)
    assert any(ch in "ăâđêôơưàáảãạ" for code in panel for ch in vi[code].lower())
