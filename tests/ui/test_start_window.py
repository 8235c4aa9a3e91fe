"""The desktop start window builds with real widgets (offscreen)."""

from __future__ import annotations

from ui.main import build_window


def test_start_window_shows_version_and_data_folder(qtbot, kyso_home):
    window = build_window()
    qtbot.addWidget(window)
    window.show()
    text = window.centralWidget().findChildren(type(window.centralWidget().layout().itemAt(0).widget()))[0].text()
    assert "kyso" in text
    assert str(kyso_home) in text
    assert window.windowTitle().startswith("kyso")
