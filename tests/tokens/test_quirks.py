"""Each vendor quirk switches a code path; each path works against SoftHSM2."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from app.signing_job import SignJob, SignRequest
from signing.engine import SignOptions
from tests.support.signing import FixedPin
from tokens import ModuleOptions, SignatureScheme, TokenSession, load_module
from tokens.listing import list_tokens
from tokens.objects import read_certificates, read_private_keys
from tokens.slots import token_infos

pytestmark = pytest.mark.hsm


class Timeline:
    """Records when the PIN was asked and when warnings were shown, in order."""

    def __init__(self, pin: str) -> None:
        self.events: list[str] = []
        self.pin = FixedPin(pin)

    def ask_pin(self, request):
        self.events.append("pin")
        return self.pin.ask_pin(request)

    def accept(self, findings, report):
        self.events.append("warning")
        return True

    def accept_preflight(self, items):
        return True


def _job(hsm, trust_dir, document, options: ModuleOptions, timeline: Timeline, key="signer-norev"):
    module = load_module(hsm.module)
    request = SignRequest(files=(document,), module_path=hsm.module, options=SignOptions(), token_label="KYSO-RSA",
                          key_id=hsm.key_id(key), trust_dirs=(trust_dir,))
    return SignJob(request, prompter=timeline, acceptor=timeline, picker=lambda _: (module, options)).run()


@pytest.mark.parametrize("read_only", [True, False])
def test_read_only_session(hsm, read_only):
    module = load_module(hsm.module)
    options = ModuleOptions(read_only_session=read_only)
    with TokenSession.open(module=module, prompter=FixedPin(hsm.pin), token_label="KYSO-RSA", options=options) as s:
        assert s._session.rw is (not read_only)
        key = s.key(key_id=hsm.key_id("signer-rsa2048"))
        assert len(key.sign(b"x", scheme=SignatureScheme.RSA_PKCS1V15, hash_name="sha256")) == 256


def test_login_before_search_reads_nothing_until_logged_in(hsm, trust_dir, document):
    module = load_module(hsm.module)
    quirky = ModuleOptions(login_before_search=True)
    listing = next(x for x in list_tokens(module, options=quirky) if x.info.label == "KYSO-RSA")
    assert listing.needs_login and listing.certificates == ()

    usual = Timeline(hsm.pin)
    assert _job(hsm, trust_dir, document, ModuleOptions(), usual).all_ok
    assert usual.events == ["warning", "pin"]  # certificate checked from public objects first

    careful = Timeline(hsm.pin)
    document.with_name("quyet-dinh.signed.pdf").unlink()
    assert _job(hsm, trust_dir, document, quirky, careful).all_ok
    assert careful.events == ["pin", "warning"]  # objects only read after C_Login


def test_fixed_attribute_buffers_read_the_same_objects(hsm, trust_dir, document):
    module = load_module(hsm.module)

    slot_id = next(info.slot_id for info in token_infos(module) if info.label == "KYSO-RSA")

    def read(lib, fixed):
        slot = next(s for s in lib.get_slots(token_present=True) if s.slot_id == slot_id)
        with slot.get_token().open(user_pin=hsm.pin) as session:
            certs = read_certificates(session, module_path=hsm.module, fixed_buffers=fixed)
            keys = [key_id for key_id, _ in read_private_keys(session, module_path=hsm.module, fixed_buffers=fixed)]
            return certs, sorted(keys)

    assert module.call(read, True) == module.call(read, False)
    assert _job(hsm, trust_dir, document, ModuleOptions(fixed_attribute_buffers=True), Timeline(hsm.pin),
                key="signer-rsa2048").all_ok


def test_no_finalize_at_exit(hsm):
    script = (
        "import sys\n"
        "from tokens import ModuleOptions, load_module\n"
        "from tokens.module import _kept_alive\n"
        f"module = load_module({hsm.module!r}, options=ModuleOptions(no_finalize_at_exit=True))\n"
        "assert _kept_alive == [module._lib]\n"
        "print(module.call(lambda lib: len(lib.get_slots())))\n"
    )
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            env={**__import__("os").environ, **hsm.env})
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 4
    assert time.monotonic() - started < 30  # exits promptly without finalising the module
