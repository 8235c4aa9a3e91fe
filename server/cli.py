"""`kyso-server`: run the server, migrate its database, and the administrators' commands, in
Vietnamese (English with `--lang en` or KYSO_LANG=en), like `kyso`.

    kyso-server [--host H] [--port P] [--db URL] [--config FILE] [--cert PEM --key PEM] [--workers N]
    kyso-server migrate [--db URL]
    kyso-server openapi [--out FILE]
    kyso-server admin create-unit ID NAME
    kyso-server admin create-admin USERNAME [--role administrator|auditor] [--unit ID] [--password-stdin]
    kyso-server admin reset-password USERNAME [--password-stdin]
    kyso-server admin unlock USERNAME
    kyso-server admin disable USERNAME | enable USERNAME
    kyso-server admin rotate-receipt-key
    kyso-server admin enrolment-code --unit ID [--hours N] [--json]
    kyso-server admin revoke WORKSTATION
    kyso-server admin workstations [--json]
    kyso-server admin verify-log [--json]

Admin commands act directly on the database (no login: whoever can reach the database file or
server already holds everything) and are recorded in the admin log as "cli:<OS user>".
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.argparse_text import speak

from .config import ServerSettings, load_settings
from .errors import ServerError
from .messages import LANGUAGES, language_from_header, server_message

__all__ = ["main"]

Texts = Callable[..., str]


class _Refused(Exception):
    """A refusal of the command itself (not of the server's services), with its message code."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(code)


class _Parser(argparse.ArgumentParser):
    lang = "vi"

    def error(self, message: str) -> None:  # argparse calls this on a usage error
        self.print_usage(sys.stderr)
        sys.stderr.write(f"kyso-server: [SERVER_CLI_USAGE] "
                         f"{server_message('SERVER_CLI_USAGE', self.lang, detail=message)}\n")
        raise SystemExit(2)


def _parser(t: Texts) -> argparse.ArgumentParser:
    speak(_Parser.lang)  # argparse's own words (usage, titles, its usage errors) in the same language
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help=t("SERVER_CLI_HELP_DB"))
    common.add_argument("--config", type=Path, help=t("SERVER_CLI_HELP_CONFIG"))
    common.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=t("SERVER_CLI_HELP_LANG"))
    parser = _Parser(prog="kyso-server", parents=[common], description=t("SERVER_CLI_DESCRIPTION"))
    parser.add_argument("--host", help=t("SERVER_CLI_HELP_HOST"))
    parser.add_argument("--port", type=int, help=t("SERVER_CLI_HELP_PORT"))
    parser.add_argument("--cert", type=Path, help=t("SERVER_CLI_HELP_CERT"))
    parser.add_argument("--key", type=Path, help=t("SERVER_CLI_HELP_KEY"))
    parser.add_argument("--no-migrate", action="store_true", help=t("SERVER_CLI_HELP_NO_MIGRATE"))
    parser.add_argument("--behind-proxy", action="store_true", default=None, help=t("SERVER_CLI_HELP_BEHIND_PROXY"))
    parser.add_argument("--workers", type=int, help=t("SERVER_CLI_HELP_WORKERS"))
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    commands.add_parser("migrate", parents=[common], help=t("SERVER_CLI_HELP_MIGRATE"))
    openapi = commands.add_parser("openapi", parents=[common], help=t("SERVER_CLI_HELP_OPENAPI"))
    openapi.add_argument("--out", type=Path, help=t("SERVER_CLI_HELP_OUT"))
    admin = commands.add_parser("admin", parents=[common], help=t("SERVER_CLI_HELP_ADMIN"))
    _admin_commands(admin.add_subparsers(dest="action", required=True, parser_class=_Parser), common, t)
    return parser


