"""The `kyso` command: one entry point, subcommands imported only when used.

Errors reach the user as one line with a stable code, in Vietnamese (or English); the
traceback, if any, goes to the log file in the data folder.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from app import __version__
from app.argparse_text import speak
from app.i18n import message, resolve_language

__all__ = ["COMMANDS", "build_parser", "main"]

Desktop = Callable[..., int]  # (language, files, *, practice=PACK, trainee=N, sign=bool) → exit code

# The subcommands, known without importing their modules: `kyso` and `kyso FILE…` start the
# desktop without loading the CLI (tests/app/test_cli_basics.py checks this list against the parser).
COMMANDS = frozenset({"audit", "catalogue", "check", "enroll", "extend", "practice", "sign", "sync", "tokens", "verify"})


class _Parser(argparse.ArgumentParser):
    lang = "vi"
    json_mode = False  # --json somewhere on the line: a usage error is answered in JSON too
    command = ""

    def error(self, text: str) -> None:  # argparse calls this on a usage error
        self.print_usage(sys.stderr)
        if self.json_mode:
            from .report import Reporter

            raise SystemExit(Reporter(lang=self.lang, json_mode=True, command=self.command)
                             .fail_code("APP_USAGE", {"detail": text}))
        sys.stderr.write(f"kyso: [APP_USAGE] {message('APP_USAGE', self.lang, detail=text)}\n")
        raise SystemExit(2)


def _prescan_lang(argv: Sequence[str]) -> str | None:
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def build_parser(lang: str) -> argparse.ArgumentParser:
    def t(code: str) -> str:
        return message(code, lang)

    _Parser.lang = lang
    speak(lang)  # argparse's own words (usage, titles, its usage errors) in the same language
    parser = _Parser(prog="kyso", description=t("CLI_DESCRIPTION"))
    parser.add_argument("--version", action="store_true", help=t("CLI_HELP_VERSION"))
    parser.add_argument("--lang", choices=("vi", "en"), help=t("CLI_HELP_LANG"))
    parser.add_argument("--practice", metavar="PACK", help=t("CLI_HELP_PRACTICE_DESKTOP"))
    parser.add_argument("--trainee", type=int, metavar="N", help=t("CLI_HELP_PRACTICE_TRAINEE"))
    parser.add_argument("--sign", nargs="+", metavar="FILE", help=t("CLI_HELP_SIGN_DESKTOP"))
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("vi", "en"), default=argparse.SUPPRESS, help=t("CLI_HELP_LANG"))
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    from . import audit_cmd, catalogue_cmd, check_cmd, extend_cmd, sign_cmd, sync_cmd, tokens_cmd, verify_cmd

    for command in (sign_cmd, check_cmd, verify_cmd, extend_cmd, tokens_cmd, catalogue_cmd, sync_cmd, audit_cmd):
        command.add_parser(commands, t, [common])
    from . import practice_cmd  # workshops and practice mode (docs/practice.md)

    practice_cmd.add_parser(commands, t, [common])
    return parser


def main(argv: Sequence[str] | None = None, *, desktop: Desktop | None = None) -> int:
    """The CLI. `desktop` opens the window for `kyso` alone or `kyso FILE…`; the entry point above
    both front ends (launch/) passes it — the CLI itself never imports the window."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = resolve_language(_prescan_lang(argv))
    if argv[:1] == ["--version"]:
        print(f"kyso {__version__}")
        return 0
    wants_window = not argv or _opens_documents(argv)  # `kyso`, `kyso a.pdf b.pdf` (Explorer's "Open with")
    if wants_window and desktop is not None:
        return desktop(lang, argv)
    if argv[0] == "--sign" and _opens_documents(argv[1:]) and desktop is not None:  # Explorer's "Ký số bằng kyso"
        return desktop(lang, argv[1:], sign=True)
    _Parser.json_mode = "--json" in argv
    _Parser.command = next((arg for arg in argv if arg in COMMANDS), "")
    args = build_parser(lang).parse_args(argv) if argv else None
    if args is not None and args.version:
        print(f"kyso {__version__}")
        return 0
    if args is None or args.command is None:  # `kyso --lang en`, `kyso --practice PACK [--trainee N]`
        if args is not None and args.trainee is not None and args.practice is None:
            build_parser(lang).error("--trainee N: --practice PACK")
        if args is not None and args.sign and args.practice:
            build_parser(lang).error("--sign FILE…: --practice PACK")
        if desktop is not None:
            practice = {"practice": args.practice, "trainee": args.trainee} if args is not None and args.practice else {}
            if args is not None and args.sign:  # (all existing ones took the fast path above)
                return _missing_to_sign(args.sign, lang)
            return desktop(lang, [], **practice)
        build_parser(lang).print_help()
        return 0
    return _run(args, lang)


def _run(args: argparse.Namespace, lang: str) -> int:
    import os

    from app.logs import setup_logging

    from .report import Reporter

    setup_logging(verbose=os.environ.get("KYSO_DEBUG") == "1")
    reporter = Reporter(lang=lang, json_mode=getattr(args, "json", False), command=args.command)
    try:
        return args.handler(args, reporter)
    except BrokenPipeError:  # `kyso … | head`: the reader went away; not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        reporter.fail_code("APP_CANCELLED", {})
        return 130
    except Exception as exc:  # the one place that turns any error into a clear line
        return reporter.fail(exc)


def _opens_documents(argv: Sequence[str]) -> bool:
    from pathlib import Path

    return (bool(argv) and argv[0] not in COMMANDS and not argv[0].startswith("-")
            and all(Path(arg).exists() for arg in argv))


if __name__ == "__main__":
    raise SystemExit(main())


def _missing_to_sign(files: Sequence[str], lang: str) -> int:
    """`kyso --sign FILE…` naming a file that is not there: said before any window opens."""
    from pathlib import Path

    from .report import Reporter

    missing = next(name for name in files if not Path(name).exists())
    return Reporter(lang=lang, json_mode=False, command="sign").fail_code("PDF_NOT_FOUND", {"file": missing})
