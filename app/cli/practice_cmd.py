"""`kyso practice init|unlock|token|report|try`: workshops for trainers (docs/practice.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from .report import EXIT_OK, Reporter

__all__ = ["add_parser", "handle"]


def add_parser(commands, t: Callable[[str], str], parents: list) -> None:
    p = commands.add_parser("practice", help=t("CLI_HELP_PRACTICE"), description=t("CLI_HELP_PRACTICE"),
                            parents=parents)
    actions = p.add_subparsers(dest="practice_command", required=True)

    def action(name: str, help_code: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=t(help_code), description=t(help_code), parents=parents)
        sub.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
        return sub

    init = action("init", "CLI_HELP_PRACTICE_INIT")
    who = init.add_mutually_exclusive_group(required=True)
    who.add_argument("--trainees", type=Path, metavar="FILE.csv", help=t("CLI_HELP_PRACTICE_TRAINEES"))
    who.add_argument("--count", type=int, metavar="N", help=t("CLI_HELP_PRACTICE_COUNT"))
    init.add_argument("--out", type=Path, required=True, metavar="DIR|FILE.zip", help=t("CLI_HELP_PRACTICE_OUT"))
    init.add_argument("--trainer", default="Giảng viên", metavar="NAME", help=t("CLI_HELP_PRACTICE_TRAINER"))
    init.add_argument("--unit", default="Viện kiểm sát nhân dân", metavar="NAME", help=t("CLI_HELP_PRACTICE_UNIT"))
    unlock = action("unlock", "CLI_HELP_PRACTICE_UNLOCK")
    _pack_and_trainee(unlock, t)
    unlock.add_argument("--token", metavar="ID", help=t("CLI_HELP_PRACTICE_TOKEN_ID"))
    unlock.add_argument("--so-pin-stdin", action="store_true", help=t("CLI_HELP_PRACTICE_SO_PIN_STDIN"))
    token = action("token", "CLI_HELP_PRACTICE_TOKEN")
    token.add_argument("action", choices=("list", "insert", "pull"), help=t("CLI_HELP_PRACTICE_TOKEN_ACTION"))
    _pack_and_trainee(token, t)
    token.add_argument("--token", metavar="ID", help=t("CLI_HELP_PRACTICE_TOKEN_ID"))
    report = action("report", "CLI_HELP_PRACTICE_REPORT")
    report.add_argument("pack", type=Path, metavar="PACK", help=t("CLI_HELP_PRACTICE_PACK"))
    report.add_argument("--from", dest="sources", type=Path, action="append", default=[], metavar="LOG",
                        help=t("CLI_HELP_PRACTICE_FROM"))
    report.add_argument("--no-local", action="store_true", help=t("CLI_HELP_PRACTICE_NO_LOCAL"))
    report.add_argument("--out", type=Path, required=True, metavar="FILE", help=t("CLI_HELP_PRACTICE_REPORT_OUT"))
    action("try", "CLI_HELP_PRACTICE_TRY")
    p.set_defaults(handler=handle)


def _pack_and_trainee(parser: argparse.ArgumentParser, t) -> None:
    parser.add_argument("pack", type=Path, metavar="PACK", help=t("CLI_HELP_PRACTICE_PACK"))
    parser.add_argument("--trainee", type=int, required=True, metavar="N", help=t("CLI_HELP_PRACTICE_TRAINEE"))


def handle(args: argparse.Namespace, reporter: Reporter) -> int:
    handlers = {"init": _init, "unlock": _unlock, "token": _token, "report": _report, "try": _try}
    return handlers[args.practice_command](args, reporter)


def _init(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.practice.builder import make_pack
    from app.practice.trainees import generated_participants, read_participants

    people = read_participants(args.trainees) if args.trainees else generated_participants(args.count)
    made = make_pack(participants=people, out=args.out, trainer=args.trainer, unit=args.unit)
    pin_file = args.out.with_name(args.out.name.removesuffix(".zip") + ".giang-vien.txt")
    _write_private(pin_file, made.trainer_pin + "\n")
    t = reporter.t
    reporter.line(t("PRACTICE_INIT_DONE", workshop=made.pack.id, count=len(people), location=made.location))
    reporter.line(t("PRACTICE_INIT_FILES", handout="phat-tay.pdf", scenarios="kich-ban.txt"))
    reporter.note(t("PRACTICE_INIT_TRAINER_PIN", pin=made.trainer_pin, file=pin_file))
    reporter.emit_json({"ok": True, "workshop": made.pack.id, "location": str(made.location),
                        "trainees": len(people), "trainer_pin_file": str(pin_file)})
    return EXIT_OK


def _write_private(path: Path, text: str) -> None:
    import os

    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)


def _unlock(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.audit.events import AuditActor
    from app.audit.journal import os_user
    from app.practice import open_practice

    from .audit_cmd import cli_audit

    session = open_practice(args.pack, trainee=args.trainee)
    try:
        token_id = args.token or session.trainee.token
        so_pin = _trainer_pin(args, reporter)
        options = session.journal_options()
        trainer = AuditActor(os_user(), session.pack.trainer, None)
        with cli_audit("practice unlock", reporter, **{**options, "actor": lambda: trainer}) as run:
            session.unlock(token_id, so_pin=so_pin, journal=run.journal)
            run.exit_code = EXIT_OK
        label = session.rack.read(token_id).label
        reporter.line(reporter.t("PRACTICE_UNLOCKED", label=label))
        reporter.emit_json({"ok": True, "token": token_id, "label": label})
        return EXIT_OK
    finally:
        session.close()


def _trainer_pin(args: argparse.Namespace, reporter: Reporter) -> str:
    import getpass

    if args.so_pin_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        return getpass.getpass(reporter.t("PRACTICE_SO_PIN_PROMPT") + " ")
    except (EOFError, KeyboardInterrupt):
        return ""


def _token(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.practice import open_practice

    from .audit_cmd import cli_audit

    session = open_practice(args.pack, trainee=args.trainee)
    try:
        if args.action != "list":
            token_id = args.token or session.trainee.token
            with cli_audit("practice token", reporter, **session.journal_options()) as run:
                act = session.insert if args.action == "insert" else session.pull
                act(token_id, journal=run.journal)
                run.exit_code = EXIT_OK
            code = "PRACTICE_TOKEN_INSERTED" if args.action == "insert" else "PRACTICE_TOKEN_PULLED"
            reporter.line(reporter.t(code, label=session.rack.read(token_id).label))
        views = session.rack_tokens()
        _print_tokens(views, session, reporter)
        reporter.emit_json({"ok": True, "tokens": [
            {"id": v.id, "label": v.label, "purpose": v.purpose, "holder": v.holder, "inserted": v.inserted,
             "pin_status": v.pin_status.value} for v in views]})
        return EXIT_OK
    finally:
        session.close()


def _print_tokens(views, session, reporter: Reporter) -> None:
    pins = {token.id: token.pin for token in session.pack.tokens}
    if session.trainee is not None:
        pins[session.trainee.token] = session.trainee.pin
    for view in views:
        purpose = reporter.t("PRACTICE_TOKEN_" + view.purpose.upper().replace("-", "_"))
        state = reporter.t("PRACTICE_TOKEN_IN" if view.inserted else "PRACTICE_TOKEN_OUT")
        state += ", " + reporter.t("PIN_STATE_" + view.pin_status.value.upper())
        reporter.line(reporter.t("PRACTICE_TOKEN_LINE", id=view.id, label=view.label, purpose=purpose, state=state,
                                 pin=pins.get(view.id, "-")))


def _report(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.errors import AppError, AppErrorCode
    from app.practice import load_pack
    from app.practice.progress import gather_events, workshop_progress
    from app.practice.report import write_report

    if not args.out.parent.is_dir():
        raise AppError(AppErrorCode.OUT_DIR_MISSING, folder=args.out.parent)
    pack = load_pack(args.pack)
    gathered = gather_events(pack, sources=args.sources, include_local=not args.no_local)
    rows = workshop_progress(pack, gathered.events)
    write_report(pack, rows, gathered, out=args.out, lang=reporter.lang)
    if gathered.rejected:
        reporter.note(reporter.t("PRACTICE_REPORT_REJECTED", count=gathered.rejected))
    reporter.line(reporter.t("PRACTICE_REPORT_DONE", count=len(rows), file=args.out))
    reporter.emit_json({"ok": True, "out": str(args.out), "events": len(gathered.events), "rejected": gathered.rejected,
                        "trainees": [{"number": r.number, "name": r.name, "done": dict(r.done),
                                      "wrong_pins": r.wrong_pins, "refused": r.refused, "failed": r.failed,
                                      "signed": r.signed, "seconds": r.seconds} for r in rows]})
    return EXIT_OK


def _try(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.practice.backend import PRACTICE_SUFFIX
    from app.practice.demo import demo_session

    session = demo_session()
    try:
        pack, trainee = session.pack, session.trainee
        first = session.exercises()[0][1]
        output = pack.outputs(trainee.number) / (first.stem + PRACTICE_SUFFIX + first.suffix)
        reporter.line(reporter.t("PRACTICE_TRY_READY", pack=pack.folder))
        reporter.line(reporter.t("PRACTICE_TRY_NEXT", pin=trainee.pin, file=first, pack=pack.folder, output=output))
        reporter.emit_json({"ok": True, "pack": str(pack.folder), "trainee": trainee.number, "pin": trainee.pin,
                            "exercise": str(first), "output": str(output)})
        return EXIT_OK
    finally:
        session.close()
