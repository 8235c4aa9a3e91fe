"""The name printed in the signer block against the certificate holder: generated variants of
the same name must match (case, diacritics, spaces, punctuation, titles before and after), and
generated different names must warn — before the PIN in `kyso sign` and the desk's job, and in
`kyso check`."""

from __future__ import annotations

import json
import random
import unicodedata

import pytest

from app.catalogue import load_catalogue
from app.preflight import run_preflight
from app.preflight.names import HONORIFICS, POSITIONS, printed_name, same_person
from app.preflight.text import strip_marks
from tests.support.catalogue_docs import NEUTRAL_BODY
from tests.support.documents import decree30_pdf

CATALOGUE = load_catalogue().catalogue
TITLES = [t for role in CATALOGUE.roles.values() for t in (role.name, *role.titles)]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Đoàn", "Trịnh", "Đinh", "Lương"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Thu", "Hoàng", "Xuân", "Kim", ""]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hoà", "Thuý", "Hương", "Khánh", "Lan", "Long", "Nghĩa", "Phúc",
         "Quỳnh", "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Uyên", "Vinh", "Yến", "Anh", "Bà"]


def _names(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    names = []
    for _ in range(count):
        middle = rng.choice(MIDDLES)
        extra = rng.choice(MIDDLES) if rng.random() < 0.25 else ""
        names.append(" ".join(w for w in (rng.choice(SURNAMES), middle, extra, rng.choice(GIVEN)) if w))
    return names


def _folded(name: str) -> str:
    return "".join(strip_marks(name).split())


def _old_tone_marks(name: str) -> str:
    """"Hòa" written the old way, "Hoà" (and the other way round): the same name."""
    swaps = {"Hoà": "Hòa", "Hòa": "Hoà", "Thuý": "Thúy", "Thúy": "Thuý"}
    return " ".join(swaps.get(word, word) for word in name.split())


def _same_name_variants(name: str, rng: random.Random) -> list[str]:
    honorific = rng.choice(HONORIFICS)
    position = rng.choice([*POSITIONS, *TITLES])
    return [
        name.upper(), name.lower(), strip_marks(name).title(), unicodedata.normalize("NFD", name),
        "  ".join(name.split()) + " ", name.replace(" ", "\u00a0"), _old_tone_marks(name),
        f"{honorific}. {name}", f"{honorific} {name.upper()}", f"{position} {name}", f"{name} - {position}",
        f"{name} ({position})", f"Đ/c {name}", f"{strip_marks(name).upper()}",
    ]


def _other_names(name: str, rng: random.Random) -> list[str]:
    """Names of somebody else: a word changed, dropped or added, the words in another order."""
    words = name.split()
    others = []
    changed = list(words)
    changed[-1] = rng.choice([g for g in GIVEN if _folded(g) != _folded(words[-1]) and g not in ("Anh", "Bà")])
    others.append(" ".join(changed))
    others.append(" ".join(words[:-1] + ["Văn" if _folded(words[-2]) != "van" else "Thị"] + words[-1:]))
    if len(words) > 2:
        others.append(" ".join(words[:1] + words[2:]))  # a middle name dropped
    others.append(" ".join([rng.choice([s for s in SURNAMES if _folded(s) != _folded(words[0])]), *words[1:]]))
    others.append(" ".join(reversed(words)))
    return [o for o in others if _folded(o) != _folded(name)]


@pytest.mark.parametrize("seed", range(6))
def test_the_same_name_written_differently_matches(seed):
    rng = random.Random(seed)
    for holder in _names(seed, 40):
        for printed in _same_name_variants(holder, rng):
            assert same_person(printed, holder, titles=TITLES), (printed, holder)
            assert same_person(holder, printed, titles=TITLES), (holder, printed)  # a CN written so, too


def test_a_holder_named_with_its_unit_matches_its_name():
    assert same_person("Nguyễn Văn An", "Nguyễn Văn An - VKSND tỉnh Bắc Ninh")
    assert same_person("NGUYỄN VĂN AN", "Nguyen Van An (Vien kiem sat nhan dan toi cao)")
    assert not same_person("Nguyễn Văn Anh", "Nguyễn Văn An - VKSND tỉnh Bắc Ninh")


@pytest.mark.parametrize("seed", range(6))
def test_another_name_warns(seed):
    rng = random.Random(1000 + seed)
    for holder in _names(1000 + seed, 40):
        for printed in _other_names(holder, rng):
            assert not same_person(printed, holder, titles=TITLES), (printed, holder)


def test_a_name_ending_like_a_form_of_address_is_still_a_name():
    """"Anh" and "Bà" end names: set aside only before a name, never after."""
    assert not same_person("Nguyễn Văn Anh", "Nguyễn Văn")
    assert not same_person("Trần Thị Bà", "Trần Thị")
    assert same_person("Anh Nguyễn Văn Anh", "Nguyễn Văn Anh")  # "Anh" said before the name


@pytest.mark.parametrize("line, name", [
    ("Nguyễn Văn An", "Nguyễn Văn An"), ("TS. Lê Thị Hoa", "TS. Lê Thị Hoa"),
    ("Kiểm sát viên", None), ("VIỆN TRƯỞNG", None), ("Số: 15/QĐ-VKSTC", None), ("An", None),
    ("(Họ tên người ký)", None), ("(Chữ ký, dấu)", None), ("[Họ và tên]", None),
    ("Kiểm sát viên Nguyễn Văn An", "Kiểm sát viên Nguyễn Văn An"),
])
def test_only_a_line_that_reads_as_a_name_is_compared(line, name):
    assert printed_name(line, titles=TITLES) == name


@pytest.mark.parametrize("printed, holder, warns", [
    ("Nguyễn Văn An", "NGUYEN VAN AN", False),
    ("Nguyễn Văn An", "Trần Thị Bình", True),
])
def test_preflight_compares_the_signer_block_with_the_holder(tmp_path, printed, holder, warns):
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, signer_name=printed)
    result = run_preflight(document, catalogue=CATALOGUE, role="vien-truong")
    assert result.plan is not None and result.plan.printed_name == printed
    known = result.with_certificate(CATALOGUE, role="vien-truong", title=None, holder=holder)
    codes = [f.code.value for f in known.warnings]
    assert ("PREFLIGHT_SIGNER_NAME_MISMATCH" in codes) is warns
    assert not known.blocking()  # a warning to accept, never a block


