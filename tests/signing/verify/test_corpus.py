"""The crafted corpus (tests/support/attacks.py, made once per session in conftest.py): every
attack is "invalid" or "changed after signing" for the signature it targets — never plain valid,
never an error of kyso's — and every legitimate control keeps its verdict. pyhanko's and
pdfsig's verdicts are taken on the same files, to say where kyso is stricter."""

from __future__ import annotations

import asyncio

import pytest

from signing.errors import SigningError, SigningErrorCode
from signing.trust import TrustStore
from signing.verify import ChangeKind, DocumentVerdict, Indication, Problem, Verdict, verify_document
from tests.signing.verify.conftest import CERTIFICATION_ATTACKS, CONTROLS_INDETERMINATE, CONTROLS_VALID
from tests.support.attacks import ATTACKS
from tests.support.validators import pdfsig, pyhanko_validate

pytestmark = [pytest.mark.hsm, pytest.mark.pki]

_PARSER_REFUSED = {"xref-huge-index"}  # refused before parsing, with a typed code, at once


def _verify(path, trust_dir):
    return asyncio.run(verify_document(path, trust=TrustStore.load(extra_dirs=[trust_dir]), allow_fetching=True))


@pytest.mark.parametrize("name", [a.name for a in ATTACKS if a.name not in _PARSER_REFUSED] + list(CERTIFICATION_ATTACKS))
def test_every_attack_is_invalid_or_changed_after_signing(name, corpus, trust_dir):
    result = _verify(corpus[name], trust_dir)
    assert result.signatures, "the genuine signature must still be listed"
    assert result.verdict in (DocumentVerdict.INVALID, DocumentVerdict.CHANGED), result
    assert not result.all_valid
    genuine = result.signatures[0] if name.startswith("cert-") else _genuine(result)
    assert genuine.verdict in (Verdict.INVALID, Verdict.CHANGED), genuine
    if genuine.verdict is Verdict.CHANGED:
        assert genuine.indication is Indication.TOTAL_PASSED  # valid for the revision it signed…
        assert genuine.unpermitted_changes, genuine  # …and what came after is named
    else:
        assert genuine.indication is Indication.TOTAL_FAILED and genuine.sub_indication


def _genuine(result):
    """The signature kyso made (it may be the one the attack broke)."""
    mine = [s for s in result.signatures if s.field_name.startswith("kyso-")]
    assert mine, [s.field_name for s in result.signatures]
    return mine[0]


@pytest.mark.parametrize("name", [a.name for a in ATTACKS if a.family == "malformed" and "added" in a.name])
def test_a_broken_signature_field_never_hides_the_genuine_one(name, corpus, trust_dir):
    result = _verify(corpus[name], trust_dir)
    genuine, broken = _genuine(result), [s for s in result.signatures if not s.field_name.startswith("kyso-")]
    assert genuine.intact and genuine.trusted and genuine.verdict is Verdict.CHANGED
    assert [c.kind for c in genuine.unpermitted_changes] == [ChangeKind.BROKEN_SIGNATURE]
    assert [s.verdict for s in broken] == [Verdict.INVALID]
    assert broken[0].problems[0] in (Problem.CONTENTS, Problem.BYTE_RANGE)


def test_an_unsigned_field_after_an_approval_is_a_change_not_a_further_signature(corpus, trust_dir):
    result = _verify(corpus["isa-unsigned-signature-field"], trust_dir)
    (signature,) = result.signatures
    assert signature.verdict is Verdict.CHANGED
    assert [(c.kind, c.fields) for c in signature.unpermitted_changes] == [(ChangeKind.FIELD_ADDED, ("Chu ky 2",))]


@pytest.mark.parametrize("name", ["eof-comment", "eof-binary", "eof-junk-then-eof", "eof-trailer-repeated"])
def test_bytes_after_the_end_are_named(name, corpus, trust_dir):
    result = _verify(corpus[name], trust_dir)
    assert result.appended
    assert ChangeKind.APPENDED in [c.kind for c in result.signatures[0].unpermitted_changes]


def test_a_huge_xref_index_is_refused_at_once_with_a_typed_code(corpus, trust_dir):
    with pytest.raises(SigningError) as caught:
        _verify(corpus["xref-huge-index"], trust_dir)
    assert caught.value.code is SigningErrorCode.DAMAGED


@pytest.mark.parametrize("name", CONTROLS_VALID)
def test_legitimate_later_revisions_stay_valid(name, corpus, trust_dir, pki, nss):
    result = _verify(corpus[name], trust_dir)
    assert result.verdict is DocumentVerdict.VALID, [(s.field_name, s.problems, s.changes) for s in result.signatures]
    assert all(s.indication is Indication.TOTAL_PASSED for s in result.signatures)
    # the same files with pyhanko and pdfsig: none of them is an alarm there either
    assert all(s.intact and s.valid for s in pyhanko_validate(corpus[name], pki.cert_der("root"))), name
    views = [v for v in pdfsig(corpus[name], nss) if v.signer]  # pdfsig lists empty fields too
    assert views and all(v.validation in ("Signature is Valid.", "Signature has not yet been verified.")
                         for v in views), views  # (the latter: a document timestamp, which pdfsig skips)


@pytest.mark.parametrize("name", CONTROLS_INDETERMINATE)
def test_no_revocation_pointer_is_indeterminate_never_invalid(name, corpus, trust_dir):
    (signature,) = _verify(corpus[name], trust_dir).signatures
    assert signature.verdict is Verdict.INDETERMINATE
    assert signature.indication is Indication.INDETERMINATE and signature.sub_indication == "TRY_LATER"
    assert signature.problems == (Problem.REVOCATION_UNKNOWN,)


def test_where_kyso_is_stricter_than_pdfsig(corpus, nss):
    """pdfsig, on the attacks kyso calls changed: it reports the signature itself as valid for
    the incremental-saving classes (it checks the signed bytes, not what came after)."""
    lenient = []
    for name in ("isa-unsigned-signature-field", "isa-text-field-overlay", "eof-comment", "info-changed-raw",
                 "isa-unknown-subfilter-fake"):
        views = pdfsig(corpus[name], nss)
        if views and views[0].validation == "Signature is Valid.":
            lenient.append(name)
    assert lenient  # kyso flags every one of these; pdfsig passes at least some
