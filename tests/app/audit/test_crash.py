"""kill -9 during signing batches, at random moments: the chain always verifies, no completed
signature lacks its event, no success is recorded for a signature that did not complete."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.audit.journal import AuditJournal
from app.audit.opening import open_audit_log
from app.audit.query import AuditFilter, AuditReader
from app.audit.reconcile import reconcile_pending
from app.audit.verify import verify_log
from tests.support.documents import decree30_pdf

pytestmark = [pytest.mark.hsm, pytest.mark.pki, pytest.mark.slow]

STREAMS = {"KYSO-RSA": "signer-rsa2048", "KYSO-EC": "signer-ec256"}  # two signers at once, one token each
TRIALS_PER_STREAM = 25  # 50 trials in all
FAULT_POINTS = ("copied", "signed", "before-rename")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _trial(*, rng: random.Random, env: dict, args: list[str], pin: str) -> None:
    """One `kyso sign` of the batch, killed after a random number of audit events (or at a
    fault point inside the output write, or not at all)."""
    extra = {}
    if rng.random() < 0.25:
        extra["KYSO_FAULT_POINT"] = rng.choice(FAULT_POINTS)
    kill_after = rng.randint(1, 16)
    process = subprocess.Popen([sys.executable, "-m", "app.cli.main", *args], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**env, **extra, "KYSO_AUDIT_ECHO": "1"})
    process.stdin.write(pin + "\n")
    process.stdin.close()
    seen = 0
    for line in process.stderr:
        if line.startswith("kyso-audit:"):
            seen += 1
            if seen == kill_after:  # synchronised on an event being on disk; the kill lands after it
                os.kill(process.pid, signal.SIGKILL)
                break
    process.stderr.close()
    process.wait(timeout=120)


def _stream(*, label: str, key: str, hsm, trust_dir, inputs: list[Path], env: dict, work: Path,
            errors: list) -> None:
    rng = random.Random(label)
    try:
        for trial in range(TRIALS_PER_STREAM):
            out = work / f"{label}-{trial}"
            out.mkdir()
            args = ["sign", *map(str, inputs), "--out", str(out), "--module", hsm.module, "--token", label,
                    "--key-id", hsm.key_id(key).hex(), "--pin-stdin", "--trust", str(trust_dir), "--kind",
                    "invisible", "--role", "vien-truong", "--level", "B-B", "--accept-warnings"]
            _trial(rng=rng, env=env, args=args, pin=hsm.pin)
    except Exception as exc:  # reported by the test body
        errors.append(exc)


def test_kill_9_at_random_moments_never_loses_or_invents_a_signature(hsm, trust_dir, tmp_path, kyso_home):
    inputs = [decree30_pdf(tmp_path / f"van-ban-{index}.pdf", number=f"Số: {index + 10}/QĐ-VKSTC")
              for index in range(3)]
    env = {**os.environ, **hsm.env, "KYSO_HOME": str(kyso_home)}
    errors: list = []
    streams = [threading.Thread(target=_stream, kwargs={
        "label": label, "key": key, "hsm": hsm, "trust_dir": trust_dir, "inputs": inputs, "env": env,
        "work": tmp_path, "errors": errors}) for label, key in STREAMS.items()]
    for stream in streams:
        stream.start()
    for stream in streams:
        stream.join()
    assert errors == []

    opened = open_audit_log()  # what the next start does: reconcile what the killed runs left
    reconcile_pending(AuditJournal(opened.store))
    assert opened.incident is None and opened.store.pending_requests() == []
    path = opened.store.path
    opened.store.close()

    report = verify_log(path)
    assert report.ok, report.first_break
    with AuditReader(path) as reader:
        events = list(reader.events(AuditFilter()))
    succeeded = {e.data["output"]: e.data["output_sha256"] for e in events if e.type == "sign.succeeded"}
    recovered = {e.data["output"]: e.data["output_sha256"] for e in events
                 if e.type == "sign.recovered" and e.outcome == "ok"}
    outputs = {str(p): _sha256(p) for p in tmp_path.glob("KYSO-*/*.signed.pdf")}
    # every signature that completed (its file exists under its final name) is in the log …
    for output, digest in outputs.items():
        assert succeeded.get(output, recovered.get(output)) == digest, output
    # … and nothing is recorded as signed that is not there, complete and unchanged
    for output, digest in {**succeeded, **recovered}.items():
        assert outputs.get(output) == digest, output
    kills = sum(e.type == "app.started" for e in events) - sum(e.type == "app.stopped" for e in events)
    assert kills >= 20  # most trials were really killed mid-run
    assert len(outputs) >= 10  # and many signatures completed before a kill
    assert any(e.type == "sign.recovered" for e in events)  # some were cut between request and outcome
