"""Ingestion: idempotent per (chain, sequence), chain checked on arrival, gaps answered with the
sequence expected, rewritten history refused and raised as an alert, receipts that verify."""

from __future__ import annotations

import base64

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import create_engine, text

from app.audit import wire
from tests.support.audit_server import HTTP, sealed_chain


def post(live, workstation, events):
    return HTTP.post(f"{live.url}/api/v1/events", json={"events": events}, headers=workstation.headers)


def stored(live, chain: str, mode: str = "production") -> list[tuple[int, str]]:
    engine = create_engine(live.database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(
                text("SELECT seq, hash FROM events WHERE chain = :c AND mode = :m ORDER BY seq"), {"c": chain, "m": mode})]
    finally:
        engine.dispose()


def check_receipt(receipt: dict, server_key: str) -> None:
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(server_key))
    body = rfc8785.dumps({k: v for k, v in receipt.items() if k != "signature"})
    key.verify(base64.b64decode(receipt["signature"]), body)  # raises if forged


def test_batches_duplicates_and_gaps(live):
    ws = live.workstation()
    chain = sealed_chain(ws.workstation_id, count=30)
    first = post(live, ws, chain[:10])
    assert first.status_code == 200, first.text
    answer = first.json()
    assert (answer["accepted"], answer["duplicates"], answer["acknowledged_seq"]) == (10, 0, 10)
    assert answer["receipt"]["seq"] == 10 and answer["receipt"]["hash"] == chain[9]["hash"]
    check_receipt(answer["receipt"], ws.server_key)

    gap = post(live, ws, chain[20:])  # 21..30 before 11..20: out of order
    assert gap.status_code == 409
    assert gap.json()["code"] == "SERVER_CHAIN_GAP" and gap.json()["expected_seq"] == 11
    check_receipt(gap.json()["receipt"], ws.server_key)

    overlap = post(live, ws, list(reversed(chain[5:25])))  # 6..25, shuffled: 6..10 duplicates
    assert overlap.status_code == 200, overlap.text
    assert (overlap.json()["accepted"], overlap.json()["duplicates"]) == (15, 5)
    again = post(live, ws, chain)  # everything once more: nothing stored twice
    assert (again.json()["accepted"], again.json()["duplicates"], again.json()["acknowledged_seq"]) == (5, 25, 30)
    assert stored(live, ws.workstation_id) == [(e["seq"], e["hash"]) for e in chain]


def test_rewritten_history_is_refused_and_alerted(live):
    ws = live.workstation()
    chain = sealed_chain(ws.workstation_id, count=5)
    assert post(live, ws, chain).status_code == 200
    forged = sealed_chain(ws.workstation_id, count=5, data={"document": "khac.pdf"})  # same seqs, other content
    refused = post(live, ws, forged[2:4])
    assert refused.status_code == 409 and refused.json()["code"] == "SERVER_CHAIN_REWRITTEN"
    # a continuation whose prev_hash disagrees with the stored head is a fork: refused too
    fork = sealed_chain(ws.workstation_id, count=1, start=6, prev_hash=forged[4]["hash"])
    assert post(live, ws, fork).json()["code"] == "SERVER_CHAIN_REWRITTEN"
    assert post(live, ws, forged[2:4]).status_code == 409
    for _ in range(20):  # a flood of rewrites: still the one open alert, counted (issue 16: 50 made 50)
        assert post(live, ws, forged[1:2]).status_code == 409
    alerts = HTTP.get(f"{live.url}/api/v1/alerts", headers=live.headers("auditor")).json()["alerts"]
    mine = sorted((a["seq"], a["repeats"]) for a in alerts if a["workstation"] == ws.workstation_id)
    assert mine == [(3, 23)]  # the first rewrite seen, then the fork and 21 more counted on it
    assert all(a["kind"] == "history_rewritten" for a in alerts)
    assert stored(live, ws.workstation_id) == [(e["seq"], e["hash"]) for e in chain]  # untouched


