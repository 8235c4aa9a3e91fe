"""The MSI installer/build makes, read back with msitools: what Windows Installer will do with it.

What cannot be tested here (no Windows machine): running msiexec, the custom action, Explorer
showing the verbs, the launchers starting CPython. These tests check the tables that drive all
of it, and the payload, with tools independent of our build code (msiinfo, pip, zipfile).
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import PurePosixPath

from installer.lock import read_lock
from installer.msi import CONDITIONED_COMPONENTS, product_code
from installer.payload import EXCLUDED_SUFFIXES

UPGRADE_CODE = "{6F4C2E0A-9A57-4D3B-8F2E-1C5B7A0D9E31}"
# The silent-install interface docs/installer.md documents.
PUBLIC_PROPERTIES = {"SERVER_URL", "ENROLMENT_CODE", "TSA_URL", "OUTPUT_SUFFIX", "LANGUAGE", "POLICY_FILE"}


def _kyso_version() -> str:
    out = subprocess.run([".venv/bin/kyso", "--version"], capture_output=True, text=True, check=True).stdout
    return out.split()[-1]


def test_product_identity_per_machine_and_version_equal_to_kyso(built_msi):
    properties = {row[0]: row[1] for row in built_msi.table("Property")}
    assert properties["ProductName"] == "kyso — Ký số"
    assert properties["ProductVersion"] == _kyso_version() == built_msi.version
    assert properties["UpgradeCode"].upper() == UPGRADE_CODE
    assert properties["ProductCode"] == "{" + product_code(built_msi.version) + "}"
    assert product_code("9.9.9") != product_code(built_msi.version)  # a new ProductCode per version
    assert properties["ALLUSERS"] == "1"
    assert properties["MsiHiddenProperties"] == "ENROLMENT_CODE"
    assert "leaves users' data" in properties["ARPCOMMENTS"] and "không xoá dữ liệu" in properties["ARPCOMMENTS"]
    summary = subprocess.run(["msiinfo", "suminfo", str(built_msi.msi)], capture_output=True, text=True).stdout
    assert "Template: x64;" in summary
    forced = subprocess.run(["msiinfo", "export", str(built_msi.msi), "_ForceCodepage"], capture_output=True).stdout
    assert b"1258\t_ForceCodepage" in forced  # the database's code page: Vietnamese text survives on any Windows


def test_upgrades_in_place_and_refuses_a_downgrade(built_msi):
    upgrades = {row[-1]: row for row in built_msi.table("Upgrade")}
    assert upgrades["WIX_UPGRADE_DETECTED"][2] == built_msi.version  # older versions: removed
    assert upgrades["WIX_DOWNGRADE_DETECTED"][1] == built_msi.version  # newer: detected only
    conditions = {row[0]: row[1] for row in built_msi.table("LaunchCondition")}
    assert "mới hơn" in conditions["NOT WIX_DOWNGRADE_DETECTED"]
    steps = {row[0]: int(row[2]) for row in built_msi.table("InstallExecuteSequence")}
    assert steps["FindRelatedProducts"] < steps["LaunchConditions"]  # the downgrade is known when refused
    # The older kyso is removed whole before this one is installed, inside the install's transaction
    # (afterInstallInitialize: right after InstallInitialize, before ProcessComponents writes
    # script), so a failed upgrade — the install-time step refuses a bad POLICY_FILE — rolls back to
    # the old kyso; before InstallInitialize the removal is committed apart and a failure leaves
    # neither. After InstallFinalize (wixl's default) the new files are laid over the old ones under
    # file-versioning rules: a dependency downgraded in this version keeps the old, higher-versioned
    # DLL beside the new .pyd files, in components both versions share.
    assert steps["InstallInitialize"] < steps["RemoveExistingProducts"] < steps["ProcessComponents"]


def test_public_properties_reach_the_elevated_install(built_msi):
    """A public property set in the UI client reaches the elevated (server-side) install only if it
    is in SecureCustomProperties — otherwise the log says 'Ignoring disallowed property' and the
    install goes on without it; the Upgrade table's properties must be there too (ICE61)."""
    properties = {row[0]: row[1] for row in built_msi.table("Property")}
    secure = set(properties["SecureCustomProperties"].split(";"))
    assert secure >= PUBLIC_PROPERTIES
    assert {row[-1] for row in built_msi.table("Upgrade")} <= secure


