"""Workstation enrolment: a one-time code and a fresh public key → workstation id and credential."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from ...services import workstations
from ..deps import StateDep, client_address
from ..schemas import BODY, WRITE, EnrolIn, EnrolOut, ServerKey, refusals

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["workstation"])


@router.post("/enrol", response_model=EnrolOut, status_code=status.HTTP_201_CREATED,
             responses=refusals(*BODY, 403, 409, 429, *WRITE))
def enrol(body: EnrolIn, state: StateDep, request: Request) -> EnrolOut:
    state.guard.admit_enrol(address=client_address(request))  # guessing codes costs a wait
    with state.database.write() as session:
        done = workstations.enrol(session, code=body.code, public_key_b64=body.public_key, proof_b64=body.proof,
                                  workstation_id=body.workstation_id, label=body.label)
    return EnrolOut(workstation_id=done.workstation_id, unit=done.unit_id, credential=done.credential,
                    server_key=ServerKey(public_key=state.signer.public_key_b64, key_id=state.signer.key_id))
