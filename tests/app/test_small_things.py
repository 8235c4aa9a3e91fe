"""Small things a new user hits (issue 13), each with the class of input that caused it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.i18n import message
from tests.support.documents import decree30_pdf

SOFTOKN = Path("/usr/lib/x86_64-linux-gnu/libsoftokn3.so")  # NSS (libnss3, installed with libnss3-tools)


@pytest.mark.parametrize("form", ["relative", "dot-relative", "absolute"])
def test_audit_commands_take_a_relative_log_path(form, kyso_home, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "verify"]) == 0  # makes the log in KYSO_HOME
    log = (kyso_home / "audit" / "audit.sqlite3").relative_to(tmp_path)
    given = {"relative": str(log), "dot-relative": f"./{log}", "absolute": str(tmp_path / log)}[form]
    capsys.readouterr()
    assert main(["audit", "verify", "--db", given, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert main(["audit", "export", "--db", given, "--format", "csv", "--out", "nhat-ky.csv"]) == 0
    assert (tmp_path / "nhat-ky.csv").stat().st_size > 0


@pytest.mark.parametrize("kind", ["invisible", "personal", "organisation", "attachment", "copy"])
def test_check_takes_every_kind_sign_takes(kind, tmp_path, capsys):
    from app.cli.sign_cmd import KINDS

    assert kind in KINDS
    document = decree30_pdf(tmp_path / "quyet-dinh.pdf")
    code = main(["check", str(document), "--kind", kind, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and report["command"] == "check"


@pytest.mark.parametrize("argv", [
    ["sign", "--level", "B-X", "a.pdf", "--json"],
    ["check", "--json"],
    ["verify", "--nope", "a.pdf", "--json"],
    ["audit", "export", "--json"],
    ["tokens", "--json", "--unknown"],
])
def test_a_usage_error_under_json_is_json(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    out = capsys.readouterr().out
    report = json.loads(out)
    assert report["ok"] is False and report["error"]["code"] == "APP_USAGE"
    assert report["command"] == argv[0]


def test_mechanism_names_are_spelled_as_in_the_standard():
    from pkcs11 import Mechanism

    from tokens.mechanisms import mechanism_name

    names = [mechanism_name(int(m)) for m in Mechanism]
    assert "CKM_DES_KEY_GEN" in names and "CKM_SHA256_RSA_PKCS" in names
    assert all(re.fullmatch(r"CKM_[A-Z0-9]+(_[A-Z0-9]+)*", name) for name in names), \
        [n for n in names if "__" in n or n.endswith("_")]
    assert mechanism_name(0x80001234) == "0x80001234"


def _fresh_load(path: str, init_args: str = "") -> subprocess.CompletedProcess:
    """A module is loaded once per process: each case in a process of its own."""
    code = (
        "import sys, json\n"
        "from tokens.module import load_module, ModuleOptions\n"
        "from tokens.errors import TokenError\n"
        "from tokens.slots import token_infos\n"
        "from app.i18n import message\n"
        "try:\n"
        f"    module = load_module({path!r}, options=ModuleOptions(init_args={init_args!r}))\n"
        "    print(json.dumps({'tokens': [t.label for t in token_infos(module)]}))\n"
        "except TokenError as e:\n"
        "    print(json.dumps({'code': e.code.value, 'params': e.params, 'vi': message(e.code.value, 'vi', **e.params),"
        " 'en': message(e.code.value, 'en', **e.params)}))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_a_module_needing_init_args_says_so_and_the_registry_carries_them(tmp_path):
    assert SOFTOKN.is_file()
    failed = json.loads(_fresh_load(str(SOFTOKN)).stdout)
    assert failed["code"] == "TOKEN_MODULE_LOAD_FAILED" and failed["params"]["reason"] == "CKR_ARGUMENTS_BAD"
    assert "init_args" in failed["vi"] and "init_args" in failed["en"]
    database = tmp_path / "nssdb"
    database.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{database}", "--empty-password"], check=True, capture_output=True)
    args = f"configdir='sql:{database}' certPrefix='' keyPrefix='' secmod='secmod.db' flags=readOnly"
    loaded = json.loads(_fresh_load(str(SOFTOKN), args).stdout)
    assert "NSS Certificate DB" in loaded["tokens"]


def test_the_registry_gives_a_modules_init_args():
    from tokens.registry import parse_registry

    (entry,) = parse_registry('[[module]]\nid = "nss"\nfiles.linux = ["libsoftokn3.so"]\n'
                              "init_args = \"configdir='sql:/x' flags=readOnly\"\n")
    assert entry.options.init_args == "configdir='sql:/x' flags=readOnly"


def test_load_failures_say_what_to_check():
    """openCryptoki answers C_Initialize with CKR_HOST_MEMORY when its pkcsslotd daemon is not
    running (openCryptoki itself is not installed here: its exception, as python-pkcs11 raises it)."""
    from pkcs11 import exceptions

    from tokens.module import load_advice
    from tokens.translate import ckr_name

    cases = {exceptions.HostMemory(): "host_memory", exceptions.ArgumentsBad(): "init_args",
             OSError("cannot open shared object"): "library", exceptions.GeneralError(): "vendor"}
    for exc, advice in cases.items():
        assert load_advice(exc) == advice
    assert ckr_name(exceptions.HostMemory()) == "CKR_HOST_MEMORY"
    params = {"module": "libopencryptoki.so", "reason": "CKR_HOST_MEMORY", "advice": "host_memory"}
    assert "pkcsslotd" in message("TOKEN_MODULE_LOAD_FAILED", "vi", **params)
    assert "pkcsslotd" in message("TOKEN_MODULE_LOAD_FAILED", "en", **params)
