"""Signing PDF documents as PAdES with a key on a token: one batch, many documents.

A `SigningBatch` is built once for a key and a set of options. It decides which PAdES level
can actually be reached (is the TSA answering? is revocation data available?), prepares
everything that repeats from document to document (the CMS template, stamp images and
fonts, the validation context) and then signs documents one after another. Each document is
copied to a temporary file, signed there in place and renamed into place only when complete.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .appearance import AppearanceKind, AppearanceSpec
from .certcheck import RevocationStatus, make_validation_context
from .clock import iso_vietnam, now_vietnam
from .digest import CHUNK_SIZE, finish_digest, install_prefix_digest
from .document import check_header, open_document, parser_errors, refuse_unsignable
from .errors import SigningError, SigningErrorCode
from .levels import PadesLevel
from .output import AtomicOutput
from .placement import resolve_placement
from .signer import SigningKey, TemplateSigner
from .trust import TrustStore
from .tsa_probe import probe_tsa
from .view_check import UpdateScope, WidgetArea, check_same_view, writer_scope

__all__ = ["LevelDecision", "Reach", "SignOptions", "SignedDocument", "SigningBatch", "reachable_level"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignOptions:
    level: PadesLevel = PadesLevel.B_B
    tsa_url: str | None = None
    allow_lower_level: bool = False
    appearance: AppearanceSpec = field(default_factory=AppearanceSpec)
    use_pss: bool = False
    overwrite: bool = False
    reason: str | None = None
    location: str | None = None
    network_timeout: float = 10.0
    check_view: bool = True  # compare the signed file's pages with the input's before keeping it


@dataclass(frozen=True)
class LevelDecision:
    requested: PadesLevel
    reached: PadesLevel
    shortfalls: tuple[SigningErrorCode, ...] = ()  # why the reached level is lower


@dataclass(frozen=True)
class SignedDocument:
    source: Path
    output: Path
    level: PadesLevel
    field_name: str
    signing_time: datetime
    input_sha256: str
    output_sha256: str
    input_size: int
    output_size: int


@dataclass(frozen=True)
class Reach:
    """The level a batch can reach, known before any PIN is asked."""

    decision: LevelDecision
    tsa_url: str | None  # the TSA that answered (else the first one tried)


async def reachable_level(
    *, level: PadesLevel, tsa_urls: Sequence[str], trust: TrustStore, revocation: RevocationStatus,
    timeout: float = 10.0, fresh: bool = False,
) -> Reach:
    """Probe the TSAs in order (answers remembered for a few minutes unless `fresh`) and look at
    the revocation status already found: the level `level` can reach, and why not when lower."""
    reached, shortfalls, answering = level, [], None
    if level.needs_timestamp:
        for url in tsa_urls:
            if await probe_tsa(trust.network, url, timeout=timeout, use_cache=not fresh) is not None:
                answering = url
                break
        if answering is None:
            shortfalls.append(SigningErrorCode.TSA_UNREACHABLE if tsa_urls else SigningErrorCode.TSA_MISSING)
            reached = PadesLevel.B_B
    if reached.needs_revocation_data and revocation is not RevocationStatus.GOOD:
        shortfalls.append(SigningErrorCode.REVINFO_UNAVAILABLE)
        reached = PadesLevel.B_T
    url = answering or (tsa_urls[0] if tsa_urls else None)
    return Reach(LevelDecision(level, reached, tuple(shortfalls)), url)


class SigningBatch:
    """Signs documents one after another with one key, reusing everything that repeats."""

    def __init__(
        self,
        *,
        key: SigningKey,
        chain: Sequence[bytes],
        options: SignOptions,
        trust: TrustStore,
        revocation: RevocationStatus,
        evidence: tuple[Sequence, Sequence] = ((), ()),
    ) -> None:
        options.appearance.validate()
        self.options = options
        self.signer = TemplateSigner(key=key, chain=chain, use_pss=options.use_pss)
        self._chain = tuple(chain)
        self._trust = trust
        self._revocation = revocation
        self._evidence = evidence  # (OCSP responses, CRLs) learnt while checking the certificate
        self._timestamper: Any = None
        self._timestamp_size = 0
        self._validation_context: Any = None
        self._stamps: dict[AppearanceSpec, _StampCache] = {}
        self.decision = LevelDecision(options.level, options.level)

    async def prepare(self) -> LevelDecision:
        """Find out which level this batch can reach; raise if it must not go lower."""
        wanted = self.options.level
        reached, shortfalls = wanted, []
        if wanted.needs_timestamp and not await self._open_timestamper():
            shortfalls.append(self._tsa_shortfall())
            reached = PadesLevel.B_B
        if reached.needs_revocation_data and self._revocation is not RevocationStatus.GOOD:
            shortfalls.append(SigningErrorCode.REVINFO_UNAVAILABLE)
            reached = PadesLevel.B_T
        if shortfalls and not self.options.allow_lower_level:
            raise SigningError(shortfalls[0], level=wanted.value, url=self.options.tsa_url or "-")
        if reached.needs_revocation_data:
            self._validation_context = make_validation_context(
                trust=self._trust,
                other_certs=self._chain,
                require_revocation=True,
                timeout=self.options.network_timeout,
                ocsps=self._evidence[0],
                crls=self._evidence[1],
            )
        self.decision = LevelDecision(wanted, reached, tuple(shortfalls))
        return self.decision

    async def sign_document(
        self, *, source: Path, target: Path, appearance: AppearanceSpec | None = None,
        expected_sha256: str | None = None, password: str | None = None,
    ) -> SignedDocument:
        """Sign one file into `target` (with its own appearance, if given); on any failure no
        output file exists. `expected_sha256`: the bytes the user's check was made on — other
        bytes are not signed (what was checked and shown is what is signed). `password`: the
        open password of an encrypted input (used for this document only, never kept)."""
        spec = appearance or self.options.appearance
        spec.validate()
        size = check_header(source)
        output = AtomicOutput(source=source, target=target, overwrite=self.options.overwrite)
        try:
            algorithms = tuple(dict.fromkeys(("sha256", self.signer.hash_name)))
            prefix = output.open(hash_algorithms=algorithms)  # the copy that is signed, hashed
            if expected_sha256 is not None and prefix.hexdigest("sha256") != expected_sha256:
                raise SigningError(SigningErrorCode.CHANGED_SINCE_CHECKED, file=source)
            signed, widget, scope, revisions = await self._sign_open_copy(
                output, source=source, prefix=prefix, spec=spec, password=password)
            if self.options.check_view:
                output.stream.flush()
                check_same_view(signed=output.path, input_length=prefix.length, source=source, password=password,
                                widget=widget, scope=scope, input_revisions=revisions)
            output_sha256 = finish_digest(prefix, output.stream)
            output_size = output.stream.seek(0, 2)
            final = output.commit()
        except BaseException:
            output.abort()
            raise
        return replace(
            signed,
            output=final,
            input_sha256=prefix.hexdigest("sha256"),
            output_sha256=output_sha256,
            input_size=size,
            output_size=output_size,
        )

    async def aclose(self) -> None:
        if self._validation_context is not None:
            await self._validation_context.aclose()

    # --- one document ------------------------------------------------------------------

    async def _sign_open_copy(
        self, output: AtomicOutput, *, source: Path, prefix, spec: AppearanceSpec, password: str | None
    ) -> tuple[SignedDocument, WidgetArea | None, UpdateScope | None, int]:
        from .writer import SignatureUpdateWriter

        reader, protection = open_document(output.stream, name=source, password=password)
        refuse_unsignable(reader, name=source, protection=protection)
        signing_time = now_vietnam()
        lines = spec.text_lines(signing_time=iso_vietnam(signing_time))
        with _reading(source):
            writer = SignatureUpdateWriter(reader)
            field_name = _new_field_name(reader, spec.kind)
            pdf_signer, widget = self._pdf_signer(reader, field_name=field_name, lines=lines, spec=spec)
        revisions = reader.xrefs.total_revisions
        await _run_pyhanko(
            pdf_signer, writer, signing_time=signing_time, lines=lines, prefix=prefix,
            reserve=self._reserve(), source=source,
        )
        scope = None  # B-LTA adds revisions of pyhanko's own after this one: the file is read back
        if self.options.check_view and self.decision.reached is not PadesLevel.B_LTA:
            with _reading(source):
                scope = writer_scope(reader, writer, widget_page=widget.page if widget else 0)
        return SignedDocument(
            source=source,
            output=output.target,
            level=self.decision.reached,
            field_name=field_name,
            signing_time=signing_time,
            input_sha256="",
            output_sha256="",
            input_size=0,
            output_size=0,
        ), widget, scope, revisions

    def _pdf_signer(self, reader, *, field_name: str, lines: tuple[str, ...], spec: AppearanceSpec):
        from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
        from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

        level = self.decision.reached
        meta = PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm=self.signer.hash_name,
            subfilter=SigSeedSubFilter.PADES,
            embed_validation_info=level.needs_revocation_data,
            use_pades_lta=level is PadesLevel.B_LTA,
            validation_context=self._validation_context,
            reason=self.options.reason,
            location=self.options.location,
        )
        stamps = self._stamps.setdefault(spec, _StampCache(spec))
        placement = stamps.placement(reader, lines=lines)
        spec = SigFieldSpec(
            sig_field_name=field_name,
            on_page=placement.page_index if placement else 0,
            box=placement.box.as_tuple() if placement else None,
        )
        signer = PdfSigner(
            meta,
            self.signer,
            timestamper=self._timestamper if level.needs_timestamp else None,
            stamp_style=stamps.style(),
            new_field_spec=spec,
        )
        return signer, WidgetArea(placement.page_index, placement.box) if placement else None

    def _reserve(self) -> int:
        timestamp = self._timestamp_size if self.decision.reached.needs_timestamp else 0
        bound = self.signer.template.size_bound(
            signature_size=self.signer.signature_size, timestamp_size=timestamp
        )
        return 2 * bound + 64  # hex-encoded in the PDF

    # --- the timestamp authority ---------------------------------------------------------

    async def _open_timestamper(self) -> bool:
        if not self.options.tsa_url:
            return False
        size = await probe_tsa(self._trust.network, self.options.tsa_url, hash_name=self.signer.hash_name,
                               timeout=self.options.network_timeout)
        if size is None:  # unreachable, refused, not a TSA: the level cannot be reached
            return False
        self._timestamper = self._trust.network.timestamper(self.options.tsa_url, timeout=self.options.network_timeout)
        self._timestamp_size = size + size // 2 + 1024  # answers vary a little in size
        return True

    def _tsa_shortfall(self) -> SigningErrorCode:
        return SigningErrorCode.TSA_UNREACHABLE if self.options.tsa_url else SigningErrorCode.TSA_MISSING


async def _run_pyhanko(pdf_signer, writer, *, signing_time, lines, prefix, reserve, source: Path) -> None:
    """pyhanko's signing steps, with our signing time, our reservation and our digest."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    with _reading(source):
        session = pdf_signer.init_signing_session(writer)
    session.system_time = signing_time
    try:
        validation_info = await session.perform_presign_validation(writer)
    except Exception as exc:
        raise SigningError(SigningErrorCode.REVINFO_UNAVAILABLE, level="B-LT", url="-") from exc
    with _reading(source):
        tbs = session.prepare_tbs_document(
            validation_info=validation_info,
            bytes_reserved=reserve,
            appearance_text_params={"kyso_text": "\n".join(lines)},
        )
        install_prefix_digest(session.sig_field["/V"].get_object(), prefix)
        prepared, output = tbs.digest_tbs_document(in_place=True, chunk_size=CHUNK_SIZE)
    try:
        post = await tbs.perform_signature(
            prepared.document_digest, PdfCMSSignedAttributes(signing_time=signing_time)
        )
    except SigningError:
        raise
    except Exception as exc:
        raise _classify_signing_failure(exc) from exc
    try:
        await post.post_signature_processing(output, chunk_size=CHUNK_SIZE)
    except Exception as exc:
        raise SigningError(SigningErrorCode.REVINFO_UNAVAILABLE, level="B-LT", url="-") from exc


