"""The administrator's policy (policy.toml): settings' defaults and locks, and the audit rules.

One format for every tier, validated the same way wherever it is read: by the workstation for its
own machine-wide file and for the file the central server published, and by the server before it
publishes one (docs/policy.md has a commented template). Pure — the standard library only — so
the server may import it (as it imports `app.audit.wire` and `app.catalogue.loader`).

Tiers, from the least to the most specific: the policy published by the central server, the
machine's own file, the Group Policy values (app.group_policy). Like the catalogue's tiers, each is
validated as a whole and an invalid one is rejected with every problem listed, the others staying
in force. Unlike the catalogue, the tiers are merged setting by setting: the most specific tier
that names a setting decides both its value and whether it is locked (the machine's tiers are set
by whoever administers that very machine). Only the machine's tiers may name the unit's server (`[server] url`,
for enrolment at first start); a policy the server publishes may not redirect its workstations.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from base.errors import KysoError

__all__ = [
    "AUDIT_VISIBILITY", "LEVELS", "SETTINGS", "LockSource", "MergedPolicy", "PolicyInvalid", "PolicyProblem",
    "PolicyTier", "SettingSpec", "merge_tiers", "parse_policy", "policy_problems", "policy_toml",
]

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
LOWER_LEVEL = ("ask", "never")  # may a user sign below the catalogue's level when it cannot be reached?
AUDIT_VISIBILITY = ("own", "all")
DEFAULT_LOCKED_BY = "quản trị viên"


@dataclass(frozen=True)
class SettingSpec:
    kind: str  # "text", "list" (of texts) or "choice"
    choices: tuple[str, ...] = ()


_TEXT, _LIST = SettingSpec("text"), SettingSpec("list")
SETTINGS: Mapping[str, SettingSpec] = {
    # Every field of app.settings.Settings (a test keeps the two equal), in the order forms show them.
    "full_name": _TEXT, "role": _TEXT, "unit": _TEXT, "organisation_name": _TEXT,
    "signature_image": _TEXT, "seal_image": _TEXT, "output_folder": _TEXT, "output_suffix": _TEXT,
    "default_level": SettingSpec("choice", LEVELS), "tsa_url": _TEXT, "pkcs11_modules": _LIST,
    "language": SettingSpec("choice", ("vi", "en")),
    "lower_level": SettingSpec("choice", LOWER_LEVEL),
}
_TOP = ("locked_by", "defaults", "locked", "audit")
_MACHINE_TOP = (*_TOP, "server")


@dataclass(frozen=True)
class PolicyProblem:
    field: str  # "locked.default_level", "audit.keep_days", "(toml)"
    code: str  # POLICY_* (resources/messages/policy.<lang>.toml)
    params: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        details = ", ".join(f"{key}={value}" for key, value in self.params.items())
        return f"{self.field}: {self.code}" + (f" ({details})" if details else "")


class PolicyInvalid(KysoError):
    def __init__(self, source: str, problems: list[PolicyProblem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("POLICY_INVALID", source=source, count=len(problems),
                         problems="; ".join(str(p) for p in problems[:5]))


def parse_policy(content: bytes | str, *, source: str) -> dict[str, Any]:
    """The policy's contents, validated as a whole; PolicyInvalid lists every problem. A `source`
    of "server" is a policy the central server publishes (no `[server]` section)."""
    try:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        data = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise PolicyInvalid(source, [PolicyProblem("(toml)", "POLICY_NOT_TOML", {
            "line": line.group(1) if line else "?", "detail": str(exc)[:200]})]) from None
    problems = policy_problems(data, machine=source != "server")
    if problems:
        raise PolicyInvalid(source, problems)
    return data


def policy_problems(data: Mapping[str, Any], *, machine: bool = True) -> list[PolicyProblem]:
    """Every problem of a policy; `machine`: a machine's tier, which may name the unit's server."""
    known = _MACHINE_TOP if machine else _TOP
    problems = [PolicyProblem(key, "POLICY_UNKNOWN_KEY") for key in data if key not in known]
    if "locked_by" in data and not isinstance(data["locked_by"], str):
        problems.append(PolicyProblem("locked_by", "POLICY_NOT_TEXT"))
    for section in ("defaults", "locked"):
        problems += _settings_problems(section, data.get(section, {}))
    problems += _audit_problems(data.get("audit", {}))
    if machine:
        problems += _server_problems(data.get("server", {}))
    return problems


def _server_problems(server: Any) -> list[PolicyProblem]:
    if not isinstance(server, dict):
        return [PolicyProblem("server", "POLICY_NOT_TABLE")]
    problems = [PolicyProblem(f"server.{key}", "POLICY_UNKNOWN_KEY") for key in server if key != "url"]
    if not isinstance(server.get("url", ""), str):
        problems.append(PolicyProblem("server.url", "POLICY_NOT_TEXT"))
    return problems


def _settings_problems(section: str, values: Any) -> list[PolicyProblem]:
    if not isinstance(values, dict):
        return [PolicyProblem(section, "POLICY_NOT_TABLE")]
    problems = []
    for name, value in values.items():
        spec = SETTINGS.get(name)
        where = f"{section}.{name}"
        if spec is None:
            problems.append(PolicyProblem(where, "POLICY_UNKNOWN_SETTING"))
        elif spec.kind == "list":
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                problems.append(PolicyProblem(where, "POLICY_NOT_LIST"))
        elif not isinstance(value, str):
            problems.append(PolicyProblem(where, "POLICY_NOT_TEXT"))
        elif spec.choices and value not in spec.choices:
            problems.append(PolicyProblem(where, "POLICY_NOT_A_CHOICE", {"choices": ", ".join(spec.choices)}))
    return problems


def _audit_problems(audit: Any) -> list[PolicyProblem]:
    if not isinstance(audit, dict):
        return [PolicyProblem("audit", "POLICY_NOT_TABLE")]
    problems = [PolicyProblem(f"audit.{key}", "POLICY_UNKNOWN_KEY") for key in audit
                if key not in ("keep_days", "visibility", "administrators")]
    days = audit.get("keep_days", 0)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        problems.append(PolicyProblem("audit.keep_days", "POLICY_NOT_DAYS"))
    if audit.get("visibility", "own") not in AUDIT_VISIBILITY:
        problems.append(PolicyProblem("audit.visibility", "POLICY_NOT_A_CHOICE",
                                      {"choices": ", ".join(AUDIT_VISIBILITY)}))
    administrators = audit.get("administrators", [])
    if not isinstance(administrators, list) or not all(isinstance(name, str) for name in administrators):
        problems.append(PolicyProblem("audit.administrators", "POLICY_NOT_LIST"))
    return problems


@dataclass(frozen=True)
class PolicyTier:
    source: str  # "server", "machine" or "group-policy"
    path: str
    data: Mapping[str, Any]
    etag: str  # SHA-256 of the file: for the server tier, the ETag the server published it under

    @classmethod
    def of(cls, content: bytes, *, source: str, path: str) -> PolicyTier:
        """Parse and validate the file's bytes (PolicyInvalid when it is not a valid policy)."""
        return cls(source, path, parse_policy(content, source=source), hashlib.sha256(content).hexdigest())

    @classmethod
    def of_values(cls, data: Mapping[str, Any], *, source: str, path: str) -> PolicyTier:
        """A tier that is not a file (Group Policy's registry values), validated the same way."""
        problems = policy_problems(data)
        if problems:
            raise PolicyInvalid(source, problems)
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
        return cls(source, path, data, digest)


