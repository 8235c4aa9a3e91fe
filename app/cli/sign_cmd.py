"""`kyso sign FILE...`: sign PDFs with a token (contract documented in docs/cli.md)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .report import EXIT_OK, EXIT_SOME_FAILED, Reporter

__all__ = ["add_parser", "handle"]

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
KINDS = ("invisible", "personal", "organisation", "attachment", "copy")


def add_parser(commands, t: Callable[[str], str], parents: list) -> None:
    p = commands.add_parser("sign", help=t("CLI_HELP_SIGN"), description=t("CLI_HELP_SIGN"), parents=parents)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=t("CLI_HELP_FILES"))
    p.add_argument("--out", type=Path, metavar="DIR", help=t("CLI_HELP_OUT"))
    p.add_argument("--force", action="store_true", help=t("CLI_HELP_FORCE"))
    p.add_argument("--module", metavar="PATH", help=t("CLI_HELP_MODULE"))
    p.add_argument("--token", metavar="LABEL", help=t("CLI_HELP_TOKEN"))
    p.add_argument("--key-id", metavar="HEX", help=t("CLI_HELP_KEY_ID"))
    p.add_argument("--pin-stdin", action="store_true", help=t("CLI_HELP_PIN_STDIN"))
    p.add_argument("--password-stdin", action="store_true", help=t("CLI_HELP_PASSWORD_STDIN"))
    p.add_argument("--level", choices=LEVELS, help=t("CLI_HELP_LEVEL"))
    p.add_argument("--allow-lower-level", action="store_true", help=t("CLI_HELP_ALLOW_LOWER"))
    p.add_argument("--tsa", metavar="URL", help=t("CLI_HELP_TSA"))
    p.add_argument("--kind", choices=KINDS, help=t("CLI_HELP_KIND"))
    p.add_argument("--image", type=Path, metavar="PNG", help=t("CLI_HELP_IMAGE"))
    p.add_argument("--page", type=int, default=1, metavar="N", help=t("CLI_HELP_PAGE"))
    p.add_argument("--box", metavar="X1,Y1,X2,Y2", help=t("CLI_HELP_BOX"))
    p.add_argument("--doc-number", metavar="TEXT", help=t("CLI_HELP_DOC_NUMBER"))
    p.add_argument("--copy-form", metavar="TEXT", help=t("CLI_HELP_COPY_FORM"))
    p.add_argument("--organisation", metavar="TEXT", help=t("CLI_HELP_ORGANISATION"))
    p.add_argument("--trust", type=Path, action="append", default=[], metavar="DIR", help=t("CLI_HELP_TRUST"))
    p.add_argument("--accept-warnings", action="store_true", help=t("CLI_HELP_ACCEPT_WARNINGS"))
    p.add_argument("--pss", action="store_true", help=t("CLI_HELP_PSS"))
    p.add_argument("--host-hash", action="store_true", help=t("CLI_HELP_HOST_HASH"))
    p.add_argument("--type", metavar="NAME", help=t("CLI_HELP_TYPE"))
    p.add_argument("--role", metavar="NAME", help=t("CLI_HELP_ROLE"))
    p.add_argument("--catalogue", type=Path, metavar="FILE", help=t("CLI_HELP_CATALOGUE"))
    p.add_argument("--override", action="append", default=[], metavar="CODE", help=t("CLI_HELP_OVERRIDE"))
    p.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    from .practice_run import add_practice_options

    add_practice_options(p, t)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace, reporter: Reporter) -> int:
    if args.practice is not None:  # the practice backend (app/cli/practice_run.py)
        from .practice_run import practice_sign

        return practice_sign(args, reporter)
    from app.signing_job import SignJob

    from .audit_cmd import cli_audit
    from .prompts import CliAcceptor, StdinPrompter, TerminalPrompter, cli_passwords

    request = _request(args)
    prompter = StdinPrompter(reporter) if args.pin_stdin else TerminalPrompter(reporter)
    acceptor = CliAcceptor(reporter, accept_all=args.accept_warnings,
                           may_ask=not (args.pin_stdin or args.password_stdin))
    catalogue = request.preflight.catalogue if request.preflight else None
    with cli_audit("sign", reporter, catalogue=catalogue, trust_dirs=request.trust_dirs) as run:
        job = SignJob(
            request,
            prompter=prompter,
            acceptor=acceptor,
            progress=lambda done, total, path: _progress(reporter, done, total, path),
            journal=run.journal,
            passwords=cli_passwords(reporter, from_stdin=args.password_stdin),
        )
        report = job.run()
        _print_report(report, reporter)
        run.exit_code = EXIT_OK if report.all_ok else EXIT_SOME_FAILED
        return run.exit_code


def _request(args: argparse.Namespace):
    """The request, built from the settings by the same functions as the desktop's
    (app/sign_settings.py), with the flags given on the command line."""
    from app.catalogue import load_catalogue
    from app.errors import prepare_out_dir
    from app.settings import load_settings
    from app.sign_settings import (
        organisation_name,
        preflight_options,
        settings_image,
        sign_options,
        sign_request,
    )
    from signing.appearance import AppearanceKind, AppearanceSpec, Box
    from tokens import ModuleOptions

    settings = load_settings().settings
    prepare_out_dir(args.out)
    appearance = None
    if args.kind is not None:
        appearance = AppearanceSpec(
            kind=AppearanceKind(args.kind),
            page=args.page,
            box=Box.parse(args.box) if args.box else None,
            image=args.image or settings_image(settings, args.kind),
            doc_number=args.doc_number,
            copy_form=args.copy_form,
            organisation=organisation_name(settings, args.organisation),
        )
        appearance.validate()
    options = sign_options(settings, level=args.level, tsa_url=args.tsa, allow_lower_level=args.allow_lower_level,
                           appearance=appearance, use_pss=args.pss, overwrite=args.force)
    preflight = preflight_options(
        settings, catalogue=load_catalogue(args.catalogue).catalogue, declared_type=args.type, role=args.role,
        overrides=frozenset(code.strip().upper() for code in args.override), image=args.image,
        organisation=args.organisation, doc_number=args.doc_number)
    return sign_request(
        settings, files=args.files, options=options, preflight=preflight, module_path=args.module,
        token_label=args.token, key_id=_key_id(args.key_id), out_dir=args.out, extra_trust=args.trust,
        module_options=ModuleOptions(host_hash=args.host_hash),
        explicit_appearance=args.kind is not None, explicit_level=args.level is not None,
    )


def _key_id(text: str | None) -> bytes | None:
    from app.errors import AppError, AppErrorCode

    if text is None:
        return None
    try:
        return bytes.fromhex(text.replace(":", "").replace(" ", ""))
    except ValueError:
        raise AppError(AppErrorCode.KEY_ID_INVALID, key_id=text) from None


def _progress(reporter: Reporter, done: int, total: int, path: Path) -> None:
    if done < total and total > 1:
        reporter.note(reporter.t("CLI_SIGN_PROGRESS", done=done + 1, total=total, file=path.name))


def _print_report(report, reporter: Reporter) -> None:
    cert = report.certificate
    decision = report.decision
    if cert is not None:
        reporter.line(reporter.t("CLI_SIGN_CERTIFICATE", subject=cert.subject, issuer=cert.issuer,
                                 not_after=cert.not_after.date().isoformat()))
    if decision is not None and decision.reached is not decision.requested:
        reason = ", ".join(code.value for code in decision.shortfalls)
        reporter.note(reporter.t("CLI_SIGN_LEVEL_LOWER", requested=decision.requested.value,
                                 reached=decision.reached.value, reason=reason))
    signed = 0
    for outcome in report.outcomes:
        if outcome.ok:
            signed += 1
            reporter.line(reporter.t("CLI_SIGN_FILE_OK", file=outcome.source, output=outcome.output,
                                     level=outcome.signed.level.value))
        else:
            text = reporter.t(outcome.error_code or "APP_INTERNAL", **outcome.error_params)
            reporter.line(reporter.t("CLI_SIGN_FILE_FAILED", file=outcome.source,
                                     code=outcome.error_code, message=text))
    reporter.line(reporter.t("CLI_SIGN_SUMMARY", signed=signed, total=len(report.outcomes)))
    reporter.emit_json(_json(report, reporter, signed))


def _json(report, reporter: Reporter, signed: int) -> dict[str, Any]:
    cert = report.certificate
    return {
        "ok": report.all_ok,
        "token": {"label": report.token.label, "serial": report.token.serial} if report.token else None,
        "key_id": report.key_id.hex() if report.key_id else None,
        "certificate": None if cert is None else {
            "subject": cert.subject,
            "issuer": cert.issuer,
            "serial": cert.serial,
            "not_before": cert.not_before.isoformat(),
            "not_after": cert.not_after.isoformat(),
            "fingerprint_sha256": cert.fingerprint_sha256,
            "revocation": cert.revocation.value,
            "warnings": [f.code.value for f in cert.warnings],
        },
        "level": None if report.decision is None else {
            "requested": report.decision.requested.value,
            "reached": report.decision.reached.value,
            "shortfalls": [code.value for code in report.decision.shortfalls],
        },
        "files": [_json_outcome(outcome, reporter) for outcome in report.outcomes],
        "summary": {"total": len(report.outcomes), "signed": signed,
                    "failed": len(report.outcomes) - signed},
    }


def _json_outcome(outcome, reporter: Reporter) -> dict[str, Any]:
    from .check_cmd import preflight_json

    preflight = preflight_json(outcome.plan.preflight, reporter) if outcome.plan and outcome.plan.preflight else None
    if not outcome.ok:
        code = outcome.error_code or "APP_INTERNAL"
        return {
            "input": str(outcome.source),
            "ok": False,
            "error": {"code": code, "message": reporter.t(code, **outcome.error_params),
                      "params": outcome.error_params},
            "preflight": preflight,
        }
    doc = outcome.signed
    return {
        "input": str(outcome.source),
        "ok": True,
        "preflight": preflight,
        "output": str(doc.output),
        "level": doc.level.value,
        "field": doc.field_name,
        "signing_time": doc.signing_time.isoformat(),
        "input_sha256": doc.input_sha256,
        "output_sha256": doc.output_sha256,
        "kind": (outcome.plan.appearance.kind.value if outcome.plan and outcome.plan.appearance else None),
    }

