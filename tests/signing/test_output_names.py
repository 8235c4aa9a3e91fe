"""Where a signed file goes and what it is called."""

from __future__ import annotations

from pathlib import Path

import pytest

from signing.output import default_output_path


def test_default_name_is_beside_the_input():
    assert default_output_path(Path("/a/quyet-dinh.PDF")) == Path("/a/quyet-dinh.signed.pdf")
    assert default_output_path(Path("/a/qd.pdf"), out_dir=Path("/b")) == Path("/b/qd.signed.pdf")


def test_a_chosen_suffix_names_the_output():
    assert default_output_path(Path("/a/qd.pdf"), suffix="_da-ky") == Path("/a/qd_da-ky.pdf")


@pytest.mark.parametrize("suffix", ["", "  ", "/../x", "\\\\server\\x", "a:b"])
def test_a_suffix_never_names_the_input_or_another_folder(suffix):
    assert default_output_path(Path("/a/qd.pdf"), suffix=suffix) == Path("/a/qd.signed.pdf")