def _admin_commands(actions, common: argparse.ArgumentParser, t: Texts) -> None:
    unit = actions.add_parser("create-unit", parents=[common], help=t("SERVER_CLI_HELP_CREATE_UNIT"))
    unit.add_argument("unit_id", help=t("SERVER_CLI_HELP_UNIT_ID"))
    unit.add_argument("name", help=t("SERVER_CLI_HELP_UNIT_NAME"))
    account = actions.add_parser("create-admin", parents=[common], help=t("SERVER_CLI_HELP_CREATE_ADMIN"))
    account.add_argument("username", help=t("SERVER_CLI_HELP_USERNAME"))
    account.add_argument("--role", choices=("administrator", "auditor"), default="administrator",
                         help=t("SERVER_CLI_HELP_ROLE"))
    account.add_argument("--unit", help=t("SERVER_CLI_HELP_ACCOUNT_UNIT"))
    account.add_argument("--password-stdin", action="store_true", help=t("SERVER_CLI_HELP_PASSWORD_STDIN"))
    reset = actions.add_parser("reset-password", parents=[common], help=t("SERVER_CLI_HELP_RESET_PASSWORD"))
    reset.add_argument("username", help=t("SERVER_CLI_HELP_USERNAME"))
    reset.add_argument("--password-stdin", action="store_true", help=t("SERVER_CLI_HELP_PASSWORD_STDIN"))
    unlock = actions.add_parser("unlock", parents=[common], help=t("SERVER_CLI_HELP_UNLOCK"))
    unlock.add_argument("username", help=t("SERVER_CLI_HELP_USERNAME"))
    actions.add_parser("rotate-receipt-key", parents=[common], help=t("SERVER_CLI_HELP_ROTATE_KEY"))
    disable = actions.add_parser("disable", parents=[common], help=t("SERVER_CLI_HELP_DISABLE"))
    disable.add_argument("username", help=t("SERVER_CLI_HELP_USERNAME"))
    enable = actions.add_parser("enable", parents=[common], help=t("SERVER_CLI_HELP_ENABLE"))
    enable.add_argument("username", help=t("SERVER_CLI_HELP_USERNAME"))
    code = actions.add_parser("enrolment-code", parents=[common], help=t("SERVER_CLI_HELP_ENROLMENT_CODE"))
    code.add_argument("--unit", required=True, help=t("SERVER_CLI_HELP_UNIT_ID"))
    code.add_argument("--hours", type=int, help=t("SERVER_CLI_HELP_HOURS"))
    code.add_argument("--uses", type=int, default=1, help=t("SERVER_CLI_HELP_USES"))
    revoke = actions.add_parser("revoke", parents=[common], help=t("SERVER_CLI_HELP_REVOKE"))
    revoke.add_argument("workstation", help=t("SERVER_CLI_HELP_WORKSTATION"))
    actions.add_parser("workstations", parents=[common], help=t("SERVER_CLI_HELP_WORKSTATIONS"))
    actions.add_parser("verify-log", parents=[common], help=t("SERVER_CLI_HELP_VERIFY_LOG"))
    for name in ("enrolment-code", "workstations", "verify-log"):
        actions.choices[name].add_argument("--json", action="store_true", help=t("SERVER_CLI_HELP_JSON"))


