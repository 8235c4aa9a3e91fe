"""A setting the audit server's policy locks is shown locked, with who locked it and that the lock
came from the server; one the machine's own file locks says who locked it, as before."""

from __future__ import annotations


def test_locks_show_their_source(qtbot, kyso_home, tmp_path, monkeypatch):
    from ui.main import create_application

    machine = tmp_path / "machine"
    machine.mkdir()
    monkeypatch.setenv("KYSO_POLICY_DIR", str(machine))
    (machine / "policy.toml").write_text('locked_by = "Phòng CNTT"\n[locked]\noutput_suffix = ".ky"\n', encoding="utf-8")
    (kyso_home / "server").mkdir(parents=True, exist_ok=True)
    (kyso_home / "server" / "policy.toml").write_text(
        'locked_by = "Văn phòng VKSND Hà Nội"\n[locked]\ntsa_url = "http://tsa.vks.gov.vn"\n', encoding="utf-8")
    create_application()
    from app.settings import load_settings
    from ui.i18n import set_language
    from ui.settings_dialog import SettingsDialog

    set_language("vi")
    dialog = SettingsDialog(load_settings(), roles={})
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.fields["tsa_url"].isEnabled() and not dialog.fields["output_suffix"].isEnabled()
    assert dialog.lock_labels["tsa_url"].text() == "Đã bị Văn phòng VKSND Hà Nội khoá (chính sách từ máy chủ kiểm toán)"
    assert dialog.lock_labels["output_suffix"].text() == "Đã bị Phòng CNTT khoá"
