"""Signature placements the user chose, remembered per document type and signature kind.

When the plan found the signer block, what is remembered is the user's *adjustment* of the
proposed box (moved, resized), so the next document of that type gets the same adjustment of
its own signer block; without a proposal (a scan) the box itself and its page are remembered.
Kept in KYSO_HOME/placements.toml.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from signing.appearance import AppearanceSpec, Box
from signing.errors import SigningError
from signing.preview import planned_widget

from ..errors import error_code, error_params
from ..paths import data_home
from ..sign_plan import ChosenPlacement, PreflightOptions, planned_appearance
from .documents import DeskDocument

__all__ = ["PlacementMemory", "ProposedSignature", "chosen_placement", "propose_signature", "stamp_lines"]


def chosen_placement(page: int, box: tuple[float, float, float, float]) -> ChosenPlacement:
    """Where the user put the signature box: page (1-based) and PDF coordinates."""
    return ChosenPlacement(page, Box(*box))


def stamp_lines(appearance: AppearanceSpec) -> tuple[str, ...]:
    """The text lines the stamp of `appearance` will carry (for the preview's box)."""
    from signing.preview import stamp_text

    return tuple(stamp_text(appearance)) if appearance.kind.has_text else ()


@dataclass(frozen=True)
class _Remembered:
    relative: bool
    page: int  # absolute placements only; 0 = last page
    values: tuple[float, float, float, float]  # dx1, dy1, dx2, dy2 or x1, y1, x2, y2


class PlacementMemory:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_home() / "placements.toml"

    def remember(self, *, type_id: str, kind: str, proposed: ChosenPlacement | None, chosen: ChosenPlacement,
                 pages: int) -> None:
        if proposed is not None:
            values = tuple(c - p for c, p in zip(_coords(chosen.box), _coords(proposed.box), strict=True))
            entry = _Remembered(True, 0, values)
        else:
            entry = _Remembered(False, 0 if chosen.page == pages else chosen.page, _coords(chosen.box))
        data = self._read()
        data.setdefault(type_id, {})[kind] = {"relative": entry.relative, "page": entry.page,
                                              "values": list(entry.values)}
        self._write(data)

    def recall(self, *, type_id: str, kind: str, proposed: ChosenPlacement | None, pages: int) -> ChosenPlacement | None:
        """The placement to use for a new document, or None to keep the proposal."""
        raw = self._read().get(type_id, {}).get(kind)
        if raw is None:
            return None
        try:
            values = tuple(float(v) for v in raw["values"])
            if raw["relative"]:
                if proposed is None:
                    return None
                moved = tuple(p + d for p, d in zip(_coords(proposed.box), values, strict=True))
                return ChosenPlacement(proposed.page, Box(*moved))
            page = int(raw["page"]) or pages
            return ChosenPlacement(min(page, pages), Box(*values))
        except (KeyError, TypeError, ValueError):
            return None  # a damaged entry is ignored, never fatal

    def _read(self) -> dict:
        try:
            with open(self.path, "rb") as handle:
                return tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError):
            return {}

    def _write(self, data: dict) -> None:
        lines = []
        for type_id, kinds in sorted(data.items()):
            for kind, entry in sorted(kinds.items()):
                lines.append(f"[{json.dumps(type_id, ensure_ascii=False)}.{json.dumps(kind)}]")
                lines.append(f"relative = {'true' if entry['relative'] else 'false'}")
                lines.append(f"page = {int(entry['page'])}")
                lines.append("values = [" + ", ".join(f"{float(v):.2f}" for v in entry["values"]) + "]\n")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".part")
        temporary.write_text("\n".join(lines), encoding="utf-8")
        temporary.replace(self.path)


def _coords(box: Box) -> tuple[float, float, float, float]:
    return (box.x1, box.y1, box.x2, box.y2)


@dataclass(frozen=True)
class ProposedSignature:
    """What the next signature of a document will look like and where it goes."""

    appearance: AppearanceSpec
    placement: ChosenPlacement | None  # None: invisible, or not known (see error_code)
    error_code: str | None = None  # why it cannot be placed yet (e.g. no signature image set)
    error_params: dict[str, str] = field(default_factory=dict)


def propose_signature(document: DeskDocument, options: PreflightOptions) -> ProposedSignature | None:
    """The plan's appearance and the engine's placement for it (reads the PDF: off the GUI thread)."""
    result = document.result
    if result is None or result.plan is None:
        return None
    appearance = planned_appearance(result, options)
    try:
        widget = planned_widget(document.path, appearance)
    except SigningError as exc:
        plan = result.plan
        fallback = ChosenPlacement(plan.page, plan.box) if plan.box is not None else None
        return ProposedSignature(appearance, fallback, error_code(exc), error_params(exc))
    if widget is None:
        return ProposedSignature(appearance, None)
    return ProposedSignature(appearance, ChosenPlacement(widget.page_index + 1, widget.box))
