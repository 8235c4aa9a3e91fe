"""The workshop's scenarios, and how each is judged done from the practice audit chain.

A scenario is done when the trainee's practice events show it happened — the same events the
real product records (docs/audit.md), so nothing is ticked by the trainee's say-so and the
desktop, the CLI and the trainer's report agree. Titles and steps are messages
(PRACTICE_SCENARIO_<ID>_TITLE / _STEPS, Vietnamese and English).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SCENARIOS", "Scenario", "scenario"]

Event = Mapping[str, Any]

_CERT_REFUSED = {"CERT_EXPIRED", "CERT_REVOKED", "CERT_NOT_YET_VALID"}
_DOCUMENT_BLOCKED = {"PREFLIGHT_STATE_SECRET", "PREFLIGHT_TYPE_UNKNOWN", "PREFLIGHT_TYPE_AMBIGUOUS"}


@dataclass(frozen=True)
class Scenario:
    id: str
    done_by: Callable[[Event], bool]  # True for an event that shows the scenario done

    @property
    def title_code(self) -> str:
        return f"PRACTICE_SCENARIO_{self.id.upper().replace('-', '_')}_TITLE"

    @property
    def steps_code(self) -> str:
        return f"PRACTICE_SCENARIO_{self.id.upper().replace('-', '_')}_STEPS"


def _data(event: Event) -> Mapping[str, Any]:
    data = event.get("data")
    return data if isinstance(data, Mapping) else {}


def _signed(kind: str) -> Callable[[Event], bool]:
    return lambda e: e.get("type") == "sign.succeeded" and _data(e).get("kind") == kind


def _refused_with(codes: set[str]) -> Callable[[Event], bool]:
    return lambda e: e.get("type") in ("sign.refused", "sign.failed") and _data(e).get("error_code") in codes


def _checked(event: Event) -> bool:
    return event.get("type") == "preflight.done" and _data(event).get("outcome") == "ok"


def _verified(event: Event) -> bool:
    return event.get("type") == "verification.done" and _data(event).get("valid") is True


def _blocked(event: Event) -> bool:
    data = _data(event)
    if event.get("type") == "preflight.done" and data.get("outcome") == "refused":
        codes = set(data.get("findings") or []) | set(data.get("blocking") or [])
        return bool(codes & _DOCUMENT_BLOCKED)
    return _refused_with(_DOCUMENT_BLOCKED)(event)


def _changed_found(event: Event) -> bool:
    if event.get("type") != "verification.done":
        return False
    signatures = _data(event).get("signatures") or []
    return any(isinstance(s, Mapping) and s.get("integrity") is False for s in signatures)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("mo-va-kiem-tra", _checked),
    Scenario("ky-ca-nhan", _signed("personal")),
    Scenario("xac-minh", _verified),
    Scenario("sai-pin-khoa", lambda e: e.get("type") == "pin.locked"),
    Scenario("chung-thu-loi", _refused_with(_CERT_REFUSED)),
    Scenario("van-ban-bi-chan", _blocked),
    Scenario("rut-token", _refused_with({"TOKEN_REMOVED"})),
    Scenario("dong-dau", _signed("organisation")),
    Scenario("sao-y", _signed("copy")),
    Scenario("sua-sau-ky", _changed_found),
)


def scenario(scenario_id: str) -> Scenario:
    for item in SCENARIOS:
        if item.id == scenario_id:
            return item
    raise KeyError(scenario_id)
