"""Screenshots of the desktop application for docs/screenshots/, taken on a real X server (Xvfb).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

For each language (vi, en) and display scaling (100 %, 150 %, 200 %) a child process starts kyso's
main window on Xvfb (platform xcb, not offscreen), with a SoftHSM token and the test PKI that the
tests use, opens generated Decree 30 documents, signs some for real, and saves: the main window
with a document, the PIN dialog, the batch result, the settings and the audit log.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.softhsm import USER_PIN  # noqa: E402

TOKEN = "VNPT-CA Token"
KEY = "signer-rsa2048"
SCALES = {"100": "1", "150": "1.5", "200": "2"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--child", nargs=3, metavar=("LANG", "SCALE", "WORK"))
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child, out=args.out)
    return parent(args.out)


# --- the parent: Xvfb, PKI, token -------------------------------------------------------------
def parent(out: Path) -> int:
    from tests.support.pki import build_pki
    from tests.support.softhsm import KeySpec, SoftHsm, TokenSpec

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kyso-shots-"))
    pki = build_pki(work / "pki")
    hsm = SoftHsm(work / "softhsm")
    os.environ.update(hsm.env)  # before SoftHSM is loaded in this process
    hsm.init_token(TOKEN)
    hsm.fill_token(TokenSpec(TOKEN, (KeySpec(KEY, b"\x01", pki.key_path(KEY), pki.cert_der(KEY)),),
                             ca_certs=(pki.cert_der("interm"),)))
    shutil.copytree(pki.trust_dir(), work / "policy" / "trust")
    display, xvfb = start_xvfb()
    try:
        for lang in ("vi", "en"):
            for scale in SCALES:
                env = {**os.environ, **hsm.env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
                       "QT_SCALE_FACTOR": SCALES[scale], "KYSO_PKCS11_MODULE": hsm.module,
                       "KYSO_POLICY_DIR": str(work / "policy"), "KYSO_TSA": pki.tsa_url}
                env.pop("KYSO_LANG", None)
                subprocess.run([sys.executable, __file__, "--out", str(out), "--child", lang, scale, str(work)],
                               env=env, check=True, timeout=300)
    finally:
        xvfb.terminate()
        pki.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"screenshots in {out}")
    return 0


def start_xvfb() -> tuple[str, subprocess.Popen]:
    read, write = os.pipe()
    process = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "2400x1500x24", "-nolisten", "tcp"],
                               pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(read, 16)
        if not chunk:
            raise RuntimeError("Xvfb did not start")
        number += chunk
    os.close(read)
    return f":{number.decode().strip()}", process


# --- a child: one language, one scaling ---------------------------------------------------------
def child(lang: str, scale: str, work: str, *, out: Path) -> int:
    home = Path(tempfile.mkdtemp(prefix=f"home-{lang}-{scale}-", dir=work))
    os.environ["KYSO_HOME"] = str(home)
    documents = _documents(home)
    _settings(home, lang)
    from ui.main import create_application, create_main_window
    from ui.qt import QTimer

    app = create_application()
    window = create_main_window()
    window.resize(1280, 780)
    window.show()
    window.warm_up(documents)
    shots = Shots(app, window, out, f"{lang}-{scale}")
    QTimer.singleShot(200, shots.wait_ready)
    app.exec()
    return 0 if shots.done else 1


def _documents(home: Path) -> list[Path]:
    from tests.support.catalogue_docs import NEUTRAL_BODY
    from tests.support.documents import decree30_pdf

    folder = home / "van-ban"
    folder.mkdir()
    return [
        decree30_pdf(folder / "quyet-dinh-phan-cong.pdf"),
        decree30_pdf(folder / "cao-trang.pdf", title="CÁO TRẠNG", number="Số: 05/CT-VKS-P1", body=NEUTRAL_BODY),
        decree30_pdf(folder / "cong-van.pdf", title="", number="Số: 123/VKS-VP", summary="V/v báo cáo công tác kiểm sát",
                     body=NEUTRAL_BODY, signer_title="KT. VIỆN TRƯỞNG"),
        decree30_pdf(folder / "bao-cao-mat.pdf", title="BÁO CÁO", number="Số: 07/BC-VKS", body=NEUTRAL_BODY,
                     secret="MẬT"),
    ]


def _settings(home: Path, lang: str) -> None:
    from app.settings import save_settings
    from tests.support.documents import seal_png, signature_png

    save_settings({
        "full_name": "Nguyễn Văn An", "role": "vien-truong", "unit": "Viện kiểm sát nhân dân thành phố Hà Nội",
        "organisation_name": "Viện kiểm sát nhân dân thành phố Hà Nội",
        "signature_image": str(signature_png(home / "chu-ky.png")), "seal_image": str(seal_png(home / "con-dau.png")),
        "pkcs11_modules": (os.environ["KYSO_PKCS11_MODULE"],), "tsa_url": os.environ["KYSO_TSA"],
        "default_level": "B-LT", "language": lang,
    })


class Shots:
    def __init__(self, app, window, out: Path, suffix: str) -> None:
        self.app, self.window, self.out, self.suffix = app, window, out, suffix
        self.done = False
        self.polls = 0

    def save(self, widget, name: str) -> None:
        widget.grab().save(str(self.out / f"{name}-{self.suffix}.png"))

    def wait_ready(self) -> None:
        from ui.qt import QTimer

        window = self.window
        self.polls += 1
        ready = (window.catalogue is not None and window.model.documents and all(d.checked for d in window.model.documents)
                 and window.token_monitor.ready and window.preview.box_item is not None)
        if window.catalogue is not None and window.model.documents and window.table.currentIndex().row() < 0:
            window.table.selectRow(0)
        if not ready and self.polls < 300:
            QTimer.singleShot(100, self.wait_ready)
            return
        QTimer.singleShot(300, self.main_window)  # the page render lands

    def main_window(self) -> None:
        self.save(self.window, "main")
        self.pin_dialog()

    def pin_dialog(self) -> None:
        from tokens import PinRequest, PinStatus
        from ui.prompts import PinDialog

        view = self.window.token_monitor.ready[0]
        dialog = PinDialog(PinRequest(view.label, view.serial, PinStatus.COUNT_LOW, min_length=4, max_length=16),
                           self.window)
        dialog.pin.setText("123456")
        dialog.show()
        self.app.processEvents()
        self.save(dialog, "pin")
        dialog.reject()
        self.settings()

    def settings(self) -> None:
        from app.settings import load_settings
        from ui.settings_dialog import SettingsDialog

        roles = {r.id: r.name for r in self.window.catalogue.roles.values()}
        dialog = SettingsDialog(load_settings(), roles=roles, parent=self.window)
        dialog.show()
        self.app.processEvents()
        self.save(dialog, "settings")
        dialog.tabs.setCurrentIndex(1)
        self.app.processEvents()
        self.save(dialog, "settings-images")
        dialog.reject()
        self.batch()

    def batch(self) -> None:
        """Sign every document for real (the secret one is refused) and show the results."""
        from ui.prompts import PinDialog

        answered = {"pin": False}

        def answer():
            for widget in self.app.topLevelWidgets():
                if isinstance(widget, PinDialog) and widget.isVisible() and not answered["pin"]:
                    answered["pin"] = True
                    widget.pin.setText(USER_PIN)
                    widget.accept()
                if widget.objectName() in ("kyso-batch-confirm", "kyso-warnings") and widget.isVisible():
                    widget.accept()
            if self.window.signing is not None or not answered["pin"]:
                from ui.qt import QTimer

                QTimer.singleShot(50, answer)

        self.window.signingFinished.connect(self.results)
        answer()
        self.window.sign_all()

    def results(self, report) -> None:
        from ui.qt import QTimer

        def shoot():
            dialog = self.window.signing_results if hasattr(self.window, "signing_results") else None
            dialog = dialog or next((w for w in self.app.topLevelWidgets() if w.objectName() == "kyso-results"), None)
            if dialog is None:
                QTimer.singleShot(100, shoot)
                return
            self.save(dialog, "results")
            dialog.accept()
            self.window.table.selectRow(0)
            QTimer.singleShot(800, self.signed)

        shoot()

    def signed(self) -> None:
        self.save(self.window, "main-signed")
        self.audit_view()

    def audit_view(self) -> None:
        """The audit log after the batch, a successful signature selected."""
        from ui.qt import QTimer

        self.window.open_audit()
        view = self.window.audit_window

        def shoot():
            if view.count is None or view.model.loading:
                QTimer.singleShot(100, shoot)
                return
            row = next((i for i, e in enumerate(view.model.events) if e.type == "sign.succeeded"), 0)
            view.table.selectRow(row)
            self.app.processEvents()
            self.save(view, "audit")
            view.close()
            self.done = True
            self.window.close()
            self.app.quit()

        shoot()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
