"""Sealed chains made fast with wire's own helpers (data_text + compose_canonical give the bytes
canonical_bytes gives; app/audit tests check that), for tests that need 100,000 events."""

from __future__ import annotations

import hashlib

from app.audit import wire

__all__ = ["fast_chain"]


def fast_chain(workstation: str, *, count: int, mode: str = "production", at_utc: str = "2026-11-22T07:00:00.000000Z"
               ) -> list[dict]:
    events, previous = [], wire.GENESIS
    for seq in range(1, count + 1):
        data = {"document": f"van-ban-{seq}.pdf", "outcome": "ok"}
        event = {"v": 1, "workstation": workstation, "mode": mode, "seq": seq, "prev_hash": previous,
                 "type": "sign.succeeded", "at_utc": at_utc, "at_local": at_utc.replace("Z", "+00:00"),
                 "os_user": "canbo", "user_name": "Lê Văn Cường", "user_role": None, "app_version": "0.1.0",
                 "data": data}
        event["hash"] = previous = hashlib.sha256(wire.compose_canonical(event, data=wire.data_text(data))).hexdigest()
        events.append(event)
    assert wire.event_hash(events[-1]) == events[-1]["hash"]  # the reference agrees
    return events
