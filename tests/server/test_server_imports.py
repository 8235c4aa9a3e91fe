"""The server imports from the desktop side only pure modules both must share, and they stay pure
(no Qt, pyhanko or PKCS#11 comes with them). Issue 13's layers test keeps the arrows for the whole
code base; this one guards the server's allowed list."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"app", "app.argparse_text", "app.audit.wire", "app.catalogue.loader", "app.catalogue.model", "app.policy"}


def test_the_server_imports_only_pure_app_modules():
    used = set()
    for path in (ROOT / "server").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("app"):
                used |= {node.module if node.module in ALLOWED else f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                used |= {alias.name for alias in node.names if alias.name.startswith("app")}
    assert used and used <= ALLOWED, used - ALLOWED


def test_those_modules_bring_nothing_heavy():
    code = ("import sys, app.argparse_text, app.audit.wire, app.catalogue.loader, app.policy; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'pyhanko', 'pkcs11', 'signing', "
            "'tokens', 'ui', 'httpx', 'sqlalchemy'}))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert found.stdout.strip() == "[]"
