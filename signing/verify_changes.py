"""What changed in each revision after a signature, and whether the signature's rules permit it.

pyhanko's difference analysis (`StandardDiffPolicy.apply`, one revision against the one before)
is the base; kyso is stricter where it is lenient:

- a revision is a *signing* revision only when a signature that verifies ends exactly there;
  a signature field that is added without a signature, or with one that does not verify (an
  unknown /SubFilter, a broken dictionary), is a change, never "a further signature";
- a new field of any kind outside a signing revision is a change (a text field laid over the
  signed number is "form filling" to pyhanko);
- a new /Info in a revision that is not a signing revision is a change (pyhanko counts it
  with the LTV data);
- under a certification: P=1 permits only validation data and document timestamps; P=2 permits
  filling existing fields and signing, but not a new *visible* signature field (the "sneaky
  signature"); annotations are never counted as permitted (the "evil annotation");
- bytes appended after the last %%EOF are a change of the whole file (verify_structure.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

_log = logging.getLogger(__name__)

__all__ = ["Change", "ChangeKind", "RevisionSigner", "classify_revisions"]

_MAX_FIELDS = 5000  # a form walked field by field stops here (bounded work on hostile files)


class ChangeKind(StrEnum):
    SIGNATURE = "CHANGE_SIGNATURE"  # a later signature
    TIMESTAMP = "CHANGE_TIMESTAMP"  # a document timestamp
    LTV = "CHANGE_LTV"  # validation data (DSS): certificates, OCSP responses, CRLs
    FORM_FILLED = "CHANGE_FORM_FILLED"  # values of existing fields
    FIELD_ADDED = "CHANGE_FIELD_ADDED"  # a new field (a signature field left unsigned, a text field…)
    BROKEN_SIGNATURE = "CHANGE_BROKEN_SIGNATURE"  # a signature that does not verify was added
    ANNOTATIONS = "CHANGE_ANNOTATIONS"  # comments, stamps, shapes over the page
    METADATA = "CHANGE_METADATA"  # the document information (/Info)
    CONTENT = "CHANGE_CONTENT"  # page content, resources, pages, objects: anything else
    APPENDED = "CHANGE_APPENDED"  # bytes after the end of the last revision
    CERTIFICATION = "CHANGE_FORBIDDEN_BY_CERTIFICATION"  # a signature the certification forbids


@dataclass(frozen=True)
class Change:
    revision: int  # 0 = the first revision; -1 = the file's end
    kind: ChangeKind
    permitted: bool
    fields: tuple[str, ...] = ()  # the form fields concerned, when there are some


@dataclass(frozen=True)
class RevisionSigner:
    """A signature as the revision analysis needs it."""

    field_name: str
    revision: int | None  # None: its dictionary could not be placed in a revision
    genuine: bool  # well formed and cryptographically intact
    timestamp: bool
    visible: bool


def classify_revisions(reader, signers: list[RevisionSigner], *, docmdp: int | None,
                       certified_at: int | None) -> list[list[Change]]:
    """For each revision r after the earliest signature's, the changes it made (index r; the
    earlier indices are empty)."""
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY

    total = reader.xrefs.total_revisions
    by_revision = {s.revision: s for s in signers if s.revision is not None}
    # only what came after the earliest signature matters (pyhanko's diff of a revision costs
    # as much as a signature's validation); a file with no placed signature has none
    first = min(by_revision, default=total - 1)
    out: list[list[Change]] = [[] for _ in range(first + 1)]
    previous = reader.get_historical_resolver(first)
    before = _fields(previous)
    for revision in range(first + 1, total):
        current = reader.get_historical_resolver(revision)
        after = _fields(current)
        mdp = docmdp if certified_at is not None and revision > certified_at else None
        out.append(_classify(revision, previous, current, before, after, by_revision.get(revision), mdp,
                             DEFAULT_DIFF_POLICY))
        previous, before = current, after
    return out


def _classify(revision, old, new, before, after, signer, docmdp, policy) -> list[Change]:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.fields import MDPPerm

    try:
        result = policy.apply(old, new, None, MDPPerm(docmdp) if docmdp else None)
        level, changed = result.modification_level, tuple(sorted(result.changed_form_fields))
    except Exception as exc:  # SuspiciousModification, or a revision too broken to compare
        _log.debug("SuspiciousModification, or a revision too broken to compare: %r", exc)
        level, changed = ModificationLevel.OTHER, ()
    added = tuple(sorted(set(after) - set(before)))
    changes: list[Change] = []
    if signer is not None and signer.genuine:
        kind = ChangeKind.TIMESTAMP if signer.timestamp else ChangeKind.SIGNATURE
        extra = tuple(name for name in added if name != signer.field_name)
        if level > ModificationLevel.FORM_FILLING:
            changes.append(Change(revision, _kind_of(level), False, changed))
        if extra:
            changes.append(Change(revision, ChangeKind.FIELD_ADDED, False, extra))
        forbidden = not signer.timestamp and (
            docmdp == 1 or (docmdp == 2 and signer.field_name in added and signer.visible))
        changes.append(Change(revision, ChangeKind.CERTIFICATION if forbidden else kind, not forbidden,
                              (signer.field_name,)))
        return changes
    signed_added = tuple(name for name in added if after[name])
    if signer is not None or signed_added:
        changes.append(Change(revision, ChangeKind.BROKEN_SIGNATURE, False,
                              signed_added or ((signer.field_name,) if signer else ())))
    unsigned_added = tuple(name for name in added if not after[name])
    if unsigned_added:
        changes.append(Change(revision, ChangeKind.FIELD_ADDED, False, unsigned_added))
    if _info_changed(old, new):
        changes.append(Change(revision, ChangeKind.METADATA, False))
    if level <= ModificationLevel.LTA_UPDATES:
        if not changes:
            changes.append(Change(revision, ChangeKind.LTV, True))
    elif level == ModificationLevel.FORM_FILLING:
        filled = tuple(name for name in changed if name not in added)
        if filled or not changes:
            changes.append(Change(revision, ChangeKind.FORM_FILLED, docmdp in (2, 3), filled))
    else:
        changes.append(Change(revision, _kind_of(level), False, changed))
    return changes


def _kind_of(level) -> ChangeKind:
    from pyhanko.sign.diff_analysis import ModificationLevel

    if level == ModificationLevel.ANNOTATIONS:
        return ChangeKind.ANNOTATIONS
    if level == ModificationLevel.FORM_FILLING:
        return ChangeKind.FORM_FILLED
    return ChangeKind.CONTENT


_BOOKKEEPING = {"/ModDate", "/Producer"}  # what writers update on every save: not a change of meaning


def _info_changed(old, new) -> bool:
    """The document information says something else than before (title, author, subject,
    keywords, dates of creation…); a new modification date or producer is bookkeeping."""
    try:
        return _info_entries(old) != _info_entries(new)
    except Exception as exc:
        _log.debug("handled: %r", exc)
        return True


def _info_entries(resolver) -> dict:
    trailer = resolver.trailer_view
    if "/Info" not in trailer:
        return {}
    from pyhanko.pdf_utils import generic

    info = trailer.raw_get("/Info")
    if isinstance(info, generic.IndirectObject):
        info = resolver(info.reference)  # the object as it was in this revision
    return {str(key): repr(info[key]) for key in list(info.keys())[:200] if key not in _BOOKKEEPING}


def _fields(resolver) -> dict[str, bool]:
    """Every terminal form field by full name → whether it has a value that is a signature
    dictionary (for /Sig fields) or any value (others count as False: not a signature)."""
    from pyhanko.pdf_utils import generic

    found: dict[str, bool] = {}
    try:
        root = resolver.root
        if "/AcroForm" not in root:
            return found
        fields = root["/AcroForm"]["/Fields"]
    except Exception as exc:
        _log.debug("handled: %r", exc)
        return found
    stack = [(field, "", 0) for field in _items(fields)]
    seen: set = set()
    while stack and len(found) < _MAX_FIELDS:
        ref, parent, depth = stack.pop()
        key = ref.reference if isinstance(ref, generic.IndirectObject) else id(ref)
        if key in seen or depth > 32:
            continue
        seen.add(key)
        try:
            field = ref.get_object()
            partial = str(field.get("/T", ""))
            name = f"{parent}.{partial}" if parent and partial else (partial or parent)
            kids = field.get("/Kids")
            kid_fields = [k for k in _items(kids) if "/T" in k.get_object()] if kids is not None else []
            if kid_fields:
                stack.extend((kid, name, depth + 1) for kid in kid_fields)
                continue
            signed = field.get("/FT") == "/Sig" and "/V" in field
            found[name or f"#{len(found)}"] = signed
        except Exception as exc:
            _log.debug("handled: %r", exc)
            continue
    return found


def _items(array):
    from pyhanko.pdf_utils import generic

    try:
        array = array.get_object() if isinstance(array, generic.IndirectObject) else array
        return [array.raw_get(i) for i in range(len(array))] if isinstance(array, generic.ArrayObject) else []
    except Exception as exc:
        _log.debug("handled: %r", exc)
        return []
