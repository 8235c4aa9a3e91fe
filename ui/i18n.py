"""The desktop's languages: Qt translators for widget texts, app.i18n for coded messages.

Widget texts are written in English in the code and translated with Qt's own system
(`resources/translations/kyso_vi.ts`, compiled to .qm by the set-up; `qt_vi.ts` carries the
Vietnamese of Qt's standard buttons and menus, which Qt does not ship). Messages with a stable
code (errors, findings) come from resources/messages like the CLI's, in a desktop wording
when one exists (`CODE__UI`, without command-line options).
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.i18n import catalogue, message

from .qt import QCoreApplication, QLocale, QTranslator

__all__ = ["LANGUAGES", "current_language", "set_language", "text", "qm_path"]

log = logging.getLogger(__name__)
LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
_state = {"lang": "vi"}
_installed: list[QTranslator] = []


def current_language() -> str:
    return _state["lang"]


def qm_path(name: str) -> Path:
    from resources import resource_path

    return resource_path("translations", f"{name}.qm")


def set_language(lang: str) -> None:
    """Install `lang` for every widget; Qt sends LanguageChange so open windows retranslate."""
    lang = lang if lang in LANGUAGES else "vi"
    _state["lang"] = lang
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese if lang == "vi" else QLocale.Language.English,
                               QLocale.Country.Vietnam if lang == "vi" else QLocale.Country.UnitedKingdom))
    names = [f"kyso_{lang}"] + ([f"qt_{lang}"] if lang != "en" else [])  # English: plural forms only
    for name in names:
        translator = QTranslator(app)
        if translator.load(str(qm_path(name))):
            app.installTranslator(translator)
            _installed.append(translator)
        else:
            log.error("translation %s is missing (run scripts/setup.sh)", qm_path(name))


def text(code: str, /, **params) -> str:
    """The message for a stable code in the current language (desktop wording first)."""
    lang = current_language()
    ui_code = f"{code}__UI"
    if ui_code in catalogue(lang):
        return message(ui_code, lang, **params)
    return message(code, lang, **params)


def has_text(code: str) -> bool:
    return code in catalogue(current_language())
