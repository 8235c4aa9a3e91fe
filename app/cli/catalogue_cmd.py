"""`kyso catalogue show [FILE]` and `kyso catalogue validate FILE`, for administrators."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from .report import EXIT_OK, EXIT_SOME_FAILED, Reporter

__all__ = ["add_parser", "handle"]


def add_parser(commands, t: Callable[[str], str], parents: list) -> None:
    p = commands.add_parser("catalogue", help=t("CLI_HELP_CATALOGUE_CMD"), description=t("CLI_HELP_CATALOGUE_CMD"),
                            parents=parents)
    p.add_argument("action", choices=("show", "validate"), help=t("CLI_HELP_CATALOGUE_ACTION"))
    p.add_argument("file", nargs="?", type=Path, metavar="FILE", help=t("CLI_HELP_CATALOGUE"))
    p.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace, reporter: Reporter) -> int:
    if args.action == "validate":
        return _validate(args, reporter)
    return _show(args, reporter)


def _validate(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.catalogue import CatalogueInvalid, load_catalogue

    if args.file is None:
        from app.errors import AppError, AppErrorCode

        raise AppError(AppErrorCode.NO_FILES)
    try:
        catalogue = load_catalogue(args.file).catalogue
    except CatalogueInvalid as invalid:
        reporter.line(reporter.t("CLI_CATALOGUE_INVALID", file=args.file, count=len(invalid.problems)))
        for problem in invalid.problems:
            reporter.line(f"  {problem}")
        reporter.emit_json({"ok": False, "file": str(args.file), "problems": [
            {"line": p.line, "field": p.field, "message": p.message} for p in invalid.problems]})
        return EXIT_SOME_FAILED
    reporter.line(reporter.t("CLI_CATALOGUE_VALID", file=args.file, name=catalogue.info.name,
                             version=catalogue.info.version, types=len(catalogue.types)))
    reporter.emit_json({"ok": True, "file": str(args.file), "problems": []})
    return EXIT_OK


def _show(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.catalogue import load_catalogue

    loaded = load_catalogue(args.file)
    catalogue = loaded.catalogue
    info = catalogue.info
    reporter.line(reporter.t("CLI_CATALOGUE_IN_FORCE", name=info.name, version=info.version, source=info.source))
    for rejected in loaded.rejected:
        reporter.note(reporter.t("CATALOGUE_INVALID", **rejected.params))
    types = []
    for doc_type in catalogue.types:
        steps = [f"{step.kind.value}({'/'.join(step.roles)}, {step.level})" for step in doc_type.signatures]
        reporter.line(f"  {doc_type.name} [{', '.join(doc_type.abbreviations) or '-'}] {doc_type.group.value}: "
                      + " → ".join(steps))
        types.append({"name": doc_type.name, "group": doc_type.group.value, "abbreviations": list(doc_type.abbreviations),
                      "titles": list(doc_type.titles), "signatures": [
                          {"kind": s.kind.value, "roles": list(s.roles), "level": s.level, "placement": s.placement.value}
                          for s in doc_type.signatures]})
    reporter.emit_json({"ok": True, "catalogue": {"id": info.id, "name": info.name, "version": info.version,
                                                  "issued": info.issued, "source": info.source, "path": info.path},
                        "roles": {r.id: r.name for r in catalogue.roles.values()}, "types": types})
    return EXIT_OK
