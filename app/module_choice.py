"""Which PKCS#11 module and token a signing job uses, and what can be read before the PIN."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tokens import ModuleOptions, Pkcs11Module, TokenError, TokenErrorCode
from tokens.discovery import discover, load_candidates
from tokens.listing import list_tokens
from tokens.registry import ModuleRegistry
from tokens.slots import token_infos

from .paths import data_home

__all__ = ["EarlyCertificate", "pick_module", "certificate_before_login"]


@dataclass(frozen=True)
class EarlyCertificate:
    der: bytes
    chain: list[bytes]
    issuer_ca: str


def pick_module(
    module_path: str | None, token_label: str | None, forced: ModuleOptions
) -> tuple[Pkcs11Module, ModuleOptions]:
    """The module named, else the first known one with a matching token present; its quirks
    come from the module registry, plus what the caller forces."""
    configured = [module_path] if module_path else []
    registry = ModuleRegistry.load(extra_files=[data_home() / "modules.toml"])
    candidates = load_candidates(discover(configured=configured, registry=registry))
    if configured:
        chosen = candidates[0]
        if chosen.module is None:
            raise chosen.error or TokenError(TokenErrorCode.MODULE_NOT_FOUND, module=module_path)
        return chosen.module, _merged(chosen.options, forced)
    for candidate in candidates:
        if candidate.module is not None and _has_token(candidate.module, token_label):
            return candidate.module, _merged(candidate.options, forced)
    if not candidates:
        raise TokenError(TokenErrorCode.MODULE_NOT_CONFIGURED)
    raise TokenError(TokenErrorCode.NO_TOKEN, module=", ".join(c.path for c in candidates))


def certificate_before_login(
    module: Pkcs11Module, token_label: str | None, key_id: bytes | None, options: ModuleOptions
) -> EarlyCertificate | None:
    """The signer's certificate read from public objects, when it can be identified."""
    try:
        listings = [x for x in list_tokens(module, options=options) if token_label is None or x.info.label == token_label]
    except TokenError:
        return None
    if len(listings) != 1 or listings[0].needs_login:
        return None
    certificates = listings[0].certificates
    others = [entry.der for entry in certificates if entry.is_ca]
    chosen = [e for e in certificates if (e.key_id == key_id if key_id is not None else not e.is_ca)]
    if len(chosen) != 1:
        return None
    return EarlyCertificate(chosen[0].der, others, chosen[0].issuer_ca)


def _has_token(module: Pkcs11Module, label: str | None) -> bool:
    try:
        return any(label is None or info.label == label for info in token_infos(module))
    except TokenError:
        return False


def _merged(registry: ModuleOptions, forced: ModuleOptions) -> ModuleOptions:
    return replace(registry, host_hash=registry.host_hash or forced.host_hash)


