"""Asking a timestamp authority whether it answers, once, and remembering a fresh answer.

The reachable level is decided as soon as the signer's certificate is known — before any PIN —
and again when the batch is prepared; a TSA that answered a few minutes ago is not asked again
(`FRESH_SECONDS`). A failure is never remembered: "try again" asks the TSA again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

__all__ = ["FRESH_SECONDS", "forget", "probe_tsa"]

FRESH_SECONDS = 300.0
log = logging.getLogger(__name__)
_answers: dict[tuple[int, str, str], tuple[float, int]] = {}
_lock = threading.Lock()


async def probe_tsa(network: Any, url: str, *, hash_name: str = "sha256", timeout: float = 10.0,
                    use_cache: bool = True) -> int | None:
    """The size in bytes of a timestamp token from the TSA at `url`, or None when it does not
    answer (unreachable, refused, not a TSA — the reason goes to the log)."""
    key = (id(network), url, hash_name)
    now = time.monotonic()
    with _lock:
        known = _answers.get(key)
    if use_cache and known is not None and now - known[0] <= FRESH_SECONDS:
        return known[1]
    try:
        response = await network.timestamper(url, timeout=timeout).async_dummy_response(hash_name)
    except Exception as exc:  # noqa: BLE001 — any failure means this TSA cannot be used now
        log.info("the TSA %s does not answer: %s", url, exc, exc_info=True)
        return None
    size = len(response.dump())
    with _lock:
        _answers[key] = (time.monotonic(), size)
    return size


def forget() -> None:
    """Forget every remembered answer (tests; a user's "try again")."""
    with _lock:
        _answers.clear()
