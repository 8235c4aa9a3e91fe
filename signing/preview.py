"""Where a signature will go and what it will show, before anything is signed.

The desktop application draws the widget the engine would create (same placement rules, same
font metrics, the seal at its real size) so what the user sees is what will be signed.
"""

from __future__ import annotations

from pathlib import Path

from .appearance import AppearanceKind, AppearanceSpec
from .clock import iso_vietnam, now_vietnam
from .document import open_reader
from .placement import Placement, resolve_placement

__all__ = ["planned_widget", "stamp_text"]


def planned_widget(path: Path, spec: AppearanceSpec) -> Placement | None:
    """The page and box the engine would give `spec` in the document at `path`
    (None for an invisible signature). Raises SigningError as signing would."""
    if spec.kind is AppearanceKind.INVISIBLE:
        return None
    spec.validate()
    font = seal = None
    if spec.kind.has_text:
        from .fonts import prepared_stamp_font

        font = prepared_stamp_font()
    if spec.kind is AppearanceKind.ORGANISATION:
        from .stamps import PreparedImage

        seal = PreparedImage(spec.image).real_size
    with open(path, "rb") as stream:
        reader = open_reader(stream, name=path)
        return resolve_placement(spec, reader, lines=stamp_text(spec), font_path=font, seal_size=seal)


def stamp_text(spec: AppearanceSpec) -> tuple[str, ...]:
    """The stamped lines as they would read if signed now (empty for image kinds)."""
    return spec.text_lines(signing_time=iso_vietnam(now_vietnam()))
