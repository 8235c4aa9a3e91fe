"""The administrators' console for tests: one HTTPS server on loopback seeded with two units, an
account of each kind, workstations with real chains (ingested through the API), practice events
and a tamper alert; and a client that signs in through the console's own form."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import secrets
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text

from app.audit import wire
from tests.support.audit_server import ADMIN_PASSWORD, ThreadServer, seed_accounts

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "ConsoleClient", "Site", "WHO", "build_site", "csrf_of", "event_chain", "exported_hashes", "query_rows"]

CHROMIUM = "/usr/bin/chromium"  # Debian's (scripts/setup.sh); Playwright never downloads a browser here
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WHO = ("admin", "unit_admin", "auditor", "other_auditor", "other_admin")
DOCUMENTS = ("Quyết định phê chuẩn lệnh tạm giam số 15.pdf", "Cáo trạng vụ Nguyễn Văn Đức.pdf",
             "Công văn gửi Sở Tư pháp.pdf", "Bản sao y quyết định 07.pdf")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class ConsoleClient:
    """A browser-like client: cookies, the console's CSRF tokens, no redirects followed."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.http = httpx.Client(base_url=site.url, verify=site.tls(), follow_redirects=False, timeout=60)
        self._csrf: tuple[str | None, str] | None = None

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def sign_in(self, username: str, password: str = ADMIN_PASSWORD) -> httpx.Response:
        form = self.http.get("/login")
        return self.http.post("/login", data={"username": username, "password": password, "csrf": csrf_of(form.text),
                                              "next": ""})

    @property
    def session_cookie(self) -> str | None:
        return self.http.cookies.get("__Host-kyso-session")

    def csrf(self) -> str:
        """The session's token (fixed for the session's life: fetched once)."""
        cookie = self.session_cookie
        if self._csrf is None or self._csrf[0] != cookie:
            self._csrf = (cookie, csrf_of(self.http.get("/login" if cookie is None else "/workstations").text))
        return self._csrf[1]

    def post(self, path: str, data: dict | None = None, *, csrf: str | None = "auto", **kwargs) -> httpx.Response:
        """A form post with this session's CSRF token ("auto"), another token, or none (None)."""
        data = dict(data or {})
        if csrf == "auto":
            data["csrf"] = self.csrf()
        elif csrf is not None:
            data["csrf"] = csrf
        return self.http.post(path, data=data, **kwargs)


@dataclass
class Site:
    url: str
    ca: Path
    database_url: str
    unit: str
    other_unit: str
    names: dict[str, str]
    workstations: dict[str, dict] = field(default_factory=dict)  # name → {id, credential, chain}
    server: ThreadServer | None = None
    first_day: datetime = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
    _tokens: dict[str, str] = field(default_factory=dict)

    def api(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, verify=self.tls(), headers=headers, timeout=60)

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))

    def admin_token(self, who: str = "admin") -> str:
        if who in self._tokens:
            return self._tokens[who]
        with self.api() as client:
            answer = client.post("/api/v1/auth/login", json={"username": self.names[who], "password": ADMIN_PASSWORD})
        assert answer.status_code == 200, answer.text
        self._tokens[who] = answer.json()["token"]
        return self._tokens[who]

    def client(self, who: str | None = None) -> ConsoleClient:
        client = ConsoleClient(self)
        if who is not None:
            answer = client.sign_in(self.names[who])
            assert answer.status_code == 303, answer.text
        return client

    def enrol(self, name: str, unit: str) -> dict:
        with self.api(self.admin_token()) as admin:
            code = admin.post("/api/v1/admin/enrolment-codes", json={"unit": unit}).json()["code"]
        key = Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        ident = f"ws-{name}-{secrets.token_hex(4)}"
        proof = key.sign(f"kyso-enrol:{code.replace('-', '')}:{ident}".encode())
        with self.api() as client:
            answer = client.post("/api/v1/enrol", json={"code": code, "workstation_id": ident, "label": f"Máy {name}",
                                                       "public_key": base64.b64encode(public).decode(),
                                                       "proof": base64.b64encode(proof).decode()})
        assert answer.status_code == 201, answer.text
        self.workstations[name] = {"id": ident, "credential": answer.json()["credential"], "events": {}}
        return self.workstations[name]

    def send(self, name: str, events: list[dict]) -> httpx.Response:
        workstation = self.workstations[name]
        with self.api(workstation["credential"]) as client:
            for start in range(0, len(events), 500):
                answer = client.post("/api/v1/events", json={"events": events[start:start + 500]})
                if answer.status_code != 200:
                    return answer
        for event in events:
            workstation["events"][(event["mode"], event["seq"])] = event
        return answer


