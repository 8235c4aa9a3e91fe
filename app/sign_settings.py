"""One path from the user's settings to a signing request, for the desktop and the CLI alike.

Both front ends turn settings into the signing options, the preflight options and the trust
anchors through these functions, so they cannot drift (tests/app/test_sign_settings.py signs the
same document both ways and compares the requests). What a front end adds — the CLI's flags,
the desk's per-document choices — is passed in as keyword arguments; every default comes from
the settings here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .paths import machine_trust_dirs

if TYPE_CHECKING:
    from signing.appearance import AppearanceSpec
    from signing.engine import SignOptions
    from tokens import ModuleOptions

    from .catalogue import Catalogue
    from .settings import Settings
    from .sign_plan import CheckedFile, ChosenPlacement, PreflightOptions
    from .signing_job import SignRequest

__all__ = ["organisation_name", "preflight_options", "sign_options", "sign_request", "trust_dirs",
           "settings_image"]


def trust_dirs(extra: Sequence[Path] = ()) -> tuple[Path, ...]:
    """The anchors' folders besides kyso's shipped list: the administrator's machine-wide ones,
    then those named for this call (`--trust`)."""
    return tuple(dict.fromkeys((*machine_trust_dirs(), *extra)))


def organisation_name(settings: Settings, given: str | None = None) -> str | None:
    """The organisation printed on copies: as given, else the setting, else the user's unit."""
    return given or settings.organisation_name or settings.unit or None


def settings_image(settings: Settings, kind: str) -> Path | None:
    if kind == "personal" and settings.signature_image:
        return Path(settings.signature_image)
    if kind == "organisation" and settings.seal_image:
        return Path(settings.seal_image)
    return None


def sign_options(
    settings: Settings, *, level: str | None = None, tsa_url: str | None = None, allow_lower_level: bool = False,
    appearance: AppearanceSpec | None = None, use_pss: bool = False, overwrite: bool = False,
) -> SignOptions:
    """The engine's options: the level asked for (else the settings' default), the TSA given
    (else the setting; none → the preset for the signer's CA, chosen by the job)."""
    from signing.appearance import AppearanceSpec
    from signing.engine import SignOptions
    from signing.levels import PadesLevel

    return SignOptions(
        level=PadesLevel.parse(level or settings.default_level or "B-LT"),
        tsa_url=tsa_url or settings.tsa_url or None,
        allow_lower_level=allow_lower_level,
        appearance=appearance or AppearanceSpec(),
        use_pss=use_pss,
        overwrite=overwrite,
    )


def preflight_options(
    settings: Settings, *, catalogue: Catalogue, declared_type: str | None = None, role: str | None = None,
    overrides: frozenset[str] = frozenset(), image: Path | None = None, organisation: str | None = None,
    doc_number: str | None = None, placements: Mapping[Path, ChosenPlacement] | None = None,
    declared_types: Mapping[Path, str] | None = None, file_overrides: Mapping[Path, frozenset[str]] | None = None,
    checked: Mapping[Path, CheckedFile] | None = None,
) -> PreflightOptions:
    """The catalogue check as the settings say, with what the front end adds per call or file."""
    from .sign_plan import PreflightOptions

    return PreflightOptions(
        catalogue=catalogue,
        declared_type=declared_type,
        role=role or settings.role or None,
        overrides=overrides,
        signature_image=image or settings_image(settings, "personal"),
        seal_image=image or settings_image(settings, "organisation"),
        organisation_name=organisation_name(settings, organisation),
        doc_number=doc_number,
        placements=dict(placements or {}),
        declared_types=dict(declared_types or {}),
        file_overrides=dict(file_overrides or {}),
        checked=dict(checked or {}),
    )


def sign_request(
    settings: Settings, *, files: Sequence[Path], options: SignOptions, preflight: PreflightOptions | None,
    module_path: str | None = None, token_label: str | None = None, key_id: bytes | None = None,
    out_dir: Path | None = None, extra_trust: Sequence[Path] = (), module_options: ModuleOptions | None = None,
    explicit_appearance: bool = False, explicit_level: bool = False,
) -> SignRequest:
    """The job's request: outputs where the settings say (unless `out_dir`), the trust anchors
    of `trust_dirs`, the rest as given."""
    from tokens import ModuleOptions

    from .signing_job import SignRequest

    return SignRequest(
        files=tuple(files),
        module_path=module_path,
        options=options,
        out_dir=out_dir or (Path(settings.output_folder) if settings.output_folder else None),
        output_suffix=settings.output_suffix or ".signed",
        token_label=token_label,
        key_id=key_id,
        trust_dirs=trust_dirs(extra_trust),
        module_options=module_options or ModuleOptions(),
        preflight=preflight,
        explicit_appearance=explicit_appearance,
        explicit_level=explicit_level,
        may_lower_level=settings.lower_level != "never",
    )
