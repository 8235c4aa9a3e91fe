"""The training signature and seal images of a pack: a blue signature stroke and a red seal that
says THỰC HÀNH, both transparent PNGs at 300 dpi (the seal at a real size of 36 mm), so the
Decree 30 appearances look as they will for real — and never like a real unit's seal."""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["write_seal", "write_signature"]

_DPI = 300


def write_signature(path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (530, 236), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(30 + x, 118 + 55 * math.sin(x / 33.0) * math.cos(x / 95.0)) for x in range(0, 470, 4)]
    draw.line(points, fill=(20, 40, 200, 255), width=7)
    image.save(path, dpi=(_DPI, _DPI))
    return path


def write_seal(path: Path, *, diameter_mm: float = 36.0) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    from signing.fonts import serif_pair

    size = round(diameter_mm / 25.4 * _DPI)
    red = (210, 20, 20, 255)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((6, 6, size - 6, size - 6), outline=red, width=12)
    draw.ellipse((70, 70, size - 70, size - 70), outline=red, width=5)
    font = ImageFont.truetype(str(serif_pair()[1]), size // 9)
    draw.text((size / 2, size / 2), "THỰC HÀNH", fill=red, font=font, anchor="mm")
    image.save(path, dpi=(_DPI, _DPI))
    return path
