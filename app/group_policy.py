"""The machine policy Group Policy sets: registry values under HKLM\\Software\\Policies\\kyso.

Read as a policy in the shape of policy.toml, so every reader of the policy applies it the same
way (app.paths.read_policy merges it over the policy file, key by key):

  HKLM\\Software\\Policies\\kyso            locked_by (REG_SZ)
                                \\Defaults  one value per setting (REG_SZ; pkcs11_modules REG_MULTI_SZ)
                                \\Locked    the same, locked
                                \\Audit     visibility (REG_SZ), administrators (REG_MULTI_SZ), keep_days (REG_DWORD)
                                \\Server    url (REG_SZ): the unit's server, for enrolment at first start

The ADMX template (installer/policy/kyso.admx) writes exactly these; the MSI's public properties
write Defaults and Server. Empty values count as absent (an MSI property left empty).
The registry is reached through a `RegistryReader`: winreg on Windows, None elsewhere, and a
stand-in in the tests (the one thing that cannot exist on a Linux test machine).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["POLICY_KEY", "RegistryReader", "WindowsRegistry", "default_registry", "merge_policies",
           "read_group_policy"]

POLICY_KEY = r"Software\Policies\kyso"
_SECTIONS = {"Defaults": "defaults", "Locked": "locked", "Audit": "audit", "Server": "server"}


class RegistryReader(Protocol):
    def values(self, subkey: str) -> Mapping[str, Any] | None:
        """The values of HKLM\\Software\\Policies\\kyso[\\subkey] by name; None if the key is absent."""


class WindowsRegistry:
    """HKLM, 64-bit view (where a 64-bit MSI and Group Policy write)."""

    def values(self, subkey: str) -> Mapping[str, Any] | None:
        import winreg

        path = POLICY_KEY + (f"\\{subkey}" if subkey else "")
        try:
            key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, path, 0, winreg.KEY_READ | winreg.KEY_WOW64_64KEY)
        except OSError:
            return None
        with key:
            found, index = {}, 0
            while True:
                try:
                    name, value, _kind = winreg.EnumValue(key, index)
                except OSError:
                    return found
                found[name] = value
                index += 1


def default_registry() -> RegistryReader | None:
    import os

    return WindowsRegistry() if os.name == "nt" else None


def _clean(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        items = [str(item) for item in value if str(item).strip()]
        return items or None
    if isinstance(value, str):
        return value.strip() or None
    return value


def read_group_policy(registry: RegistryReader | None = None) -> dict[str, Any] | None:
    """The Group Policy values as a policy dict; None when there are none (or no registry)."""
    registry = registry if registry is not None else default_registry()
    if registry is None:
        return None
    root = registry.values("")
    if root is None:
        return None
    policy: dict[str, Any] = {}
    locked_by = _clean(root.get("locked_by"))
    if locked_by:
        policy["locked_by"] = locked_by
    for subkey, section in _SECTIONS.items():
        values = {name: _clean(value) for name, value in (registry.values(subkey) or {}).items()}
        values = {name: value for name, value in values.items() if value is not None}
        if values:
            policy[section] = values
    return policy


def merge_policies(base: Mapping[str, Any] | None, over: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """`over` wins over `base`, value by value within each section; for a setting, the source
    that wins decides both its value and whether it is locked (a default in `over` also drops a
    lock of the same setting in `base`)."""
    if base is None and over is None:
        return None
    merged: dict[str, Any] = {key: dict(value) if isinstance(value, Mapping) else value
                              for key, value in (base or {}).items()}
    for key, value in (over or {}).items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = dict(value) if isinstance(value, Mapping) else value
    for section, other in (("defaults", "locked"), ("locked", "defaults")):
        named = (over or {}).get(section)
        if isinstance(named, Mapping) and isinstance(merged.get(other), dict):
            for name in named:
                if name not in ((over or {}).get(other) or {}):
                    merged[other].pop(name, None)
    return merged
