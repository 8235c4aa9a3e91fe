"""The administrators' console over 1,000,000 events in PostgreSQL, beside the API's own query of
the same rows (issue 17).

    .venv/bin/python -m benchmarks.run_all --only console [--quick]

The events are made in the database with generate_series (100 workstations of one unit, 10,000
events each over a year, signatures, wrong PINs, opened documents, Vietnamese document names with
their search keys) and ANALYZEd; a `kyso-server` child process serves them. Measured from a client
on loopback (time to the last byte: the server's time plus a loopback round trip), 1 warm-up then
the median of N:

- the Events page's first page (the unit's newest 50, with the filter form and its lists);
- a filtered search: one workstation, one month; and the 20th page of the unfiltered list
  (keyset paging: page 20 should cost what page 1 does);
- a search by document name without diacritics (a substring: no index can serve it);
- beside each, the API's own `GET /api/v1/events` of the same rows (JSON, 50 a page);
- the PDF report of one workstation's 10,000 events (a fresh server process: its wall time and
  peak resident memory, VmHWM), beside the CSV export of the same rows.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

import httpx
import psycopg

from benchmarks.machine import CpuMeter
from benchmarks.server import _dsn, measured_download

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "work" / "console"
WORKSTATIONS = 100
DOCUMENTS = ("Quyết định phê chuẩn lệnh tạm giam", "Cáo trạng vụ án", "Công văn gửi Sở Tư pháp",
             "Bản sao y quyết định", "Kháng nghị phúc thẩm", "Yêu cầu điều tra bổ sung", "Thông báo",
             "Báo cáo án", "Phiếu kiểm sát", "Quyết định truy tố")
_TYPES = "(ARRAY['sign.succeeded','document.opened','sign.failed','sign.succeeded','pin.wrong','sign.refused'," \
         "'verification.done','sign.requested'])[g % 8 + 1]"
_FILL = """
INSERT INTO events (workstation_id, chain, unit_id, mode, seq, v, prev_hash, hash, type, outcome, document_type,
                    document_key, at_utc, at_utc_text, at_local, os_user, user_name, user_role, app_version, data,
                    received_at)
