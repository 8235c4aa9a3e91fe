"""`kyso tokens`: modules, tokens and certificates; `--watch` for insert/remove events;
`--diagnose` for a report an administrator can send to the helpdesk (docs/cli.md)."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

from .report import EXIT_OK, Reporter

__all__ = ["add_parser", "handle"]


def add_parser(commands, t: Callable[[str], str], parents: list) -> None:
    p = commands.add_parser("tokens", help=t("CLI_HELP_TOKENS"), description=t("CLI_HELP_TOKENS"), parents=parents)
    p.add_argument("--module", metavar="PATH", help=t("CLI_HELP_MODULE"))
    p.add_argument("--watch", action="store_true", help=t("CLI_HELP_WATCH"))
    p.add_argument("--watch-seconds", type=float, metavar="S", help=t("CLI_HELP_WATCH_SECONDS"))
    p.add_argument("--diagnose", action="store_true", help=t("CLI_HELP_DIAGNOSE"))
    p.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace, reporter: Reporter) -> int:
    candidates = _candidates(args)
    if args.watch or args.watch_seconds is not None:
        from .audit_cmd import cli_audit

        with cli_audit("tokens --watch", reporter) as run:
            run.exit_code = _watch(candidates, reporter, seconds=args.watch_seconds, journal=run.journal)
            return run.exit_code
    modules = [_module_report(candidate, reporter, mechanisms=args.diagnose) for candidate in candidates]
    if args.diagnose:
        document = {"ok": True, "system": _system(), "modules": modules}
        _print_diagnosis(document, reporter)
    else:
        shown = [m for m in modules if m["source"] != "known"] if args.module else modules
        document = {"ok": True, "modules": shown}
        _print_listing(shown, reporter)
    reporter.emit_json(document)
    return EXIT_OK


def _candidates(args: argparse.Namespace):
    from app.paths import data_home
    from tokens.discovery import discover, load_candidates
    from tokens.registry import ModuleRegistry

    registry = ModuleRegistry.load(extra_files=[data_home() / "modules.toml"])
    configured = [args.module] if args.module else []
    return load_candidates(discover(configured=configured, registry=registry, include_missing=args.diagnose))


def _module_report(candidate, reporter: Reporter, *, mechanisms: bool) -> dict[str, Any]:
    from tokens import TokenError
    from tokens.listing import list_tokens

    report: dict[str, Any] = {
        "path": candidate.path,
        "source": candidate.source,
        "entry": candidate.entry.id if candidate.entry else None,
        "issuer": candidate.entry.issuer if candidate.entry else None,
        "quirks": sorted(candidate.entry.quirks) if candidate.entry else [],
        "status": candidate.status,
        "binary": {"format": candidate.kind.format, "machine": candidate.kind.machine, "bits": candidate.kind.bits}
        if candidate.kind else None,
        "error": reporter.describe_error(candidate.error) if candidate.error else None,
        "loaded": candidate.status == "loaded",
        "tokens": [],
    }
    if candidate.module is not None:
        try:
            listings = list_tokens(candidate.module, options=candidate.options)
            report["tokens"] = [_token_json(listing, mechanisms=mechanisms) for listing in listings]
        except TokenError as error:
            report["status"], report["error"] = "failed", reporter.describe_error(error)
    return report


def _token_json(listing, *, mechanisms: bool) -> dict[str, Any]:
    from tokens.mechanisms import mechanism_name

    info = listing.info
    entry = {
        "label": info.label,
        "serial": info.serial,
        "manufacturer": info.manufacturer,
        "model": info.model,
        "slot": info.slot_id,
        "flags": info.flags,
        "pin_status": info.pin_status.value,
        "pin_pad": info.pin_pad,
        "pin_length": {"min": info.min_pin, "max": info.max_pin},
        "error": listing.error,
        "needs_login": listing.needs_login,
        "mechanisms": [f"0x{m:08x}" for m in listing.mechanisms],
        "certificates": [_cert_json(cert) for cert in listing.certificates],
    }
    if mechanisms:
        entry["mechanism_names"] = [mechanism_name(m) for m in listing.mechanisms]
    return entry


def _cert_json(cert) -> dict[str, Any]:
    return {
        "key_id": cert.key_id.hex(),
        "label": cert.label,
        "subject": cert.subject,
        "issuer": cert.issuer,
        "issuer_ca": cert.issuer_ca,
        "serial": cert.serial,
        "not_before": cert.not_before,
        "not_after": cert.not_after,
        "key_type": cert.key_type,
        "key_bits": cert.key_bits,
        "key_usage": list(cert.key_usage),
        "is_ca": cert.is_ca,
    }


def _print_listing(modules: list[dict], reporter: Reporter) -> None:
    t = reporter.t
    if not modules:
        reporter.line(t("TOKEN_MODULE_NOT_CONFIGURED"))
    for module in modules:
        if module["error"]:
            reporter.line(t("CLI_TOKENS_MODULE_FAILED", module=module["path"], message=module["error"]["message"]))
            continue
        reporter.line(t("CLI_TOKENS_MODULE", module=module["path"], count=len(module["tokens"])))
        for token in module["tokens"]:
            reporter.line("  " + t("CLI_TOKENS_TOKEN", label=token["label"], serial=token["serial"],
                                   manufacturer=token["manufacturer"], model=token["model"],
                                   pin=t("PIN_STATE_" + token["pin_status"].upper())))
            if token["needs_login"]:
                reporter.line("    " + t("CLI_TOKENS_NEEDS_LOGIN"))
            for cert in token["certificates"]:
                reporter.line("    " + t("CLI_TOKENS_CERT", key_id=cert["key_id"], subject=cert["subject"],
                                         issuer=cert["issuer_ca"], not_after=cert["not_after"][:10],
                                         key=f"{cert['key_type'].upper()}-{cert['key_bits']}"))


def _system() -> dict[str, Any]:
    from app import __version__
    from tokens.binary import process_bits

    return {"kyso": __version__, "os": platform.platform(), "python": platform.python_version(),
            "process_bits": process_bits()}


def _print_diagnosis(document: dict, reporter: Reporter) -> None:
    t = reporter.t
    system = document["system"]
    reporter.line(t("CLI_DIAG_SYSTEM", kyso=system["kyso"], os=system["os"], bits=system["process_bits"]))
    missing: dict[str, int] = {}
    found = {m["entry"] for m in document["modules"] if m["status"] != "missing"}
    for module in document["modules"]:
        if module["status"] == "missing" and module["source"] == "known":
            if module["entry"] not in found:
                missing[module["entry"]] = missing.get(module["entry"], 0) + 1
            continue
        bits = module["binary"]["bits"] if module["binary"] else "?"
        reporter.line(t("CLI_DIAG_MODULE", module=module["path"], source=module["source"],
                        issuer=module["issuer"] or "-",
                        status=t("MODULE_STATUS_" + module["status"].upper()), bits=bits,
                        quirks=", ".join(module["quirks"]) or "-"))
        if module["error"]:
            reporter.line("    " + module["error"]["message"])
        for token in module["tokens"]:
            reporter.line("    " + t("CLI_DIAG_TOKEN", label=token["label"], serial=token["serial"],
                                     manufacturer=token["manufacturer"], pin=t("PIN_STATE_" + token["pin_status"].upper()),
                                     min=token["pin_length"]["min"], max=token["pin_length"]["max"]))
            reporter.line("      " + t("CLI_DIAG_MECHANISMS", names=", ".join(token.get("mechanism_names", []))))
    for entry, places in missing.items():
        reporter.line(t("CLI_DIAG_NOT_FOUND", entry=entry, places=places))


def _watch(candidates, reporter: Reporter, *, seconds: float | None, journal=None) -> int:
    from tokens.watch import TokenWatcher

    modules = [c.module for c in candidates if c.module is not None]

    def show(event) -> None:
        if journal is not None:  # on disk before it is shown
            journal.token_event(inserted=event.kind == "inserted", label=event.token.label,
                                serial=event.token.serial, module=event.module)
        if reporter.json_mode:
            line = {"event": event.kind, "module": event.module, "label": event.token.label,
                    "serial": event.token.serial, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            print(json.dumps(line, ensure_ascii=False), flush=True)
        else:
            code = "CLI_WATCH_INSERTED" if event.kind == "inserted" else "CLI_WATCH_REMOVED"
            print(reporter.t(code, label=event.token.label, serial=event.token.serial), flush=True)

    watcher = TokenWatcher(modules, on_event=show)
    watcher.start()
    try:
        if seconds is None:
            while True:
                time.sleep(3600)
        else:
            time.sleep(seconds)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
    sys.stdout.flush()
    return EXIT_OK
