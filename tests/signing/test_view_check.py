"""The safety net: a signed file that would not show what the input showed is never kept.

Updates are written by hand here (not by kyso's writer) so that the net is tested on its own;
then, with kyso's cures switched off, real signing is caught by it and leaves no file.
"""

from __future__ import annotations

import pytest

from signing.errors import SigningError, SigningErrorCode
from signing.output import TEMP_PREFIX
from signing.view_check import check_same_view
from tests.support import pdf_shapes as shapes
from tests.support.documents import decree30_pdf
from tests.support.signing import sign_files

OTHER_TEXT = shapes.stream(b"BT /F1 24 Tf 72 700 Td (Noi dung khac) Tj ET")


def _check(path, length):
    return check_same_view(signed=path, input_length=length, source=path)


def _refusal(path, length) -> SigningError:
    with pytest.raises(SigningError) as caught:
        _check(path, length)
    assert caught.value.code is SigningErrorCode.VIEW_CHANGED
    return caught.value


def test_a_page_drawn_differently_is_named(tmp_path):
    path = shapes.pages_pdf(tmp_path / "ba-trang.pdf", count=3)
    length = shapes.incremental_update(path, {41: OTHER_TEXT})  # page 2's content stream
    assert _refusal(path, length).params["page"] == "2"


def test_a_page_taken_out_of_the_tree_is_named(tmp_path):
    path = shapes.pages_pdf(tmp_path / "ba-trang.pdf", count=3)
    length = shapes.incremental_update(path, {2: b"<< /Type /Pages /Kids [20 0 R 21 0 R] /Count 2 >>"})
    assert _refusal(path, length).params["page"] == "3"


def test_a_page_object_replaced_by_something_else_is_caught(tmp_path):
    """What a too-small /Size did: a page object overwritten by the signature field."""
    path = shapes.pages_pdf(tmp_path / "ba-trang.pdf", count=3)
    field = b"<< /FT /Sig /T (Chu ky) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 20 0 R >>"
    length = shapes.incremental_update(path, {21: field})
    assert _refusal(path, length).params["page"] == "2"


def test_an_unchanged_view_costs_no_rendering(tmp_path):
    path = shapes.pages_pdf(tmp_path / "ba-trang.pdf", count=3)
    catalogue = b"<< /Type /Catalog /Pages 2 0 R /DSS 60 0 R >>"  # what B-LT adds
    length = shapes.incremental_update(path, {1: catalogue, 60: b"<< /Type /DSS >>"})
    result = _check(path, length)
    assert (result.pages, result.rendered, result.reasons) == (3, (), ())


def test_an_unexpected_replacement_has_every_page_compared(tmp_path):
    path = shapes.pages_pdf(tmp_path / "ba-trang.pdf", count=3)
    length = shapes.incremental_update(path, {5: shapes.FONT})  # the font again, identical
    result = _check(path, length)
    assert result.rendered == (0, 1, 2) and result.reasons == ("object 5 was replaced",)


def test_a_form_that_stops_drawing_its_values_is_caught(tmp_path):
    path = shapes.need_appearances_form_pdf(tmp_path / "bieu-mau.pdf", stale=True)
    form = b"<< /Fields [10 0 R 11 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 7 0 R >> >> >>"
    length = shapes.incremental_update(path, {6: form})  # /NeedAppearances dropped
    assert _refusal(path, length).params["page"] == "1"


@pytest.mark.hsm
@pytest.mark.pki
def test_without_the_cures_signing_is_caught_and_leaves_no_file(hsm, trust_dir, tmp_path, monkeypatch):
    """Switch off the object numbering and /NeedAppearances cures: the net must catch both."""
    import signing.writer

    monkeypatch.setattr(signing.writer, "highest_object_number", lambda reader: 0)
    monkeypatch.setattr(signing.writer, "_need_appearances", lambda reader: None)
    base = decree30_pdf(tmp_path / "goc.pdf", pages=2)
    short = shapes.short_size_pdf(base, tmp_path / "thieu-size.pdf", by=5)
    form = shapes.need_appearances_form_pdf(tmp_path / "bieu-mau.pdf", stale=True)
    report = sign_files(hsm, [short, form], trust_dir=trust_dir)
    for outcome in report.outcomes:
        assert outcome.error_code == SigningErrorCode.VIEW_CHANGED.value, outcome.error_params
        assert outcome.error_params["page"] == "1" and outcome.output is None
    assert not list(tmp_path.glob("*.signed.pdf")) and not list(tmp_path.glob(TEMP_PREFIX + "*"))


@pytest.mark.hsm
@pytest.mark.pki
def test_an_unexpected_failure_points_to_the_log_that_has_its_details(hsm, trust_dir, document, monkeypatch,
                                                                      caplog):
    import signing.writer
    from app.i18n import message
    from app.logs import active_log_file

    def broken(self):
        raise RuntimeError("lỗi thử nghiệm")

    monkeypatch.setattr(signing.writer.SignatureUpdateWriter, "_prep_dom_for_writing", broken)
    (outcome,) = sign_files(hsm, [document], trust_dir=trust_dir).outcomes
    assert outcome.error_code == SigningErrorCode.INTERNAL.value and outcome.output is None
    log = str(active_log_file())
    assert outcome.error_params["log"] == log and log in message(outcome.error_code, "vi", **outcome.error_params)
    (record,) = [r for r in caplog.records if r.exc_info and "lỗi thử nghiệm" in str(r.exc_info[1])]
    assert str(document) in record.getMessage()
