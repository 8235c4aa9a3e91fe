"""`kyso audit verify|export`: check the audit log's chains, export it (docs/cli.md, docs/audit.md)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from .report import EXIT_OK, EXIT_SOME_FAILED, Reporter

__all__ = ["add_parser", "cli_audit", "handle"]

FORMATS = ("csv", "xlsx", "jsonl", "pdf")


def add_parser(commands, t: Callable[[str], str], parents: list) -> None:
    p = commands.add_parser("audit", help=t("CLI_HELP_AUDIT"), description=t("CLI_HELP_AUDIT"), parents=parents)
    actions = p.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help=t("CLI_HELP_AUDIT_VERIFY"), description=t("CLI_HELP_AUDIT_VERIFY"),
                                parents=parents)
    verify.add_argument("--db", type=Path, metavar="FILE", help=t("CLI_HELP_AUDIT_DB"))
    verify.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    export = actions.add_parser("export", help=t("CLI_HELP_AUDIT_EXPORT"), description=t("CLI_HELP_AUDIT_EXPORT"),
                                parents=parents)
    export.add_argument("--format", required=True, choices=FORMATS, help=t("CLI_HELP_AUDIT_FORMAT"))
    export.add_argument("--from", dest="date_from", metavar="DATE", help=t("CLI_HELP_AUDIT_FROM"))
    export.add_argument("--to", dest="date_to", metavar="DATE", help=t("CLI_HELP_AUDIT_TO"))
    export.add_argument("--user", metavar="NAME", help=t("CLI_HELP_AUDIT_USER"))
    export.add_argument("--type", metavar="TYPE", help=t("CLI_HELP_AUDIT_TYPE"))
    export.add_argument("--outcome", choices=("ok", "failed", "refused"), help=t("CLI_HELP_AUDIT_OUTCOME"))
    export.add_argument("--mode", choices=("production", "practice"), help=t("CLI_HELP_AUDIT_MODE"))
    export.add_argument("--out", type=Path, required=True, metavar="FILE", help=t("CLI_HELP_AUDIT_OUT"))
    export.add_argument("--db", type=Path, metavar="FILE", help=t("CLI_HELP_AUDIT_DB"))
    export.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    p.set_defaults(handler=handle)


def cli_audit(command: str, reporter: Reporter, *, catalogue=None, trust_dirs: tuple[Path, ...] = (), **options):
    """The audited run of one CLI command (app/audit/session.py): problems with the log itself
    are printed on stderr, loudly, in the user's language; `catalogue` (a LoadedCatalogue) is
    recorded as loaded (a LoadedCatalogue or a Catalogue). `options`: mode, actor and context
    of a practice session (app.practice.PracticeSession.journal_options)."""
    from contextlib import contextmanager

    from app.audit.session import audit_session

    @contextmanager
    def session():
        info = getattr(catalogue, "catalogue", catalogue).info if catalogue is not None else None
        rejected = getattr(catalogue, "rejected", ())
        with audit_session(command=command, notify=lambda problem: _notify(reporter, problem),
                           catalogue_version=info.version if info else None, trust_dirs=tuple(trust_dirs),
                           **options) as run:
            if info is not None:
                run.journal.catalogue_loaded(catalogue_id=info.id, name=info.name, version=info.version,
                                             source=info.source, rejected=[str(r) for r in rejected])
            yield run

    return session()


def handle(args: argparse.Namespace, reporter: Reporter) -> int:
    with cli_audit("audit " + args.audit_command, reporter) as run:
        if args.audit_command == "verify":
            run.exit_code = _verify(args, reporter, run.journal)
        else:
            run.exit_code = _export(args, reporter, run.journal)
        return run.exit_code


def _notify(reporter: Reporter, problem) -> None:
    reporter.note(f"kyso: [{problem.code.value}] " + reporter.t(problem.code.value, **problem.params))


def _log_path(args: argparse.Namespace, journal) -> Path:
    if args.db is not None:
        return args.db
    if journal.store is not None:
        return journal.store.path
    from app.audit.opening import default_log_path

    return default_log_path()


def _verify(args: argparse.Namespace, reporter: Reporter, journal) -> int:
    from app.audit.events import EventType, Outcome
    from app.audit.verify import chain_summary, verify_log

    path = _log_path(args, journal)
    report = verify_log(path)
    for chain in report.chains:
        _print_chain(chain, reporter)
    if report.ok:
        reporter.line(reporter.t("CLI_AUDIT_VERIFY_OK", count=report.events))
    else:
        reporter.line(reporter.t("CLI_AUDIT_VERIFY_FAILED"))
    chains = chain_summary(report)
    journal.record(EventType.LOG_VERIFIED, db=str(path), events=report.events, chains=chains,
                   outcome=(Outcome.OK if report.ok else Outcome.FAILED).value)
    reporter.emit_json({"ok": report.ok, "db": str(path), "workstation": report.workstation,
                        "events": report.events, "chains": chains})
    return EXIT_OK if report.ok else EXIT_SOME_FAILED


def _print_chain(chain, reporter: Reporter) -> None:
    from app.audit.verify import describe_chain

    for line in describe_chain(chain, reporter.t):
        reporter.line(line)


def _export(args: argparse.Namespace, reporter: Reporter, journal) -> int:
    from app.audit.events import EventType, Outcome
    from app.audit.export import ExportFormat, export_log
    from app.audit.journal import os_user
    from app.audit.query import AuditReader, AuditViewer, restrict, who_may_see
    from app.settings import load_settings

    audit_filter = _filter(args)
    viewer = AuditViewer(os_user(), load_settings().settings.full_name or None)
    audit_filter = restrict(audit_filter, who_may_see(viewer))
    path = _log_path(args, journal)
    with AuditReader(path) as reader:
        result = export_log(reader, audit_filter, format=ExportFormat(args.format), out=args.out,
                            lang=reporter.lang, progress=_progress(reporter))
    journal.record(EventType.LOG_EXPORTED, db=str(path), format=args.format, out=str(result.out),
                   count=result.count, filter=audit_filter.summary(), outcome=Outcome.OK.value)
    reporter.line(reporter.t("CLI_AUDIT_EXPORTED", count=result.count, file=result.out, format=args.format))
    reporter.emit_json({"ok": True, "db": str(path), "out": str(result.out), "format": args.format,
                        "count": result.count, "filter": audit_filter.summary()})
    return EXIT_OK


def _filter(args: argparse.Namespace):
    from app.audit.query import AuditFilter

    return AuditFilter(
        date_from=_date(args.date_from), date_to=_date(args.date_to),
        users=(args.user,) if args.user else (), types=(args.type,) if args.type else (),
        outcome=args.outcome, mode=args.mode,
    )


def _date(text: str | None) -> date | None:
    from app.audit.errors import AuditError, AuditErrorCode

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AuditError(AuditErrorCode.BAD_DATE, value=text) from None


def _progress(reporter: Reporter):
    step = {"next": 100_000}

    def show(done: int, total: int) -> None:
        if done >= step["next"] or (done == total and total >= 100_000):
            step["next"] = done + 100_000
            reporter.note(reporter.t("CLI_AUDIT_PROGRESS", done=done, total=total))

    return show