def event_chain(workstation: str, *, count: int, first: datetime, mode: str = "production", start: int = 1,
                prev_hash: str = wire.GENESIS, users: tuple[str, ...] = ("Nguyễn Thị Hoa", "Trần Văn Bình")
                ) -> list[dict]:
    """`count` sealed events, one every 7 hours from `first`: signatures (succeeded, failed,
    refused) of documents with Vietnamese names, wrong PINs, documents opened."""
    events, previous = [], prev_hash
    kinds = ("sign.succeeded", "document.opened", "sign.failed", "sign.succeeded", "pin.wrong", "sign.refused")
    for seq in range(start, start + count):
        kind = kinds[seq % len(kinds)]
        at = first + timedelta(hours=7 * (seq - 1))
        data = {"document": DOCUMENTS[seq % len(DOCUMENTS)]}
        if kind.startswith("sign."):
            data.update({"outcome": {"sign.succeeded": "ok", "sign.failed": "failed"}.get(kind, "refused"),
                         "level": "B-LT", "input_sha256": f"{seq:064x}",
                         "certificate": {"subject": "CN=Nguyễn Thị Hoa", "issuer": "CN=VNPT-CA", "serial": "0A1B"}})
        at_utc = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        event = wire.seal({
            "v": 1, "workstation": workstation, "mode": mode, "seq": seq, "prev_hash": previous, "type": kind,
            "at_utc": at_utc, "at_local": (at + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S.%f+07:00"),
            "os_user": "canbo", "user_name": users[seq % len(users)], "user_role": "kiem-sat-vien",
            "app_version": "0.1.0", "data": data})
        events.append(event)
        previous = event["hash"]
    return events


def build_site(database_url: str, folder: Path) -> Site:
    """Two units, every kind of account, three workstations with chains, practice events and an alert."""
    from tests.support.tls_certs import make_server_tls

    tag = secrets.token_hex(3)
    unit, other = f"VKS-A{tag}", f"VKS-B{tag}"
    names = {"admin": f"quantri-{tag}", "unit_admin": f"qtdv-{tag}", "auditor": f"kiemtoan-{tag}",
             "other_auditor": f"kiemtoan-b-{tag}", "other_admin": f"qtdv-b-{tag}"}
    seed_accounts(database_url, units=(unit, other), accounts={
        names["admin"]: ("administrator", None), names["unit_admin"]: ("administrator", unit),
        names["auditor"]: ("auditor", unit), names["other_auditor"]: ("auditor", other),
        names["other_admin"]: ("administrator", other)})
    folder.mkdir(parents=True, exist_ok=True)
    ca, chain, key = make_server_tls(folder)
    server = ThreadServer(database_url, data_dir=folder / "data", tls=(chain, key))
    site = Site(server.url, ca, database_url, unit, other, names, server=server)
    for name, home, count in (("one", unit, 120), ("two", unit, 40), ("other", other, 30)):
        ident = site.enrol(name, home)["id"]
        assert site.send(name, event_chain(ident, count=count, first=site.first_day)).status_code == 200
    one = site.workstations["one"]["id"]
    site.send("one", event_chain(one, count=12, first=site.first_day, mode="practice",
                                 users=("Học viên Lê Văn Cường", "Học viên Phạm Thị Dung")))
    forged = event_chain(one, count=1, first=site.first_day + timedelta(days=1), start=5,
                         prev_hash=site.workstations["one"]["events"][("production", 4)]["hash"],
                         users=("Kẻ sửa nhật ký",))
    assert site.send("one", forged).status_code == 409  # a rewritten history: the alert
    return site


def query_rows(site, sql: str, **params) -> list:
    """Rows of a statement on the site's database (none for a statement that returns none)."""
    engine = create_engine(site.database_url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(sql), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def exported_hashes(fmt: str, content: bytes) -> set[str]:
    """The event hashes an export holds, read back with independent readers (csv, openpyxl, the
    reference hash, pypdf); for the PDF report, the 16 characters it prints."""
    if fmt == "csv":
        assert content.startswith("\ufeff".encode())
        return {row["hash"] for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        column = rows[0].index("hash")
        return {row[column] for row in rows[1:]}
    if fmt == "jsonl":
        events = [json.loads(line) for line in content.decode().splitlines()]
        assert all(wire.event_hash(event) == event["hash"] for event in events)  # re-verifiable by the reference
        return {event["hash"] for event in events}
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    words = "\n".join(page.extract_text() for page in reader.pages)
    assert "BÁO CÁO NHẬT KÝ KÝ SỐ" in words and "Ký thành công" in words and "Quyết định" in words
    return set(re.findall(r"\b[0-9a-f]{16}\b", words))
