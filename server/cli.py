"""`kyso-server`: run the server, migrate its database, and the first administrator's commands.

    kyso-server [--host H] [--port P] [--db URL] [--config FILE] [--cert PEM --key PEM]
    kyso-server migrate [--db URL]
    kyso-server openapi [--out FILE]
    kyso-server admin create-unit ID NAME
    kyso-server admin create-admin USERNAME [--role administrator|auditor] [--unit ID] [--password-stdin]
    kyso-server admin enrolment-code --unit ID [--hours N]
    kyso-server admin revoke WORKSTATION
    kyso-server admin workstations
    kyso-server admin verify-log

Admin commands act directly on the database (no login: whoever can reach the database file or
server already holds everything) and are recorded in the admin log as "cli:<OS user>".
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import ServerSettings, load_settings
from .errors import ServerError
from .messages import language_from_header, server_message

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database URL (sqlite:///FILE or postgresql+psycopg://…); "
                                     "default: SQLite in the data folder")
    common.add_argument("--config", type=Path, help="TOML settings file (also KYSO_SERVER_CONFIG)")
    parser = argparse.ArgumentParser(prog="kyso-server", parents=[common],
                                     description="kyso central audit server (docs/server.md)")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8443)")
    parser.add_argument("--cert", type=Path, help="TLS certificate chain (PEM): serve HTTPS")
    parser.add_argument("--key", type=Path, help="TLS private key (PEM)")
    parser.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema at start")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("migrate", parents=[common], help="upgrade the database schema and exit")
    openapi = commands.add_parser("openapi", parents=[common], help="print the OpenAPI schema")
    openapi.add_argument("--out", type=Path)
    admin = commands.add_parser("admin", parents=[common], help="administration on the database")
    actions = admin.add_subparsers(dest="action", required=True)
    unit = actions.add_parser("create-unit", parents=[common])
    unit.add_argument("unit_id")
    unit.add_argument("name")
    account = actions.add_parser("create-admin", parents=[common])
    account.add_argument("username")
    account.add_argument("--role", choices=("administrator", "auditor"), default="administrator")
    account.add_argument("--unit", help="limit the account to one unit (default: every unit)")
    account.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    code = actions.add_parser("enrolment-code", parents=[common])
    code.add_argument("--unit", required=True)
    code.add_argument("--hours", type=int)
    revoke = actions.add_parser("revoke", parents=[common])
    revoke.add_argument("workstation")
    actions.add_parser("workstations", parents=[common])
    actions.add_parser("verify-log", parents=[common])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    lang = language_from_header(os.environ.get("KYSO_LANG"))
    try:
        settings = load_settings(config_file=args.config, database_url=args.db,
                                 host=getattr(args, "host", None), port=getattr(args, "port", None),
                                 tls_cert=getattr(args, "cert", None), tls_key=getattr(args, "key", None))
        if args.command == "migrate":
            return _migrate(settings)
        if args.command == "openapi":
            return _openapi(settings, args.out)
        if args.command == "admin":
            _migrate(settings)
            return _admin(settings, args)
        return _serve(settings, migrate=not args.no_migrate)
    except ServerError as error:
        print(f"kyso-server: [{error.code.value}] {server_message(error.code.value, lang, **error.params)}",
              file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"kyso-server: {error}", file=sys.stderr)
        return 2


def _migrate(settings: ServerSettings) -> int:
    from .migrate import upgrade

    upgrade(settings.resolved_database_url)
    return 0


def _openapi(settings: ServerSettings, out: Path | None) -> int:
    from .api.main import create_app
    from .db import Database

    database = Database(settings.resolved_database_url)
    _migrate(settings)
    text = json.dumps(create_app(settings, database=database).openapi(), indent=2, ensure_ascii=False)
    database.dispose()
    if out is None:
        print(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
    return 0


def _serve(settings: ServerSettings, *, migrate: bool) -> int:
    import uvicorn

    from .api.main import create_app

    if migrate:
        _migrate(settings)
    if (settings.tls_cert is None) != (settings.tls_key is None):
        raise ValueError("--cert and --key go together")
    app = create_app(settings)
    _tune_gc()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level,
                ssl_certfile=settings.tls_cert, ssl_keyfile=settings.tls_key, proxy_headers=True,
                forwarded_allow_ips=settings.forwarded_allow_ips, server_header=False,
                timeout_keep_alive=settings.keep_alive_seconds)
    return 0


def _tune_gc() -> None:
    """A batch is ~30,000 parsed JSON objects that reference counting frees; the cyclic collector's
    default pace (a pass every 700 allocations) spent ~10 % of the ingestion CPU walking them.
    Collect less often, and freeze what start-up made so full collections skip it."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _admin(settings: ServerSettings, args: argparse.Namespace) -> int:
    from .db import Database
    from .principals import Role
    from .services import accounts, adminlog, workstations

    actor = f"cli:{getpass.getuser()}"
    database = Database(settings.resolved_database_url)
    try:
        with database.write() as session:
            if args.action == "create-unit":
                accounts.create_unit(session, actor=actor, unit_id=args.unit_id, name=args.name)
                print(args.unit_id)
            elif args.action == "create-admin":
                password = _password(args.password_stdin)
                accounts.create_account(session, actor=actor, username=args.username, password=password,
                                        role=Role(args.role), unit_id=args.unit)
                print(args.username)
            elif args.action == "enrolment-code":
                issued = workstations.create_code(session, actor=actor, unit_id=args.unit,
                                                  hours=args.hours or settings.enrolment_code_hours)
                print(json.dumps({"code": issued.code, "unit": issued.unit_id,
                                  "expires_at": issued.expires_at.isoformat()}))
            elif args.action == "revoke":
                workstations.revoke(session, actor=actor, workstation_id=args.workstation, scope=None)
                print(args.workstation)
            elif args.action == "workstations":
                print(json.dumps(workstations.list_workstations(session, scope=None), default=str, indent=2))
            elif args.action == "verify-log":
                verdict = adminlog.verify_log(session)
                print(json.dumps(vars(verdict)))
                return 0 if verdict.ok else 1
    finally:
        database.dispose()
    return 0


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu / Password: ")
    if first != getpass.getpass("Nhập lại / Again: "):
        raise ValueError("the two passwords differ")
    return first


if __name__ == "__main__":
    raise SystemExit(main())
