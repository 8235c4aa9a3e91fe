"""Settings: who the user is, the images their signatures show, where signed files go, the
level and timestamp authority, token modules, language. A setting an administrator locked in
the policy is shown, disabled, with who locked it and whether the lock came from the audit server."""

from __future__ import annotations

from pathlib import Path

from app.settings import Settings, SettingsState

from .i18n import LANGUAGES
from .qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPixmap,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

__all__ = ["SettingsDialog"]

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
_CHECKER = "background: qlineargradient(x1:0,y1:0,x2:1,y2:1, stop:0 #ddd, stop:1 #fff);"


class SettingsDialog(QDialog):
    def __init__(self, state: SettingsState, *, roles: dict[str, str], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-settings")
        self.state = state
        self.roles = roles  # role id -> name, from the catalogue
        self.fields: dict[str, QWidget] = {}
        self.lock_labels: dict[str, QLabel] = {}
        self._build()
        self._load(state.settings)
        self._apply_locks()
        self.retranslate()
        self.resize(640, 460)

    # --- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.tabs = QTabWidget(self)
        # Vietnamese capitals carry marks above the font's ascent ("Ả"): room above the tab text.
        self.tabs.setStyleSheet("QTabBar::tab { padding: 6px 12px 4px 12px; }")
        self.person_tab, self.person_form = self._tab()
        self.images_tab, self.images_form = self._tab()
        self.signing_tab, self.signing_form = self._tab()
        self.tokens_tab, self.tokens_form = self._tab()
        self.fields["full_name"] = QLineEdit(self)
        self.fields["role"] = QComboBox(self)
        self.fields["role"].addItem("", "")
        for role_id, name in self.roles.items():
            self.fields["role"].addItem(name, role_id)
        self.fields["unit"] = QLineEdit(self)
        self.fields["organisation_name"] = QLineEdit(self)
        self.fields["language"] = QComboBox(self)
        for code, name in LANGUAGES.items():
            self.fields["language"].addItem(name, code)
        self.fields["signature_image"] = self._image_row("signature_image")
        self.fields["seal_image"] = self._image_row("seal_image")
        self.fields["output_folder"] = self._folder_row()
        self.fields["output_suffix"] = QLineEdit(self)
        self.fields["output_suffix"].setMaxLength(40)
        self.fields["default_level"] = QComboBox(self)
        for level in LEVELS:
            self.fields["default_level"].addItem(level, level)
        self.fields["tsa_url"] = QLineEdit(self)
        self.fields["pkcs11_modules"] = QPlainTextEdit(self)
        self.fields["pkcs11_modules"].setTabChangesFocus(True)
        self.labels = {name: QLabel(self) for name in Settings.names() if name in self.fields}  # lower_level: policy only
        for name, form in (("full_name", self.person_form), ("role", self.person_form), ("unit", self.person_form),
                           ("organisation_name", self.person_form), ("language", self.person_form),
                           ("signature_image", self.images_form), ("seal_image", self.images_form),
                           ("output_folder", self.signing_form), ("output_suffix", self.signing_form),
                           ("default_level", self.signing_form),
                           ("tsa_url", self.signing_form), ("pkcs11_modules", self.tokens_form)):
            self.labels[name].setBuddy(self._focus_widget(name))
            form.addRow(self.labels[name], self._with_lock(name))
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)

    def _tab(self):
        page = QWidget(self)
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.tabs.addTab(page, "")
        return page, form

    def _image_row(self, name: str) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        path = QLineEdit(row)
        path.setObjectName(f"{name}-path")
        preview = QLabel(row)
        preview.setObjectName(f"{name}-preview")
        preview.setFixedSize(120, 70)
        preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        preview.setStyleSheet(_CHECKER)  # transparency shows against the pattern
        choose = QPushButton(row)
        choose.setObjectName(f"{name}-choose")
        choose.clicked.connect(lambda: self._choose_image(path))
        path.textChanged.connect(lambda value: self._preview_image(preview, value))
        layout.addWidget(path, 1)
        layout.addWidget(choose)
        layout.addWidget(preview)
        row.path, row.preview, row.choose = path, preview, choose
        return row

    def _folder_row(self) -> QWidget:
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        path = QLineEdit(row)
        choose = QPushButton(row)
        choose.clicked.connect(lambda: self._choose_folder(path))
        layout.addWidget(path, 1)
        layout.addWidget(choose)
        row.path, row.choose = path, choose
        return row

    def _with_lock(self, name: str) -> QWidget:
        holder = QWidget(self)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.fields[name])
        lock = QLabel(holder)
        lock.setObjectName(f"{name}-lock")
        lock.setStyleSheet("color:#a86400")
        lock.hide()
        layout.addWidget(lock)
        self.lock_labels[name] = lock
        return holder

    def _focus_widget(self, name: str) -> QWidget:
        field = self.fields[name]
        return getattr(field, "path", field)

    # --- texts --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Settings"))
        for index, title in enumerate((self.tr("You"), self.tr("Signature images"), self.tr("Signing"), self.tr("Tokens"))):
            self.tabs.setTabText(index, title)
        titles = {
            "full_name": self.tr("&Full name"), "role": self.tr("&Position"), "unit": self.tr("&Unit"),
            "organisation_name": self.tr("&Organisation (on copies)"), "language": self.tr("&Language"),
            "signature_image": self.tr("&Handwritten signature (PNG)"), "seal_image": self.tr("&Seal (PNG)"),
            "output_folder": self.tr("Save signed files &in"),
            "output_suffix": self.tr("Signed file &name: NAME + …"), "default_level": self.tr("Default &level"),
            "tsa_url": self.tr("&Timestamp authority (URL)"), "pkcs11_modules": self.tr("Token &modules (one path per line)"),
        }
        for name, title in titles.items():
            self.labels[name].setText(title)
            self._focus_widget(name).setAccessibleName(title.replace("&", ""))
        for name in ("signature_image", "seal_image"):
            self.fields[name].choose.setText(self.tr("Choose…"))
        self.fields["output_folder"].choose.setText(self.tr("Choose…"))
        self.fields["output_folder"].path.setPlaceholderText(self.tr("beside each document"))
        self.fields["tsa_url"].setPlaceholderText("http://…")
        self.fields["output_suffix"].setToolTip(self.tr("quyet-dinh.pdf is signed as quyet-dinh%1.pdf")
                                                .replace("%1", self.fields["output_suffix"].text() or ".signed"))
        self.save_button.setText(self.tr("Save"))
        self.cancel_button.setText(self.tr("Cancel"))
        for name, who in self.state.locked.items():
            if name in self.lock_labels:
                text = (self.tr("Locked by %1 (policy from the audit server)")
                        if self.state.lock_sources.get(name) == "server" else self.tr("Locked by %1"))
                self.lock_labels[name].setText(text.replace("%1", who))

    # --- values -------------------------------------------------------------------------------
    def _load(self, settings: Settings) -> None:
        self.fields["full_name"].setText(settings.full_name)
        role = self.fields["role"]
        index = role.findData(settings.role)
        if index < 0 and settings.role:
            role.addItem(settings.role, settings.role)
            index = role.count() - 1
        role.setCurrentIndex(max(index, 0))
        self.fields["unit"].setText(settings.unit)
        self.fields["organisation_name"].setText(settings.organisation_name)
        self.fields["language"].setCurrentIndex(max(self.fields["language"].findData(settings.language), 0))
        self.fields["signature_image"].path.setText(settings.signature_image)
        self.fields["seal_image"].path.setText(settings.seal_image)
        self.fields["output_folder"].path.setText(settings.output_folder)
        self.fields["output_suffix"].setText(settings.output_suffix)
        self.fields["default_level"].setCurrentIndex(max(self.fields["default_level"].findData(settings.default_level), 0))
        self.fields["tsa_url"].setText(settings.tsa_url)
        self.fields["pkcs11_modules"].setPlainText("\n".join(settings.pkcs11_modules))

    def values(self) -> dict:
        fields = self.fields
        return {
            "full_name": fields["full_name"].text().strip(),
            "role": fields["role"].currentData() or "",
            "unit": fields["unit"].text().strip(),
            "organisation_name": fields["organisation_name"].text().strip(),
            "language": fields["language"].currentData(),
            "signature_image": fields["signature_image"].path.text().strip(),
            "seal_image": fields["seal_image"].path.text().strip(),
            "output_folder": fields["output_folder"].path.text().strip(),
            "output_suffix": fields["output_suffix"].text().strip() or ".signed",
            "default_level": fields["default_level"].currentData(),
            "tsa_url": fields["tsa_url"].text().strip(),
            "pkcs11_modules": tuple(line.strip() for line in fields["pkcs11_modules"].toPlainText().splitlines()
                                    if line.strip()),
        }

    def changes(self) -> dict:
        """The values the user changed (locked settings are never among them)."""
        current = self.state.settings
        return {name: value for name, value in self.values().items()
                if name not in self.state.locked and value != getattr(current, name)}

    def _apply_locks(self) -> None:
        for name in self.state.locked:
            if name in self.fields:
                self.fields[name].setEnabled(False)
                self.lock_labels[name].show()

    # --- choosing files -----------------------------------------------------------------------
    def _choose_image(self, target: QLineEdit) -> None:
        start = str(Path(target.text()).parent) if target.text() else ""
        chosen, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a PNG image"), start, self.tr("PNG images (*.png)"))
        if chosen:
            target.setText(chosen)

    def _choose_folder(self, target: QLineEdit) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Save signed files in"), target.text())
        if chosen:
            target.setText(chosen)

    @staticmethod
    def _preview_image(label: QLabel, path: str) -> None:
        pixmap = QPixmap(path) if path else QPixmap()
        if pixmap.isNull():
            label.clear()
            return
        label.setPixmap(pixmap.scaled(label.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation))
