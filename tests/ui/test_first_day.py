"""A member of staff's first day (issue 13): a fresh KYSO_HOME, nothing configured by hand but
the user's name and images; the test PKI's TSA is the preset for the signer's CA (as the CAs'
TSAs are in resources/network/endpoints.toml) and its OCSP answers from the certificate's AIA."""

from __future__ import annotations

import pytest

from signing.levels import PadesLevel
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf

pytestmark = [pytest.mark.hsm, pytest.mark.pki]

CLOSED = "http://127.0.0.1:9/tsa"


def _documents(tmp_path, count=3):
    return [decree30_pdf(tmp_path / f"quyet-dinh-{n}.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY,
                         number=f"Số: {n + 1:02d}/QĐ-VKSTC") for n in range(count)]


def _preset(policy_dir, url: str) -> None:
    from signing.tsa_probe import forget

    (policy_dir / "endpoints.toml").write_text(f'[[ca]]\nissuer = "*"\ntsa = ["{url}"]\n', encoding="utf-8")
    forget()


def _verdicts(path):
    from app.desk.signing import verify_signatures

    return [s.verdict.value for s in verify_signatures(path).signatures]


def test_out_of_the_box_three_documents_signed_at_the_catalogues_level(desk_factory, tmp_path, policy_dir, pki):
    _preset(policy_dir, pki.tsa_url)
    desk = desk_factory(settings={"tsa_url": ""})  # no TSA configured: the preset for the CA
    documents = _documents(tmp_path)
    desk.open(documents)
    desk.choose_token("KYSO-RSA")
    seen = desk.answer_pins(["000000", desk.hsm.pin])  # a wrong PIN, then the right one, same dialog
    report = desk.sign(documents)
    assert report is not None, desk.answers.names()
    assert report.all_ok, [o.error_code for o in report.outcomes]
    assert report.decision.reached is PadesLevel.B_LT and not report.decision.shortfalls
    (first, second) = seen
    assert first[0] == 1 and second[0] == 2 and "không đúng" in second[2]
    assert "Nguyễn Văn An" in first[1] and "3 văn bản" in first[1] and "B-LT" in first[1]
    assert [name for name in desk.answers.names() if name == "kyso-pin"] == ["kyso-pin"]  # one dialog
    for outcome in report.outcomes:
        assert outcome.signed.level is PadesLevel.B_LT
        assert _verdicts(outcome.output) and set(_verdicts(outcome.output)) == {"valid"}


def test_tsa_down_is_told_before_the_pin_and_a_lower_level_is_recorded_and_shown(desk_factory, tmp_path,
                                                                                   policy_dir):
    _preset(policy_dir, CLOSED)
    desk = desk_factory(settings={"tsa_url": ""})
    (document,) = _documents(tmp_path, 1)
    desk.open([document])
    desk.choose_token("KYSO-RSA")
    offered = []

    def lower(box):
        offered.append([b.text() for b in box.buttons()])
        next(b for b in box.buttons() if "B-B" in b.text()).click()

    desk.answers.on("kyso-level", lower)
    desk.answer_pin(desk.hsm.pin)
    report = desk.sign([document])
    names = desk.answers.names()
    assert names.index("kyso-level") < names.index("kyso-pin")  # said before any PIN
    assert any("Thử lại" in text for text in offered[0])
    assert report.all_ok and report.outcomes[0].signed.level is PadesLevel.B_B
    desk.qtbot.waitUntil(lambda: "kyso-results" in desk.answers.names())
    results = [w for name, w in desk.answers.seen if name == "kyso-results"][0]
    assert "B-B" in results.shortfall.text() and "B-LT" in results.shortfall.text()


def test_where_policy_forbids_a_lower_level_only_waiting_is_offered(desk_factory, tmp_path, policy_dir):
    _preset(policy_dir, CLOSED)
    (policy_dir / "policy.toml").write_text('locked_by = "Phòng CNTT"\n[locked]\nlower_level = "never"\n',
                                            encoding="utf-8")
    desk = desk_factory(settings={"tsa_url": ""})
    (document,) = _documents(tmp_path, 1)
    desk.open([document])
    desk.choose_token("KYSO-RSA")
    offered = []

    def stop(box):
        offered.append([b.text() for b in box.buttons()])
        next(b for b in box.buttons() if "Không ký" in b.text()).click()

    desk.answers.on("kyso-level", stop)
    desk.answer_pin(desk.hsm.pin)
    report = desk.sign([document])
    assert report is None and "kyso-pin" not in desk.answers.names()
    assert not any("B-B" in text for text in offered[0])
    assert not document.with_name("quyet-dinh-0.signed.pdf").exists()


def test_f1_opens_the_user_guide_offline_in_the_windows_language(desk_factory):
    from ui.qt import QApplication

    desk = desk_factory(wait_tokens=False)
    assert desk.window.act_help.shortcut().toString() == "F1"
    desk.window.act_help.trigger()
    guide = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "kyso-guide" and w.isVisible())
    page = guide.browser.toPlainText()
    assert "Hướng dẫn sử dụng kyso" in page and "Trước khi hỏi PIN" in page and "khoá sau 3 lần sai" in page
    desk.window.switch_language("en")
    desk.window.act_help.trigger()
    guide = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "kyso-guide" and w.isVisible()
                  and "user guide" in w.browser.toPlainText())
    assert "Before any PIN" in guide.browser.toPlainText()


def test_the_tsa_is_asked_as_soon_as_the_certificate_is_known(desk_factory, policy_dir, pki):
    from signing import tsa_probe

    _preset(policy_dir, pki.tsa_url)
    desk = desk_factory(settings={"tsa_url": ""})  # the token is shown; nobody clicked Sign
    desk.qtbot.waitUntil(lambda: any(url == pki.tsa_url for _, url, _ in tsa_probe._answers), timeout=20000)