@dataclass(frozen=True)
class LockSource:
    source: str  # the tier: "server", "machine" or "group-policy"
    locked_by: str  # the tier's `locked_by`, as the administrator wrote it


@dataclass(frozen=True)
class MergedPolicy:
    data: dict[str, Any]  # the merged policy, in the format of one file
    locks: dict[str, LockSource]  # locked setting → where the lock in force comes from
    tiers: tuple[PolicyTier, ...] = ()
    rejected: tuple[PolicyInvalid, ...] = ()

    def tier(self, source: str) -> PolicyTier | None:
        return next((tier for tier in self.tiers if tier.source == source), None)


def merge_tiers(tiers: Iterable[PolicyTier], *, rejected: Iterable[PolicyInvalid] = ()) -> MergedPolicy:
    """`tiers` from the least to the most specific; later ones win setting by setting."""
    tiers = tuple(tiers)
    merged: dict[str, Any] = {"defaults": {}, "locked": {}, "audit": {}}
    locks: dict[str, LockSource] = {}
    for tier in tiers:
        for key, value in tier.data.items():
            if isinstance(value, Mapping):
                merged.setdefault(key, {}).update(value)
            else:
                merged[key] = value
        who = str(tier.data.get("locked_by", DEFAULT_LOCKED_BY))
        locks.update({name: LockSource(tier.source, who) for name in tier.data.get("locked", {})})
        for name in tier.data.get("defaults", {}):  # the tier that names a setting last decides
            if name not in tier.data.get("locked", {}):  # whether it is locked, as well as its value
                merged["locked"].pop(name, None)
                locks.pop(name, None)
        for name in tier.data.get("locked", {}):
            merged["defaults"].pop(name, None)
    return MergedPolicy(merged, locks, tiers, tuple(rejected))


def policy_toml(*, locked_by: str, defaults: Mapping[str, Any], locked: Mapping[str, Any],
                audit: Mapping[str, Any], header: str = "") -> str:
    """A policy file with these values (what the console's form publishes); `header` becomes
    comment lines at the top."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if locked_by:
        lines.append(f"locked_by = {_toml_value(locked_by)}")
    for section, values in (("defaults", defaults), ("locked", locked), ("audit", audit)):
        if values:
            lines += ["", f"[{section}]", *(f"{name} = {_toml_value(value)}" for name, value in values.items())]
    return "\n".join(lines).lstrip("\n") + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, list, tuple)):
        raise TypeError(f"not a policy value: {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):  # a JSON string is a TOML basic string, once DEL is escaped too
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")
    return "[" + ", ".join(_toml_value(str(item)) for item in value) + "]"
