"""Loading a catalogue: validated whole, every problem reported with its line and field.

Sources, from the least to the most specific: the built-in default (resources/catalogue), the
file an administrator deploys machine-wide (policy folder), the catalogue received from the
central server (KYSO_HOME/server). The most specific *valid* one is in force; an invalid one is
rejected as a whole — every problem listed — and the next one down stays in force.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base.errors import KysoError

from .model import (
    Catalogue,
    CatalogueInfo,
    DocumentGroup,
    DocumentType,
    FileRules,
    Placement,
    Role,
    SignatureKind,
    SignatureStep,
)

__all__ = ["CatalogueProblem", "CatalogueInvalid", "LoadedCatalogue", "parse_catalogue", "load_catalogue",
           "catalogue_sources"]


@dataclass(frozen=True)
class CatalogueProblem:
    line: int  # 1-based; 0 when the problem is about the file as a whole
    field: str  # e.g. "document_types[3].signatures[0].roles[1]"
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}" if self.line else f"{self.field}: {self.message}"


class CatalogueInvalid(KysoError):
    def __init__(self, source: str, problems: list[CatalogueProblem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("CATALOGUE_INVALID", source=source, count=len(problems),
                         problems="; ".join(str(p) for p in problems[:5]))


@dataclass(frozen=True)
class LoadedCatalogue:
    catalogue: Catalogue
    rejected: tuple[CatalogueInvalid, ...] = field(default=())


def catalogue_sources() -> list[tuple[str, Path]]:
    """(source, path) from the least to the most specific."""
    from resources import resource_path

    from ..paths import data_home, policy_dir

    return [
        ("built-in", resource_path("catalogue", "default.yaml")),
        ("machine", policy_dir() / "catalogue.yaml"),
        ("server", data_home() / "server" / "catalogue.yaml"),
    ]


def load_catalogue(explicit: Path | None = None) -> LoadedCatalogue:
    """The catalogue in force: `explicit` if given (and valid), else the most specific valid one."""
    if explicit is not None:
        return LoadedCatalogue(parse_catalogue(_read(explicit), source=str(explicit), path=explicit))
    rejected: list[CatalogueInvalid] = []
    for source, path in reversed(catalogue_sources()):
        if not path.is_file():
            continue
        try:
            return LoadedCatalogue(parse_catalogue(_read(path), source=source, path=path), tuple(rejected))
        except CatalogueInvalid as invalid:
            rejected.append(invalid)
    raise rejected[-1] if rejected else FileNotFoundError("no catalogue")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueInvalid(str(path), [CatalogueProblem(0, "(file)", f"cannot be read: {exc}")]) from exc


def parse_catalogue(text: str, *, source: str, path: Path | None = None) -> Catalogue:
    """Parse and validate; raise CatalogueInvalid listing every problem found."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml when present: ~10× faster
    if len(text) > MAX_TEXT_CHARS:
        raise CatalogueInvalid(source, [CatalogueProblem(0, "(file)", f"larger than {MAX_TEXT_CHARS:,} characters")])
    try:
        node = loader.get_single_node()  # the nodes keep line numbers for the problems we report
        _refuse_alias_bombs(node, source=source)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise CatalogueInvalid(source, [CatalogueProblem(line, "(yaml)", str(getattr(exc, "problem", exc)))]) from exc
    finally:
        loader.dispose()
    problems = _schema_problems(data, node)
    if not problems:
        problems = _meaning_problems(data, node)
    if problems:
        raise CatalogueInvalid(source, sorted(problems, key=lambda p: (p.line, p.field)))
    return _build(data, source=source, path=path)


MAX_TEXT_CHARS = 4 * 1024 * 1024  # the default catalogue is ~40 KB; a unit's is of the same order
MAX_EXPANDED_NODES = 200_000  # nodes once every alias is expanded (the default has a few thousand)
MAX_SHOWN_CHARS = 200  # of a value quoted in a problem


def _refuse_alias_bombs(node, *, source: str) -> None:
    """YAML aliases let a small file stand for an exponentially large (or endless) document: the
    node graph is measured as it would be expanded, before anything is built from it."""
    import yaml

    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(current) -> int:
        key = id(current)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            raise CatalogueInvalid(source, [CatalogueProblem(current.start_mark.line + 1, "(yaml)",
                                                             "an alias refers to the node that contains it")])
        open_nodes.add(key)
        if isinstance(current, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in current.value)
        elif isinstance(current, yaml.SequenceNode):
            total = 1 + sum(size(item) for item in current.value)
        else:
            total = 1
        open_nodes.discard(key)
        sizes[key] = min(total, MAX_EXPANDED_NODES + 1)
        if total > MAX_EXPANDED_NODES:
            raise CatalogueInvalid(source, [CatalogueProblem(
                current.start_mark.line + 1, "(yaml)",
                f"more than {MAX_EXPANDED_NODES:,} values once its aliases (*name) are expanded")])
        return sizes[key]

    if node is not None:
        size(node)


