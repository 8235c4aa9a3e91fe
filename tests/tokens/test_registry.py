"""The known-module registry is data; an administrator extends it without a new release."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokens.registry import ModuleRegistry, parse_registry

DOMAIN_MODULES = ["bit4xpki.dll", "eTPKCS11.dll", "vnptca_p11_v8.dll", "vnpt-ca_csp11.dll", "viettel-ca_v6.dll",
                  "fptca_v4.dll", "fptca_v3.dll", "BkavCA.dll", "st3csp11.dll", "CA2_csp11.dll",
                  "ncca_csp11_v1.dll", "eps2003csp11.dll", "eps2003csp11v2.dll"]


def test_shipped_registry_knows_every_module_of_domain_md():
    registry = ModuleRegistry.load()
    for name in DOMAIN_MODULES:
        assert registry.entry_for(f"C:/Windows/System32/{name}") is not None, name
    assert registry.entry_for("/usr/lib/viettel-ca_v6.so").issuer == "Viettel-CA"
    assert registry.entry_for("/usr/lib/fptca_v4.so").issuer == "FPT-CA"


def test_vnpt_entry_carries_its_quirks():
    options = ModuleRegistry.load().entry_for("vnptca_p11_v8.dll").options
    assert options.read_only_session and options.login_before_search
    assert options.fixed_attribute_buffers and options.no_finalize_at_exit


def test_windows_folders_expand(monkeypatch):
    monkeypatch.setenv("WINDIR", r"C:\Windows")
    entry = ModuleRegistry.load().entry_for("fptca_v4.dll")
    paths = [str(p).replace("\\", "/") for p in entry.candidate_paths("win32")]
    assert "C:/Windows/System32/fptca_v4.dll" in paths
    assert "C:/Windows/SysWOW64/fptca_v4.dll" in paths


def test_administrator_file_adds_and_overrides(tmp_path):
    extra = tmp_path / "modules.toml"
    extra.write_text(
        '[[module]]\nid = "vnpt-ca"\nname = "VNPT (đơn vị)"\nissuer = "VNPT-CA"\n'
        'files.windows = ["vnptca_p11_v11.dll"]\nquirks = ["host_hash"]\n\n'
        '[[module]]\nid = "moi"\nname = "Token mới"\nissuer = "MISA-CA"\nfiles.linux = ["/opt/misa/libmisa.so"]\n',
        encoding="utf-8",
    )
    registry = ModuleRegistry.load(extra_files=[extra])
    assert registry.entry_for("vnptca_p11_v11.dll").options.host_hash
    assert registry.entry_for("vnptca_p11_v8.dll") is None  # the entry was replaced as a whole
    assert registry.entry_for("/opt/misa/libmisa.so").issuer == "MISA-CA"
    assert [Path(p) for p in registry.entry_for("libmisa.so").candidate_paths("linux")] == [Path("/opt/misa/libmisa.so")]


def test_unknown_quirk_is_rejected():
    with pytest.raises(ValueError, match="unknown quirks"):
        parse_registry('[[module]]\nid = "x"\nquirks = ["make_it_work"]\n')
