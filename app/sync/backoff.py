"""Exponential back-off with jitter, capped (5 minutes by default)."""

from __future__ import annotations

import random

__all__ = ["CAP_SECONDS", "backoff_delay"]

CAP_SECONDS = 300.0


def backoff_delay(failures: int, *, rng: random.Random, base: float = 2.0, cap: float = CAP_SECONDS) -> float:
    """Seconds to wait after `failures` consecutive failures (≥ 1): a random point in the upper
    half of min(cap, base·2^(failures−1)), so many workstations coming back together spread out."""
    ceiling = min(cap, base * 2 ** min(max(failures, 1) - 1, 30))
    return ceiling * (0.5 + rng.random() / 2)
