"""GET /api/v1/config/{kind}: the workstation's unit catalogue or policy, with ETag caching."""

from __future__ import annotations

import base64
import json

from fastapi import APIRouter, Header
from fastapi.responses import Response

from ...receipts import CONFIG_SEAL_HEADER
from ...services.unit_config import ConfigKind, config_revision, get_config
from ..deps import SessionDep, StateDep, WorkstationDep
from ..schemas import READ, SIGNED_IN, refusals

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["workstation"])
_MEDIA = {ConfigKind.CATALOGUE: "application/yaml; charset=utf-8", ConfigKind.POLICY: "application/toml; charset=utf-8"}


@router.get("/config/{kind}", response_class=Response,
            responses={200: {"content": {"application/yaml": {}, "application/toml": {}}},
                       304: {"description": "unchanged since the ETag given"},
                       **refusals(*SIGNED_IN, 404, 422, *READ)})
def fetch(kind: ConfigKind, workstation: WorkstationDep, session: SessionDep, state: StateDep,
          if_none_match: str | None = Header(default=None, max_length=200)) -> Response:
    """Sealed with the server's key (the one the workstation pinned at enrolment): whoever
    publishes it — the API, the console, the command line — what leaves is signed here, over
    exactly the bytes sent, for this unit and kind and its version number."""
    row = get_config(session, unit_id=workstation.unit_id, kind=kind)
    etag = f'"{row.etag}"'
    seal = state.signer.seal_config(unit=row.unit_id, kind=row.kind, revision=config_revision(session, row=row),
                                    sha256=row.etag)
    headers = {"ETag": etag, "Cache-Control": "no-cache",
               CONFIG_SEAL_HEADER: base64.urlsafe_b64encode(json.dumps(seal, separators=(",", ":")).encode()).decode()}
    if if_none_match and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(row.content.encode("utf-8"), media_type=_MEDIA[kind], headers=headers)
