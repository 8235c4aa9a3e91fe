"""The timestamp authority for a signer, chosen from the certificate when nobody configured one.

kyso ships the TSAs of the CAs staff hold certificates from (resources/network/endpoints.toml):
Ban Cơ yếu's own TSA for official-duty certificates, a public CA's own TSA for its certificates.
An administrator corrects or extends the list with an endpoints.toml of the same form in the
policy folder (its entries come first), or names one TSA for every signer with the `tsa_url`
setting (a policy default or lock; a user's own setting and `kyso sign --tsa` too). Revocation
endpoints are never preset: they come from each certificate's AIA and CRL distribution points.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .paths import policy_dir

__all__ = ["TsaChoice", "ENDPOINTS_FILE", "preset_entries", "tsa_choice"]

ENDPOINTS_FILE = "endpoints.toml"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TsaChoice:
    urls: tuple[str, ...]  # in the order they are tried; empty: no TSA known for this signer
    source: str  # "settings", "machine" (the policy folder's endpoints.toml), "kyso" (shipped), "none"
    issuer: str  # the CA as kyso names it ("VNPT-CA", "Ban Cơ yếu Chính phủ"), "" when unknown


@dataclass(frozen=True)
class _Entry:
    issuer: str
    tsa: tuple[str, ...]
    source: str


def preset_entries() -> tuple[_Entry, ...]:
    """The machine's entries (policy folder) first, then kyso's shipped ones."""
    from resources import resource_path

    entries: list[_Entry] = []
    for path, source in ((policy_dir() / ENDPOINTS_FILE, "machine"),
                         (resource_path("network", ENDPOINTS_FILE), "kyso")):
        entries += _read(path, source)
    return tuple(entries)


def tsa_choice(*, configured: str | None, certificate: bytes | None, chain: Sequence[bytes] = ()) -> TsaChoice:
    """The TSAs to try for a signer: the one configured (settings, policy, --tsa) if any, else the
    preset for the CA that issued `certificate` (known from its chain), else none."""
    if configured:
        return TsaChoice((configured,), "settings", "")
    if certificate is None:
        return TsaChoice((), "none", "")
    from tokens.issuers import issuer_name

    issuer = issuer_name(certificate, chain)
    for entry in preset_entries():
        if entry.issuer == "*" or entry.issuer.casefold() == issuer.casefold():
            return TsaChoice(entry.tsa, entry.source, issuer)
    return TsaChoice((), "none", issuer)


def _read(path: Path, source: str) -> list[_Entry]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("the TSA list %s cannot be read; it is ignored: %s", path, exc)
        return []
    entries = []
    for item in data.get("ca", []):
        issuer, tsa = item.get("issuer"), item.get("tsa", [])
        if not isinstance(issuer, str) or not isinstance(tsa, list) or not all(isinstance(u, str) for u in tsa):
            log.warning("an entry of the TSA list %s is malformed and ignored: %r", path, item)
            continue
        entries.append(_Entry(issuer, tuple(u.strip() for u in tsa if u.strip()), source))
    return entries
