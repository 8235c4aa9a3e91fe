"""Turning what the user chose on the desk into a signing job request, and summing it up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..catalogue import Catalogue
from ..settings import Settings
from ..sign_plan import ChosenPlacement
from ..signing_job import SignRequest
from .documents import DeskDocument, preflight_options

__all__ = ["BatchLine", "batch_summary", "desk_request", "prepare_level", "verify_signatures"]


@dataclass(frozen=True)
class BatchLine:
    kind: str  # signature kind value ("personal"…)
    level: str
    count: int


def batch_summary(documents: Sequence[DeskDocument]) -> list[BatchLine]:
    """"12 documents, personal signature, level B-LT": one line per (kind, level)."""
    counts = Counter((d.result.plan.kind.value, d.result.plan.level) for d in documents
                     if d.result is not None and d.result.plan is not None)
    return [BatchLine(kind, level, count) for (kind, level), count in sorted(counts.items())]


def desk_request(
    *,
    documents: Sequence[DeskDocument],
    settings: Settings,
    catalogue: Catalogue,
    module_path: str,
    token_label: str,
    key_id: bytes,
    placements: Mapping[Path, ChosenPlacement],
    trust_dirs: Sequence[Path] = (),
) -> SignRequest:
    """The desk's request, built from the settings by the same functions as `kyso sign`'s."""
    from .. import sign_settings

    return sign_settings.sign_request(
        settings, files=[d.path for d in documents], module_path=module_path, token_label=token_label,
        key_id=key_id, options=sign_settings.sign_options(settings),
        preflight=preflight_options(settings=settings, catalogue=catalogue, placements=placements,
                                    documents=documents),
        extra_trust=trust_dirs,
    )


def prepare_level(certificate: bytes) -> str | None:
    """As soon as the desk knows a signer's certificate (no PIN involved): ask its TSA — the one
    configured, else the preset for its CA — so the answer is at hand (kept while fresh,
    signing/tsa_probe.py) when the user signs. Returns the TSA that answered, if any. The
    revocation data is fetched by the job's certificate check, also before the PIN."""
    import asyncio

    from signing.tsa_probe import probe_tsa

    from .. import sign_settings
    from ..backend import PRODUCTION
    from ..endpoints import tsa_choice
    from ..settings import load_settings

    choice = tsa_choice(configured=load_settings().settings.tsa_url or None, certificate=certificate)
    network = PRODUCTION.trust_store(sign_settings.trust_dirs()).network

    async def first_answering() -> str | None:
        for url in choice.urls:
            if await probe_tsa(network, url, timeout=10.0) is not None:
                return url
        return None

    return asyncio.run(first_answering())


def verify_signatures(path: Path):
    """Verify the signatures already in `path` (network for revocation: off the GUI thread)."""
    import asyncio

    from signing.trust import TrustStore
    from signing.verify import verify_document

    from .. import sign_settings

    trust = TrustStore.load(extra_dirs=sign_settings.trust_dirs())
    return asyncio.run(verify_document(path, trust=trust))