SELECT 'ws-bench-' || lpad((g % 100)::text, 4, '0'), 'ws-bench-' || lpad((g % 100)::text, 4, '0'), 'BENCH',
       CASE WHEN g % 50 = 0 THEN 'practice' ELSE 'production' END, g / 100 + 1, 1,
       md5(g::text) || md5((g + 1)::text), md5((g + 2)::text) || md5((g + 3)::text), {types},
       (ARRAY['ok', NULL, 'failed', 'ok', 'failed', 'refused', 'ok', NULL])[g % 8 + 1], 'quyet-dinh',
       (:keys)[g % 10 + 1] || ' ' || (g / 100) || '.pdf',
       timestamptz '2026-01-01 00:00:00+00' + make_interval(secs => (g / 100) * {step}),
       to_char(timestamptz '2026-01-01 00:00:00+00' + make_interval(secs => (g / 100) * {step}),
               'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       '2026-01-01T07:00:00.000000+07:00', 'canbo', 'Nguyễn Văn An', 'kiem-sat-vien', '0.1.0',
       '{{"document":"' || (:names)[g % 10 + 1] || ' ' || (g / 100) || '.pdf","outcome":"ok","level":"B-LT"}}',
       now()
FROM generate_series(0, {rows} - 1) AS g
"""


def run(quick: bool) -> str:
    from tests.support.postgres import temporary_database

    WORK.mkdir(parents=True, exist_ok=True)
    rows = 200_000 if quick else 1_000_000
    rounds = 3 if quick else 7
    with temporary_database() as url:
        _fill(url, rows=rows)
        pages = _pages(url, rounds=rounds)
        report = _report_pdf(url)
        csv = _export_csv(url)
    return _section(rows, rounds, pages, report, csv)


def _fill(url: str, *, rows: int) -> None:
    from server.migrate import upgrade
    from server.textfold import fold
    from tests.support.audit_server import seed_accounts

    upgrade(url)
    seed_accounts(url, units=("BENCH",), accounts={"bench-auditor": ("auditor", "BENCH")})
    with psycopg.connect(_dsn(url)) as connection:
        connection.execute(
            "INSERT INTO workstations (id, unit_id, label, public_key, credential_hash, enrolled_at) "
            "SELECT 'ws-bench-' || lpad(i::text, 4, '0'), 'BENCH', 'Máy ' || i, '\\x00'::bytea, md5(i::text), now() "
            "FROM generate_series(0, %s) AS i" % (WORKSTATIONS - 1))
        step = 365 * 24 * 3600 / (rows / WORKSTATIONS)  # each workstation's events spread over the year
        sql = (_FILL.format(types=_TYPES, rows=rows, step=step).replace(" % ", " %% ")  # the modulo, not a placeholder
               .replace(":keys", "%(keys)s::text[]").replace(":names", "%(names)s::text[]"))
        connection.execute(sql, {"keys": [fold(name) for name in DOCUMENTS], "names": list(DOCUMENTS)})
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE events")


class _Console:
    """Signed in through the console's own form; the cookie sent by hand (plain HTTP on loopback)."""

    def __init__(self, url: str) -> None:
        from tests.support.audit_server import ADMIN_PASSWORD

        self.http = httpx.Client(base_url=url, timeout=600, follow_redirects=False)
        form = self.http.get("/login")
        pre = form.cookies["__Host-kyso-signin"]
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        signed = self.http.post("/login", data={"username": "bench-auditor", "password": ADMIN_PASSWORD,
                                                "csrf": token, "next": ""},
                                headers={"Cookie": f"__Host-kyso-signin={pre}"})
        self.cookie = re.search(r"__Host-kyso-session=([^;]+)", signed.headers["set-cookie"]).group(1)
        self.api = {"Authorization": f"Bearer {self._api_token(url)}"}

    @staticmethod
    def _api_token(url: str) -> str:
        from tests.support.audit_server import login

        return login(url, "bench-auditor")["Authorization"].split()[1]

    def page(self, path: str, **params) -> httpx.Response:
        answer = self.http.get(path, params=params, headers={"Cookie": f"__Host-kyso-session={self.cookie}"})
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        return answer


def _timed(call, rounds: int) -> tuple[float, object]:
    result = call()  # warm-up (caches, plans)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _pages(url: str, *, rounds: int) -> dict:
    from tests.support.audit_server import ProcessServer

    server = ProcessServer(url, data_dir=WORK, migrate=False)
    meter = CpuMeter(database=url.rsplit("/", 1)[-1], pids=(server.process.pid,))
    try:
        console = _Console(server.url)
        one = {"workstation": "ws-bench-0042", "from": "2026-06-01", "to": "2026-06-30"}
        api_one = {"workstation": "ws-bench-0042", "from": "2026-05-31T17:00:00Z", "to": "2026-06-30T17:00:00Z",
                   "limit": 50, "mode": "production"}
        figures = {}
        figures["first"] = _timed(lambda: console.page("/events"), rounds)
        figures["api_first"] = _timed(lambda: console.http.get("/api/v1/events", params={"limit": 50},
                                                                headers=console.api), rounds)
        figures["filtered"] = _timed(lambda: console.page("/events", **one), rounds)
        figures["api_filtered"] = _timed(lambda: console.http.get("/api/v1/events", params=api_one,
                                                                   headers=console.api), rounds)
        cursor = _page_cursor(console, pages=19)
        figures["deep"] = _timed(lambda: console.page("/events", before=cursor), rounds)
        figures["document"] = _timed(lambda: console.page("/events", document="khang nghi phuc tham"), rounds)
        figures["api_document"] = _timed(lambda: console.http.get("/api/v1/events", params={
            "document": "khang nghi phuc tham", "limit": 50}, headers=console.api), rounds)
        figures["overview"] = _timed(lambda: console.page("/"), rounds)
        counts = {name: len(re.findall(r'href="/events/\d+"', value[1].text)) if name in (
            "first", "filtered", "deep", "document") else len(value[1].json()["events"])
            for name, value in figures.items() if name != "overview"}
    finally:
        others = meter.others()
        server.stop()
    return {"seconds": {name: value[0] for name, value in figures.items()}, "counts": counts, "others": others}


def _page_cursor(console: _Console, *, pages: int) -> str:
    cursor = ""
    for _ in range(pages):
        text = console.page("/events", **({"before": cursor} if cursor else {})).text
        cursor = re.search(r'before=([^"&]+)[^"]*" rel="next"', text).group(1).replace("%7E", "~")
    return cursor


def _report_pdf(url: str) -> dict:
    """A fresh server process: one workstation's 10,000 events as the PDF report."""
    return _download(url, "/events/export", {"format": "pdf", "workstation": "ws-bench-0007"}, console=True)


def _export_csv(url: str) -> dict:
    return _download(url, "/api/v1/events/export", {"format": "csv", "workstation": "ws-bench-0007"}, console=False)


def _download(url: str, path: str, params: dict, *, console: bool) -> dict:
    from tests.support.audit_server import ProcessServer

    server = ProcessServer(url, data_dir=WORK, migrate=False,
                           extra_env={"KYSO_SERVER_REPORT_MAX_EVENTS": "10000"})
    try:
        client = _Console(server.url)
        params = {**params, "mode": "production"} if console else params
        headers = {"Cookie": f"__Host-kyso-session={client.cookie}"} if console else client.api
        # the peak from the request on (the sign-in's argon2 takes 64 MiB by itself)
        return measured_download(server, path, params=params, headers=headers, reset_peak=True)
    finally:
        server.stop()


def _section(rows: int, rounds: int, pages: dict, report: dict, csv: dict) -> str:
    s, n = pages["seconds"], pages["counts"]
    ms = lambda name: f"{s[name] * 1000:.0f} ms"  # noqa: E731
    pages_ok = s["first"] <= 0.3 and s["filtered"] <= 0.3
    report_ok = report["seconds"] <= 10 and report["peak"] <= 200
    return f"""## 6b. The administrators' console — {rows:,} events of one unit (100 workstations) in PostgreSQL

| page (console, HTML) | time | beside: the API's own query (JSON) | time |
|---|---:|---|---:|
| Events, first page (newest {n['first']}, with the filter form) | **{ms('first')}** | `GET /api/v1/events?limit=50` ({n['api_first']}) | {ms('api_first')} |
| Events, one workstation, one month ({n['filtered']}) | **{ms('filtered')}** | `GET /api/v1/events?workstation=…&from=…&to=…` ({n['api_filtered']}) | {ms('api_filtered')} |
| Events, 20th page (keyset: {n['deep']} events) | {ms('deep')} | — | — |
| Events, document name without diacritics, a substring ({n['document']}) | {ms('document')} | `GET /api/v1/events?document=…` ({n['api_document']}) | {ms('api_document')} |
| Overview (counts today and this week, workstations, alerts) | {ms('overview')} | — | — |

Median of {rounds} after one warm-up, measured by a client on loopback to the last byte (the server's
time and one loopback round trip); one `kyso-server` process. Targets ≤ 300 ms for the first page
and for the filtered search: **{'met' if pages_ok else 'not met'}**. Other processes took {pages['others'] * 100:.0f} % of
the machine meanwhile.

| report of one workstation's 10,000 events | time | size | server memory before → peak |
|---|---:|---:|---:|
| PDF report (console, Vietnamese, ~300 pages) | **{report['seconds']:.1f} s** | {report['mib']:.1f} MiB | {report['before']:.0f} → **{report['peak']:.0f} MiB** |
| beside: CSV export of the same rows (API) | {csv['seconds']:.1f} s | {csv['mib']:.1f} MiB | {csv['before']:.0f} → {csv['peak']:.0f} MiB |

Targets ≤ 10 s and ≤ 200 MiB for the PDF: **{'met' if report_ok else 'not met'}**.
"""
