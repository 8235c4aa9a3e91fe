"""HTTP to the server: httpx with the enrolment's CA bundle and proxy, and errors turned into codes.

Government networks often put an HTTPS proxy and their own certificate authority in the way:
`ca_bundle` (a PEM file) replaces the system's trust for the server, `proxy` names the proxy
(otherwise HTTPS_PROXY / NO_PROXY from the environment are honoured, as httpx does).
"""

from __future__ import annotations

import functools
import os
import ssl
from typing import Any

import httpx

from .errors import SyncError, SyncErrorCode

__all__ = ["TIMEOUT", "check_transport", "http_client", "refusal", "request"]

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@functools.lru_cache(maxsize=4)
def _tls(ca_bundle: str | None, _stamp: float) -> ssl.SSLContext:
    """The TLS context (made once: loading the trust store costs ~50 ms); the system's trust,
    or the given bundle instead."""
    return ssl.create_default_context(cafile=ca_bundle) if ca_bundle else httpx.create_ssl_context()


def check_transport(url: str, *, insecure_http: bool = False) -> None:
    """HTTPS only — plain HTTP to a loopback address, or with the explicit `--insecure-http` of a
    lab, excepted. Anything else (another scheme, no host) is refused too: the credential and
    the unit's configuration never cross a network in clear."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise SyncError(SyncErrorCode.PLAIN_HTTP, url=str(url)[:200]) from None
    if parsed.scheme == "https" and parsed.host:
        return
    if parsed.scheme == "http" and parsed.host and (_loopback(parsed.host) or insecure_http):
        return
    raise SyncError(SyncErrorCode.PLAIN_HTTP, url=str(url)[:200])


def _loopback(host: str) -> bool:
    import ipaddress

    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def http_client(*, base_url: str, ca_bundle: str | None = None, proxy: str | None = None,
                credential: str | None = None, insecure_http: bool = False) -> httpx.Client:
    check_transport(base_url, insecure_http=insecure_http)  # before any byte, credential or not, is sent
    headers = {"Accept-Language": "vi", "User-Agent": "kyso-sync"}
    if credential:
        headers["Authorization"] = f"Bearer {credential}"
    stamp = os.stat(ca_bundle).st_mtime if ca_bundle and os.path.exists(ca_bundle) else 0.0
    return httpx.Client(base_url=base_url.rstrip("/"), verify=_tls(ca_bundle, stamp), proxy=proxy or None,
                        timeout=TIMEOUT, headers=headers, trust_env=True, follow_redirects=False)


def request(client: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request; transport failures become SyncError (the caller decides about HTTP statuses)."""
    try:
        return client.request(method, path, **kwargs)
    except httpx.TimeoutException as exc:
        raise SyncError(SyncErrorCode.TIMEOUT, url=str(client.base_url)) from exc
    except httpx.ConnectError as exc:
        if "CERTIFICATE" in str(exc).upper() or "SSL" in str(exc).upper():
            raise SyncError(SyncErrorCode.TLS, url=str(client.base_url), detail=str(exc)[:200]) from exc
        raise SyncError(SyncErrorCode.UNREACHABLE, url=str(client.base_url)) from exc
    except (httpx.TransportError, httpx.InvalidURL) as exc:  # cut connection, bad proxy…
        raise SyncError(SyncErrorCode.UNREACHABLE, url=str(client.base_url)) from exc


def refusal(response: httpx.Response) -> SyncError:
    """The server's refusal as a SyncError, its own code kept in `server_code`."""
    try:
        body = response.json()
        code = str(body.get("code", ""))
    except ValueError:
        code = ""
    if response.status_code == 403 and code == "SERVER_WORKSTATION_REVOKED":
        return SyncError(SyncErrorCode.REVOKED)
    if response.status_code == 401:
        return SyncError(SyncErrorCode.AUTH, server_code=code or "401")
    if code == "SERVER_CHAIN_REWRITTEN":
        return SyncError(SyncErrorCode.HISTORY_REWRITTEN, seq=body.get("params", {}).get("seq", "?"))
    return SyncError(SyncErrorCode.REFUSED, status=response.status_code, server_code=code or "-")
