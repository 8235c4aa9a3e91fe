"""`kyso verify FILE...`: check every signature in signed PDFs (docs/cli.md)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .report import EXIT_ERROR, EXIT_OK, EXIT_SOME_FAILED, Reporter

__all__ = ["add_parser", "handle"]


def add_parser(commands, t: Callable[[str], str], parents: list) -> None:
    p = commands.add_parser("verify", help=t("CLI_HELP_VERIFY"), description=t("CLI_HELP_VERIFY"), parents=parents)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=t("CLI_HELP_FILES"))
    p.add_argument("--trust", type=Path, action="append", default=[], metavar="DIR", help=t("CLI_HELP_TRUST"))
    p.add_argument("--offline", action="store_true", help=t("CLI_HELP_OFFLINE"))
    p.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    p.add_argument("--report", type=Path, metavar="OUT.pdf", help=t("CLI_HELP_VERIFY_REPORT"))
    p.add_argument("--signed-versions", type=Path, metavar="DIR", help=t("CLI_HELP_VERIFY_SIGNED_VERSIONS"))
    p.add_argument("--summary", type=Path, metavar="OUT.csv|OUT.xlsx", help=t("CLI_HELP_VERIFY_SUMMARY"))
    from .practice_run import add_practice_options

    add_practice_options(p, t)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace, reporter: Reporter) -> int:
    if args.practice is not None:  # the practice backend (app/cli/practice_run.py)
        from .practice_run import practice_verify

        return practice_verify(args, reporter)
    from signing.verify_prehash import start_prehash

    # a large file's newest signed range is hashed on the second core while kyso loads the rest
    start_prehash(path for path in args.files if path.is_file())
    from app.sign_settings import trust_dirs

    from .audit_cmd import cli_audit

    with cli_audit("verify", reporter, trust_dirs=trust_dirs(args.trust)) as run:
        run.exit_code = _handle(args, reporter, run.journal)
        return run.exit_code


def _handle(args: argparse.Namespace, reporter: Reporter, journal, *, trust=None) -> int:
    from app.sign_settings import trust_dirs
    from signing.trust import TrustStore

    files = expand_folders(args.files)
    if getattr(args, "summary", None) is not None:  # refused before the verifying, not after it
        from app.verification_summary import check_summary_target

        check_summary_target(args.summary, inputs=files)
    trust = trust or TrustStore.load(extra_dirs=trust_dirs(args.trust))  # shipped + machine + --trust
    results = asyncio.run(_verify_all(files, trust, allow_fetching=not args.offline))
    _record(journal, results)
    documents = []
    worst = EXIT_OK
    for path, outcome in results:
        if isinstance(outcome, BaseException):
            documents.append({"file": str(path), "ok": False, "error": reporter.describe_error(outcome)})
            reporter.line(reporter.t("CLI_VERIFY_FILE_ERROR", file=path, code=documents[-1]["error"]["code"],
                                     message=documents[-1]["error"]["message"]))
            worst = EXIT_ERROR
            continue
        documents.append(_document_json(outcome))
        _print_document(outcome, reporter)
        if not outcome.all_valid and worst == EXIT_OK:
            worst = EXIT_SOME_FAILED
    verified = [outcome for _, outcome in results if not isinstance(outcome, BaseException)]
    extras = _write_extras(args, reporter, trust, verified, results)
    if extras is not None:
        worst = EXIT_ERROR
    reporter.emit_json({"ok": worst == EXIT_OK, "files": documents})
    return worst


def _write_extras(args, reporter: Reporter, trust, verified, results) -> BaseException | None:
    """--report, --signed-versions and --summary; a failure is reported (typed) and makes the exit
    code 2."""
    from app.verification import signed_version, signed_version_name, write_verification_report

    target = None
    try:
        if getattr(args, "summary", None) is not None:
            from app.verification_summary import summary_rows, write_summary

            target = args.summary
            write_summary(rows=summary_rows(results, lang=reporter.lang), path=args.summary, lang=reporter.lang,
                          inputs=[path for path, _ in results])
            reporter.line(reporter.t("CLI_VERIFY_SUMMARY_WRITTEN", file=args.summary))
        if getattr(args, "signed_versions", None) is not None:
            for document in verified:
                for index, signature in enumerate(document.signatures, start=1):
                    if signature.signed_length is None or signature.signed_length >= document.size:
                        continue  # broken, or the whole file: nothing else to show
                    target = args.signed_versions
                    written = signed_version(document.path, signature,
                                             args.signed_versions / signed_version_name(document.path, index))
                    reporter.line(reporter.t("CLI_VERIFY_SIGNED_VERSION", field=signature.field_name, file=written))
        if getattr(args, "report", None) is not None:
            target = args.report
            write_verification_report(args.report, verified, lang=reporter.lang,
                                      trust_sources=tuple(str(d) for d in getattr(trust, "sources", ()) or ()))
            reporter.line(reporter.t("CLI_VERIFY_REPORT_WRITTEN", file=args.report))
    except Exception as exc:  # typed codes through the reporter; never a traceback
        error = reporter.describe_error(exc)
        reporter.line(reporter.t("CLI_VERIFY_FILE_ERROR", file=target,
                                 code=error["code"], message=error["message"]))
        return exc
    return None


def expand_folders(paths) -> list[Path]:
    """A folder stands for the PDFs in it and its subfolders, in name order (kyso verify DIR)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file()
                              and not p.name.startswith(".~kyso-")))
        else:
            out.append(path)
    return out


_RECORDED_TOGETHER = 100  # files whose events go in one audit transaction


