"""The signable-document catalogue (Danh mục các loại văn bản ký số): model and loading."""

from __future__ import annotations

from .loader import (
    CatalogueInvalid,
    CatalogueProblem,
    LoadedCatalogue,
    load_catalogue,
    parse_catalogue,
)
from .model import (
    Catalogue,
    DocumentGroup,
    DocumentType,
    Placement,
    Role,
    SignatureKind,
    SignatureStep,
)

__all__ = [
    "Catalogue",
    "CatalogueInvalid",
    "CatalogueProblem",
    "DocumentGroup",
    "DocumentType",
    "LoadedCatalogue",
    "Placement",
    "Role",
    "SignatureKind",
    "SignatureStep",
    "load_catalogue",
    "parse_catalogue",
]