def test_policy_properties_survive_repair_and_upgrade(built_msi):
    """A repair (Programs and Features, or msiexec /fa) or an upgrade pushed without the properties
    must not wipe what the first install wrote: the component writing each policy value also keeps
    a copy under HKLM\\Software\\kyso\\Deployment, which AppSearch reads back and a set-property action
    restores — unless the property is given again — before the component conditions are evaluated."""
    registry = built_msi.table("Registry")
    locators = {row[0]: row for row in built_msi.table("RegLocator")}
    searches = {row[0]: row[1] for row in built_msi.table("AppSearch")}
    actions = built_msi.table("CustomAction")
    for component, prop in CONDITIONED_COMPONENTS.items():
        remembered = f"REMEMBERED_{prop}"
        _signature, root, key, name, kind = locators[searches[remembered]]
        assert int(kind) & 16  # the 64-bit view, where the 64-bit component wrote it
        (copy,) = [row for row in registry if row[5] == component and (row[1], row[2], row[3]) == (root, key, name)]
        assert copy[4] == f"[{prop}]"
        (action,) = [row for row in actions if row[2] == prop and row[3] == f"[{remembered}]"]
        assert int(action[1]) == 51  # set a property, immediate
        for sequence in ("InstallUISequence", "InstallExecuteSequence"):
            steps = {row[0]: (row[1], int(row[2])) for row in built_msi.table(sequence)}
            condition, at = steps[action[0]]
            assert condition == f"NOT {prop} AND {remembered}"
            assert steps["AppSearch"][1] < at < steps["CostFinalize"][1]


def test_start_menu_shortcut(built_msi):
    (shortcut,) = built_msi.table("Shortcut")
    assert shortcut[1] == "ProgramMenuFolder"
    assert shortcut[2].endswith("|kyso — Ký số.lnk")
    assert shortcut[4] == "[PYTHONW_EXE]" and '"[INSTALLDIR]kyso-start.py"' in shortcut[5]  # no runtime inside


def test_explorer_integration_and_policy_keys(built_msi):
    registry = {(row[2], row[3]): row[4] for row in built_msi.table("Registry")}
    menu = r"Software\Classes\SystemFileAssociations\.pdf\shell"
    assert registry[(rf"{menu}\kyso.open", "MUIVerb")] == "Mở bằng kyso"
    assert registry[(rf"{menu}\kyso.sign", "MUIVerb")] == "Ký số bằng kyso"
    for verb in ("kyso.open", "kyso.sign"):
        assert registry[(rf"{menu}\{verb}\command", "")].endswith('"%1"')
    assert registry[(rf"{menu}\kyso.sign\command", "")].endswith(' --sign "%1"')  # opens and signs
    assert "--sign" not in registry[(rf"{menu}\kyso.open\command", "")]
    assert (r"Software\Classes\.pdf\OpenWithProgids", "kyso.pdf") in registry  # listed, never the default
    assert registry[(r"Software\Classes\kyso.pdf\shell\open\command", "")].endswith('"%1"')
    assert registry[(r"Software\Policies\kyso\Server", "url")] == "[SERVER_URL]"
    assert registry[(r"Software\Policies\kyso\Defaults", "tsa_url")] == "[TSA_URL]"
    components = {row[0]: row for row in built_msi.table("Component")}
    for component, prop in CONDITIONED_COMPONENTS.items():
        assert components[component][4] == prop  # written only when the property is set
    assert all(int(row[3]) & 256 for row in components.values())  # 64-bit: no WOW6432Node
    searches = {row[0]: row for row in built_msi.table("RegLocator")}
    assert int(searches["Python312Exe"][4]) & 16  # the 64-bit Python's registration


