"""One path from settings to a request: the desktop and `kyso sign` build the same request for
the same document, and both honour the administrator's machine-wide trust anchors."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from app.catalogue import load_catalogue
from app.cli.main import build_parser
from app.cli.sign_cmd import _request
from app.desk.documents import DeskDocument
from app.desk.signing import desk_request
from app.settings import load_settings


@pytest.fixture
def machine_trust(tmp_path, monkeypatch, trust_dir):
    policy = tmp_path / "policy"
    shutil.copytree(trust_dir, policy / "trust")
    monkeypatch.setenv("KYSO_POLICY_DIR", str(policy))
    return policy / "trust"


def test_desktop_and_cli_build_the_same_request(kyso_home, machine_trust, document):
    kyso_home.mkdir(parents=True, exist_ok=True)
    (kyso_home / "settings.toml").write_text(
        'unit = "VKSND tỉnh Bắc Ninh"\nrole = "Kiểm sát viên"\ndefault_level = "B-T"\n'
        'output_suffix = ".da-ky"\ntsa_url = "http://tsa.example.vn"\n', encoding="utf-8")
    args = build_parser("vi").parse_args(["sign", str(document), "--module", "/lib/p11.so", "--token", "T",
                                          "--key-id", "0102"])
    cli = _request(args)
    settings = load_settings().settings
    desk = desk_request(documents=[DeskDocument(document)], settings=settings,
                        catalogue=load_catalogue(None).catalogue, module_path="/lib/p11.so", token_label="T",
                        key_id=b"\x01\x02", placements={})
    assert cli.trust_dirs == desk.trust_dirs == (machine_trust,)
    assert cli.options == desk.options and cli.options.tsa_url == "http://tsa.example.vn"
    assert cli.preflight.organisation_name == desk.preflight.organisation_name == "VKSND tỉnh Bắc Ninh"
    assert dataclasses.replace(cli, preflight=None) == dataclasses.replace(desk, preflight=None)
    assert dataclasses.replace(cli.preflight, checked={}) == dataclasses.replace(desk.preflight, checked={})


@pytest.mark.hsm
@pytest.mark.pki
def test_kyso_sign_and_verify_honour_the_machines_trust_anchors(run_kyso, hsm, pki, machine_trust, document,
                                                                tmp_path):
    env = {"KYSO_POLICY_DIR": str(machine_trust.parent)}
    signed = run_kyso("sign", str(document), "--module", hsm.module, "--token", "KYSO-RSA", "--key-id", hsm.key_id("signer-rsa2048").hex(), "--kind", "invisible",
                      "--level", "B-B", "--pin-stdin", "--accept-warnings", "--json", pin=hsm.pin, env=env)
    assert signed.returncode == 0, signed.stderr
    output = json.loads(signed.stdout)["files"][0]["output"]
    verified = run_kyso("verify", output, "--json", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["files"][0]["signatures"][0]["trusted"] is True
