"""The practice backend (app/backend.py's other implementation): what a practice session signs
with, trusts, and does to a document before a practice signature.

- Tokens: the trainee's rack of simulated tokens (tokens/practice.py) — nothing else, so a real
  token plugged into the same workstation is never used.
- Trust: the workshop's training root alone, answered by the workshop's in-process CA and TSA
  (signing/offline_authority.py), so B-T and B-LT are reached with no network.
- Certificates: only this workshop's practice certificates are admitted.
- Documents: a document without the practice watermark is signed as a watermarked copy (the
  input is never touched); one already signed outside practice is refused.
- Outputs: never over an existing file (`force` is ignored), by default into the trainee's own
  folder of the pack; revocation answers are cached in the pack, not in the production cache.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .pack import Trainee, WorkshopPack

if TYPE_CHECKING:
    from signing.inspect import DocumentFacts
    from signing.revocation_cache import RevocationCache
    from signing.trust import TrustStore
    from tokens import ModuleOptions, Pkcs11Module
    from tokens.practice import PracticeRack

    from ..signing_job import SignRequest

__all__ = ["PRACTICE_SUFFIX", "PracticeBackend"]


PRACTICE_SUFFIX = ".thuc-hanh"  # NAME.thuc-hanh.pdf


@dataclass
class PracticeBackend:
    pack: WorkshopPack
    rack: PracticeRack
    trainee: Trainee | None = None
    mode: str = "practice"

    def request_for(self, request: SignRequest) -> SignRequest:
        """Whatever the caller asked, a practice job uses the rack, the workshop's trust and TSA,
        never overwrites a file, and writes NAME.thuc-hanh.pdf — by default into the trainee's
        folder of the pack; the trainee's position and the pack's images fill what is not given."""
        from dataclasses import replace

        options = replace(request.options, tsa_url=self.pack.tsa_url, overwrite=False,
                          appearance=self._with_image(request.options.appearance))
        out_dir = request.out_dir or (self.pack.outputs(self.trainee.number) if self.trainee else None)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        preflight = request.preflight
        if preflight is not None:
            preflight = replace(
                preflight, role=preflight.role or (self.trainee.role if self.trainee else None),
                signature_image=preflight.signature_image or self.pack.signature_image,
                seal_image=preflight.seal_image or self.pack.seal_image,
                organisation_name=preflight.organisation_name or self.pack.unit,
            )
        return replace(request, module_path=None, trust_dirs=(), options=options, out_dir=out_dir,
                       output_suffix=PRACTICE_SUFFIX, preflight=preflight)

    def _with_image(self, appearance):
        from dataclasses import replace

        from signing.appearance import AppearanceKind

        if appearance.image is not None or appearance.kind not in (AppearanceKind.PERSONAL, AppearanceKind.ORGANISATION):
            return appearance
        image = self.pack.signature_image if appearance.kind is AppearanceKind.PERSONAL else self.pack.seal_image
        return replace(appearance, image=image)

    def pick_module(self, request: SignRequest) -> tuple[Pkcs11Module, ModuleOptions]:
        from tokens import ModuleOptions

        return self.rack.module(), ModuleOptions()

    def trust_store(self, extra_dirs: Sequence[Path] = ()) -> TrustStore:
        """The training root only (folders named with --trust are not added in practice)."""
        return self._trust

    @cached_property
    def _trust(self) -> TrustStore:
        from signing.trust import TrustStore

        return TrustStore(anchors=(self.pack.root_path.read_bytes(),), sources=(f"practice:{self.pack.id}",),
                          services=self._authority, practice=True)

    @cached_property
    def _authority(self):
        return self.pack.authority()

    def revocation_cache(self) -> RevocationCache:
        from signing.revocation_cache import RevocationCache

        return RevocationCache(self.pack.state_dir / "revocation")

    def admit_certificate(self, certificate: bytes) -> None:
        from asn1crypto import x509

        from signing.errors import SigningError, SigningErrorCode
        from signing.practice_mark import is_practice_certificate

        issuer = x509.Certificate.load(self._authority.issuer_certificate).subject
        if not is_practice_certificate(certificate) or x509.Certificate.load(certificate).issuer != issuer:
            raise SigningError(SigningErrorCode.CERT_NOT_PRACTICE)

    @contextmanager
    def document_for_signing(self, source: Path, *, expected_sha256: str | None, facts: DocumentFacts | None = None,
                             password: str | None = None) -> Iterator[tuple[Path, str | None]]:
        from signing.watermark import has_practice_mark, practice_copy

        if facts.practice_marked if facts is not None else has_practice_mark(source):
            yield source, expected_sha256
            return
        if expected_sha256 is not None:
            _check_unchanged(source, expected_sha256)
        with tempfile.TemporaryDirectory(prefix="kyso-practice-") as folder:
            copy = Path(folder) / source.name
            practice_copy(source, copy, workshop=self.pack.id, password=password)
            yield copy, None


def _check_unchanged(source: Path, expected_sha256: str) -> None:
    """The bytes the user's check was made on are the bytes watermarked and signed."""
    from signing.errors import SigningError, SigningErrorCode

    try:
        with open(source, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise SigningError(SigningErrorCode.INPUT_UNREADABLE, file=source) from exc
    if digest != expected_sha256:
        raise SigningError(SigningErrorCode.CHANGED_SINCE_CHECKED, file=source)
