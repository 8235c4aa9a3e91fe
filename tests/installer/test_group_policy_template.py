"""The Group Policy template (installer/policy/kyso.admx with vi-VN and en-US ADML) against the
ADMX schema's rules and against what kyso reads.

No Group Policy editor runs here: the rules the editor enforces when it loads a template (every
string and presentation defined in each language, each presentation control of the kind of its
element, categories and supportedOn defined) are checked on the parsed files, and every value a
policy can write goes through kyso's own reader (app.group_policy, a dict standing in for HKLM)
into the settings it must set — locked for the Locked policies.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import fields

import pytest

from app.deploy.machine import policy_problems
from app.group_policy import POLICY_KEY
from app.i18n import LANGUAGES
from app.paths import read_policy
from app.settings import Settings, load_settings
from installer.inputs import INSTALLER
from signing.levels import PadesLevel

NS = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"
ADMX = INSTALLER / "policy" / "kyso.admx"
ADMLS = {"vi-VN": INSTALLER / "policy" / "vi-VN" / "kyso.adml", "en-US": INSTALLER / "policy" / "en-US" / "kyso.adml"}
# Element kind → the presentation control the editor requires for it.
CONTROLS = {"text": "textBox", "enum": "dropdownList", "multiText": "multiTextBox", "decimal": "decimalTextBox",
            "boolean": "checkBox", "list": "listBox"}
SECTIONS = {"Defaults": "defaults", "Locked": "locked", "Audit": "audit", "Server": "server"}


ADMX_ROOT = ET.parse(ADMX).getroot()


def _policies():
    return ADMX_ROOT.findall(f"{NS}policies/{NS}policy")


def _elements(policy):
    elements = policy.find(f"{NS}elements")
    return [] if elements is None else list(elements)


@pytest.mark.parametrize("language", sorted(ADMLS))
def test_every_string_and_presentation_is_defined_in_each_language(language):
    root = ET.parse(ADMLS[language]).getroot()
    assert root.tag == f"{NS}policyDefinitionResources" and root.get("schemaVersion") and root.get("revision")
    strings = {s.get("id"): s.text or "" for s in root.iter(f"{NS}string")}
    presentations = {p.get("id"): p for p in root.iter(f"{NS}presentation")}
    admx_text = ADMX.read_text(encoding="utf-8")
    assert set(re.findall(r"\$\(string\.(\w+)\)", admx_text)) <= set(strings)
    assert set(re.findall(r"\$\(presentation\.(\w+)\)", admx_text)) <= set(presentations)
    assert all(text.strip() for text in strings.values())
    for policy in _policies():
        presentation = presentations[policy.get("presentation")[len("$(presentation."):-1]]
        controls = {c.get("refId"): c.tag[len(NS):] for c in presentation}
        assert controls == {e.get("id"): CONTROLS[e.tag[len(NS):]] for e in _elements(policy)}, policy.get("name")
    if language == "vi-VN":  # Vietnamese text survives the file's encoding (UTF-8, declared)
        assert ADMLS[language].read_bytes().startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        assert strings["Kyso"] == "kyso — Ký số" and "khoá" in strings["KysoLocked"].lower()


def test_definitions_follow_the_admx_schema_rules():
    assert ADMX_ROOT.tag == f"{NS}policyDefinitions"
    assert ADMX_ROOT.get("schemaVersion") and ADMX_ROOT.get("revision")
    target = ADMX_ROOT.find(f"{NS}policyNamespaces/{NS}target")
    assert target.get("prefix") and re.fullmatch(r"[\w.]+", target.get("namespace"))
    categories = {c.get("name") for c in ADMX_ROOT.iter(f"{NS}category")}
    for category in ADMX_ROOT.iter(f"{NS}category"):
        parent = category.find(f"{NS}parentCategory")
        assert parent is None or parent.get("ref") in categories
    supported = {d.get("name") for d in ADMX_ROOT.iter(f"{NS}definition")}
    names = [p.get("name") for p in _policies()]
    assert len(names) == len(set(names))
    for policy in _policies():
        assert policy.get("class") == "Machine" and policy.find(f"{NS}parentCategory").get("ref") in categories
        assert policy.find(f"{NS}supportedOn").get("ref") in supported
        assert _elements(policy) and all(e.get("valueName") for e in _elements(policy))


def _example(element):
    """A value the editor lets an administrator set for this element, as the registry holds it."""
    kind = element.tag[len(NS):]
    if kind == "enum":
        return [item.find(f"{NS}value/{NS}string").text for item in element.findall(f"{NS}item")]
    return {"text": ["http://gpo.example/x"], "multiText": [["C:\\Windows\\System32\\vnptca_p11_v8.dll"]],
            "decimal": [30]}[kind]


def test_every_value_a_policy_writes_is_read_by_kyso_where_it_belongs(kyso_home, tmp_path, monkeypatch):
    """Keys and value names equal to what app/group_policy.py reads, value types equal to the
    settings' types, enum values ones kyso accepts; each Locked policy locks its setting."""
    monkeypatch.setenv("KYSO_POLICY_DIR", str(tmp_path / "no-policy-file"))
    types = {f.name: f.type for f in fields(Settings)}
    for policy in _policies():
        key = policy.get("key")
        assert key == POLICY_KEY or key.startswith(POLICY_KEY + "\\"), key
        subkey = key[len(POLICY_KEY):].lstrip("\\")
        for element in _elements(policy):
            name = element.get("valueName")
            for value in _example(element):
                registry = {"": {}, subkey: {name: value}}
                monkeypatch.setattr("app.group_policy.default_registry", lambda r=registry: _StandIn(r))
                policy_read = read_policy()
                assert policy_problems(policy_read) == [], (policy.get("name"), policy_problems(policy_read))
                if subkey in ("Defaults", "Locked"):
                    state = load_settings()
                    expected = tuple(value) if types[name] == "tuple[str, ...]" else value
                    assert getattr(state.settings, name) == expected, policy.get("name")
                    assert (name in state.locked) == (subkey == "Locked")
                    assert isinstance(value, list) == (types[name] == "tuple[str, ...]")
                    if name == "language":
                        assert value in LANGUAGES
                    if name == "default_level":
                        assert value in {level.value for level in PadesLevel}
                elif subkey:
                    assert policy_read[SECTIONS[subkey]][name] == value
                else:
                    assert name == "locked_by" and policy_read["locked_by"] == value


def test_every_choice_setting_of_the_policy_is_in_the_template_with_the_values_kyso_accepts():
    """A choice setting of the policy (app.policy.SETTINGS) is a Defaults or Locked policy in the
    template, with exactly the values kyso accepts — a setting added to the policy appears in the
    Group Policy editor."""
    from app.policy import SETTINGS

    locked = {element.get("valueName"): {value.find(f"{NS}string").text for value in element.iter(f"{NS}value")}
              for policy in _policies() if policy.get("key").endswith(("\\Locked", "\\Defaults")) for element in _elements(policy)}
    for name, spec in SETTINGS.items():
        if spec.kind == "choice":
            assert locked.get(name) == set(spec.choices), name


class _StandIn:
    def __init__(self, rows):
        self.rows = rows

    def values(self, subkey):
        return self.rows.get(subkey)
