"""User settings, declared in one typed place; an administrator's policy file can lock any of them.

The user's values live in KYSO_HOME/settings.toml; the administrator's policy may set defaults
(`[defaults]`) and lock values (`[locked]`, with `locked_by` naming who did it). The policy has two
tiers, merged by app/policy.py: the one the central server published, below the machine's own
file (docs/policy.md). A locked value always wins and cannot be changed by the user.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from base.errors import KysoError

from .paths import data_home, load_policy

__all__ = ["Settings", "SettingsState", "load_settings", "save_settings", "SettingLocked"]


@dataclass(frozen=True)
class Settings:
    full_name: str = ""
    role: str = ""  # a role id or name from the catalogue ("vien-truong", "Văn thư")
    unit: str = ""
    organisation_name: str = ""  # printed on copies (SAO Y…)
    signature_image: str = ""  # PNG of the handwritten signature (personal)
    seal_image: str = ""  # PNG of the organisation's seal (records office)
    output_folder: str = ""  # empty: beside the input
    output_suffix: str = ".signed"  # signed files are NAME<suffix>.pdf
    default_level: str = "B-LT"
    tsa_url: str = ""  # empty: the preset TSA of the signer's CA (resources/network/endpoints.toml)
    pkcs11_modules: tuple[str, ...] = ()
    language: str = "vi"
    # When the catalogue's level cannot be reached (TSA or revocation data missing): "ask" — the
    # user may wait and retry or sign at the level reached, the shortfall recorded; "never" — only
    # wait and retry. An administrator's setting (policy); the settings window does not show it.
    lower_level: str = "ask"

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class SettingsState:
    settings: Settings
    locked: dict[str, str]  # setting name -> who locked it
    lock_sources: dict[str, str] = field(default_factory=dict)  # setting name -> "server" or "machine"


class SettingLocked(KysoError):
    def __init__(self, name: str, locked_by: str) -> None:
        super().__init__("SETTINGS_LOCKED", name=name, locked_by=locked_by)


def _settings_file() -> Path:
    return data_home() / "settings.toml"


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError):
        return {}  # a damaged settings file gives defaults; the policy still applies


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    known = set(Settings.names())
    clean = {key: value for key, value in values.items() if key in known}
    if "pkcs11_modules" in clean:
        clean["pkcs11_modules"] = tuple(clean["pkcs11_modules"])
    return clean


def load_settings() -> SettingsState:
    policy = load_policy()
    defaults = _coerce(policy.data.get("defaults", {}))
    locked = _coerce(policy.data.get("locked", {}))
    user = _coerce(_read(_settings_file()))
    merged = replace(Settings(), **{**defaults, **user, **locked})
    return SettingsState(merged, {name: policy.locks[name].locked_by for name in locked},
                         {name: policy.locks[name].source for name in locked})


def save_settings(changes: dict[str, Any], *, journal: Any = None) -> SettingsState:
    """Save the user's changes (refusing locked ones) and return the new state.

    `journal` (an app.audit AuditJournal) records each changed setting with its old and new value."""
    state = load_settings()
    for name in changes:
        if name in state.locked:
            raise SettingLocked(name, state.locked[name])
    current = _coerce(_read(_settings_file()))
    current.update(_coerce(changes))
    path = _settings_file()
    text = "".join(f"{key} = {_toml_value(value)}\n" for key, value in sorted(current.items()))
    temporary = path.with_suffix(".part")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    saved = load_settings()
    if journal is not None:
        for name in sorted(_coerce(changes)):
            old, new = getattr(state.settings, name), getattr(saved.settings, name)
            if old != new:
                journal.settings_changed(name=name, old=old, new=new)
    return saved


def _toml_value(value: Any) -> str:
    import json

    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(json.dumps(str(item), ensure_ascii=False) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)
