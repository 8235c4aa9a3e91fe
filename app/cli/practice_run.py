"""`kyso sign … --practice PACK --trainee N` and `kyso verify … --practice PACK`: the same commands
on the practice backend (docs/practice.md). The signing job, the PIN prompter, the warnings and
the report are the production code; what differs is the session: the trainee's rack of practice
tokens, the workshop's training root and in-process OCSP/TSA, the watermark, the practice chain
of the audit log. Options that would reach outside the workshop are refused, not ignored."""

from __future__ import annotations

import argparse
from pathlib import Path

from .report import EXIT_OK, EXIT_SOME_FAILED, Reporter

__all__ = ["add_practice_options", "practice_sign", "practice_verify"]

_NOT_IN_PRACTICE = (("module", "--module"), ("tsa", "--tsa"), ("force", "--force"), ("trust", "--trust"))


def add_practice_options(parser: argparse.ArgumentParser, t) -> None:
    """--practice PACK and --trainee N, added to `kyso sign` and `kyso verify`."""
    parser.add_argument("--practice", type=Path, metavar="PACK", help=t("CLI_HELP_PRACTICE_OPTION"))
    parser.add_argument("--trainee", type=int, metavar="N", help=t("CLI_HELP_PRACTICE_TRAINEE"))


def practice_sign(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.practice import PracticeError, PracticeErrorCode, open_practice
    from app.signing_job import SignJob

    from .audit_cmd import cli_audit
    from .prompts import CliAcceptor, StdinPrompter, TerminalPrompter, cli_passwords
    from .sign_cmd import _print_report, _progress

    _refuse_outside_options(args)
    if args.trainee is None:
        raise PracticeError(PracticeErrorCode.TRAINEE_NEEDED)
    session = open_practice(args.practice, trainee=args.trainee)
    try:
        reporter.note(session.banner(reporter.lang))
        request = _request(args, session)
        prompter = StdinPrompter(reporter) if args.pin_stdin else TerminalPrompter(reporter)
        acceptor = CliAcceptor(reporter, accept_all=args.accept_warnings,
                               may_ask=not (args.pin_stdin or args.password_stdin))
        with cli_audit("sign", reporter, catalogue=request.preflight.catalogue, **session.journal_options()) as run:
            job = SignJob(request, prompter=prompter, acceptor=acceptor, journal=run.journal, backend=session.backend,
                          progress=lambda done, total, path: _progress(reporter, done, total, path),
                          passwords=cli_passwords(reporter, from_stdin=args.password_stdin))
            report = job.run()
            _print_report(report, reporter)
            run.exit_code = EXIT_OK if report.all_ok else EXIT_SOME_FAILED
            return run.exit_code
    finally:
        session.close()


def practice_verify(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.practice import open_practice

    from .audit_cmd import cli_audit
    from .verify_cmd import _handle

    _refuse_outside_options(args)
    session = open_practice(args.practice, trainee=args.trainee)
    try:
        reporter.note(session.banner(reporter.lang))
        with cli_audit("verify", reporter, **session.journal_options()) as run:
            run.exit_code = _handle(args, reporter, run.journal, trust=session.backend.trust_store())
            return run.exit_code
    finally:
        session.close()


def _refuse_outside_options(args: argparse.Namespace) -> None:
    from app.practice import PracticeError, PracticeErrorCode

    for name, option in _NOT_IN_PRACTICE:
        if getattr(args, name, None):
            raise PracticeError(PracticeErrorCode.OPTION_NOT_ALLOWED, option=option)


def _request(args: argparse.Namespace, session):
    from app.errors import prepare_out_dir

    from .sign_cmd import _key_id

    prepare_out_dir(args.out)
    return session.sign_request(
        files=args.files, appearance=_appearance(args, session), level=args.level, token_label=args.token,
        key_id=_key_id(args.key_id), role=args.role, declared_type=args.type,
        overrides=frozenset(code.strip().upper() for code in args.override), out_dir=args.out,
        allow_lower_level=args.allow_lower_level, use_pss=args.pss, doc_number=args.doc_number,
        catalogue=args.catalogue,
    )


def _appearance(args: argparse.Namespace, session):
    """The appearance asked for with --kind (None: each document's plan decides)."""
    if args.kind is None:
        return None
    from signing.appearance import AppearanceKind, AppearanceSpec, Box

    return AppearanceSpec(
        kind=AppearanceKind(args.kind), page=args.page, box=Box.parse(args.box) if args.box else None,
        image=args.image, doc_number=args.doc_number, copy_form=args.copy_form,
        organisation=args.organisation or session.pack.unit,
    )
