"""Each unit's catalogue and policy, as the administrators upload them and workstations fetch them.

The catalogue is checked against the catalogue's published JSON Schema (resources/catalogue) so a
broken file is refused here, with its problems, rather than by every workstation; the policy is
checked to be TOML. The ETag is the SHA-256 of the content.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from enum import StrEnum

from sqlalchemy.orm import Session

from ..db import now_utc
from ..errors import ServerError, ServerErrorCode
from ..models import UnitConfig
from . import adminlog
from .accounts import require_unit

__all__ = ["ConfigKind", "get_config", "set_config"]


class ConfigKind(StrEnum):
    CATALOGUE = "catalogue"
    POLICY = "policy"


def set_config(session: Session, *, actor: str, unit_id: str, kind: ConfigKind, content: str) -> UnitConfig:
    require_unit(session, unit_id=unit_id)
    _validate(kind, content)
    etag = hashlib.sha256(content.encode("utf-8")).hexdigest()
    row = session.get(UnitConfig, (unit_id, kind.value))
    if row is None:
        row = UnitConfig(unit_id=unit_id, kind=kind.value)
        session.add(row)
    row.content, row.etag, row.updated_at, row.updated_by = content, etag, now_utc(), actor
    adminlog.record(session, actor=actor, action=f"{kind.value}.set", target=unit_id, details={"etag": etag})
    return row


def get_config(session: Session, *, unit_id: str, kind: ConfigKind) -> UnitConfig:
    row = session.get(UnitConfig, (unit_id, kind.value))
    if row is None:
        raise ServerError(ServerErrorCode.CONFIG_NOT_SET, kind=kind.value, unit=unit_id)
    return row


def _validate(kind: ConfigKind, content: str) -> None:
    if kind is ConfigKind.POLICY:
        try:
            tomllib.loads(content)
        except tomllib.TOMLDecodeError as exc:
            raise ServerError(ServerErrorCode.CONFIG_INVALID, kind=kind.value, detail=str(exc)) from None
        return
    import yaml
    from jsonschema import Draft202012Validator

    from resources import resource_path

    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise ServerError(ServerErrorCode.CONFIG_INVALID, kind=kind.value, detail=str(exc)[:300]) from None
    schema = json.loads(resource_path("catalogue", "catalogue.schema.json").read_text(encoding="utf-8"))
    problems = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if problems:
        detail = "; ".join(f"{'/'.join(map(str, p.absolute_path)) or '(root)'}: {p.message}" for p in problems[:5])
        raise ServerError(ServerErrorCode.CONFIG_INVALID, kind=kind.value, detail=detail[:500])
