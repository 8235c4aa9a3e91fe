"""Issue 16: the server refuses plain HTTP on a non-loopback address unless told it stands behind
an HTTPS proxy, says so in Vietnamese and English, and sends HSTS on every HTTPS answer."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from server.cli import main
from tests.support.audit_server import HTTP, ROOT, ThreadServer, _free_port, wait_until


@pytest.mark.parametrize(("lang", "words"), [("vi", "Từ chối phục vụ HTTP không mã hoá"), ("en", "Refusing to serve plain HTTP")])
@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.2", "::", "kyso.vks.gov.vn"])
def test_plain_http_on_a_network_address_is_refused(tmp_path, capsys, lang, words, host):
    code = main(["--host", host, "--port", "1", "--db", f"sqlite:///{tmp_path / 's.db'}", "--lang", lang])
    err = capsys.readouterr().err
    assert code == 2 and "[SERVER_PLAIN_HTTP_REFUSED]" in err and words in err and "--cert" in err
    assert not (tmp_path / "s.db").exists()  # refused before anything was made


def _serve(tmp_path, *args: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "KYSO_SERVER_DATA_DIR": str(tmp_path), "KYSO_LANG": "en"}
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "--db", f"sqlite:///{tmp_path / 'p.db'}",
                                "--port", str(port), *args], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    return process, str(port)


@pytest.mark.parametrize(("args", "host", "note"), [
    (("--host", "192.0.2.2", "--behind-proxy"), "192.0.2.2", "SERVER_PLAIN_HTTP_PROXY"),
    (("--host", "127.0.0.1"), "127.0.0.1", "SERVER_PLAIN_HTTP_LOOPBACK")])
def test_plain_http_where_allowed_is_said_aloud(tmp_path, args, host, note):
    process, port = _serve(tmp_path, *args)
    try:
        wait_until(lambda: _up(f"http://{host}:{port}", process), timeout=60, what="server")
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=20)
    assert f"[{note}]" in err


def _up(url: str, process) -> bool:
    if process.poll() is not None:
        raise AssertionError(process.stderr.read())
    try:
        return HTTP.get(f"{url}/api/v1/health", timeout=1).status_code == 200
    except Exception:  # noqa: BLE001 — not listening yet
        return False


def test_hsts_on_https_only(tmp_path):
    from tests.support.tls_certs import make_server_tls

    _bundle, chain, key = make_server_tls(tmp_path)
    url = f"sqlite:///{tmp_path / 'h.db'}"
    secure = ThreadServer(url, data_dir=tmp_path / "a", tls=(chain, key))
    plain = ThreadServer(url, data_dir=tmp_path / "b")
    try:
        import ssl

        import httpx

        with httpx.Client(verify=ssl.create_default_context(cafile=str(_bundle))) as client:
            answer = client.get(f"{secure.url}/api/v1/health")
            missing = client.get(f"{secure.url}/nowhere")
        assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
        assert "strict-transport-security" in missing.headers  # refusals too
        assert "strict-transport-security" not in HTTP.get(f"{plain.url}/api/v1/health").headers
    finally:
        secure.stop()
        plain.stop()
