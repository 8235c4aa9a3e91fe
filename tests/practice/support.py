"""Practice sessions driven as the desktop will drive them: real signing jobs, in process."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from app.practice import PracticeSession, WorkshopPack
from app.signing_job import SignJob, SignReport
from tests.support.signing import AcceptAll, FixedPin

__all__ = ["exercise", "sign", "verify"]


def exercise(pack: WorkshopPack, name: str) -> Path:
    return next(pack.exercise_path(e) for e in pack.exercises if Path(e.file).name == name)


def sign(session: PracticeSession, files: Sequence[Path], *, pin: str, prompter=None, progress=None,
         passwords=None, **choices) -> SignReport:
    """One signing job in the trainee's practice session, recorded in the practice chain."""
    request = session.sign_request(files=files, **choices)
    with session.audited("sign") as run:
        return SignJob(request, prompter=prompter or FixedPin(pin, confirm_final_try=True), acceptor=AcceptAll(),
                       journal=run.journal, backend=session.backend, progress=progress, passwords=passwords).run()


def verify(session: PracticeSession, path: Path):
    """What `kyso verify --practice` does: verify against the workshop's trust, record it."""
    from app.cli.verify_cmd import _record
    from signing.verify import verify_document

    with session.audited("verify") as run:
        result = asyncio.run(verify_document(path, trust=session.backend.trust_store()))
        _record(run.journal, [(path, result)])
    return result
