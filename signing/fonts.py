"""The stamp font: Times New Roman, or its metric twin Liberation Serif 2.x.

Decree 30 stamps are Times New Roman 10 pt. Windows always has it; on Linux Debian's
fonts-liberation2 provides Liberation Serif 2.x. Version 1.x of Liberation lacks Vietnamese
glyphs (ệ, ắ, ộ…), so every candidate is checked for them before use.
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

from .errors import SigningError, SigningErrorCode

log = logging.getLogger(__name__)
__all__ = ["VIETNAMESE_SAMPLE", "covers_vietnamese", "prepared_document_fonts", "serif_pair", "stamp_font_path"]

FONT_ENV = "KYSO_STAMP_FONT"
VIETNAMESE_SAMPLE = "ĂÂĐÊÔƠƯăâđêôơư ệắộẫỹữựờởẻẽẹỉĩịọỏõụủũỳỷỵ ÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆỐỒỔỖỘỚỜỞỠỢỨỪỬỮỰ"

_CANDIDATES = (
    "{windir}/Fonts/times.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/times.ttf",
    "/usr/share/fonts/liberation-serif/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/Library/Fonts/Times New Roman.ttf",
    "/System/Library/Fonts/Supplemental/Times New Roman.ttf",
)


@functools.lru_cache(maxsize=8)
def covers_vietnamese(path: str) -> bool:
    """True when the font has a glyph for every Vietnamese letter."""
    try:
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True) as font:
            cmap = font.getBestCmap() or {}
    except Exception:  # noqa: BLE001 - an unreadable font covers nothing
        log.info("the font %s cannot be read", path, exc_info=True)
        return False
    return all(ord(ch) in cmap for ch in VIETNAMESE_SAMPLE if not ch.isspace())


@functools.lru_cache(maxsize=1)
def stamp_font_path() -> Path:
    """The first installed Times New Roman or Liberation Serif that covers Vietnamese."""
    override = os.environ.get(FONT_ENV)
    candidates = [override] if override else []
    windir = os.environ.get("WINDIR", "C:/Windows")
    candidates += [pattern.format(windir=windir) for pattern in _CANDIDATES]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and covers_vietnamese(candidate):
            return Path(candidate)
    raise SigningError(SigningErrorCode.FONT_MISSING)


def serif_pair() -> tuple[Path, Path]:
    """The stamp font and its bold face beside it (the regular face when there is none), for
    documents kyso prints itself: the audit report, practice exercises and handouts."""
    regular = stamp_font_path()
    for name in ("LiberationSerif-Bold.ttf", "timesbd.ttf", "Times_New_Roman_Bold.ttf", "Times New Roman Bold.ttf"):
        bold = regular.with_name(name)
        if bold.is_file():
            return regular, bold
    return regular, regular


# Latin, Latin-1, Latin Extended-A, the Vietnamese letters (ơ ư and U+1EA0–U+1EF9), combining
# marks, punctuation and the đồng sign: everything a Decree 30 stamp can contain.
_STAMP_CHARACTERS = (
    list(range(0x20, 0x7F))
    + list(range(0xA0, 0x180))
    + [0x1A0, 0x1A1, 0x1AF, 0x1B0]
    + list(range(0x300, 0x310))
    + [0x323]
    + list(range(0x1EA0, 0x1EFA))
    + list(range(0x2010, 0x2027))
    + [0x2030, 0x20AB, 0x2116]
)


@functools.lru_cache(maxsize=1)
def prepared_stamp_font() -> Path:
    """The stamp font, cut to the characters a stamp can use and scaled to 1000 units/em.

    pyhanko writes glyph widths (/W) in the font's own units, which is only right for fonts
    with 1000 units per em; Times New Roman and Liberation Serif have 2048, so text would be
    spread out. Scaling the font once (cached on disk, ~35 KB) fixes that and also makes the
    per-document subsetting quick.
    """
    return _prepared(stamp_font_path(), _STAMP_CHARACTERS, name="stamp", version="1")


# What kyso's own printed documents (practice exercises, handouts, reports) use besides: bullets.
_DOCUMENT_CHARACTERS = _STAMP_CHARACTERS + [0x2022, 0x25CF, 0x25CB]


@functools.lru_cache(maxsize=1)
def prepared_document_fonts() -> tuple[Path, Path]:
    """The serif pair (regular, bold) cut like the stamp font: fpdf2 reads and subsets a 40 KB
    font instead of a 400 KB one for every document it writes (a tenth of the time)."""
    regular, bold = serif_pair()
    return (_prepared(regular, _DOCUMENT_CHARACTERS, name="document", version="1"),
            _prepared(bold, _DOCUMENT_CHARACTERS, name="document", version="1"))


def _prepared(source: Path, characters: list[int], *, name: str, version: str) -> Path:
    import hashlib
    import tempfile

    stat = source.stat()
    key = hashlib.sha256(f"{source}:{stat.st_size}:{stat.st_mtime_ns}:{version}".encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"kyso-fonts-{_user_tag()}"
    target = folder / f"{name}-{key}.ttf"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    _write_prepared(source, target, characters)
    return target


def _user_tag() -> str:
    getuid = getattr(os, "getuid", None)
    return str(getuid()) if getuid else (os.environ.get("USERNAME") or "user")


def _write_prepared(source: Path, target: Path, characters: list[int]) -> None:
    import logging
    import tempfile

    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font = TTFont(str(source))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters)
    subsetter.subset(font)
    scale_upem(font, 1000)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(handle)
    font.save(temporary)
    os.replace(temporary, target)  # atomic: a concurrent kyso process sees old or new, whole
