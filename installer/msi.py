"""Run wixl on kyso.wxs + payload.wxs, then set with msibuild what wixl 0.101 cannot express."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from .inputs import INSTALLER

__all__ = ["CONDITIONED_COMPONENTS", "PRODUCT_CODE_NAMESPACE", "PUBLIC_PROPERTIES", "build_msi", "product_code"]

# A new ProductCode for every version, always the same one for a given version (so a rebuild of
# a release is the same product); MajorUpgrade replaces any other version of the UpgradeCode.
PRODUCT_CODE_NAMESPACE = uuid.UUID("6f4c2e0a-9a57-4d3b-8f2e-1c5b7a0d9e31")
# wixl has no Component/Condition: each policy component is installed only if its property is set.
CONDITIONED_COMPONENTS = {"PolicyServerUrl": "SERVER_URL", "PolicyTsaUrl": "TSA_URL",
                          "PolicyOutputSuffix": "OUTPUT_SUFFIX", "PolicyLanguage": "LANGUAGE"}
# The silent-install properties (docs/installer.md). Under UAC, the elevated install receives a
# public property from the UI client only if it is listed in SecureCustomProperties; wixl has no
# Property/@Secure.
PUBLIC_PROPERTIES = ("SERVER_URL", "ENROLMENT_CODE", "TSA_URL", "OUTPUT_SUFFIX", "LANGUAGE", "POLICY_FILE")
_MSIDB_COMPONENT_64BIT = 256
_MSIDB_LOCATOR_64BIT = 16
# msidbCustomActionTypeHideTarget: Windows Installer logs a custom action's formatted Target (here
# the command line with the enrolment code) unless this bit is set; MsiHiddenProperties does not
# cover it. wixl 0.101 accepts HideTarget="yes" but drops it.
_MSIDB_CUSTOM_ACTION_HIDE_TARGET = 0x2000
_DEPLOY_ACTION_TYPES = (18 | 0x400 | 0x800, 50 | 0x400 | 0x800)  # installed exe / exe named by a property
# wixl writes strings in the code page of the language it is told (libgsf); Vietnamese is 1258.
_ENV = {**os.environ, "WINDOWS_LANGUAGE": "vi"}


def product_code(version: str) -> str:
    return str(uuid.uuid5(PRODUCT_CODE_NAMESPACE, f"kyso {version} x64")).upper()


def _gui_variables(bundled: bool) -> dict[str, str]:
    if bundled:
        return {"GuiCommand": '"[INSTALLDIR]kyso-gui.exe"', "GuiTarget": "[INSTALLDIR]kyso-gui.exe",
                "GuiArguments": ""}
    start = '-I "[INSTALLDIR]kyso-start.py"'
    return {"GuiCommand": f'"[PYTHONW_EXE]" {start}', "GuiTarget": "[PYTHONW_EXE]", "GuiArguments": start}


def build_msi(*, payload: Path, version: str, bundled: bool, out: Path) -> Path:
    fragment = payload.parent / "payload.wxs"
    variables = {"Version": version, "ProductCode": product_code(version),
                 "Runtime": "bundled" if bundled else "system", **_gui_variables(bundled)}
    defines = [arg for name, value in variables.items() for arg in ("-D", f"{name}={value}")]
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["wixl", "-a", "x64", *defines, "-o", str(out.resolve()), str(INSTALLER / "kyso.wxs"),
                    str(fragment)], cwd=payload, env=_ENV, check=True)
    _after_wixl(out)
    return out


def _msibuild(msi: Path, *queries: str) -> None:
    """All queries in one msibuild run: each run rewrites the whole database (~0.6 s for 118 MB)."""
    subprocess.run(["msibuild", str(msi), *(arg for query in queries for arg in ("-q", query))], env=_ENV, check=True)


def _property(msi: Path, name: str) -> str:
    exported = subprocess.run(["msiinfo", "export", str(msi), "Property"], env=_ENV, check=True,
                              capture_output=True).stdout.decode("utf-8")
    rows = dict(line.split("\t", 1) for line in exported.split("\r\n")[3:] if "\t" in line)
    return rows.get(name, "")


def _after_wixl(msi: Path) -> None:
    conditions = [f"UPDATE `Component` SET `Condition`='{prop}' WHERE `Component`='{component}'"
                  for component, prop in CONDITIONED_COMPONENTS.items()]
    # wixl 0.101 leaves components and the registry searches 32-bit: the registry writes would land
    # in WOW6432Node and the searches would miss a 64-bit Python and the remembered properties.
    sixty_four = [f"UPDATE `Component` SET `Attributes`={value | _MSIDB_COMPONENT_64BIT} WHERE `Attributes`={value}"
                  for value in (0, 4)]
    locator = [f"UPDATE `RegLocator` SET `Type`={t | _MSIDB_LOCATOR_64BIT} WHERE `Type`={t}" for t in (0, 1, 2)]
    secure = ";".join(dict.fromkeys([*filter(None, _property(msi, "SecureCustomProperties").split(";")),
                                     *PUBLIC_PROPERTIES]))
    secure_row = [f"UPDATE `Property` SET `Value`='{secure}' WHERE `Property`='SecureCustomProperties'"]
    # wixl ignores MajorUpgrade/@Schedule and puts RemoveExistingProducts after InstallFinalize.
    # afterInstallInitialize (1501: after InstallInitialize's 1500, before ProcessComponents' 1600
    # writes script) removes the older kyso whole before any file of this one is laid down, inside
    # the same transaction: if this install fails (the custom action refusing POLICY_FILE), the old
    # kyso is restored. (WiX's default, afterInstallValidate, commits the removal apart: a failed
    # upgrade would leave neither version.)
    remove_first = ["UPDATE `InstallExecuteSequence` SET `Sequence`=1501 WHERE `Action`='RemoveExistingProducts'"]
    hidden = [f"UPDATE `CustomAction` SET `Type`={t | _MSIDB_CUSTOM_ACTION_HIDE_TARGET} "
              f"WHERE `Action`='KysoDeployMachine' AND `Type`={t}" for t in _DEPLOY_ACTION_TYPES]
    _msibuild(msi, *conditions, *sixty_four, *locator, *hidden, *secure_row, *remove_first)
    force = msi.parent / "_ForceCodepage.idt"
    force.write_bytes(b"\r\n\r\n1258\t_ForceCodepage\r\n")
    try:
        subprocess.run(["msibuild", str(msi), "-i", str(force)], env=_ENV, check=True)
    finally:
        force.unlink()
