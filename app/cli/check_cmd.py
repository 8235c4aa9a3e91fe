"""`kyso check FILE...`: what preflight says about each document (docs/cli.md)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .report import EXIT_ERROR, EXIT_OK, EXIT_SOME_FAILED, Reporter

__all__ = ["add_parser", "handle", "preflight_json"]

KINDS = ("invisible", "personal", "organisation", "attachment", "copy")  # as `kyso sign --kind`


def add_parser(commands, t: Callable[[str], str], parents: list) -> None:
    p = commands.add_parser("check", help=t("CLI_HELP_CHECK"), description=t("CLI_HELP_CHECK"), parents=parents)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=t("CLI_HELP_FILES"))
    p.add_argument("--catalogue", type=Path, metavar="FILE", help=t("CLI_HELP_CATALOGUE"))
    p.add_argument("--type", metavar="NAME", help=t("CLI_HELP_TYPE"))
    p.add_argument("--role", metavar="NAME", help=t("CLI_HELP_ROLE"))
    p.add_argument("--kind", choices=KINDS, help=t("CLI_HELP_KIND"))
    p.add_argument("--holder", metavar="NAME", help=t("CLI_HELP_HOLDER"))
    p.add_argument("--password-stdin", action="store_true", help=t("CLI_HELP_PASSWORD_STDIN"))
    p.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.catalogue import load_catalogue

    from .audit_cmd import cli_audit

    loaded = load_catalogue(args.catalogue)
    _announce_catalogue(loaded, reporter)
    with cli_audit("check", reporter, catalogue=loaded) as run:
        run.exit_code = _check_all(args, reporter, loaded, run.journal)
        return run.exit_code


def _check_all(args: argparse.Namespace, reporter: Reporter, loaded, journal) -> int:
    from app.audit.signing_audit import record_document_opened
    from app.settings import load_settings

    from .prompts import cli_passwords

    catalogue = loaded.catalogue
    settings = load_settings().settings
    role = args.role or settings.role or None
    holder = args.holder or settings.full_name or None  # who signs: compared with the signer block's name
    passwords = cli_passwords(reporter, from_stdin=args.password_stdin)
    documents, worst = [], EXIT_OK
    for path in args.files:
        try:
            result = _checked(path, args, catalogue, role, passwords).with_certificate(
                catalogue, role=role, title=None, holder=holder)
        except Exception as exc:  # per file: reported, the others go on
            error = reporter.describe_error(exc)
            documents.append({"file": str(path), "ok": False, "error": error})
            reporter.line(reporter.t("CLI_VERIFY_FILE_ERROR", file=path, code=error["code"], message=error["message"]))
            worst = EXIT_ERROR
            continue
        documents.append({"file": str(path), **preflight_json(result, reporter)})
        record_document_opened(journal, path)
        journal.preflight_done(path=path, doc_type=result.doc_type.name if result.doc_type else None,
                               findings=[f.code.value for f in result.findings],
                               blocking=[f.code.value for f in result.blocking()],
                               catalogue_version=result.catalogue.version)
        _print(result, reporter, catalogue)
        if not result.signable and worst == EXIT_OK:
            worst = EXIT_SOME_FAILED
    reporter.emit_json({"ok": worst == EXIT_OK, "catalogue": _catalogue_json(loaded, reporter), "files": documents})
    return worst


def _checked(path, args: argparse.Namespace, catalogue, role, passwords):
    """Preflight of one file; an encrypted one is checked again with the open password asked for."""
    from app.preflight import run_preflight
    from app.sign_plan import opened_with_password

    def check(password: str | None = None):
        return run_preflight(path, catalogue=catalogue, declared_type=args.type, role=role,
                             requested_kind=args.kind, password=password)

    result = check()
    if result.facts.closed_by == "PDF_PASSWORD_REQUIRED":
        result, _ = opened_with_password(path, check, passwords, result)
    return result


def _announce_catalogue(loaded, reporter: Reporter) -> None:
    info = loaded.catalogue.info
    reporter.line(reporter.t("CLI_CATALOGUE_IN_FORCE", name=info.name, version=info.version, source=info.source))
    for rejected in loaded.rejected:
        reporter.note(reporter.t("CATALOGUE_INVALID", **rejected.params))


def _catalogue_json(loaded, reporter: Reporter) -> dict[str, Any]:
    info = loaded.catalogue.info
    return {"id": info.id, "name": info.name, "version": info.version, "source": info.source, "path": info.path,
            "rejected": [reporter.describe_error(r) for r in loaded.rejected]}


def preflight_json(result, reporter: Reporter) -> dict[str, Any]:
    plan = result.plan
    return {
        "ok": result.signable,
        "type": result.doc_type.name if result.doc_type else None,
        "declared": result.declared,
        "confidence": result.recognition.confidence,
        "candidates": list(result.recognition.candidates),
        "evidence": list(result.recognition.evidence),
        "number": result.number.text if result.number else None,
        "existing_signatures": [
            {"field": s.field, "kind": s.kind, "signer": s.signer} for s in result.facts.signatures
        ],
        "findings": [
            {"code": f.code.value, "severity": f.severity.value, "overridable": f.overridable,
             "message": reporter.t(f.code.value, **f.params), "params": f.params}
            for f in result.findings
        ],
        "plan": None if plan is None else {
            "step": plan.step_index + 1,
            "kind": plan.kind.value,
            "roles": list(plan.roles),
            "level": plan.level,
            "placement": plan.placement.value,
            "page": plan.page,
            "box": str(plan.box) if plan.box else None,
        },
    }


def _print(result, reporter: Reporter, catalogue) -> None:
    t = reporter.t
    type_name = result.doc_type.name if result.doc_type else t("CLI_CHECK_NO_TYPE")
    reporter.line(t("CLI_CHECK_FILE", file=result.path, type=type_name,
                    confidence=t("CONFIDENCE_" + result.recognition.confidence.upper()),
                    verdict=t("CLI_CHECK_SIGNABLE" if result.signable else "CLI_CHECK_BLOCKED")))
    for finding in result.findings:
        mark = {"block": "✗", "warn": "!", "info": "·"}[finding.severity.value]
        reporter.line(f"  {mark} [{finding.code.value}] " + t(finding.code.value, **finding.params))
    plan = result.plan
    if plan is not None:
        reporter.line("  " + t("CLI_CHECK_PLAN", step=plan.step_index + 1, kind=t("KIND_" + plan.kind.value.upper()),
                               roles=", ".join(catalogue.roles[r].name if r in catalogue.roles else r for r in plan.roles),
                               level=plan.level,
                               where=str(plan.box) if plan.box else t("PLACEMENT_" + plan.placement.name)))
