"""A signed file keeps the input's permission bits (the temporary copy is made 0600)."""

from __future__ import annotations

import os
import stat

import pytest

from signing.output import AtomicOutput


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o444, 0o664, 0o755])
def test_signed_file_keeps_the_inputs_mode(tmp_path, mode):
    source = tmp_path / "van-ban.pdf"
    source.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    source.chmod(mode | stat.S_ISUID if mode == 0o755 else mode)  # a special bit is never copied
    output = AtomicOutput(source=source, target=tmp_path / "van-ban.signed.pdf")
    output.open()
    output.stream.seek(0, os.SEEK_END)
    output.stream.write(b"\n% signed\n")
    target = output.commit()
    assert stat.S_IMODE(target.stat().st_mode) == mode