@pytest.mark.hsm
@pytest.mark.pki
@pytest.mark.parametrize("printed, warns", [("NGUYỄN VĂN AN", False), ("Trần Văn Khác", True)])
def test_the_job_asks_before_the_pin(hsm, pki, trust_dir, tmp_path, assets, printed, warns):
    """signer-rsa2048's certificate is issued to "Nguyễn Văn An"."""
    from app.sign_plan import PreflightOptions
    from app.signing_job import SignJob, SignRequest
    from signing.engine import SignOptions
    from signing.levels import PadesLevel
    from tests.support.signing import AcceptAll, FixedPin, RefuseAll

    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, signer_name=printed)
    request = SignRequest(
        files=(document,), module_path=hsm.module, options=SignOptions(level=PadesLevel.B_B, tsa_url=pki.tsa_url),
        token_label="KYSO-RSA", key_id=hsm.key_id("signer-rsa2048"), trust_dirs=(trust_dir,),
        preflight=PreflightOptions(catalogue=CATALOGUE, role="vien-truong", signature_image=assets["signature"]),
        explicit_appearance=False, explicit_level=False,
    )
    prompter = FixedPin(hsm.pin)
    acceptor = RefuseAll() if warns else AcceptAll()
    report = SignJob(request, prompter=prompter, acceptor=acceptor).run()
    codes = {f.code.value for _, findings in acceptor.preflight for f in findings}
    assert ("PREFLIGHT_SIGNER_NAME_MISMATCH" in codes) is warns
    if warns:  # refused before the PIN was asked for
        assert [o.error_code for o in report.outcomes] == ["PREFLIGHT_WARNINGS_NOT_ACCEPTED"]
        assert prompter.requests == [] and not (tmp_path / "qd.signed.pdf").exists()
    else:
        assert report.all_ok, (report.outcomes[0].error_code, report.outcomes[0].error_params)


@pytest.mark.hsm
@pytest.mark.pki
def test_kyso_sign_and_check_warn_and_sign_only_when_accepted(run_kyso, hsm, trust_dir, tmp_path, assets):
    document = decree30_pdf(tmp_path / "qd.pdf", title="QUYẾT ĐỊNH", body=NEUTRAL_BODY, signer_name="Trần Văn Khác")
    sign = ("sign", str(document), "--module", hsm.module, "--token", "KYSO-RSA", "--key-id",
            hsm.key_id("signer-rsa2048").hex(), "--pin-stdin", "--trust", str(trust_dir), "--role", "vien-truong",
            "--level", "B-B", "--image", str(assets["signature"]), "--json")
    refused = run_kyso(*sign, pin=hsm.pin)
    outcome = json.loads(refused.stdout)["files"][0]
    assert outcome["error"]["code"] == "PREFLIGHT_WARNINGS_NOT_ACCEPTED"
    assert "Trần Văn Khác" in refused.stderr and "Nguyễn Văn An" in refused.stderr
    assert not (tmp_path / "qd.signed.pdf").exists()
    accepted = run_kyso(*sign, "--accept-warnings", pin=hsm.pin)
    assert accepted.returncode == 0, accepted.stderr
    assert (tmp_path / "qd.signed.pdf").exists()

    checked = run_kyso("check", str(document), "--role", "vien-truong", "--holder", "Nguyễn Văn An", "--json")
    findings = json.loads(checked.stdout)["files"][0]["findings"]
    mismatch = [f for f in findings if f["code"] == "PREFLIGHT_SIGNER_NAME_MISMATCH"]
    assert mismatch and mismatch[0]["severity"] == "warn"
    assert mismatch[0]["params"] == {"printed": "Trần Văn Khác", "holder": "Nguyễn Văn An"}
    same = run_kyso("check", str(document), "--role", "vien-truong", "--holder", "tran van khac", "--json")
    assert "PREFLIGHT_SIGNER_NAME_MISMATCH" not in same.stdout
