"""The signable-document catalogue as kyso uses it (loaded from YAML by `loader.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "Catalogue",
    "CatalogueInfo",
    "DocumentGroup",
    "DocumentType",
    "FileRules",
    "Placement",
    "Role",
    "SignatureKind",
    "SignatureStep",
]


class DocumentGroup(Enum):
    ADMINISTRATIVE = "administrative"
    PROCEDURAL = "procedural"
    WORKING = "working"
    COPY = "copy"
    ATTACHMENT = "attachment"


class SignatureKind(Enum):
    PERSONAL = "personal"
    ORGANISATION = "organisation"
    ATTACHMENT = "attachment"
    COPY = "copy"


class Placement(Enum):
    SIGNER_BLOCK = "signer-block"  # between the signer's title line and name line
    OVER_PERSONAL = "over-personal"  # over the left third of the personal signature
    TOP_RIGHT = "top-right"  # top right of page 1


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    titles: tuple[str, ...] = ()  # how the role is written above a signature ("KT. VIỆN TRƯỞNG")


@dataclass(frozen=True)
class SignatureStep:
    kind: SignatureKind
    roles: tuple[str, ...]
    level: str  # "B-B", "B-T", "B-LT", "B-LTA"
    placement: Placement


@dataclass(frozen=True)
class DocumentType:
    name: str
    group: DocumentGroup
    abbreviations: tuple[str, ...]
    titles: tuple[str, ...]
    signatures: tuple[SignatureStep, ...]
    subtitle: tuple[str, ...] = ()  # words expected just under the title
    file_names: tuple[str, ...] = ()
    recognise_without_title: bool = False
    copy_form: str | None = None


@dataclass(frozen=True)
class FileRules:
    min_pdf_version: str = "1.4"
    page_size: str = "A4"
    page_size_tolerance_mm: float = 5.0
    max_size_mb: float = 500.0
    scan_min_dpi: int = 200


@dataclass(frozen=True)
class CatalogueInfo:
    id: str
    name: str
    version: str
    issued: str
    issuer: str
    source: str = ""  # "built-in", "machine", "server", or a file path
    path: str = ""


@dataclass(frozen=True)
class Catalogue:
    info: CatalogueInfo
    roles: dict[str, Role]
    file_rules: FileRules
    types: tuple[DocumentType, ...]
    _by_name: dict[str, DocumentType] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({t.name.casefold(): t for t in self.types})

    def type_named(self, name: str) -> DocumentType | None:
        return self._by_name.get(name.strip().casefold())

    def role(self, role_id_or_name: str) -> Role | None:
        wanted = role_id_or_name.strip().casefold()
        for role in self.roles.values():
            if wanted in (role.id.casefold(), role.name.casefold()):
                return role
        return None

    @property
    def abbreviations(self) -> frozenset[str]:
        return frozenset(a for t in self.types for a in t.abbreviations)