def _shown(message: str) -> str:
    return message if len(message) <= MAX_SHOWN_CHARS else message[:MAX_SHOWN_CHARS] + "… (cut)"


def _schema_problems(data: Any, node) -> list[CatalogueProblem]:
    from jsonschema import Draft202012Validator

    from resources import resource_path

    schema = json.loads(resource_path("catalogue", "catalogue.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    return [
        CatalogueProblem(_line_of(node, list(error.absolute_path)), _field(list(error.absolute_path)),
                         _shown(error.message))
        for error in validator.iter_errors(data)
    ]


def _meaning_problems(data: dict, node) -> list[CatalogueProblem]:
    problems: list[CatalogueProblem] = []
    roles = set(data["roles"])
    profiles = data.get("signature_profiles", {})
    for name, steps in profiles.items():
        problems += _step_problems(steps, ["signature_profiles", name], roles, node)
    seen: dict[str, int] = {}
    for index, entry in enumerate(data["document_types"]):
        where = ["document_types", index]
        key = entry["name"].strip().casefold()
        if key in seen:
            problems.append(_problem(node, [*where, "name"], f"duplicate type name (also item {seen[key]})"))
        seen.setdefault(key, index)
        signatures = entry["signatures"]
        if isinstance(signatures, str):
            if signatures not in profiles:
                problems.append(_problem(node, [*where, "signatures"], f"unknown signature profile {signatures!r}"))
        else:
            problems += _step_problems(signatures, [*where, "signatures"], roles, node)
        if not entry["titles"] and not entry.get("recognise_without_title") and not entry.get("file_names"):
            problems.append(_problem(node, [*where, "titles"], "no way to recognise this type (titles, file_names)"))
    return problems


def _step_problems(steps: list, where: list, roles: set[str], node) -> list[CatalogueProblem]:
    problems = []
    kinds = [step["kind"] for step in steps]
    for index, step in enumerate(steps):
        for r_index, role in enumerate(step["roles"]):
            if role not in roles:
                problems.append(_problem(node, [*where, index, "roles", r_index], f"unknown role {role!r}"))
    if "organisation" in kinds and ("personal" not in kinds or kinds.index("organisation") < kinds.index("personal")):
        problems.append(_problem(node, where, "the organisation's signature must follow a personal signature"))
    return problems


def _problem(node, path: list, message: str) -> CatalogueProblem:
    return CatalogueProblem(_line_of(node, path), _field(path), message)


def _field(path: list) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def _line_of(node, path: list) -> int:
    """The line of the YAML node at `path` (or of its nearest existing parent)."""
    import yaml

    current = node
    for part in path:
        child = None
        if isinstance(current, yaml.MappingNode):
            child = next((value for key, value in current.value if key.value == str(part)), None)
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int) and part < len(current.value):
            child = current.value[part]
        if child is None:
            break
        current = child
    return current.start_mark.line + 1 if current is not None else 0


def _build(data: dict, *, source: str, path: Path | None) -> Catalogue:
    head = data["catalogue"]
    info = CatalogueInfo(
        id=head["id"], name=head["name"], version=str(head["version"]), issued=str(head["issued"]),
        issuer=head.get("issuer", ""), source=source, path=str(path or ""),
    )
    roles = {key: Role(key, value["name"], tuple(value.get("titles", []))) for key, value in data["roles"].items()}
    profiles = {name: _steps(steps) for name, steps in data.get("signature_profiles", {}).items()}
    types = tuple(_document_type(entry, profiles) for entry in data["document_types"])
    rules = FileRules(**data.get("file_rules", {}))
    return Catalogue(info=info, roles=roles, file_rules=rules, types=types)


def _steps(raw: list) -> tuple[SignatureStep, ...]:
    return tuple(
        SignatureStep(SignatureKind(step["kind"]), tuple(step["roles"]), step["level"], Placement(step["placement"]))
        for step in raw
    )


def _document_type(entry: dict, profiles: dict) -> DocumentType:
    signatures = entry["signatures"]
    return DocumentType(
        name=entry["name"].strip(),
        group=DocumentGroup(entry["group"]),
        abbreviations=tuple(entry["abbreviations"]),
        titles=tuple(entry["titles"]),
        subtitle=tuple(entry.get("subtitle", [])),
        file_names=tuple(entry.get("file_names", [])),
        recognise_without_title=bool(entry.get("recognise_without_title", False)),
        copy_form=entry.get("copy_form"),
        signatures=profiles[signatures] if isinstance(signatures, str) else _steps(signatures),
    )
