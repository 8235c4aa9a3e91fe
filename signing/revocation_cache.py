"""A small on-disk cache of OCSP responses and CRLs, so a fresh answer is not fetched again.

Each signature checks the signer's certificate; without a cache every `kyso sign` asks the CA's
OCSP responder and downloads its CRLs again. Cached data is only offered to the validator while
it is fresh: fetched at most `ocsp_max_age` ago for an OCSP response (ten minutes by default,
so a revocation is seen quickly) or `crl_max_age` ago for a CRL (a day), and never past the
nextUpdate the CA wrote in it. The validator still decides whether what it is offered is good
enough, and fetches when it is not. Files are written atomically; several kyso processes may
share the folder.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["RevocationCache"]


@dataclass(frozen=True)
class RevocationCache:
    folder: Path
    ocsp_max_age: timedelta = timedelta(minutes=10)
    crl_max_age: timedelta = timedelta(hours=24)

    def load(self, *, now: datetime | None = None) -> tuple[list, list]:
        """Fresh cached (OCSP responses, CRLs) as asn1crypto objects; stale files are removed."""
        now = now or datetime.now(UTC)
        return self._load("ocsp", now, self._ocsp_fresh), self._load("crl", now, self._crl_fresh)

    def store(self, *, ocsps: Iterable, crls: Iterable) -> None:
        for response in ocsps:
            self._write("ocsp", _der(response))
        for crl in crls:
            self._write("crl", _der(crl))

    def _load(self, kind: str, now: datetime, fresh) -> list:
        folder = self.folder / kind
        if not folder.is_dir():
            return []
        found = []
        for path in folder.glob("*.der"):
            item = _parse(kind, path)
            if item is not None and fresh(item, now, _fetched_at(path)):
                found.append(item)
            else:
                _remove(path)
        return found

    def _ocsp_fresh(self, response, now: datetime, fetched: datetime) -> bool:
        if not timedelta(0) <= now - fetched <= self.ocsp_max_age:
            return False
        try:
            basic = response["response_bytes"]["response"].parsed["tbs_response_data"]
            next_update = basic["responses"][0]["next_update"].native
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            return False
        return next_update is None or now < next_update

    def _crl_fresh(self, crl, now: datetime, fetched: datetime) -> bool:
        if not timedelta(0) <= now - fetched <= self.crl_max_age:
            return False
        try:
            next_update = crl["tbs_cert_list"]["next_update"].native
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        return next_update is not None and now < next_update

    def _write(self, kind: str, der: bytes) -> None:
        folder = self.folder / kind
        target = folder / f"{hashlib.sha256(der).hexdigest()}.der"
        try:
            if target.exists():
                os.utime(target)  # seen again just now: its age restarts
                return
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
            with os.fdopen(handle, "wb") as out:
                out.write(der)
            os.replace(temporary, target)
        except OSError:
            pass  # a cache that cannot be written only costs a fetch next time


def _fetched_at(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return datetime.fromtimestamp(0, UTC)


def _der(item) -> bytes:
    return item if isinstance(item, bytes) else item.dump()


def _parse(kind: str, path: Path):
    from asn1crypto import crl, ocsp

    try:
        data = path.read_bytes()
        return ocsp.OCSPResponse.load(data) if kind == "ocsp" else crl.CertificateList.load(data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
