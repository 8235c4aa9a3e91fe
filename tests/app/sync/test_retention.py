"""Pruning the local log needs a receipt that verifies under the pinned server key: what the server
signed goes, the rest stays, and a receipt forged on the workstation stops pruning altogether."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.audit.opening import default_log_path
from app.audit.verify import verify_log
from app.sync import SyncClient, SyncError, enroll
from app.sync.retention import prune_acknowledged
from tests.app.sync.conftest import append

TOMORROW = datetime.now(UTC) + timedelta(days=1)


def test_prune_only_behind_verified_receipts(central, audit_log):
    enroll(url=central.url, code=central.code(), workstation_id=audit_log.workstation_id())
    append(audit_log, 10)
    assert prune_acknowledged(audit_log, older_than=TOMORROW)["production"].pruned == 0  # no receipt yet
    assert SyncClient(store=audit_log).run_once().last_error_code is None
    append(audit_log, 3)  # 11-13: not on the server yet
    append(audit_log, 2, mode="practice")
    results = prune_acknowledged(audit_log, older_than=TOMORROW)
    assert (results["production"].pruned, results["production"].checkpoint_seq) == (10, 10)
    assert results["practice"].pruned == 0
    remaining = audit_log.events_after(mode="production", after_seq=0, limit=100)
    assert [e["seq"] for e in remaining] == [11, 12, 13, 14]
    assert (remaining[-1]["type"], remaining[-1]["data"]) == ("audit.pruned", {"up_to_seq": 10, "pruned": 10})
    assert verify_log(default_log_path()).ok  # the rest of the chain still verifies from the checkpoint
    assert SyncClient(store=audit_log).run_once().last_error_code is None
    assert len(central.stored(audit_log.chain_workstation())) == 14  # nothing the server lacks went


def test_a_receipt_forged_on_the_workstation_stops_pruning(central, audit_log):
    enroll(url=central.url, code=central.code(), workstation_id=audit_log.workstation_id())
    append(audit_log, 4)
    assert SyncClient(store=audit_log).run_once().last_error_code is None
    append(audit_log, 3)
    genuine = audit_log.receipts(mode="production")[-1]
    head_seq, head_hash = audit_log.head(mode="production")
    # whoever can write the log can store a receipt: the store checks only that it names a local event
    audit_log.save_receipt(mode="production", receipt={**genuine, "seq": head_seq, "hash": head_hash})
    before = audit_log.count()
    with pytest.raises(SyncError) as refused:
        prune_acknowledged(audit_log, older_than=TOMORROW)
    assert refused.value.code.value == "SYNC_PRUNE_UNVERIFIED" and refused.value.params["seq"] == str(head_seq)
    assert audit_log.count() == before and audit_log.checkpoint(mode="production") is None


def test_the_policy_retention_prunes_after_each_successful_pass(central, audit_log, tmp_path, monkeypatch):
    policy = tmp_path / "policy"
    policy.mkdir()
    (policy / "policy.toml").write_text("[audit]\nkeep_days = 0\n", encoding="utf-8")
    monkeypatch.setenv("KYSO_POLICY_DIR", str(policy))
    enroll(url=central.url, code=central.code(), workstation_id=audit_log.workstation_id())
    append(audit_log, 6)
    status = SyncClient(store=audit_log).run_once()
    assert status.last_error_code is None
    assert audit_log.checkpoint(mode="production")[0] == 6  # everything the server signed for went
    assert [e["type"] for e in audit_log.events_after(mode="production", after_seq=0, limit=10)] == ["audit.pruned"]
    assert verify_log(default_log_path()).ok
    (policy / "policy.toml").write_text("[audit]\n", encoding="utf-8")  # no retention: everything stays
    append(audit_log, 2)
    assert SyncClient(store=audit_log).run_once().last_error_code is None
    assert audit_log.checkpoint(mode="production")[0] == 6
    assert len(central.stored(audit_log.chain_workstation())) == 9  # 6 + audit.pruned + 2
