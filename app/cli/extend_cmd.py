"""`kyso extend FILE...`: keep existing signatures valid for years — B-LT / B-LTA (docs/verification.md)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

from .report import EXIT_ERROR, EXIT_OK, Reporter

__all__ = ["add_parser", "handle"]


def add_parser(commands, t: Callable[[str], str], parents: list) -> None:
    p = commands.add_parser("extend", help=t("CLI_HELP_EXTEND"), description=t("CLI_HELP_EXTEND"), parents=parents)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=t("CLI_HELP_FILES"))
    p.add_argument("--level", choices=("B-LT", "B-LTA"), default="B-LTA", help=t("CLI_HELP_EXTEND_LEVEL"))
    p.add_argument("--tsa", metavar="URL", help=t("CLI_HELP_TSA"))
    p.add_argument("--trust", type=Path, action="append", default=[], metavar="DIR", help=t("CLI_HELP_TRUST"))
    p.add_argument("--out-dir", type=Path, metavar="DIR", help=t("CLI_HELP_OUT_DIR_EXTEND"))
    p.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace, reporter: Reporter) -> int:
    from .audit_cmd import cli_audit

    with cli_audit("extend", reporter, trust_dirs=tuple(args.trust)) as run:
        run.exit_code = _handle(args, reporter, run.journal)
        return run.exit_code


def _handle(args: argparse.Namespace, reporter: Reporter, journal) -> int:
    from app.audit.signing_audit import record_document_opened
    from app.settings import load_settings
    from signing.levels import PadesLevel
    from signing.trust import TrustStore

    trust = TrustStore.load(extra_dirs=args.trust)
    level = PadesLevel(args.level)
    tsa = args.tsa or load_settings().settings.tsa_url or None
    files, worst = [], EXIT_OK
    for path in args.files:
        record_document_opened(journal, path)
        try:
            result, details = asyncio.run(_extend_one(path, args.out_dir, trust=trust, level=level, tsa=tsa))
        except Exception as exc:  # per file, typed; the others go on
            error = reporter.describe_error(exc)
            if journal is not None:
                journal.document_extended(path=path, level=level.value, error_code=error["code"],
                                          error_params=error["params"])
            files.append({"input": str(path), "ok": False, "error": error})
            reporter.line(reporter.t("CLI_VERIFY_FILE_ERROR", file=path, code=error["code"], message=error["message"]))
            worst = EXIT_ERROR
            continue
        if journal is not None:  # on disk before the file is reported extended
            journal.document_extended(path=path, level=result.level.value, output=result.output, details=details)
        files.append({"input": str(path), "ok": True, "output": str(result.output), "level": result.level.value,
                      "signatures": result.signatures, "renewed": result.renewed,
                      "output_sha256": details["output_sha256"], "signatures_kept": details["signatures_kept"]})
        reporter.line(reporter.t("CLI_EXTEND_FILE_OK", file=path, output=result.output, level=result.level.value,
                                 count=result.signatures))
    reporter.emit_json({"ok": worst == EXIT_OK, "files": files})
    return worst


async def _extend_one(path: Path, out_dir: Path | None, *, trust, level, tsa: str | None):
    from app.verification import extend_file  # shared with the desktop's "Gia hạn chữ ký…"

    return await extend_file(path, out_dir, trust=trust, level=level, tsa=tsa)