def _record(journal, results) -> None:
    """One "verification done" event per file (docs/audit.md), written before the report: the
    events of up to _RECORDED_TOGETHER files in one transaction (one fsync, not two per file —
    the largest cost of `kyso verify DIR` after the validations, docs/performance.md §11)."""
    from app.audit.signing_audit import record_document_opened, signature_records
    from app.errors import error_code

    for start in range(0, len(results), _RECORDED_TOGETHER):
        journal.hold()
        try:
            for path, outcome in results[start:start + _RECORDED_TOGETHER]:
                record_document_opened(journal, path)
                if isinstance(outcome, BaseException):
                    journal.verification_done(path=path, signatures=[], valid=False,
                                              error_code=error_code(outcome) or "APP_INTERNAL")
                    continue
                journal.verification_done(path=path, signatures=signature_records(outcome), valid=outcome.all_valid)
        finally:
            journal.release()


async def _verify_all(files, trust, *, allow_fetching: bool):
    from signing.verify import verify_document

    results: list[tuple[Path, Any]] = []
    for path in files:
        try:
            results.append((path, await verify_document(path, trust=trust, allow_fetching=allow_fetching)))
        except Exception as exc:  # reported per file; the log gets the details
            results.append((path, exc))
    return results


def _print_document(document, reporter: Reporter) -> None:
    from app.i18n import moment
    from app.verification import change_line

    t = reporter.t
    reporter.line(t("CLI_VERIFY_FILE", file=document.path, count=len(document.signatures)))
    if not document.signatures:
        reporter.line("  " + t("VERIFY_NO_SIGNATURES"))
    for sig in document.signatures:
        reporter.line("  " + t("CLI_VERIFY_SIGNATURE", field=sig.field_name, verdict=t("VERDICT_" + sig.verdict.name)))
        reporter.line("    " + t("CLI_VERIFY_SIGNER", signer=sig.signer, issuer=sig.issuer))
        reporter.line("    " + t("CLI_VERIFY_TIMES", signing_time=moment(sig.signing_time),
                                  timestamp=moment(sig.timestamp_time)))
        if sig.cert_not_before is not None:
            reporter.line("    " + t("CLI_VERIFY_CERT", not_before=sig.cert_not_before.date(),
                                      not_after=sig.cert_not_after.date(),
                                      valid=t("YES" if sig.cert_valid_at_signing else "NO")))
        reporter.line("    " + t("CLI_VERIFY_CHECKS", integrity=t("YES" if sig.intact else "NO"),
                                  trusted=t("YES" if sig.trusted else "NO"),
                                  revocation=t("REVOCATION_" + sig.revocation.name),
                                  level=sig.level.value if sig.level else "-",
                                  changes=t("CHANGES_" + sig.changes_after.upper())))
        reporter.line("    " + t("CLI_VERIFY_INDICATION", indication=t("INDICATION_" + sig.indication.value),
                                  reason=(": " + t("SUBIND_" + sig.sub_indication)) if sig.sub_indication else ""))
        if sig.signed_length is not None and sig.revision is not None:
            reporter.line("    " + t("CLI_VERIFY_COVERS", signed=sig.signed_length, size=document.size,
                                      revision=sig.revision + 1, revisions=document.revisions))
        for problem in sig.problems:
            reporter.line("    ! " + t(problem.value))
        for change in sig.changes:
            reporter.line("    " + ("  " if change.permitted else "! ") + change_line(change, t))
    if document.signatures:
        reporter.line("  " + t("CLI_VERIFY_DOCUMENT", verdict=t("DOC_VERDICT_" + document.verdict.name)))


def _when(moment) -> str:
    return moment.isoformat() if moment is not None else "-"


def _document_json(document) -> dict[str, Any]:
    return {
        "file": str(document.path),
        "ok": document.all_valid,
        "verdict": document.verdict.value,
        "size": document.size,
        "revisions": document.revisions,
        "appended_data": document.appended,
        "certification": document.certification,
        "signatures": [_signature_json(sig) for sig in document.signatures],
    }


def _signature_json(sig) -> dict[str, Any]:
    return {
        "field": sig.field_name,
        "type": "document_timestamp" if sig.document_timestamp else "signature",
        "verdict": sig.verdict.value,
        "signer": sig.signer,
        "signer_dn": sig.signer_dn,
        "issuer": sig.issuer,
        "serial": sig.serial,
        "indication": sig.indication.value,
        "sub_indication": sig.sub_indication,
        "certificate": {
            "not_before": sig.cert_not_before.isoformat() if sig.cert_not_before else None,
            "not_after": sig.cert_not_after.isoformat() if sig.cert_not_after else None,
            "valid_at_signing": sig.cert_valid_at_signing,
        },
        "revision": sig.revision,
        "byte_range": list(sig.byte_range) if sig.byte_range else None,
        "subfilter": sig.subfilter,
        "changes": [{"revision": c.revision, "kind": c.kind.value, "permitted": c.permitted, "fields": list(c.fields)}
                    for c in sig.changes],
        "signing_time": _when(sig.signing_time) if sig.signing_time else None,
        "timestamp": {"time": sig.timestamp_time.isoformat(), "authority": sig.timestamp_authority}
        if sig.timestamp_time else None,
        "integrity": sig.intact,
        "trusted": sig.trusted,
        "revocation": sig.revocation.value,
        "level": sig.level.value if sig.level else None,
        "covers_whole_file": sig.covers_whole_file,
        "changes_after": sig.changes_after,
        "problems": [problem.value for problem in sig.problems],
        "practice": sig.practice,  # a practice (training) certificate: never a real signature
    }
