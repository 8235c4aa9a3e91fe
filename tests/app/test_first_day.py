"""Signing as installed (issue 13): the TSA preset for the signer's CA, the level decided before
any PIN, a lower level only where the policy allows, a level asked below the catalogue's a
warning to accept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.endpoints import tsa_choice
from app.signing_job import LowerLevelAnswer
from signing.engine import SignOptions
from signing.errors import SigningError, SigningErrorCode
from signing.levels import PadesLevel
from signing.tsa_probe import forget
from tests.support.signing import AcceptAll, FixedPin, sign_files

CLOSED = "http://127.0.0.1:9/tsa"


def _certificate(organisation: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    issuer = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                        x509.NameAttribute(NameOID.COMMON_NAME, organisation + " CA")])
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn A")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture
def policy_folder(tmp_path, monkeypatch):
    folder = tmp_path / "policy"
    folder.mkdir()
    monkeypatch.setenv("KYSO_POLICY_DIR", str(folder))
    return folder


@pytest.mark.parametrize(("organisation", "url"), [
    ("Ban Cơ yếu Chính phủ", "http://ca.gov.vn/tsa"),  # official duty: Ban Cơ yếu's own TSA
    ("VNPT-CA", "http://ca.vnpt.vn/tsa"),
    ("Viettel Certification Authority", "http://tsa.viettel-ca.vn"),
    ("FPT Certification Authority", "http://tsa.fpt.vn"),
])
def test_the_tsa_is_chosen_from_the_signers_ca(organisation, url, policy_folder):
    choice = tsa_choice(configured=None, certificate=_certificate(organisation))
    assert choice.urls == (url,) and choice.source == "kyso"


def test_configured_tsa_and_the_machines_list_come_first(policy_folder):
    vnpt = _certificate("VNPT-CA")
    assert tsa_choice(configured="http://tsa.unit.vn", certificate=vnpt).urls == ("http://tsa.unit.vn",)
    (policy_folder / "endpoints.toml").write_text(
        'version = 1\n[[ca]]\nissuer = "VNPT-CA"\ntsa = ["http://tsa2.vnpt.vn", "http://tsa3.vnpt.vn"]\n',
        encoding="utf-8")
    assert tsa_choice(configured=None, certificate=vnpt).urls == ("http://tsa2.vnpt.vn", "http://tsa3.vnpt.vn")
    unknown = tsa_choice(configured=None, certificate=_certificate("Some Other CA"))
    assert unknown.urls == () and unknown.issuer == "Some Other CA"
    (policy_folder / "endpoints.toml").write_text("not toml [", encoding="utf-8")  # damaged: the shipped list
    assert tsa_choice(configured=None, certificate=vnpt).urls == ("http://ca.vnpt.vn/tsa",)


class _Asked(AcceptAll):
    """Answers the lower-level question in turn, remembering what it was told and when."""

    def __init__(self, answers, prompter) -> None:
        super().__init__()
        self.answers, self.prompter, self.asked = list(answers), prompter, []

    def accept_lower_level(self, decision, *, may_lower):
        self.asked.append((decision, may_lower, len(self.prompter.requests)))
        return self.answers.pop(0)


@pytest.mark.hsm
@pytest.mark.pki
def test_preset_tsa_signs_at_b_lt_with_nothing_configured(hsm, pki, trust_dir, document, policy_folder):
    (policy_folder / "endpoints.toml").write_text(f'[[ca]]\nissuer = "*"\ntsa = ["{CLOSED}", "{pki.tsa_url}"]\n',
                                                  encoding="utf-8")
    forget()
    report = sign_files(hsm, [document], trust_dir=trust_dir, options=SignOptions(level=PadesLevel.B_LT,
                                                                                  network_timeout=3))
    assert report.outcomes[0].ok, report.outcomes[0].error_code
    assert report.decision.reached is PadesLevel.B_LT and not report.decision.shortfalls


@pytest.mark.hsm
@pytest.mark.pki
def test_tsa_down_is_said_before_the_pin_and_retry_probes_again(hsm, pki, trust_dir, document, policy_folder):
    endpoints = policy_folder / "endpoints.toml"
    endpoints.write_text(f'[[ca]]\nissuer = "*"\ntsa = ["{CLOSED}"]\n', encoding="utf-8")
    forget()
    prompter = FixedPin(hsm.pin)

    class RetryAfterRepair(_Asked):
        def accept_lower_level(self, decision, *, may_lower):
            answer = super().accept_lower_level(decision, may_lower=may_lower)
            endpoints.write_text(f'[[ca]]\nissuer = "*"\ntsa = ["{pki.tsa_url}"]\n', encoding="utf-8")
            return answer

    acceptor = RetryAfterRepair([LowerLevelAnswer.RETRY], prompter)
    report = sign_files(hsm, [document], trust_dir=trust_dir, prompter=prompter, acceptor=acceptor,
                        options=SignOptions(level=PadesLevel.B_T, network_timeout=3))
    decision, may_lower, pins_asked = acceptor.asked[0]
    assert pins_asked == 0 and may_lower
    assert decision.shortfalls == (SigningErrorCode.TSA_UNREACHABLE,) and decision.reached is PadesLevel.B_B
    assert report.outcomes[0].ok and report.decision.reached is PadesLevel.B_T


@pytest.mark.hsm
@pytest.mark.pki
def test_stop_before_the_pin_costs_no_try_and_writes_nothing(hsm, trust_dir, document, policy_folder):
    (policy_folder / "endpoints.toml").write_text(f'[[ca]]\nissuer = "*"\ntsa = ["{CLOSED}"]\n', encoding="utf-8")
    prompter = FixedPin(hsm.pin)
    acceptor = _Asked([LowerLevelAnswer.STOP], prompter)
    with pytest.raises(SigningError) as caught:
        sign_files(hsm, [document], trust_dir=trust_dir, prompter=prompter, acceptor=acceptor,
                   options=SignOptions(level=PadesLevel.B_LT, network_timeout=3))
    assert caught.value.code is SigningErrorCode.TSA_UNREACHABLE and caught.value.params["url"] == CLOSED
    assert prompter.requests == [] and not document.with_name("quyet-dinh.signed.pdf").exists()


@pytest.mark.hsm
@pytest.mark.pki
def test_lower_level_accepted_is_recorded_in_the_audit_log(hsm, trust_dir, document, policy_folder):
    from app.audit.journal import AuditJournal
    from app.audit.opening import open_audit_log
    from app.audit.query import AuditFilter, AuditReader
    from app.signing_job import SignJob, SignRequest
    from tokens import ModuleOptions

    (policy_folder / "endpoints.toml").write_text(f'[[ca]]\nissuer = "*"\ntsa = ["{CLOSED}"]\n', encoding="utf-8")
    prompter = FixedPin(hsm.pin)
    acceptor = _Asked([LowerLevelAnswer.LOWER], prompter)
    request = SignRequest(files=(document,), module_path=hsm.module, options=SignOptions(level=PadesLevel.B_LT,
                          network_timeout=3), token_label="KYSO-RSA", key_id=hsm.key_id("signer-rsa2048"),
                          trust_dirs=(trust_dir,), module_options=ModuleOptions())
    opened = open_audit_log()
    report = SignJob(request, prompter=prompter, acceptor=acceptor, journal=AuditJournal(opened.store)).run()
    assert report.outcomes[0].ok and report.outcomes[0].signed.level is PadesLevel.B_B
    assert report.decision.shortfalls == (SigningErrorCode.TSA_UNREACHABLE,)
    path = opened.store.path
    opened.store.close()
    with AuditReader(path) as reader:
        events = [e for e in reader.events(AuditFilter()) if e.type == "sign.succeeded"]
    assert events[-1].data["shortfalls"] == ["SIGN_TSA_UNREACHABLE"]
    assert events[-1].data["level_requested"] == "B-LT" and events[-1].data["level"] == "B-B"


@pytest.mark.hsm
@pytest.mark.pki
def test_policy_never_offers_no_lower_level(hsm, trust_dir, document, policy_folder):
    from app.settings import Settings
    from app.sign_settings import sign_request
    from app.signing_job import SignJob

    (policy_folder / "endpoints.toml").write_text(f'[[ca]]\nissuer = "*"\ntsa = ["{CLOSED}"]\n', encoding="utf-8")
    request = sign_request(Settings(lower_level="never"), files=[document], module_path=hsm.module,
                           token_label="KYSO-RSA", key_id=hsm.key_id("signer-rsa2048"), extra_trust=[trust_dir],
                           options=SignOptions(level=PadesLevel.B_T, network_timeout=3, allow_lower_level=True),
                           preflight=None)
    prompter = FixedPin(hsm.pin)
    acceptor = _Asked([LowerLevelAnswer.LOWER], prompter)
    with pytest.raises(SigningError):
        SignJob(request, prompter=prompter, acceptor=acceptor).run()
    assert acceptor.asked[0][1] is False and prompter.requests == []


class _Answers:
    """A prompter that answers in turn and may be asked again after a wrong PIN."""

    asks_again = True

    def __init__(self, answers) -> None:
        self.answers, self.requests, self.accepted = list(answers), [], 0

    def ask_pin(self, request):
        from tokens import PinAnswer

        self.requests.append(request)
        pin = self.answers.pop(0)
        return None if pin is None else PinAnswer(pin=pin)

    def pin_accepted(self):
        self.accepted += 1


@pytest.mark.hsm
@pytest.mark.pki
def test_a_wrong_pin_is_answered_in_the_same_login_without_restarting_the_batch(hsm, trust_dir, tmp_path):
    from tests.support.documents import decree30_pdf

    documents = [decree30_pdf(tmp_path / f"van-ban-{n}.pdf") for n in range(3)]
    prompter = _Answers(["000000", hsm.pin])
    report = sign_files(hsm, documents, trust_dir=trust_dir, prompter=prompter,
                        options=SignOptions(level=PadesLevel.B_B))
    assert all(outcome.ok for outcome in report.outcomes)
    first, second = prompter.requests  # one C_Login per answer: two answers, two asks, never a third
    assert (first.attempt, second.attempt) == (1, 2) and prompter.accepted == 1
    assert first.holder and first.holder == second.holder
    assert first.purpose.documents == 3 and first.purpose.level == "B-B"


@pytest.mark.hsm
@pytest.mark.pki
def test_cancel_after_a_wrong_pin_signs_nothing_and_the_wrong_pin_is_in_the_log(hsm, trust_dir, document):
    from app.audit.journal import AuditJournal
    from app.audit.opening import open_audit_log
    from app.audit.query import AuditFilter, AuditReader
    from app.signing_job import SignJob, SignRequest
    from tokens import TokenError

    prompter = _Answers(["000000", None])
    request = SignRequest(files=(document,), module_path=hsm.module, options=SignOptions(level=PadesLevel.B_B),
                          token_label="KYSO-RSA", key_id=hsm.key_id("signer-rsa2048"), trust_dirs=(trust_dir,))
    opened = open_audit_log()
    with pytest.raises(TokenError):
        SignJob(request, prompter=prompter, acceptor=AcceptAll(), journal=AuditJournal(opened.store)).run()
    path = opened.store.path
    opened.store.close()
    with AuditReader(path) as reader:
        types = [e.type for e in reader.events(AuditFilter())]
    assert "pin.wrong" in types
    assert not document.with_name("quyet-dinh.signed.pdf").exists()


@pytest.mark.hsm
@pytest.mark.pki
def test_a_prompter_that_cannot_ask_again_stops_at_the_wrong_pin(hsm, trust_dir, document):
    from tokens import TokenError, TokenErrorCode

    with pytest.raises(TokenError) as caught:
        sign_files(hsm, [document], trust_dir=trust_dir, prompter=FixedPin("000000"),
                   options=SignOptions(level=PadesLevel.B_B))
    assert caught.value.code is TokenErrorCode.PIN_INCORRECT
