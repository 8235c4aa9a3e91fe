"""A signing job reuses the preflight the desk already ran — only while it still holds: the same
file, the same catalogue, the same declared type and position, no kind asked for explicitly."""

from __future__ import annotations

import hashlib
import os

from app.catalogue import load_catalogue
from app.preflight import run_preflight
from app.sign_plan import CheckedFile, PreflightOptions, file_stamp, plan_files
from signing.appearance import AppearanceKind, AppearanceSpec
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf

CATALOGUE = load_catalogue().catalogue
ROLE = "vien-truong"


def _checked(path, *, role=ROLE, declared=None) -> CheckedFile:
    result = run_preflight(path, catalogue=CATALOGUE, role=role, declared_type=declared)
    return CheckedFile(file_stamp(path), result, declared, role, hashlib.sha256(path.read_bytes()).hexdigest())


def _plan(path, known, *, role=ROLE, requested=None, **options):
    preflight = PreflightOptions(catalogue=CATALOGUE, role=role, checked={path: known}, **options)
    return plan_files([path], preflight, requested=requested)[0]


def test_an_unchanged_file_is_not_checked_again(tmp_path, assets):
    document = decree30_pdf(tmp_path / "quyet-dinh.pdf", body=NEUTRAL_BODY)
    known = _checked(document)
    plan = _plan(document, known, signature_image=assets["signature"])
    assert plan.preflight is known.result and plan.signable
    assert plan.expected_sha256 == known.sha256  # the engine signs these bytes or nothing


def test_a_file_changed_after_it_was_checked_is_checked_again(tmp_path):
    document = decree30_pdf(tmp_path / "quyet-dinh.pdf", body=NEUTRAL_BODY)
    known = _checked(document)
    assert known.result.signable
    decree30_pdf(tmp_path / "rewritten.pdf", body=NEUTRAL_BODY, secret="TỐI MẬT").replace(document)
    plan = _plan(document, known)
    assert plan.preflight is not known.result and plan.expected_sha256 is None
    assert plan.error_code == "PREFLIGHT_STATE_SECRET" and not plan.signable


def test_the_same_size_with_a_new_modification_time_is_checked_again(tmp_path):
    document = decree30_pdf(tmp_path / "quyet-dinh.pdf", body=NEUTRAL_BODY)
    known = _checked(document)
    stat = document.stat()
    os.utime(document, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert _plan(document, known).preflight is not known.result


def test_another_position_or_declared_type_or_explicit_kind_is_checked_again(tmp_path):
    document = decree30_pdf(tmp_path / "quyet-dinh.pdf", body=NEUTRAL_BODY)
    known = _checked(document)
    assert _plan(document, known, role="van-thu").preflight is not known.result
    declared = _plan(document, known, declared_types={document: "Bản sao y"})
    assert declared.preflight is not known.result and declared.preflight.declared
    requested = AppearanceSpec(AppearanceKind.INVISIBLE)
    assert _plan(document, known, requested=requested).preflight is not known.result


def test_a_file_gone_since_it_was_checked_is_reported_not_signed(tmp_path):
    document = decree30_pdf(tmp_path / "quyet-dinh.pdf", body=NEUTRAL_BODY)
    known = _checked(document)
    document.unlink()
    plan = _plan(document, known)
    assert not plan.signable and plan.error_code
