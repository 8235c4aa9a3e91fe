"""Rendering Decree 30 stamps through pyhanko's appearance machinery.

Images are decoded and compressed once per batch (`PreparedImage`), then copied into each
document as pre-encoded streams. Text goes through pyhanko's OpenType engine, which embeds a
subset of the font with a ToUnicode map, so Vietnamese diacritics render and extract back.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import AppearanceContent, ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.stamp import TextStampStyle
from pyhanko.stamp.base import BaseStampStyle

from .errors import SigningError, SigningErrorCode

__all__ = ["STAMP_FONT_SIZE", "ImageStampStyle", "PreparedImage", "text_stamp_style", "text_width"]

STAMP_FONT_SIZE = 10
STAMP_LEADING = 12


class PreparedImage:
    """A PNG/JPEG decoded and Flate-compressed once, embeddable in any number of documents."""

    def __init__(self, path: Path) -> None:
        try:
            from PIL import Image

            with Image.open(path) as img:
                img.load()
                self.dpi = _dpi(img)
                self.width, self.height = img.size
                self._streams = _encode(img)
        except (OSError, ValueError, SyntaxError) as exc:
            raise SigningError(SigningErrorCode.IMAGE_UNREADABLE, image=path) from exc

    @property
    def real_size(self) -> tuple[float, float]:
        """Printed size in points, from the image's resolution (Decree 30: seal at real size)."""
        return (self.width * 72.0 / self.dpi[0], self.height * 72.0 / self.dpi[1])

    def add_to(self, writer) -> generic.IndirectObject:
        """Write the image (and its transparency mask) into `writer`; return the reference."""
        main, smask = self._streams
        entries = dict(main)
        if smask is not None:
            entries[pdf_name("/SMask")] = writer.add_object(_stream(smask))
        return writer.add_object(_stream(entries))


def _dpi(img) -> tuple[float, float]:
    dpi = img.info.get("dpi")
    try:
        x, y = float(dpi[0]), float(dpi[1])
        if x >= 30 and y >= 30:
            return (x, y)
    except (TypeError, IndexError, ValueError):
        pass
    return (300.0, 300.0)  # scanned seals are commonly 300 dpi; see docs/appearance.md


def _encode(img) -> tuple[dict, dict | None]:
    if img.mode not in ("RGB", "RGBA", "L", "LA"):
        img = img.convert("RGBA" if "transparency" in img.info or img.mode == "P" else "RGB")
    smask = None
    if img.mode.endswith("A"):
        alpha = img.split()[-1]
        smask = _image_entries(alpha.tobytes(), img.size, "/DeviceGray")
        img = img.convert(img.mode[:-1])
    space = "/DeviceGray" if img.mode == "L" else "/DeviceRGB"
    return _image_entries(img.tobytes(), img.size, space), smask


def _image_entries(raw: bytes, size: tuple[int, int], space: str) -> dict:
    return {
        "data": zlib.compress(raw, 6),
        pdf_name("/Type"): pdf_name("/XObject"),
        pdf_name("/Subtype"): pdf_name("/Image"),
        pdf_name("/Width"): generic.NumberObject(size[0]),
        pdf_name("/Height"): generic.NumberObject(size[1]),
        pdf_name("/ColorSpace"): pdf_name(space),
        pdf_name("/BitsPerComponent"): generic.NumberObject(8),
        pdf_name("/Filter"): pdf_name("/FlateDecode"),
    }


def _stream(entries: dict) -> generic.StreamObject:
    data = entries["data"]
    header = {key: value for key, value in entries.items() if key != "data"}
    return generic.StreamObject(generic.DictionaryObject(header), encoded_data=data)


@dataclass(frozen=True)
class ImageStampStyle(BaseStampStyle):
    """An image filling its box (aspect ratio kept, centred), with no border and no text."""

    image: PreparedImage | None = None
    border_width: int = 0

    def create_stamp(self, writer, box, text_params) -> _ImageStamp:
        return _ImageStamp(writer=writer, image=self.image, box=box)


class _ImageStamp(AppearanceContent):
    def __init__(self, *, writer, image: PreparedImage, box) -> None:
        super().__init__(writer=writer, box=box)
        self._image = image

    def render(self) -> bytes:
        ref = self._image.add_to(self.writer)
        self.set_resource(category=ResourceType.XOBJECT, name=pdf_name("/Im0"), value=ref)
        scale = min(self.box.width / self._image.width, self.box.height / self._image.height)
        width, height = self._image.width * scale, self._image.height * scale
        x = (self.box.width - width) / 2
        y = (self.box.height - height) / 2
        return b"q %.4f 0 0 %.4f %.4f %.4f cm /Im0 Do Q" % (width, height, x, y)


def text_stamp_style(font_path: Path) -> TextStampStyle:
    """Black Times New Roman (Liberation Serif) 10 pt, top-left aligned, no border."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle

    top_left = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MIN,
        y_align=layout.AxisAlignment.ALIGN_MAX,
        margins=layout.Margins.uniform(0),
        inner_content_scaling=layout.InnerScaling.NO_SCALING,
    )
    return TextStampStyle(
        stamp_text="%(kyso_text)s",
        border_width=0,
        background=None,
        inner_content_layout=top_left,
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(font_path), font_size=STAMP_FONT_SIZE),
            font_size=STAMP_FONT_SIZE,
            leading=STAMP_LEADING,
            border_width=0,
            box_layout_rule=top_left,
            text_color=(0, 0, 0),
        ),
    )


def text_width(font_path: Path, text: str, *, size: float = STAMP_FONT_SIZE) -> float:
    """Advance width of `text` in points, from the font's horizontal metrics."""
    cmap, hmtx, units = _metrics(str(font_path))
    total = 0
    for char in text:
        glyph = cmap.get(ord(char))
        total += hmtx[glyph][0] if glyph in hmtx else units // 2
    return total * size / units


@functools.lru_cache(maxsize=4)
def _metrics(path: str):
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        cmap = dict(font.getBestCmap())
        hmtx = {name: font["hmtx"][name] for name in set(cmap.values())}
        return cmap, hmtx, font["head"].unitsPerEm