@contextmanager
def _reading(source: Path) -> Iterator[None]:
    """Steps that read the document's structure (pages, fields, form) and write the update:
    what the parser cannot handle in a real file is a typed refusal, its cause in the log."""
    try:
        yield
    except SigningError:
        raise
    except parser_errors() as exc:
        log.warning("the structure of %s cannot be handled", source, exc_info=exc)
        raise SigningError(SigningErrorCode.STRUCTURE_UNSUPPORTED, file=source) from exc


def _classify_signing_failure(exc: Exception) -> Exception:
    from pyhanko.sign.general import SigningError as PyhankoSigningError
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    if isinstance(exc, TimestampRequestError) or type(exc).__module__.startswith("aiohttp"):
        return SigningError(SigningErrorCode.TSA_UNREACHABLE, level="B-T", url="-")
    if isinstance(exc, PyhankoSigningError) and "larger than" in str(exc):
        return SigningError(SigningErrorCode.SIGNATURE_TOO_LARGE)
    return exc


def _new_field_name(reader, kind: AppearanceKind) -> str:
    from .fields import signature_fields

    existing = {name for name, _, _ in signature_fields(reader)}
    number = 1
    while f"kyso-{kind.value}-{number}" in existing:
        number += 1
    return f"kyso-{kind.value}-{number}"


class _StampCache:
    """Appearance pieces built once per batch: the prepared image, the text style."""

    def __init__(self, spec: AppearanceSpec) -> None:
        self.spec = spec
        self._image = None
        self._style = None
        self._font = None

    def font(self):
        if self._font is None:
            from .fonts import prepared_stamp_font

            self._font = prepared_stamp_font()
        return self._font

    def image(self):
        if self._image is None and self.spec.kind.has_image:
            from .stamps import PreparedImage

            self._image = PreparedImage(self.spec.image)
        return self._image

    def style(self):
        if self._style is None:
            from .stamps import ImageStampStyle, text_stamp_style

            if self.spec.kind.has_text:
                self._style = text_stamp_style(self.font())
            else:
                self._style = ImageStampStyle(image=self.image())
        return self._style

    def placement(self, reader, *, lines: tuple[str, ...]):
        kind = self.spec.kind
        return resolve_placement(
            self.spec,
            reader,
            lines=lines,
            font_path=self.font() if kind.has_text else None,
            seal_size=self.image().real_size if kind is AppearanceKind.ORGANISATION else None,
        )
