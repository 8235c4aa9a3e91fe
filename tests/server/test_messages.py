"""Every server and sync code has a message in both languages, with the parameters it is given."""

from __future__ import annotations

import pytest

from app.i18n import LANGUAGES, catalogue, placeholders
from app.sync.errors import SyncErrorCode
from server.errors import ServerErrorCode
from server.messages import language_from_header, server_message


@pytest.mark.parametrize("codes", [ServerErrorCode, SyncErrorCode])
def test_every_code_has_a_message(codes):
    for lang in LANGUAGES:
        assert [code.value for code in codes if code.value not in catalogue(lang)] == []


def test_server_messages_in_the_callers_language():
    assert language_from_header("en-US,en;q=0.9") == "en" and language_from_header(None) == "vi"
    assert server_message("SERVER_CHAIN_GAP", "en", expected_seq=7, received_seq=9).endswith("received 9.")
    assert "7" in server_message("SERVER_CHAIN_GAP", "vi", expected_seq=7, received_seq=9)
    vi, en = catalogue("vi"), catalogue("en")
    for code in ServerErrorCode:
        assert placeholders(vi[code.value]) == placeholders(en[code.value])
