"""Public: health and the receipt public key (what a workstation pins at enrolment)."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import StateDep
from ..schemas import ServerKey

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["public"])


@router.get("/health")
def health(state: StateDep) -> dict[str, str]:
    return {"status": "ok", "database": state.database.dialect}


@router.get("/server-key", response_model=ServerKey)
def server_key(state: StateDep) -> ServerKey:
    return ServerKey(public_key=state.signer.public_key_b64, key_id=state.signer.key_id)