def test_modes_and_restarted_chains_are_kept_apart(live):
    ws = live.workstation()
    production = sealed_chain(ws.workstation_id, count=3)
    practice = sealed_chain(ws.workstation_id, count=4, mode="practice")
    restarted = sealed_chain(f"{ws.workstation_id}#20261122T010203000000Z", count=2)
    for batch in (production, practice, restarted):
        assert post(live, ws, batch).status_code == 200
    assert post(live, ws, production[:1] + practice[:1]).json()["code"] == "SERVER_BATCH_MIXED_CHAINS"
    assert len(stored(live, ws.workstation_id, "practice")) == 4
    verdict = HTTP.get(f"{live.url}/api/v1/workstations/{ws.workstation_id}/verify", headers=live.headers("auditor"))
    assert verdict.json()["ok"] is True
    assert sorted((c["chain"][-4:], c["mode"], c["events"]) for c in verdict.json()["chains"]) == sorted(
        [(ws.workstation_id[-4:], "production", 3), (ws.workstation_id[-4:], "practice", 4), ("000Z", "production", 2)])


BAD_EVENTS = [
    (lambda e: {**e, "os_user": "someone-else"}, "SERVER_EVENT_HASH_MISMATCH", 422),
    (lambda e: {**e, "seq": "1"}, "SERVER_EVENT_INVALID", 422),
    (lambda e: {**e, "extra": 1}, "SERVER_EVENT_INVALID", 422),
    (lambda e: {k: v for k, v in e.items() if k != "hash"}, "SERVER_EVENT_INVALID", 422),
    (lambda e: {**e, "data": {"amount": 1.5}}, "SERVER_EVENT_INVALID", 422),
    (lambda e: wire.seal({**e, "at_utc": "yesterday"}), "SERVER_EVENT_INVALID", 422),
    (lambda e: wire.seal({**e, "at_utc": "2026-11-22T07:00:00"}), "SERVER_EVENT_INVALID", 422),
    (lambda e: wire.seal({**e, "workstation": "ws-somebody-else"}), "SERVER_WRONG_WORKSTATION", 403),
    (lambda e: "not an event", "SERVER_EVENT_INVALID", 422),
]


def test_bad_events_get_a_precise_refusal(live):
    ws = live.workstation()
    event = sealed_chain(ws.workstation_id, count=1)[0]
    for change, code, status in BAD_EVENTS:
        response = post(live, ws, [change(event)])
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
    assert stored(live, ws.workstation_id) == []


def test_batch_limits(live):
    ws = live.workstation()
    assert post(live, ws, []).json()["code"] == "SERVER_BATCH_EMPTY"
    too_many = sealed_chain(ws.workstation_id, count=1001)
    response = post(live, ws, too_many)
    assert (response.status_code, response.json()["code"]) == (413, "SERVER_BATCH_TOO_LARGE")
    one = sealed_chain(ws.workstation_id, count=1)[0]
    twice = [one, wire.seal({**one, "type": "other"})]
    assert post(live, ws, twice).json()["code"] == "SERVER_BATCH_DUPLICATE_SEQ"
    huge = HTTP.post(f"{live.url}/api/v1/events", content=b"[" + b" " * (17 * 1024 * 1024) + b"]",
                      headers={**ws.headers, "Content-Type": "application/json"})
    assert (huge.status_code, huge.json()["code"]) == (413, "SERVER_BODY_TOO_LARGE")
    chunked = HTTP.post(f"{live.url}/api/v1/events", content=(b" " * (1 << 20) for _ in range(17)),
                        headers={**ws.headers, "Content-Type": "application/json"})  # no Content-Length: counted
    assert (chunked.status_code, chunked.json()["params"]) == (413, {"limit": str(16 * 1024 * 1024)})
    for body in (b"{", b"[]", b'{"events": 3}', b'{"events": [], "x": 1}', "{\"events\": [\"\ud800\"]}".encode("utf-8", "surrogatepass")):
        response = HTTP.post(f"{live.url}/api/v1/events", content=body,
                              headers={**ws.headers, "Content-Type": "application/json"})
        assert 400 <= response.status_code < 500, (body, response.text)


def test_chains_endpoint_gives_signed_heads_to_resume_from(live):
    ws = live.workstation()
    chain = sealed_chain(ws.workstation_id, count=7)
    post(live, ws, chain)
    heads = HTTP.get(f"{live.url}/api/v1/chains", headers=ws.headers).json()
    (receipt,) = heads["chains"]
    assert (receipt["seq"], receipt["hash"]) == (7, chain[-1]["hash"])
    check_receipt(receipt, ws.server_key)
    key = HTTP.get(f"{live.url}/api/v1/server-key").json()
    assert key["public_key"] == ws.server_key and receipt["key_id"] == key["key_id"]
