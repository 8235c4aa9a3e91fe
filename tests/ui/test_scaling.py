"""The dialogs of a signing at 100–200 % scaling: each fits the screen and shows all its text
(labels wrap, none is cut, buttons hold their words). Each case runs in a child process with
QT_SCALE_FACTOR and an offscreen screen of that size (Qt reads both once, at start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("width, height, scale, logical", [
    (1366, 768, "1", (1366, 768)),      # the common office laptop at 100 %
    (2732, 1536, "2", (1366, 768)),     # the same at 200 %
    (1920, 1080, "1.5", (1280, 720)),   # a 1080p laptop at 150 %: the smallest logical screen
])
def test_signing_dialogs_fit_their_text_and_the_screen(tmp_path, kyso_home, width, height, scale, logical):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "kyso", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": scale,
           "KYSO_HOME": str(kyso_home), "KYSO_LANG": "vi"}
    env.pop("QT_SCREEN_SCALE_FACTORS", None)
    result = subprocess.run([sys.executable, "-m", "tests.support.scaling_probe"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert tuple(report["screen"]) == logical and report["ratio"] == float(scale)
    assert len(report["dialogs"]) >= 15
    assert {name: problems for name, problems in report["dialogs"].items() if problems} == {}
