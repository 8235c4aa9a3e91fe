"""Audit fixtures: a 10,000-event log built once per session, copied for each test that tampers."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from app.audit.events import AuditActor
from app.audit.store import AuditStore

ACTORS = (AuditActor("an", "Nguyễn Văn An", "vien-truong"), AuditActor("binh", "Trần Thị Bình", "van-thu"),
          AuditActor("cuong", None, None))


def sample_items(rng: random.Random, count: int) -> list[tuple[str, dict]]:
    """Events shaped like a working day: documents opened, checked, signed, some failures."""
    items = []
    for index in range(count):
        name = f"quyết-định-{index:05d}-QĐ-VKSTC.pdf"
        digest = f"{rng.getrandbits(256):064x}"
        kind = rng.choice(("document.opened", "preflight.done", "sign.requested", "sign.succeeded",
                           "sign.failed", "verification.done", "settings.changed", "pin.wrong"))
        data: dict = {"document": name, "path": f"/home/an/Văn bản/{name}"}
        if kind == "sign.succeeded":
            data |= {"request_id": f"r{index}", "input_sha256": digest, "output_sha256": digest[::-1],
                     "level": "B-LT", "certificate": {"serial": "1f2e", "subject": "CN=Nguyễn Văn An"},
                     "outcome": "ok"}
        elif kind in ("sign.failed", "pin.wrong"):
            data |= {"error_code": "TOKEN_PIN_INCORRECT", "outcome": "failed"}
        elif kind == "preflight.done":
            data |= {"type": "QD", "findings": ["NUMBER_MISSING"], "blocking": [], "outcome": "ok"}
        items.append((kind, data))
    return items


def build_log(path: Path, *, production: int, practice: int, seed: int = 6) -> Path:
    rng = random.Random(seed)
    with AuditStore.open(path, workstation="ws-test") as store:
        for mode, total in (("production", production), ("practice", practice)):
            done = 0
            while done < total:
                chunk = min(1000, total - done)
                store.append_many(mode=mode, items=sample_items(rng, chunk), actor=rng.choice(ACTORS),
                                  app_version="0.1.0")
                done += chunk
    return path


@pytest.fixture(scope="session")
def log_10k(tmp_path_factory) -> Path:
    """The 10,000-event log (9,000 production, 1,000 practice): copy it, never change it."""
    path = tmp_path_factory.mktemp("audit-10k") / "audit.sqlite3"
    build_log(path, production=9000, practice=1000)
    return path


@pytest.fixture
def log_copy(log_10k, tmp_path) -> Path:
    target = tmp_path / "copy" / "audit.sqlite3"
    target.parent.mkdir()
    shutil.copy2(log_10k, target)
    return target
