"""Issue 16: every event's shape is bounded at the door (422 naming the limit), an event RFC 8785
cannot encode is refused with its own code, reads and exports survive anything already stored,
and from/to are read strictly (422 before any stream starts) — on PostgreSQL and SQLite."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.audit import wire
from server.db import Database
from server.timezones import parse_moment
from tests.support.audit_server import HTTP, sealed_chain


def _nested(depth: int) -> dict:
    value: object = 1
    for _ in range(depth):
        value = {"a": value}
    return value  # type: ignore[return-value]


def _post(live, ws, events):
    return HTTP.post(f"{live.url}/api/v1/events", json={"events": events}, headers=ws.headers)


@pytest.mark.parametrize(("data", "limit"), [
    (_nested(40), "depth"), ({"a": [[[]] * 2] * 900}, "members"), ({"s": "x" * 20_000}, "string"),
    ({f"k{i}": "y" * 15_000 for i in range(6)}, "event_bytes"), ({"k" * 20_000: 1}, "string")])
def test_an_event_beyond_a_limit_is_refused_naming_it(live, data, limit):
    ws = live.workstation()
    event = sealed_chain(ws.workstation_id, count=1, data=data)[0]
    answer = _post(live, ws, [event])
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "SERVER_EVENT_TOO_LARGE"
    assert answer.json()["limit"] == limit and limit in answer.json()["message"]


@pytest.mark.parametrize("depth", [253, 330, 600, 1000])
def test_deep_events_are_refused_not_a_500(live, depth):
    ws = live.workstation()
    body = {k: v for k, v in sealed_chain(ws.workstation_id, count=1)[0].items() if k != "hash"}
    # built as text: wire.seal (rfc8785) cannot go this deep, an attacker's encoder can
    text_body = json.dumps({**body, "data": "@@"}, sort_keys=True, separators=(",", ":"))
    text_body = text_body.replace('"@@"', '{"a":' * depth + "1" + "}" * depth)
    digest = hashlib.sha256(text_body.encode()).hexdigest()
    raw = b'{"events":[' + text_body[:-1].encode() + b',"hash":"' + digest.encode() + b'"}]}'
    answer = HTTP.post(f"{live.url}/api/v1/events", content=raw, headers={**ws.headers, "Content-Type": "application/json"})
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["code"] in ("SERVER_EVENT_TOO_LARGE", "SERVER_BODY_MALFORMED")


@pytest.mark.parametrize(("data", "code"), [({"n": 2**53}, "SERVER_EVENT_NOT_CANONICAL"),
                                            ({"n": -(2**53)}, "SERVER_EVENT_NOT_CANONICAL"),
                                            ({"n": 2**64}, "SERVER_EVENT_INVALID")])  # orjson reads it as a float
def test_an_event_the_reference_cannot_hash_is_refused(live, data, code):
    ws = live.workstation()
    event = sealed_chain(ws.workstation_id, count=1)[0]
    event = {**event, "data": data}
    body = {k: v for k, v in event.items() if k != "hash"}
    try:
        event["hash"] = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    except orjson.JSONEncodeError:
        event["hash"] = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    answer = _post(live, ws, [event])
    assert (answer.status_code, answer.json()["code"]) == (422, code), answer.text


def test_utf16_key_order_forgery_is_refused(live):
    ws = live.workstation()
    event = {**sealed_chain(ws.workstation_id, count=1)[0], "data": {"😀": 1, "\uffff": 2}}
    body = {k: v for k, v in event.items() if k != "hash"}
    event["hash"] = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()  # code-point order
    answer = _post(live, ws, [event])
    assert (answer.status_code, answer.json()["code"]) == (422, "SERVER_EVENT_HASH_MISMATCH"), answer.text
    event["hash"] = wire.event_hash(event)  # the reference's order: accepted
    assert _post(live, ws, [event]).status_code == 200


def test_reads_and_exports_survive_anything_stored(live):
    """Rows stored before the bounds (here: written straight into the table) never make a page,
    an export or a verification fail or cut its stream."""
    ws = live.workstation()
    events = sealed_chain(ws.workstation_id, count=3)
    assert _post(live, ws, events).status_code == 200
    database = Database(live.database_url)
    try:
        with database.write() as session:
            for seq, depth in ((1, 300), (2, 5000)):
                session.execute(text("UPDATE events SET data = :d WHERE chain = :c AND seq = :s"),
                                {"d": '{"a":' * depth + "1" + "}" * depth, "c": ws.workstation_id, "s": seq})
    finally:
        database.dispose()
    params, who = {"workstation": ws.workstation_id}, live.headers("auditor")
    page = HTTP.get(f"{live.url}/api/v1/events", params=params, headers=who)
    assert page.status_code == 200, page.text
    assert [item["event"]["seq"] for item in page.json()["events"]] == [1, 2, 3]
    assert page.json()["events"][1]["event"]["data"] is None  # beyond any parser: shown as no data
    lines = HTTP.get(f"{live.url}/api/v1/events/export", params={**params, "format": "jsonl"}, headers=who)
    assert lines.status_code == 200 and len(lines.content.splitlines()) == 3
    assert json.loads(lines.content.splitlines()[2])["hash"] == events[2]["hash"]
    for fmt in ("csv", "xlsx", "pdf"):
        answer = HTTP.get(f"{live.url}/api/v1/events/export", params={**params, "format": fmt}, headers=who)
        assert answer.status_code == 200, (fmt, answer.text[:200])
    if fmt == "csv":
        assert events[2]["hash"] in answer.text
    verdict = HTTP.get(f"{live.url}/api/v1/workstations/{ws.workstation_id}/verify", headers=who).json()
    assert (verdict["ok"], verdict["chains"][0]["problem"], verdict["chains"][0]["problem_seq"]) == (False, "hash", 1)


BAD_DATES = ["2000-01-01T00:00:00+16:00", "2000-01-01T00:00:00-16:00", "0.5", "1700000000", "-1", "2026-03-02",
             "2026-03-02T00:00:00", "2026-03-02T00:00Z", "2026-02-30T00:00:00Z", "0001-01-01T00:00:00+00:01",
             "9999-12-31T23:59:59-00:01", "2026-W10-1T00:00:00Z", "2026-03-02T24:00:00Z", "2026-03-02T00:00:00+07:60",
             "２０２６-03-02T00:00:00Z", "2026-03-02T00:00:00.Z", "now", ""]


def test_bad_dates_are_refused_before_the_stream(live):
    for value in BAD_DATES:
        for fmt, name in (("csv", "from"), ("csv", "to"), ("jsonl", "from"), ("xlsx", "to"), ("pdf", "from")):
            answer = HTTP.get(f"{live.url}/api/v1/events/export", params={name: value, "format": fmt},
                              headers=live.headers("auditor"))
            assert (answer.status_code, answer.json()["code"]) == (422, "SERVER_DATE_INVALID"), (name, value, answer.text)
        listed = HTTP.get(f"{live.url}/api/v1/events", params={"to": value}, headers=live.headers("auditor"))
        assert (listed.status_code, listed.json()["code"]) == (422, "SERVER_DATE_INVALID")


def test_edge_dates_within_range_stream_whole(live):
    for value in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2000-01-01T00:00:00+15:59",
                  "2000-01-01T00:00:00-15:59", "2026-03-02T00:00:00.123456789z"):
        answer = HTTP.get(f"{live.url}/api/v1/events/export", params={"from": value, "to": value, "format": "csv"},
                          headers=live.headers("auditor"))
        assert answer.status_code == 200 and answer.content.startswith("\ufeff".encode()), (value, answer.text)


_zone = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-959, 959))


@given(moment=st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)), zone=_zone,
       digits=st.integers(0, 9))
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_rfc3339_moment_reads_back_exactly(moment, zone, digits):
    aware = moment.replace(tzinfo=zone)
    offset = int(aware.utcoffset().total_seconds() // 60)
    sign, offset = ("-" if offset < 0 else "+"), abs(offset)
    fraction = f".{moment.microsecond:06d}{'7' * max(0, digits - 6)}"[: digits + 1] if digits else ""
    written = f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}{fraction}{sign}{offset // 60:02d}:{offset % 60:02d}"
    expected = aware.replace(microsecond=int((fraction[1:7] or "0").ljust(6, "0"))).astimezone(UTC)
    assert parse_moment(written) == expected


@given(st.text(max_size=40) | st.from_regex(r"\A[0-9T:Z+\-. ]{4,40}\Z"))
@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
def test_anything_else_is_refused_or_exact(candidate):
    moment = parse_moment(candidate)
    if moment is not None:  # whatever is taken is an RFC 3339 date-time Python reads the same way
        assert moment.tzinfo is UTC
        assert datetime.fromisoformat(_python_form(candidate)).astimezone(UTC) == moment


def _python_form(candidate: str) -> str:
    head, _, tail = candidate.upper().partition(".")
    if not tail:
        return head.replace("Z", "+00:00")
    digits = "".join(ch for ch in tail if ch.isdigit())
    zone = tail[len(digits):]
    return f"{head}.{digits[:6].ljust(6, '0')}{zone.replace('Z', '+00:00')}"
