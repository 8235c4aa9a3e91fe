"""A token pulled out in the middle of a batch: the document being signed fails cleanly, the
rest stop with TOKEN_REMOVED, the finished ones are intact, and signing resumes when it is back."""

from __future__ import annotations

import shutil

import pytest

from app.signing_job import SignJob, SignRequest
from signing.engine import SignOptions
from signing.output import TEMP_PREFIX
from tests.support.documents import decree30_pdf
from tests.support.fake_pkcs11 import FakeLibrary, FakeToken, fake_module
from tests.support.signing import AcceptAll, FixedPin
from tests.support.validators import pyhanko_validate
from tokens import ModuleOptions, load_module

pytestmark = [pytest.mark.hsm, pytest.mark.pki]


def _documents(folder, count):
    return [decree30_pdf(folder / f"van-ban-{index}.pdf") for index in range(count)]


def _job(module, files, trust_dir, *, token, key_id, pin, progress=None):
    request = SignRequest(files=tuple(files), module_path=module.path, options=SignOptions(), token_label=token,
                          key_id=key_id, trust_dirs=(trust_dir,))
    return SignJob(request, prompter=FixedPin(pin), acceptor=AcceptAll(), progress=progress,
                   picker=lambda _: (module, ModuleOptions())).run()


def _assert_clean_stop(report, files, pki):
    codes = [outcome.error_code for outcome in report.outcomes]
    assert codes == [None, None, "TOKEN_REMOVED", "TOKEN_REMOVED"]
    for outcome in report.outcomes[:2]:
        assert pyhanko_validate(outcome.output, pki.cert_der("root"))[0].bottom_line
    for source in files[2:]:
        assert not source.with_name(source.stem + ".signed.pdf").exists()
    assert not [p for p in files[0].parent.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_softhsm_token_deleted_mid_batch(hsm, pki, trust_dir, tmp_path):
    files = _documents(tmp_path, 4)

    def pull_out(done, total, path):
        if done == 2:
            shutil.rmtree(hsm.softhsm.token_dir("KYSO-PULL-2"))

    report = _job(load_module(hsm.module), files, trust_dir, token="KYSO-PULL-2",
                  key_id=hsm.key_id("signer-rsa2048"), pin=hsm.pin, progress=pull_out)
    _assert_clean_stop(report, files, pki)


def test_device_removed_then_plugged_back(pki, trust_dir, tmp_path):
    token = FakeToken("VGCA Token", "123456", key_pem=pki.key_path("signer-rsa2048").read_bytes(),
                      cert_der=pki.cert_der("signer-rsa2048"), ca_ders=(pki.cert_der("interm"),),
                      fail_after_signatures=2)
    module = fake_module(FakeLibrary(token))
    files = _documents(tmp_path, 4)
    report = _job(module, files, trust_dir, token="VGCA Token", key_id=b"\x01", pin="123456")
    _assert_clean_stop(report, files, pki)

    token.present, token.fail_after_signatures = True, None  # plugged back in
    again = _job(module, files[2:], trust_dir, token="VGCA Token", key_id=b"\x01", pin="123456")
    assert again.all_ok
    assert all(pyhanko_validate(o.output, pki.cert_der("root"))[0].bottom_line for o in again.outcomes)
