"""argparse's own words (usage, titles, usage errors) in the user's language.

argparse looks its texts up through gettext at the moment it uses them; kyso ships no .mo files,
so `speak(lang)` gives argparse a translation table instead. Pure stdlib: `kyso` and
`kyso-server` both use it.
"""

from __future__ import annotations

import argparse

__all__ = ["VIETNAMESE", "speak"]

VIETNAMESE: dict[str, str] = {
    "usage: ": "cách dùng: ",
    "positional arguments": "đối số",
    "options": "tuỳ chọn",
    "optional arguments": "tuỳ chọn",
    "show this help message and exit": "hiện phần trợ giúp này rồi thoát",
    "show program's version number and exit": "in phiên bản rồi thoát",
    "argument %(argument_name)s: %(message)s": "đối số %(argument_name)s: %(message)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "không có lệnh %(parser_name)r (chọn một trong: %(choices)s)",
    "argument \"-\" with mode %r": "đối số \"-\" với chế độ %r",
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
    "unrecognized arguments: %s": "đối số không nhận ra: %s",
    "not allowed with argument %s": "không được dùng cùng đối số %s",
    "ignored explicit argument %r": "giá trị %r bị bỏ qua (tuỳ chọn này không nhận giá trị)",
    "the following arguments are required: %s": "thiếu đối số bắt buộc: %s",
    "one of the arguments %s is required": "cần một trong các đối số %s",
    "expected one argument": "cần đúng một giá trị",
    "expected at most one argument": "chỉ nhận nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "ambiguous option: %(option)s could match %(matches)s":
        "tuỳ chọn không rõ ràng: %(option)s có thể là %(matches)s",
    "unexpected option string: %s": "tuỳ chọn không mong đợi: %s",
    "invalid %(type)s value: %(value)r": "giá trị %(type)s không hợp lệ: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
}
_VIETNAMESE_PLURAL = {"expected %s argument": "cần %s giá trị", "conflicting option string: %s":
                      "tuỳ chọn trùng nhau: %s"}


def speak(lang: str) -> None:
    """Make argparse use `lang` ("vi" or "en") for its own texts from now on, in this process."""
    if lang == "vi":
        argparse._ = lambda text: VIETNAMESE.get(text, text)  # type: ignore[attr-defined]
        argparse.ngettext = _plural  # type: ignore[attr-defined]
    else:
        from gettext import gettext, ngettext

        argparse._ = gettext  # type: ignore[attr-defined]
        argparse.ngettext = ngettext  # type: ignore[attr-defined]


def _plural(singular: str, plural: str, count: int) -> str:
    return _VIETNAMESE_PLURAL.get(singular, singular if count == 1 else plural)
