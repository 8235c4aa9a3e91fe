"""First start after an MSI deployment: each user's kyso enrols with the sealed code while it has
uses left; a code the server refused is not sent again at every start, a new one is."""

from __future__ import annotations

import logging

import httpx

from tests.support.audit_server import issue_code


def _deployment_code(central, uses: int) -> str:
    response = httpx.post(f"{central.url}/api/v1/admin/enrolment-codes",
                          json={"unit": central.unit, "uses": uses}, headers=central.admin)
    assert response.status_code == 201, response.text
    return response.json()["code"]


def test_each_user_spends_one_use_and_a_refused_code_is_not_sent_again(central, kyso_home, tmp_path, monkeypatch,
                                                                        caplog):
    from app.deploy.first_start import enrol_from_deployment
    from app.deploy.machine import ENROLMENT_FILE
    from app.sync import load_enrolment

    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / ENROLMENT_FILE).write_bytes(_deployment_code(central, 2).encode())
    start = dict(policy={"server": {"url": central.url}}, folder=folder, unseal=lambda sealed: sealed)
    for user in ("an", "binh"):
        monkeypatch.setenv("KYSO_HOME", str(tmp_path / user))
        assert enrol_from_deployment(**start) is not None and load_enrolment() is not None
    monkeypatch.setenv("KYSO_HOME", str(tmp_path / "cuong"))  # a third user: both uses are spent
    with caplog.at_level(logging.WARNING, logger="app.deploy.first_start"):
        assert enrol_from_deployment(**start) is None
        assert "SYNC_ENROL_REFUSED" in caplog.text
        caplog.clear()
        assert enrol_from_deployment(**start) is None  # the next start asks the server nothing
        assert caplog.text == ""
    (folder / ENROLMENT_FILE).write_bytes(issue_code(central.url, central.admin, central.unit).encode())
    assert enrol_from_deployment(**start) is not None  # a new deployment's code is tried
