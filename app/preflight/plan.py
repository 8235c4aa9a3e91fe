"""The plan: which signature comes next, by which role, at which level, and where on the page."""

from __future__ import annotations

from dataclasses import dataclass, replace

from signing.appearance import Box
from signing.inspect import DocumentFacts, TextLine

from ..catalogue.model import Catalogue, DocumentType, Placement, SignatureKind, SignatureStep
from .text import fold

__all__ = ["SignaturePlan", "next_step", "signer_block", "signer_place", "step_beyond_sequence"]

SIGNATURE_WIDTH = 150.0  # points (~53 mm): room for a handwritten signature image
MIN_HEIGHT = 45.0
_DELEGATION = ("kt.", "tl.", "tuq.", "q.", "tm.")


@dataclass(frozen=True)
class SignaturePlan:
    step_index: int  # 0-based position in the type's signature sequence
    kind: SignatureKind
    roles: tuple[str, ...]  # role ids allowed to make this signature
    level: str
    placement: Placement
    page: int  # 1-based
    box: Box | None  # for the signer block; other placements are found when signing
    printed_name: str | None = None  # the name printed under a personal signature's block, as printed


def next_step(doc_type: DocumentType, facts: DocumentFacts) -> tuple[int, SignatureStep] | None:
    """The first signature of the type's sequence the document does not carry yet.

    kyso's own fields say their kind; a signature made by other software counts as the next
    step in order (its kind cannot be known for sure).
    """
    done_kinds = [s.kind for s in facts.signatures if s.kind is not None]
    foreign = sum(1 for s in facts.signatures if s.kind is None)
    for index, step in enumerate(doc_type.signatures):
        if step.kind.value in done_kinds:
            done_kinds.remove(step.kind.value)
            continue
        if foreign:
            foreign -= 1
            continue
        return index, step
    return None


def step_beyond_sequence(doc_type: DocumentType, facts: DocumentFacts, *, wanted: SignatureKind | None,
                         role: str | None) -> tuple[int, SignatureStep]:
    """The step a further signature takes when the user lifts "signatures complete" (or "already
    signed"): a countersignature on a document signed by other software, a second leader. The kind
    asked for; else the step the signer's role makes; else the first step kyso itself has not
    made (signatures by other tools may not be what the catalogue's sequence expects); else the last."""
    steps = doc_type.signatures
    if wanted is not None:
        for index, step in enumerate(steps):
            if step.kind is wanted:
                return index, step
    if role is not None:
        for index, step in enumerate(steps):
            if role in step.roles:
                return index, step
    own = replace(facts, signatures=tuple(s for s in facts.signatures if s.kind is not None))
    return next_step(doc_type, own) or (len(steps) - 1, steps[-1])


def signer_block(facts: DocumentFacts, catalogue: Catalogue, roles: tuple[str, ...]) -> Box | None:
    """The space between the signer's title line(s) and name line on the last page."""
    return signer_place(facts, catalogue, roles)[0]


def signer_place(facts: DocumentFacts, catalogue: Catalogue, roles: tuple[str, ...]) -> tuple[Box | None, str | None]:
    """The signer block's space and the name printed under it (when that line reads as a name)."""
    from .names import printed_name

    found = _signer_lines(facts, catalogue, roles)
    if found is None:
        return None, None
    block, lowest, name = found
    centre = sum((line.x + line.x2) / 2 for line in block) / len(block)
    top = lowest.y - 4
    bottom = (name.y + name.size + 4) if name is not None else top - 70
    if top - bottom < MIN_HEIGHT:
        bottom = top - MIN_HEIGHT
    box = Box(centre - SIGNATURE_WIDTH / 2, bottom, centre + SIGNATURE_WIDTH / 2, top)
    if name is None:
        return box, None
    titles = [t for role in catalogue.roles.values() for t in (role.name, *role.titles)]
    return box, printed_name(name.text, titles=titles)


def _signer_lines(facts: DocumentFacts, catalogue: Catalogue, roles: tuple[str, ...]):
    """The signer's title lines on the last page, the lowest of them, and the line below (the name)."""
    titles = {fold(t) for role_id in roles if (role := catalogue.roles.get(role_id)) for t in role.titles}
    titles |= {fold(t) for role in catalogue.roles.values() for t in role.titles}
    lines = list(facts.last_page)
    width = facts.page_size[0] or 595.0
    block = _title_lines(lines, titles, width)
    if not block:
        return None
    lowest = min(block, key=lambda line: line.y)
    return block, lowest, _name_below(lines, lowest, block)


def _title_lines(lines: list[TextLine], titles: set[str], width: float) -> list[TextLine]:
    """The signer's title line, plus the line under it for "KT. VIỆN TRƯỞNG / PHÓ VIỆN TRƯỞNG"."""
    candidates = [
        line for line in lines
        if _is_title(line.text, titles) and (line.x + line.x2) / 2 > width * 0.35
    ]
    if not candidates:
        return []
    first = max(candidates, key=lambda line: line.y)  # the topmost one in the right-hand column
    block = [first]
    for line in sorted(candidates, key=lambda line: -line.y):
        if line is not first and 0 < block[-1].y - line.y <= line.size * 2.2:
            block.append(line)
    return block


def _is_title(text: str, titles: set[str]) -> bool:
    folded = fold(text)
    if folded in titles:
        return True
    for prefix in _DELEGATION:
        if folded.startswith(prefix) and fold(folded[len(prefix):]) in titles:
            return True
    return False


def _name_below(lines: list[TextLine], lowest: TextLine, block: list[TextLine]) -> TextLine | None:
    centre = (lowest.x + lowest.x2) / 2
    below = [
        line for line in lines
        if line.y < lowest.y - lowest.size and abs((line.x + line.x2) / 2 - centre) < 120 and line not in block
    ]
    return max(below, key=lambda line: line.y) if below else None
