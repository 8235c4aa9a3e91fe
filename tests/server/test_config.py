"""Settings (defaults < config file < environment < command line), and `kyso-server` run as a user
would: no --db (SQLite in the data folder), a TOML config file, HTTPS from a certificate and key."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from server.config import CONFIG_ENV, load_settings
from tests.support.audit_server import ROOT, wait_until


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("KYSO_SERVER_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    return monkeypatch


def test_settings_file_then_environment_then_command_line(tmp_path, clean_env):
    config = tmp_path / "kyso-server.toml"
    config.write_text('port = 9001\nmax_batch = 500\nlockout_failures = 3\ndatabase_url = "sqlite:///from-file.db"\n'
                      f'data_dir = "{tmp_path.as_posix()}/data"\n', encoding="utf-8")
    assert load_settings().port == 8443 and load_settings().max_batch == 1000  # defaults
    clean_env.setenv("KYSO_SERVER_MAX_BATCH", "200")
    clean_env.setenv("KYSO_SERVER_SESSION_HOURS", "2")
    settings = load_settings(config_file=config, port=9100, database_url=None)  # None: option not given
    assert (settings.port, settings.max_batch, settings.lockout_failures, settings.session_hours) == (9100, 200, 3, 2)
    assert settings.resolved_database_url == "sqlite:///from-file.db"
    assert load_settings(config_file=config, database_url=None).resolved_database_url == "sqlite:///from-file.db"
    assert CONFIG_ENV not in os.environ  # the file was for those calls only
    no_db = load_settings(data_dir=tmp_path / "embedded")
    clean_env.setenv(CONFIG_ENV, str(config))
    assert load_settings().port == 9001  # or named by the environment
    assert no_db.resolved_database_url == f"sqlite:///{tmp_path / 'embedded' / 'kyso-server.db'}"
    config.write_text("no_such_setting = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_setting"):
        load_settings(config_file=config)
    with pytest.raises(FileNotFoundError):
        load_settings(config_file=tmp_path / "missing.toml")


def test_cert_needs_its_key(tmp_path, clean_env, capsys):
    from server.cli import main

    code = main(["--db", f"sqlite:///{tmp_path / 'x.sqlite3'}", "--cert", str(tmp_path / "server.pem")])
    assert code == 2 and "[SERVER_CLI_CERT_AND_KEY] --cert và --key phải đi cùng nhau" in capsys.readouterr().err


def test_https_from_a_config_file_with_the_embedded_database(tmp_path):
    """`kyso-server --config FILE --port P`: HTTPS with the file's certificate, the SQLite file in the
    data folder, the environment above the file, the command line above both."""
    from tests.support.tls_certs import make_server_tls

    bundle, chain, key = make_server_tls(tmp_path)
    port, unused = _free_port(), _free_port()
    config = tmp_path / "kyso-server.toml"
    config.write_text(f'host = "127.0.0.1"\nport = {unused}\ntls_cert = "{chain.as_posix()}"\n'
                      f'tls_key = "{key.as_posix()}"\nmax_body_bytes = 4096\nlog_level = "warning"\n', encoding="utf-8")
    data = tmp_path / "data"
    env = {**os.environ, "KYSO_SERVER_DATA_DIR": str(data), "KYSO_SERVER_MAX_BODY_BYTES": "2048"}
    env.pop("KYSO_SERVER_CONFIG", None)
    log = tmp_path / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "server.cli", "--config", str(config), "--port", str(port)],
                                   env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(verify=ssl.create_default_context(cafile=str(bundle)), timeout=10) as https:
            url = f"https://127.0.0.1:{port}"
            wait_until(lambda: _answers(https, f"{url}/api/v1/health", process, log), timeout=60, interval=0.05,
                       what="kyso-server over HTTPS")
            assert https.get(f"{url}/api/v1/health").json() == {"status": "ok", "database": "sqlite"}
            big = https.post(f"{url}/api/v1/auth/login", content=b"x" * 3000, headers={"Content-Type": "application/json"})
            assert (big.status_code, big.json()["params"]) == (413, {"limit": "2048"})  # environment over file
            with pytest.raises(httpx.HTTPError):
                httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=5)  # TLS only
        assert (data / "kyso-server.db").is_file()
    finally:
        process.terminate()
        process.wait(10)


def _answers(client: httpx.Client, url: str, process: subprocess.Popen, log: Path) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"kyso-server exited: {log.read_text(errors='replace')[-2000:]}")
    try:
        return client.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]
