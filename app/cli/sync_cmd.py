"""`kyso enroll URL CODE`, `kyso sync status` and `kyso sync now` (docs/server.md, docs/cli.md)."""

from __future__ import annotations

import argparse
import socket
from collections.abc import Callable

from .report import EXIT_ERROR, EXIT_OK, Reporter

__all__ = ["add_parser", "handle_enroll", "handle_sync"]


def add_parser(commands, t: Callable[[str], str], parents: list) -> None:
    sync = commands.add_parser("sync", help=t("CLI_HELP_SYNC"), description=t("CLI_HELP_SYNC"), parents=parents)
    sync.add_argument("action", nargs="?", default="status", choices=("status", "now"), help=t("CLI_HELP_SYNC_ACTION"))
    sync.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    sync.set_defaults(handler=handle_sync)
    enroll = commands.add_parser("enroll", help=t("CLI_HELP_ENROLL"), description=t("CLI_HELP_ENROLL"),
                                 parents=parents)
    enroll.add_argument("url", metavar="URL", help=t("CLI_HELP_ENROLL_URL"))
    enroll.add_argument("code", metavar="CODE", help=t("CLI_HELP_ENROLL_CODE"))
    enroll.add_argument("--ca-bundle", metavar="PEM", help=t("CLI_HELP_CA_BUNDLE"))
    enroll.add_argument("--proxy", metavar="URL", help=t("CLI_HELP_PROXY"))
    enroll.add_argument("--label", help=t("CLI_HELP_ENROLL_LABEL"))
    enroll.add_argument("--force", action="store_true", help=t("CLI_HELP_ENROLL_FORCE"))
    enroll.add_argument("--insecure-http", action="store_true", help=t("CLI_HELP_INSECURE_HTTP"))
    enroll.add_argument("--json", action="store_true", help=t("CLI_HELP_JSON"))
    enroll.set_defaults(handler=handle_enroll)


def handle_enroll(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.audit.opening import workstation_id
    from app.sync import enroll

    if args.insecure_http:  # loud, every time: the credential will cross the network in clear
        reporter.note("⚠ " + reporter.t("SYNC_INSECURE_HTTP_WARNING", url=args.url))
    done = enroll(url=args.url, code=args.code, workstation_id=workstation_id(), label=args.label or socket.gethostname(),
                  ca_bundle=args.ca_bundle, proxy=args.proxy, force=args.force, insecure_http=args.insecure_http)
    reporter.line(reporter.t("CLI_ENROLLED", url=done.server_url, workstation=done.workstation_id, unit=done.unit,
                             key_id=done.key_id))
    reporter.emit_json({"ok": True, "server_url": done.server_url, "workstation_id": done.workstation_id,
                        "unit": done.unit, "server_key_id": done.key_id})
    return EXIT_OK


def handle_sync(args: argparse.Namespace, reporter: Reporter) -> int:
    from app.audit.opening import open_audit_log
    from app.sync import SyncClient, load_enrolment, read_status
    from app.sync.client import pending_events

    store = open_audit_log().store
    try:
        if args.action == "now":
            status = SyncClient(store=store).run_once()
        else:
            status = read_status().with_(pending=pending_events(store))
    finally:
        store.close()
    enrolment = load_enrolment()
    _print_status(reporter, status, enrolment)
    failed = args.action == "now" and status.last_error_code is not None
    reporter.emit_json({"ok": not failed, "enrolled": enrolment is not None, "status": status.to_json(),
                        **({"error": {"code": status.last_error_code,
                                      "message": reporter.t(status.last_error_code, **status.last_error_params),
                                      "params": status.last_error_params}} if failed else {})})
    if failed and not reporter.json_mode:
        return reporter.fail_code(status.last_error_code, status.last_error_params)
    return EXIT_ERROR if failed else EXIT_OK


def _print_status(reporter: Reporter, status, enrolment) -> None:
    never = reporter.t("CLI_SYNC_NEVER")
    if enrolment is None:
        reporter.line(reporter.t("CLI_SYNC_NOT_ENROLLED"))
    else:
        reporter.line(reporter.t("CLI_SYNC_SERVER", url=enrolment.server_url, workstation=enrolment.workstation_id,
                                 unit=enrolment.unit))
    success = status.last_success_utc.astimezone().strftime("%Y-%m-%d %H:%M:%S") if status.last_success_utc else never
    reporter.line(reporter.t("CLI_SYNC_LAST_SUCCESS", time=success))
    reporter.line(reporter.t("CLI_SYNC_PENDING", count=status.pending if status.pending is not None else "?"))
    if status.last_error_code and status.last_error_code != "SYNC_NOT_ENROLLED":
        text = reporter.t(status.last_error_code, **status.last_error_params)
        reporter.line(reporter.t("CLI_SYNC_LAST_ERROR", code=status.last_error_code, message=text))
