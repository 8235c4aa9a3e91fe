"""Practice mode and workshops (docs/practice.md): simulated tokens, a training PKI, outputs that
can never pass as real, the trainer's pack and report — all without Qt.

The desktop's practice window draws a `PracticeSession` (session.py): its banner, its rack of
practice tokens (`rack_tokens()`, `insert()`, `pull()`), its exercises and the trainee's
`progress()`; it signs with `SignJob(..., backend=session.backend)` inside `session.audited(...)`.
"""

from __future__ import annotations

from .backend import PRACTICE_SUFFIX, PracticeBackend
from .errors import PracticeError, PracticeErrorCode
from .pack import Exercise, PackToken, Trainee, WorkshopPack, load_pack
from .scenarios import SCENARIOS, Scenario
from .session import PracticeSession, RackToken, open_practice

__all__ = [
    "PRACTICE_SUFFIX",
    "SCENARIOS",
    "Exercise",
    "PackToken",
    "PracticeBackend",
    "PracticeError",
    "PracticeErrorCode",
    "PracticeSession",
    "RackToken",
    "Scenario",
    "Trainee",
    "WorkshopPack",
    "load_pack",
    "open_practice",
]