def test_install_time_step_runs_as_system_after_the_files(built_msi):
    (action,) = [row for row in built_msi.table("CustomAction") if row[0] == "KysoDeployMachine"]
    # exe named by a property, deferred, not impersonated, and its command line (which carries
    # the enrolment code) kept out of the msiexec log: MsiHiddenProperties alone does not hide a
    # custom action's Target, msidbCustomActionTypeHideTarget (0x2000) does
    assert int(action[1]) == 50 | 0x400 | 0x800 | 0x2000
    assert "--deploy-machine" in action[3] and '"[ENROLMENT_CODE]"' in action[3]
    steps = {row[0]: row for row in built_msi.table("InstallExecuteSequence")}
    # install, repair and upgrade — never the uninstall; and only a Python administrators own
    assert steps["KysoDeployMachine"][1] == 'NOT REMOVE~="ALL" AND PYTHON_EXE ~<< ProgramFiles64Folder'
    assert int(steps["InstallFiles"][2]) < int(steps["KysoDeployMachine"][2]) < int(steps["InstallFinalize"][2])


def test_the_deployed_python_must_be_one_only_administrators_can_replace(built_msi):
    """Without a runtime inside, the install-time step runs the registered python.exe as SYSTEM and
    every user runs pythonw.exe: one a user can replace (C:\\Python312 inherits C:\\'s 'Authenticated
    Users: Modify') would run that user's code as SYSTEM. Program Files is writable by administrators
    only, and python.org's per-machine installer puts Python there by default."""
    (condition,) = [row[0] for row in built_msi.table("LaunchCondition") if "PYTHON_EXE" in row[0]]
    assert condition == ("Installed OR (PYTHON_EXE AND PYTHONW_EXE AND PYTHON_EXE ~<< ProgramFiles64Folder "
                         "AND PYTHONW_EXE ~<< ProgramFiles64Folder)")


def _msi_paths(built_msi) -> dict[str, int]:
    directories = {row[0]: (row[1], row[2].split("|")[-1]) for row in built_msi.table("Directory")}
    components = {row[0]: row[2] for row in built_msi.table("Component")}

    def path_of(directory: str) -> str:
        parent, name = directories[directory]
        return "" if directory == "INSTALLDIR" else f"{path_of(parent)}{name}/"

    return {path_of(components[row[1]]) + row[2].split("|")[-1]: int(row[3]) for row in built_msi.table("File")}


def test_every_payload_file_is_in_the_msi_and_nothing_else(built_msi):
    in_msi = _msi_paths(built_msi)
    staged = {p.relative_to(built_msi.payload).as_posix(): p.stat().st_size
              for p in built_msi.payload.rglob("*") if p.is_file()}
    assert in_msi == staged
    expected = set()  # what the locked wheels install, read from their own RECORDs
    for wheel in read_lock():
        from installer.lock import _cached

        with zipfile.ZipFile(_cached(wheel.sha256, wheel.file)) as zipped:
            record = next(n for n in zipped.namelist() if n.endswith(".dist-info/RECORD"))
            for line in zipped.read(record).decode().splitlines():
                name = line.split(",", 1)[0]
                parts = PurePosixPath(name).parts
                shipped = "tests" not in parts[:-1] and PurePosixPath(name).suffix not in EXCLUDED_SUFFIXES
                if name and ".data/" not in name and shipped:  # the packages' own test suites are left out
                    expected.add(f"lib/{name}")
    missing = {name for name in expected - set(in_msi) if not name.endswith("/INSTALLER")}
    assert not missing
    assert {"lib/app/cli/main.py", "lib/resources/translations/kyso_vi.qm", "kyso-start.py", "kyso.ico",
            "licences/THIRD-PARTY-NOTICES.txt", "policy/kyso.admx", "policy/vi-VN/kyso.adml",
            "policy/en-US/kyso.adml", "policy/policy-template.toml"} <= set(in_msi)


