"""Token states in the desktop: a wrong PIN, a locked token, a token pulled out.

SoftHSM cannot lock a PIN or be unplugged; the tokens layer's stand-in (python-pkcs11's own
exception classes, real software keys) plays the vendor module for these."""

from __future__ import annotations

import pytest

from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf
from tests.support.fake_pkcs11 import (
    CKF_LOGIN_REQUIRED,
    CKF_TOKEN_INITIALIZED,
    CKF_USER_PIN_LOCKED,
    FakeLibrary,
    FakeToken,
    fake_module,
)
from tokens.discovery import ModuleCandidate

pytestmark = [pytest.mark.pki]
BASE = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED


def _token(pki, **kwargs) -> FakeToken:
    return FakeToken("VGCA Token", "123456", key_pem=pki.key_path("signer-rsa2048").read_bytes(),
                     cert_der=pki.cert_der("signer-rsa2048"), ca_ders=(pki.cert_der("interm"),), **kwargs)


def _candidates(token: FakeToken) -> list[ModuleCandidate]:
    module = fake_module(FakeLibrary(token))
    return [ModuleCandidate(module.path, "configured", None, "loaded", module=module)]


def _status(desk) -> str:
    return desk.window.token_status.label.text()


def test_wrong_pin_says_what_the_token_now_reports(desk_factory, pki, tmp_path):
    token = _token(pki)
    desk = desk_factory(candidates=_candidates(token))
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    desk.open([document])
    seen = desk.answer_pins(["000000", None])  # wrong, then the user gives up in the same dialog
    assert desk.sign([document]) is None  # the user cancelled: no error to show
    (_, _, before), (attempt, _, after) = seen
    assert attempt == 2 and "không đúng" in after and "nhập sai ít nhất một lần" in after  # count-low, re-read
    assert "không đúng" not in before
    assert token.logins == ["000000"]  # one try, never retried by kyso
    assert not (tmp_path / "qd.signed.pdf").exists()


def test_locked_token_is_shown_and_never_asked_for_a_pin(desk_factory, pki, tmp_path):
    token = _token(pki, flags=BASE | CKF_USER_PIN_LOCKED)
    desk = desk_factory(candidates=_candidates(token))
    desk.qtbot.waitUntil(lambda: "đã bị khoá" in _status(desk))
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY)
    desk.open([document])
    errors = []
    desk.answers.on("kyso-error", lambda box: errors.append(box.text()))
    assert desk.sign([document]) is None
    desk.qtbot.waitUntil(lambda: bool(errors))
    assert "đã bị khoá" in errors[0]
    assert "kyso-pin" not in desk.answers.names() and token.logins == []


def test_token_pulled_out_and_back_updates_the_status(desk_factory, pki):
    token = _token(pki)
    desk = desk_factory(candidates=_candidates(token))
    desk.qtbot.waitUntil(lambda: "VGCA Token" in _status(desk), timeout=10000)
    assert "Nguyễn Văn An" in _status(desk)
    assert "Kyso Test" in desk.window.token_status.toolTip()  # the issuing CA, from the chain
    token.present = False
    desk.qtbot.waitUntil(lambda: "Chưa cắm thiết bị ký số" in _status(desk), timeout=10000)
    token.present = True
    desk.qtbot.waitUntil(lambda: "VGCA Token" in _status(desk), timeout=10000)


def test_certificate_expiring_within_30_days_is_flagged(qtbot, pki):
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    from app.desk.tokens import TokenState, TokenView
    from tokens.listing import describe
    from ui.token_status import TokenMonitor, TokenStatusWidget

    entry = describe(b"\x01", "key", pki.cert_der("signer-rsa2048"), [pki.cert_der("interm")])
    soon = replace(entry, not_after=(datetime.now(UTC) + timedelta(days=12, hours=1)).isoformat())
    monitor = TokenMonitor()
    widget = TokenStatusWidget(monitor)
    qtbot.addWidget(widget)
    widget.show_views([TokenView(TokenState.READY, "/m.so", "VNPT-CA Token", "123", "Kyso Test", (soon,))])
    assert "hết hạn sau 12 ngày" in widget.label.text() and "#a86400" in widget.label.text()
    widget.show_views([TokenView(TokenState.READY, "/m.so", "VNPT-CA Token", "123", "Kyso Test", (entry,))])
    assert "hết hạn" not in widget.label.text()


def test_a_monitor_stopped_while_modules_load_leaves_no_watcher_behind(qtbot, pki):
    """The window closed before the token modules finished loading: the watcher they bring is
    stopped, and nothing is published to the deleted status bar."""
    from ui.main import create_application
    from ui.tasks import tasks
    from ui.token_status import TokenMonitor

    create_application()
    token = _token(pki)
    monitor = TokenMonitor()
    published = []
    monitor.changed.connect(published.append)
    monitor.start(candidates=_candidates(token))
    monitor.stop()
    qtbot.waitUntil(lambda: tasks().running == 0, timeout=10000)
    assert monitor.watcher is None and published == [] and monitor.views == []
