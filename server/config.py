"""Server settings, declared in one typed place: defaults < config file (TOML) < environment < CLI.

Environment variables are `KYSO_SERVER_<NAME>` (e.g. KYSO_SERVER_DATABASE_URL); the config file is
named by `--config FILE` or KYSO_SERVER_CONFIG and holds the same names in lower case.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["CONFIG_ENV", "ServerSettings", "default_data_dir", "load_settings"]

CONFIG_ENV = "KYSO_SERVER_CONFIG"
_config_file: ContextVar[Path | None] = ContextVar("kyso_server_config_file", default=None)


def default_data_dir() -> Path:
    override = os.environ.get("KYSO_SERVER_DATA_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("kyso-server", appauthor=False, roaming=False))


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYSO_SERVER_", extra="forbid", frozen=True)

    database_url: str = ""  # empty: SQLite file in the data folder
    data_dir: Path = Field(default_factory=default_data_dir)
    host: str = "127.0.0.1"
    port: int = 8443
    tls_cert: Path | None = None  # PEM certificate chain; with tls_key, the server speaks HTTPS
    tls_key: Path | None = None
    forwarded_allow_ips: str = "127.0.0.1"  # reverse proxies whose X-Forwarded-* headers are trusted
    behind_proxy: bool = False  # plain HTTP on a non-loopback address, for an HTTPS reverse proxy in front
    hsts_seconds: int = Field(default=31_536_000, ge=0)  # Strict-Transport-Security on every HTTPS answer
    receipt_key_file: Path | None = None  # Ed25519 PEM; unset: the key is kept in the database
    max_body_bytes: int = 16 * 1024 * 1024
    max_batch: int = 1000
    event_max_depth: int = Field(default=32, ge=1)  # nesting levels inside an event (issue 16)
    event_max_members: int = Field(default=2_000, ge=1)  # object members and list items in one event
    event_max_string: int = Field(default=16 * 1024, ge=64)  # characters of any one string or key
    event_max_bytes: int = Field(default=64 * 1024, ge=1024)  # UTF-8 bytes of one event
    lock_timeout_seconds: float = Field(default=10.0, gt=0)  # a lock not granted by then: 503 SERVER_BUSY (retry)
    ingest_concurrency: int = Field(default=2, ge=1)  # batches checked and stored at once by one process
    ingest_queue: int = Field(default=1024, ge=1)  # batches waiting their turn (fairly between workstations); beyond: 503
    ingest_queue_bytes: int = Field(default=256 * 1024 * 1024, ge=1)  # their bodies in all; beyond: 503
    enrolment_code_hours: int = 72
    session_hours: int = 8
    lockout_failures: int = 5
    login_attempts_per_minute: int = Field(default=10, ge=1)  # per client address and per user name (guard.py)
    enrol_attempts_per_minute: int = Field(default=10, ge=1)  # per client address
    ingest_batches_per_second: int = Field(default=5, ge=1)  # per workstation, after a burst of twice as many
    ingest_in_flight: int = Field(default=1, ge=1)  # batches of one workstation handled at once
    sign_in_refusal_delay_seconds: float = Field(default=1.0, ge=0, le=10)  # a refused sign-in answered after this
    shared_sign_in_limits: bool = True  # per-address/per-name sign-in counters in the database (all processes)
    password_worker: bool = True  # argon2 in a worker process of low CPU priority (server/security.py)
    password_concurrency: int = Field(default=1, ge=1)  # argon2 checks at once (each ~0.1 s, 64 MiB)
    password_checks_per_second: float = Field(default=1.0, gt=0)  # all addresses together (a burst of 5× as many)
    lockout_minutes: int = 15
    export_xlsx_rows: int = 1_048_575  # Excel's limit, less the header row
    workers: int = Field(default=1, ge=1)  # server processes on the one port (sign-in limits shared via the database)
    keep_alive_seconds: int = Field(default=5, ge=1)  # idle keep-alive connections closed after this (uvicorn's default)
    console_idle_minutes: int = Field(default=30, ge=1)  # a console session unused this long ends
    console_timezone: str = "Asia/Ho_Chi_Minh"  # how the console shows times and reads dates typed in forms
    max_upload_bytes: int = 1024 * 1024 * 1024  # a JSONL export uploaded to the console for re-verification
    report_max_events: int = Field(default=20_000, ge=1)  # events listed one by one in a PDF report
    report_font: Path | None = None  # a TrueType font with Vietnamese letters; default: found on the system
    log_level: str = "info"

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file.get() or os.environ.get(CONFIG_ENV)
        if path:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(path)))
        return tuple(sources)

    @property
    def guard_limits(self):
        from .guard import GuardLimits

        per_login, per_enrol = 60 / self.login_attempts_per_minute, 60 / self.enrol_attempts_per_minute
        return GuardLimits(
            login_per_address=(self.login_attempts_per_minute, per_login),
            login_per_name=(self.login_attempts_per_minute, per_login),
            enrol_per_address=(self.enrol_attempts_per_minute, per_enrol),
            ingest_per_workstation=(max(10, 2 * self.ingest_batches_per_second), 1 / self.ingest_batches_per_second),
            login_overall=(max(1, int(self.password_checks_per_second * 5)), 1 / self.password_checks_per_second),
            ingest_in_flight=self.ingest_in_flight, lockout_failures=self.lockout_failures,
            lockout_seconds=self.lockout_minutes * 60.0, password_concurrency=self.password_concurrency)

    @property
    def event_limits(self):
        from .canonical import EventLimits

        return EventLimits(depth=self.event_max_depth, members=self.event_max_members,
                           string=self.event_max_string, event_bytes=self.event_max_bytes)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'kyso-server.db'}"


def load_settings(*, config_file: Path | None = None, **overrides: Any) -> ServerSettings:
    """Settings from the config file (`config_file`, else KYSO_SERVER_CONFIG) and the environment,
    with `overrides` (CLI options; None: not given) on top."""
    if config_file is not None and not config_file.is_file():
        raise FileNotFoundError(config_file)
    token = _config_file.set(config_file)
    try:
        return ServerSettings(**{key: value for key, value in overrides.items() if value is not None})
    finally:
        _config_file.reset(token)
