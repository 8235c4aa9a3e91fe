"""POST /api/v1/events: one batch of one workstation's chain; GET /api/v1/chains: where it stands."""

from __future__ import annotations

import anyio
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from ...errors import ServerError, ServerErrorCode
from ...models import ChainHead
from ...services.ingest import ingest_batch
from ..deps import SessionDep, StateDep, WorkstationDep
from ..schemas import BODY, READ, SIGNED_IN, WIRE_EVENT_SCHEMA, WRITE, BatchAnswer, Chains, refusals

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["workstation"])
_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": WIRE_EVENT_SCHEMA}}}}


@router.post("/events", response_model=BatchAnswer, openapi_extra=_BODY,
             responses={**refusals(*BODY, *SIGNED_IN, 409, 429, *WRITE),
                        409: {**refusals(409)[409], "description": "a gap (expected_seq, with the receipt of the "
                                                                   "head held) or rewritten history"}})
async def post_events(request: Request, workstation: WorkstationDep, state: StateDep) -> Response:
    """Parsed by hand (orjson): a 1,000-event batch through pydantic would cost more than storing it.
    Admitted before its body is read (the workstation's rate and batches in flight, then a place
    in the bounded queue: 429/503 with Retry-After otherwise); the body is read on the event loop
    while it waits; the work runs on one of ingestion's own threads when its turn comes, fairly
    between workstations (server/guard.py, IngestQueue)."""
    with state.guard.ingesting(workstation=workstation.id):
        declared = request.headers.get("content-length", "")
        size = int(declared) if declared.isdigit() else state.settings.max_body_bytes
        async with state.ingest_queue.admit(workstation=workstation.id, size=size) as turn:
            body = await request.body()
            await turn.ready()
            return await anyio.to_thread.run_sync(_ingest, body, workstation, state, limiter=state.ingest_limiter)


def _ingest(body: bytes, workstation, state) -> Response:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ServerError(ServerErrorCode.BODY_MALFORMED, detail="not JSON") from None
    if not isinstance(document, dict) or set(document) != {"events"}:
        raise ServerError(ServerErrorCode.REQUEST_INVALID, detail="expected {\"events\": [...]}")
    result = ingest_batch(state.database, principal=workstation, events=document["events"],
                          signer=state.signer, max_batch=state.settings.max_batch,
                          limits=state.settings.event_limits, nul_free=b"\\u0000" not in body)
    return Response(orjson.dumps(result.answer()), media_type="application/json")


@router.get("/chains", response_model=Chains, responses=refusals(*SIGNED_IN, *READ))
def chains(workstation: WorkstationDep, session: SessionDep, state: StateDep) -> Chains:
    """The server's head of each of this workstation's chains, as receipts (to resume from)."""
    heads = session.execute(select(ChainHead).where(ChainHead.workstation_id == workstation.id)
                            .order_by(ChainHead.chain, ChainHead.mode)).scalars()
    return Chains(workstation=workstation.id, unit=workstation.unit_id, chains=[
        state.signer.sign(workstation=head.chain, mode=head.mode, seq=head.seq, hash=head.hash) for head in heads])
