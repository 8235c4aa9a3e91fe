"""Production or practice: the signing backend a kyso session runs on, chosen once at start-up.

A `SigningBackend` is what differs between real work and a workshop; the signing job, the PIN
prompter and the audit journal are the same code for both. It says which tokens can be used,
which roots are trusted and who answers OCSP and timestamps (the trust store carries those
services), where revocation answers are cached, which certificates are admitted, what happens
to a document before it is signed, and which audit chain (`mode`) the session writes to.

`PRODUCTION` is the default everywhere; the practice backend is `app.practice.PracticeBackend`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from signing.inspect import DocumentFacts
    from signing.revocation_cache import RevocationCache
    from signing.trust import TrustStore
    from tokens import ModuleOptions, Pkcs11Module

    from .signing_job import SignRequest

__all__ = ["PRODUCTION", "ProductionBackend", "SigningBackend"]


class SigningBackend(Protocol):
    mode: str  # the audit chain: "production" or "practice"

    def request_for(self, request: SignRequest) -> SignRequest:
        """The request as this backend runs it (practice: its own tokens, trust, outputs)."""
        ...

    def pick_module(self, request: SignRequest) -> tuple[Pkcs11Module, ModuleOptions]:
        """The token module the job signs with."""
        ...

    def trust_store(self, extra_dirs: Sequence[Path]) -> TrustStore:
        """The anchors (and the services answering OCSP and timestamps) checks are made against."""
        ...

    def revocation_cache(self) -> RevocationCache:
        ...

    def admit_certificate(self, certificate: bytes) -> None:
        """Raise SigningError when this backend must never sign with the certificate."""
        ...

    def document_for_signing(self, source: Path, *, expected_sha256: str | None, facts: DocumentFacts | None = None,
                             password: str | None = None) -> AbstractContextManager[tuple[Path, str | None]]:
        """The file the engine signs for `source` and the SHA-256 it must have (or None);
        `facts`: what preflight read of it, when it ran; `password`: its open password, if any."""
        ...


@dataclass(frozen=True)
class ProductionBackend:
    """Real tokens, the shipped and configured trust anchors, the CAs' own servers."""

    mode: str = "production"

    def request_for(self, request: SignRequest) -> SignRequest:
        return request

    def pick_module(self, request: SignRequest) -> tuple[Pkcs11Module, ModuleOptions]:
        from .module_choice import pick_module

        return pick_module(request.module_path, request.token_label, request.module_options)

    def trust_store(self, extra_dirs: Sequence[Path]) -> TrustStore:
        from signing.trust import TrustStore

        return TrustStore.load(extra_dirs=extra_dirs)

    def revocation_cache(self) -> RevocationCache:
        from signing.revocation_cache import RevocationCache

        from .paths import data_home

        return RevocationCache(data_home() / "cache" / "revocation")

    def admit_certificate(self, certificate: bytes) -> None:
        """A practice (training) certificate is refused before any PIN is asked, whatever token
        holds it: practice keys never make a production signature."""
        from signing.errors import SigningError, SigningErrorCode
        from signing.practice_mark import is_practice_certificate

        if is_practice_certificate(certificate):
            raise SigningError(SigningErrorCode.CERT_PRACTICE)

    @contextmanager
    def document_for_signing(self, source: Path, *, expected_sha256: str | None, facts: DocumentFacts | None = None,
                             password: str | None = None) -> Iterator[tuple[Path, str | None]]:
        """The document itself — unless it is a practice document (it carries the watermark):
        a real signature on it is refused."""
        from signing.errors import SigningError, SigningErrorCode
        from signing.watermark import has_practice_mark

        if facts.practice_marked if facts is not None else has_practice_mark(source):
            raise SigningError(SigningErrorCode.PRACTICE_DOCUMENT, file=source.name)
        yield source, expected_sha256


PRODUCTION = ProductionBackend()
