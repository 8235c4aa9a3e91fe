"""`kyso tokens`: modules, slots, tokens and their certificates with CKA_ID (docs/cli.md)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from .report import EXIT_OK, Reporter

__all__ = ["add_parser", "handle"]


def add_parser(commands, t: Callable[[str], str], parents: list) -> None:
    p = commands.add_parser("tokens", help=t("CLI_HELP_TOKENS"), description=t("CLI_HELP_TOKENS"), parents=parents)
    p.add_argument("--module", metavar="PATH", help=t("CLI_HELP_MODULE"))
    p.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace, reporter: Reporter) -> int:
    from tokens import TokenError, TokenErrorCode, load_module
    from tokens.discovery import module_candidates
    from tokens.listing import list_tokens

    paths = module_candidates(args.module)
    if not paths:
        raise TokenError(TokenErrorCode.MODULE_NOT_CONFIGURED)
    modules = []
    for path in paths:
        try:
            listings = list_tokens(load_module(path))
        except TokenError as error:
            modules.append({"path": path, "loaded": False, "error": reporter.describe_error(error), "tokens": []})
            reporter.line(reporter.t("CLI_TOKENS_MODULE_FAILED", module=path,
                                     message=modules[-1]["error"]["message"]))
            continue
        modules.append({"path": path, "loaded": True, "tokens": [_token_json(x) for x in listings]})
        _print_module(path, listings, reporter)
    reporter.emit_json({"ok": True, "modules": modules})
    return EXIT_OK


def _print_module(path: str, listings, reporter: Reporter) -> None:
    t = reporter.t
    reporter.line(t("CLI_TOKENS_MODULE", module=path, count=len(listings)))
    for listing in listings:
        info = listing.info
        reporter.line("  " + t("CLI_TOKENS_TOKEN", label=info.label, serial=info.serial,
                               manufacturer=info.manufacturer, model=info.model,
                               pin=t("PIN_STATE_" + info.pin_status.name)))
        for cert in listing.certificates:
            reporter.line("    " + t("CLI_TOKENS_CERT", key_id=cert.key_id.hex(), subject=cert.subject,
                                     issuer=cert.issuer, not_after=cert.not_after[:10],
                                     key=f"{cert.key_type.upper()}-{cert.key_bits}"))


def _token_json(listing) -> dict[str, Any]:
    info = listing.info
    return {
        "label": info.label,
        "serial": info.serial,
        "manufacturer": info.manufacturer,
        "model": info.model,
        "slot": info.slot_id,
        "flags": info.flags,
        "pin_status": info.pin_status.value,
        "pin_pad": info.pin_pad,
        "error": listing.error,
        "mechanisms": [f"0x{m:08x}" for m in listing.mechanisms],
        "certificates": [
            {
                "key_id": cert.key_id.hex(),
                "label": cert.label,
                "subject": cert.subject,
                "issuer": cert.issuer,
                "serial": cert.serial,
                "not_before": cert.not_before,
                "not_after": cert.not_after,
                "key_type": cert.key_type,
                "key_bits": cert.key_bits,
                "key_usage": list(cert.key_usage),
                "is_ca": cert.is_ca,
            }
            for cert in listing.certificates
        ],
    }
