"""PUT /api/v1/workstation/state: what the workstation has in force, after each sync pass."""

from __future__ import annotations

from fastapi import APIRouter, status

from ...services.workstation_state import record_state
from ..deps import StateDep, WorkstationDep
from ..schemas import BODY, SIGNED_IN, WRITE, WorkstationStateIn, refusals

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["workstation"])


@router.put("/workstation/state", status_code=status.HTTP_204_NO_CONTENT, responses=refusals(*BODY, *SIGNED_IN, *WRITE))
def put_state(body: WorkstationStateIn, workstation: WorkstationDep, state: StateDep) -> None:
    with state.database.write() as session:
        record_state(session, workstation_id=workstation.id, app_version=body.app_version, policy=body.policy,
                     catalogue=body.catalogue, catalogue_version=body.catalogue_version, chain=body.chain or workstation.id,
                     heads=dict(body.heads))