def _prescan_lang(argv: Sequence[str]) -> str | None:
    """--lang wherever it is, before the parser that needs the language for its help is built."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    return early.parse_known_args(argv)[0].lang


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = language_from_header(_prescan_lang(argv) or os.environ.get("KYSO_LANG"))
    _Parser.lang = lang

    def t(code: str, /, **params: Any) -> str:
        return server_message(code, lang, **params)

    args = _parser(t).parse_args(argv)
    try:
        settings = load_settings(config_file=args.config, database_url=args.db,
                                 host=getattr(args, "host", None), port=getattr(args, "port", None),
                                 tls_cert=getattr(args, "cert", None), tls_key=getattr(args, "key", None),
                                 behind_proxy=getattr(args, "behind_proxy", None),
                                 workers=getattr(args, "workers", None))
        if args.command == "migrate":
            return _migrate(settings)
        if args.command == "openapi":
            return _openapi(settings, args.out)
        if args.command == "admin":
            _migrate(settings)
            return _admin(settings, args, t)
        return _serve(settings, migrate=not args.no_migrate, t=t)
    except ServerError as error:
        print(f"kyso-server: [{error.code.value}] {t(error.code.value, **error.params)}", file=sys.stderr)
        return 2
    except _Refused as refused:
        print(f"kyso-server: [{refused.code}] {t(refused.code, **refused.params)}", file=sys.stderr)
        return 2
    except FileNotFoundError as error:
        print(f"kyso-server: [SERVER_CLI_FILE_MISSING] {t('SERVER_CLI_FILE_MISSING', file=error)}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"kyso-server: [SERVER_CLI_FAILED] {t('SERVER_CLI_FAILED', detail=error)}", file=sys.stderr)
        return 2


def _migrate(settings: ServerSettings) -> int:
    from .migrate import upgrade

    upgrade(settings.resolved_database_url)
    return 0


def _openapi(settings: ServerSettings, out: Path | None) -> int:
    """The published schema only: no database is opened or migrated and no receipt key is read
    (a throwaway key stands in; the schema does not depend on it), so the command works on a
    build machine without the server's key file or database."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from .api.main import create_app
    from .db import Database
    from .receipts import ReceiptSigner

    database = Database("sqlite://")  # never connected: building the schema reads no data
    offline = settings.model_copy(update={"password_worker": False})
    app = create_app(offline, database=database, signer=ReceiptSigner(Ed25519PrivateKey.generate()))
    text = json.dumps(app.openapi(), indent=2, ensure_ascii=False)
    database.dispose()
    if out is None:
        print(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
    return 0


def _serve(settings: ServerSettings, *, migrate: bool, t: Texts) -> int:
    import uvicorn

    from .api.main import create_app

    if (settings.tls_cert is None) != (settings.tls_key is None):
        raise _Refused("SERVER_CLI_CERT_AND_KEY")
    _check_transport(settings, t)  # before anything is migrated or bound
    if migrate:
        _migrate(settings)
    options = dict(host=settings.host, port=settings.port, log_level=settings.log_level,
                   ssl_certfile=settings.tls_cert, ssl_keyfile=settings.tls_key, proxy_headers=True,
                   forwarded_allow_ips=settings.forwarded_allow_ips, server_header=False,
                   timeout_keep_alive=settings.keep_alive_seconds)
    if settings.workers > 1:  # uvicorn's supervisor starts that many processes, each making the app
        os.environ[_SETTINGS_ENV] = settings.model_dump_json()
        uvicorn.run("server.cli:worker_app", factory=True, workers=settings.workers, **options)
        return 0
    app = create_app(settings)
    _tune_gc()
    uvicorn.run(app, **options)
    return 0


_SETTINGS_ENV = "KYSO_SERVER_WORKER_SETTINGS"


def worker_app():
    """The application of one of `--workers` processes: the settings the command resolved (file,
    environment, options), handed over as JSON. The processes share the database, so the sign-in
    limits per address and per name hold in total (server/guard.py, SharedCounters); each has its
    own password worker, budget of password checks and ingestion queue."""
    from .api.main import create_app

    settings = ServerSettings.model_validate_json(os.environ[_SETTINGS_ENV])
    app = create_app(settings)
    _tune_gc()
    return app


def _check_transport(settings: ServerSettings, t: Texts) -> None:
    """Plain HTTP only on a loopback address, or behind an HTTPS reverse proxy the operator names
    (--behind-proxy); said aloud either way. Anywhere else: refused (issue 16: an on-path proxy
    captured a workstation's credential and replaced a unit's catalogue)."""
    if settings.tls_cert is not None:
        return
    if is_loopback(settings.host):
        print(f"kyso-server: [SERVER_PLAIN_HTTP_LOOPBACK] {t('SERVER_PLAIN_HTTP_LOOPBACK', host=settings.host)}",
              file=sys.stderr)
        return
    if settings.behind_proxy:
        print(f"kyso-server: [SERVER_PLAIN_HTTP_PROXY] "
              f"{t('SERVER_PLAIN_HTTP_PROXY', host=settings.host, port=settings.port)}", file=sys.stderr)
        return
    raise _Refused("SERVER_PLAIN_HTTP_REFUSED", host=settings.host)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _tune_gc() -> None:
    """A batch is ~30,000 parsed JSON objects that reference counting frees; the cyclic collector's
    default pace (a pass every 700 allocations) spent ~10 % of the ingestion CPU walking them.
    Collect less often, and freeze what start-up made so full collections skip it."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _admin(settings: ServerSettings, args: argparse.Namespace, t: Texts) -> int:
    from .db import Database

    database = Database(settings.resolved_database_url)
    try:
        with database.write() as session:
            return _ACTIONS[args.action](session, args, t, settings)
    finally:
        database.dispose()


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _create_unit(session, args, t: Texts, _settings) -> int:
    from .services import accounts

    accounts.create_unit(session, actor=_actor(), unit_id=args.unit_id, name=args.name)
    print(t("SERVER_CLI_UNIT_CREATED", unit=args.unit_id))
    return 0


def _create_admin(session, args, t: Texts, _settings) -> int:
    from .principals import Role
    from .services import accounts

    password = _password(args.password_stdin, t)
    accounts.create_account(session, actor=_actor(), username=args.username, password=password,
                            role=Role(args.role), unit_id=args.unit)
    print(t("SERVER_CLI_ACCOUNT_CREATED", username=args.username, role=t(f"CONSOLE_ROLE_{args.role.upper()}"),
            unit=args.unit or t("CONSOLE_EVERY_UNIT")))
    return 0


def _reset_password(session, args, t: Texts, _settings) -> int:
    from .services.account_admin import account_id_of, reset_password

    account = account_id_of(session, username=args.username)
    reset_password(session, actor=_actor(), scope=None, account_id=account,
                   password=_password(args.password_stdin, t))
    print(t("SERVER_CLI_PASSWORD_RESET", username=args.username))
    return 0


def _unlock(session, args, t: Texts, _settings) -> int:
    from .services.account_admin import account_id_of, unlock

    unlock(session, actor=_actor(), scope=None, account_id=account_id_of(session, username=args.username))
    print(t("SERVER_CLI_UNLOCKED", username=args.username))
    return 0


def _rotate_receipt_key(session, _args, t: Texts, settings: ServerSettings) -> int:
    from .receipts import rotate_key_file

    if settings.receipt_key_file is None or not settings.receipt_key_file.exists():
        raise _Refused("SERVER_CLI_ROTATE_NEEDS_FILE")
    old, new = rotate_key_file(session, path=settings.receipt_key_file)
    print(t("SERVER_CLI_KEY_ROTATED", old=old, new=new, path=settings.receipt_key_file))
    return 0


def _disable(session, args, t: Texts, _settings) -> int:
    from .services.account_admin import account_id_of, disable

    disable(session, actor=_actor(), scope=None, account_id=account_id_of(session, username=args.username))
    print(t("SERVER_CLI_DISABLED", username=args.username))
    return 0


def _enable(session, args, t: Texts, _settings) -> int:
    from .services.account_admin import account_id_of, enable

    enable(session, actor=_actor(), scope=None, account_id=account_id_of(session, username=args.username))
    print(t("SERVER_CLI_ENABLED", username=args.username))
    return 0


def _enrolment_code(session, args, t: Texts, settings: ServerSettings) -> int:
    from .services import workstations

    issued = workstations.create_code(session, actor=_actor(), unit_id=args.unit,
                                      hours=args.hours or settings.enrolment_code_hours, uses=args.uses)
    if args.json:
        print(json.dumps({"code": issued.code, "unit": issued.unit_id, "expires_at": issued.expires_at.isoformat(),
                          "uses": issued.uses}))
    else:
        expires = issued.expires_at.astimezone().strftime("%d/%m/%Y %H:%M %z")
        print(t("SERVER_CLI_CODE_ISSUED" if issued.uses == 1 else "SERVER_CLI_DEPLOYMENT_CODE_ISSUED",
                code=issued.code, unit=issued.unit_id, expires=expires, uses=issued.uses))
    return 0


def _revoke(session, args, t: Texts, _settings) -> int:
    from .services import workstations

    workstations.revoke(session, actor=_actor(), workstation_id=args.workstation, scope=None)
    print(t("SERVER_CLI_REVOKED", workstation=args.workstation))
    return 0


def _workstations(session, args, t: Texts, _settings) -> int:
    from .services import workstations

    listed = workstations.list_workstations(session, scope=None)
    if args.json:
        print(json.dumps(listed, default=str, indent=2))
        return 0
    print(t("SERVER_CLI_WORKSTATIONS", count=len(listed)))
    for ws in listed:
        state = t("SERVER_CLI_WS_REVOKED") if ws["revoked_at"] else t("SERVER_CLI_WS_ACTIVE")
        seen = ws["last_seen_at"].strftime("%d/%m/%Y %H:%M") if ws["last_seen_at"] else "—"
        print(f"  {ws['unit']}\t{ws['id']}\t{ws['label'] or '—'}\t{state}\t{seen}\t{ws['heads'].get('production', 0)}")
    return 0


def _verify_log(session, args, t: Texts, _settings) -> int:
    from .services import adminlog

    verdict = adminlog.verify_log(session)
    if args.json:
        print(json.dumps(vars(verdict)))
    elif verdict.ok:
        print(t("SERVER_CLI_LOG_OK", count=verdict.entries))
    else:
        print(t("SERVER_CLI_LOG_BROKEN", seq=verdict.first_bad_seq, count=verdict.entries))
    return 0 if verdict.ok else 1


_ACTIONS = {"create-unit": _create_unit, "create-admin": _create_admin, "reset-password": _reset_password,
            "unlock": _unlock, "disable": _disable, "rotate-receipt-key": _rotate_receipt_key, "enable": _enable, "enrolment-code": _enrolment_code, "revoke": _revoke, "workstations": _workstations,
            "verify-log": _verify_log}


def _password(from_stdin: bool, t: Texts) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(t("SERVER_CLI_PASSWORD_PROMPT"))
    if first != getpass.getpass(t("SERVER_CLI_PASSWORD_AGAIN")):
        raise _Refused("SERVER_CLI_PASSWORDS_DIFFER")
    return first


if __name__ == "__main__":
    raise SystemExit(main())