def test_nothing_that_should_not_ship(built_msi):
    for path in _msi_paths(built_msi):
        parts = PurePosixPath(path).parts
        assert not {"__pycache__", ".venv", ".git", ".pytest_cache"} & set(parts), path
        assert PurePosixPath(path).suffix not in {".pyc", ".pyo"}, path
        assert parts[:2] not in {("lib", "tests"), ("lib", "server"), ("lib", "bin"), ("lib", "benchmarks")}, path


def test_licences_of_every_distribution(built_msi):
    notices = (built_msi.payload / "licences" / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    for wheel in read_lock():
        assert f" {wheel.version} — " in notices and wheel.version in notices
    assert "Fonts / phông chữ:" in notices


_SHORT_NAME = re.compile(r"^[A-Z0-9_^$~!#%&{}@`'()-]{1,8}(\.[A-Z0-9_^$~!#%&{}@`'()-]{1,3})?$")
_GUID = re.compile(r"^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$")


def _names(default: str) -> tuple[str, str]:
    """(short, long) of a Filename column ('SHORT~1.EXT|long name' or one 8.3 name)."""
    short, _, long = default.partition("|")
    return short, long or short


def test_tables_keep_windows_installer_component_and_file_rules(built_msi):
    """ICE-like checks (no ICE validator runs on Linux), read with msiinfo: the rules whose breach
    Windows Installer reports late or not at all — ICE08, ICE21, ICE30, ICE38/57, ICE80 and the
    8.3 names. Each assertion names the rows it found wrong."""
    components = {row[0]: row for row in built_msi.table("Component")}
    files = built_msi.table("File")
    registry = {row[0]: row for row in built_msi.table("Registry")}
    directories = {row[0]: row for row in built_msi.table("Directory")}
    guids = [row[1] for row in components.values()]
    assert [g for g in guids if not _GUID.match(g)] == []  # uppercase, braced (Guid column type)
    assert len(set(guids)) == len(guids)  # ICE08
    feature_components = [row[1] for row in built_msi.table("FeatureComponents")]
    assert sorted(feature_components) == sorted(components)  # ICE21: every component in one feature, once
    per_component: dict[str, list[str]] = {}
    for row in files:
        per_component.setdefault(row[1], []).append(row[0])
    assert [c for c, ids in per_component.items() if len(ids) != 1] == []  # one file, its key path
    wrong_keys = []
    for name, (_, _, _, attributes, _, key_path) in components.items():
        if int(attributes) & 4:  # registry key path: a Registry row of this component
            ok = key_path in registry and registry[key_path][5] == name
        else:
            ok = per_component.get(name) == [key_path]
        wrong_keys += [] if ok else [name]
    assert wrong_keys == []
    assert [c for c, row in components.items() if not int(row[3]) & 256] == []  # ICE80: all 64-bit
    assert {row[1] for row in registry.values()} == {"2"}  # HKLM only: per machine (ICE38/57)
    chain, parent = [], directories["INSTALLDIR"][1]
    while parent:
        chain.append(parent)
        parent = directories[parent][1]
    assert chain == ["ProgramFiles64Folder", "TARGETDIR"]
    # Names: a valid 8.3 short name beside each long one, unique (case-insensitively) among the
    # files and subfolders of each folder — two equal short names make one file overwrite another
    # on a volume without long names, and CostFinalize fails on duplicates.
    entries: dict[str, list[tuple[str, str]]] = {}
    for row in files:
        entries.setdefault(components[row[1]][2], []).append(_names(row[2]))
    for _directory, (_, parent_id, default) in directories.items():
        if parent_id and default != ".":
            entries.setdefault(parent_id, []).append(_names(default.split(":")[0]))
    bad_short, clashes = [], []
    for directory, names in entries.items():
        bad_short += [short for short, _ in names if not _SHORT_NAME.match(short.upper())]
        for kind in (0, 1):
            folded = [name[kind].upper() for name in names]
            clashes += sorted({f"{directory}/{n}" for n in folded if folded.count(n) > 1})
    assert bad_short == [], bad_short[:20]
    assert clashes == [], clashes[:20]
    media = built_msi.table("Media")
    assert max(int(row[7]) for row in files) <= max(int(row[1]) for row in media)  # every file on a medium
